"""CSV downloads: text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from django.http import StreamingHttpResponse

from core.downloads import csv_cell, frame_download, rows_download


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_is_quoted(start):
    assert csv_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_numbers_dates_and_missing_values_are_written_as_such():
    assert csv_cell(-5.5) == -5.5 and csv_cell(0) == 0
    assert csv_cell(None) == "" and csv_cell(float("nan")) == ""
    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    tokyo = timezone(timedelta(hours=9))
    assert csv_cell(when, tokyo) == "2026-01-02T12:04:00+09:00"


def test_a_frame_download_guards_its_text_columns_and_keeps_numbers():
    frame = pd.DataFrame({"item": ["=cmd|' /C calc'!A0", "SKU-1"], "qty": [-3.0, 4.0]})
    response = frame_download(frame, filename="t.csv")
    text = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert text.splitlines() == ["item,qty", "'=cmd|' /C calc'!A0,-3.0", "SKU-1,4.0"]


def test_streamed_and_whole_row_downloads_write_the_same_text():
    rows = [["@SUM(A1)", 1], ["plain", 2]]
    whole = rows_download(["name", "n"], rows, filename="r.csv").content.decode()
    streamed = rows_download(["name", "n"], rows, filename="r.csv", stream=True)
    assert isinstance(streamed, StreamingHttpResponse)
    streamed_text = b"".join(streamed).decode()
    assert whole == streamed_text == "name,n\n'@SUM(A1),1\nplain,2\n"
