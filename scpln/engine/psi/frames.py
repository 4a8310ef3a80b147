"""The long-format PSI table built over the kernel's arrays without copying them.

Rows are ordered by day, then by echelon level (customer-facing first), node code and
item code. Metric columns are float32 views of the kernel's history, so a 200,000
node-item × 365 day run does not pay for its 73 million rows twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import buffers
from .record import METRICS, KernelResult

if TYPE_CHECKING:
    import pandas as pd

PSI_SCHEMA_VERSION = "psi-1.0"
PSI_COLUMNS = ("day", "node", "item", *METRICS)


def psi_frame(kr: KernelResult) -> pd.DataFrame:
    """``day, node, item`` then :data:`METRICS`, one row per day × node-item."""
    import pandas as pd

    net, days, size = kr.network, kr.days, kr.network.size
    day_type = np.int16 if days <= np.iinfo(np.int16).max else np.int32
    day = buffers.zeros((days, size), day_type)
    day[:] = np.arange(days, dtype=day_type)[:, None]
    columns: dict[str, object] = {
        "day": day.reshape(-1),
        "node": _tiled_categorical(net.ni_node, net.node_codes, days),
        "item": _tiled_categorical(net.ni_item, net.item_codes, days),
    }
    for metric in METRICS:
        columns[metric] = kr.history[metric].reshape(-1)
    return pd.DataFrame(columns, copy=False)


def _tiled_categorical(codes: np.ndarray, labels: tuple[str, ...], days: int) -> pd.Categorical:
    import pandas as pd

    # The smallest code type pandas itself would pick, so it keeps our array as is.
    code_type = next(t for t in (np.int8, np.int16, np.int32) if len(labels) < np.iinfo(t).max)
    dtype = pd.CategoricalDtype(categories=list(labels))
    tiled = buffers.zeros((days, len(codes)), code_type)
    tiled[:] = codes.astype(code_type)[None, :]
    return pd.Categorical.from_codes(tiled.reshape(-1), dtype=dtype, validate=False)
