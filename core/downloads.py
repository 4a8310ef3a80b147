"""CSV downloads: the one place that writes CSV for people, with the formula guard.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return as a formula, so text from planners (names,
descriptions, codes) could run in the spreadsheet of whoever opens the file.
Every text cell that starts so is written with a leading apostrophe, which
spreadsheets show as text. Numbers are written as they are.

Two shapes, the same rules: rows (``rows_download``, optionally streamed for
exports without a cap) and a DataFrame (``frame_download``, pandas' number
and date formatting).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

import pandas as pd
from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_cell(value: Any, zone: tzinfo | None = None) -> Any:
    """A cell as a spreadsheet should read it: text that looks like a formula
    quoted, times in ``zone`` (with the offset), missing values empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return (value.astimezone(zone) if zone else value).isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    """A file-like object whose ``write`` hands the line back (for streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence[Any]], zone: tzinfo | None = None
) -> Iterator[str]:
    """The CSV text line by line: header first, every cell through :func:`csv_cell`."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_cell(value, zone) for value in row])


def _attach(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


def rows_download(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    zone: tzinfo | None = None,
    stream: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """A CSV attachment of ``rows``; ``stream`` writes it while it is sent (no size cap)."""
    lines = csv_lines(header, rows, zone)
    response: HttpResponse | StreamingHttpResponse
    if stream:
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CONTENT_TYPE)
    _attach(response, filename)
    return response


def guarded_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that looks like a formula quoted (a copy if any is)."""
    text = [
        column
        for column in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[column].dtype)
        and not pd.api.types.is_datetime64_any_dtype(frame[column].dtype)
        and not pd.api.types.is_bool_dtype(frame[column].dtype)
    ]
    if not text:
        return frame
    return frame.assign(**{column: frame[column].map(csv_cell) for column in text})


def frame_download(frame: pd.DataFrame, *, filename: str) -> HttpResponse:
    """A DataFrame as a CSV attachment (pandas' formats for numbers and dates)."""
    response = HttpResponse(guarded_frame(frame).to_csv(index=False), content_type=CONTENT_TYPE)
    _attach(response, filename)
    return response
