"""A plan's digest (part of a run's input hash): the same rows in any order, the same digest;
any change to a row or to how the plan executes, another; runs hashed under the older CSV
scheme still get their hash."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from scpln.engine.psi import Constraints, PlanSchedule
from scpln.engine.psi.plan import PLAN_DIGEST, PLAN_DIGEST_SCHEMES


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = 400
    return pd.DataFrame(
        {
            "item": rng.choice(["SKU-2", "SKU-10", "SKU-1", "Ä-3"], rows),
            "day": rng.integers(0, 60, rows) * 7,
            "quantity": rng.random(rows) * 100,
            "days": rng.integers(1, 8, rows),
            "node": rng.choice(["F1", "F2"], rows),
        }
    )


def _digest(frame: pd.DataFrame, scheme: str = PLAN_DIGEST, **how) -> str:
    return PlanSchedule.from_frame(frame, **how).digest(scheme)


@pytest.mark.parametrize("scheme", PLAN_DIGEST_SCHEMES)
def test_row_order_does_not_count_and_every_change_does(frame, scheme) -> None:
    base = _digest(frame, scheme)
    assert _digest(frame.sample(frac=1.0, random_state=3), scheme) == base
    changed = {
        "quantity": frame.assign(quantity=frame["quantity"].where(frame.index != 5, 1e-9)),
        "day": frame.assign(day=frame["day"].where(frame.index != 5, 999)),
        "days": frame.assign(days=frame["days"].where(frame.index != 5, 8 - frame["days"])),
        "item": frame.assign(item=frame["item"].where(frame.index != 5, "SKU-20")),
        "node": frame.assign(node=frame["node"].where(frame.index != 5, "F3")),
        "one row less": frame.drop(index=5),
        "no node": frame.drop(columns="node"),
    }
    digests = {name: _digest(changed_frame, scheme) for name, changed_frame in changed.items()}
    digests["daily"] = _digest(frame, scheme, release_rule="daily")
    digests["lead time free"] = _digest(
        frame, scheme, constraints=Constraints(material=True, capacity=True, lead_time=False)
    )
    assert base not in digests.values()
    assert len(set(digests.values())) == len(digests)


def test_the_csv_scheme_is_the_digest_runs_were_hashed_with_before(frame) -> None:
    # What runs recorded before the columns scheme hold in their input hash: the CSV text of
    # the rows sorted by every column, then the release rule and the lead-time switch.
    plan = PlanSchedule.from_frame(frame, release_rule="daily")
    rows = plan.rows.sort_values(list(plan.rows.columns), kind="stable")
    before = hashlib.sha256(rows.to_csv(index=False).encode())
    before.update(b"daily lead_time=True")
    assert plan.digest("csv") == before.hexdigest()
    assert plan.digest() != before.hexdigest() and plan.digest().startswith(f"{PLAN_DIGEST}:")


def test_an_unknown_scheme_is_refused_by_name(frame) -> None:
    with pytest.raises(ValueError, match="plan digest scheme"):
        PlanSchedule.from_frame(frame).digest("xml")
