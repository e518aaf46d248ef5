"""The report's tables show money in each row's currency decimals and ratios as percentages, while the frame
underneath keeps its values."""

from __future__ import annotations

import pandas as pd
import pytest

from billkit.errors import InvalidArgumentError
from billkit.report.tables import styled


def cells(frame: pd.DataFrame) -> list[list[str]]:
    """The displayed text of every body cell, row by row."""
    rendered = styled(frame).to_string(delimiter="|")
    return [line.split("|")[1:] for line in rendered.splitlines()[1:]]


def test_major_amounts_take_their_own_currency_decimals() -> None:
    frame = pd.DataFrame(
        {
            "currency": pd.Series(["ZAR", "JPY", "BHD"], dtype="category"),
            "amount_major": [651.5, 1200.0, 1.25],
            "bills": [3, 1, 2],
        }
    )
    assert [row[1] for row in cells(frame)] == ["651.50", "1,200", "1.250"]
    assert [row[2] for row in cells(frame)] == ["3", "1", "2"]


def test_ratios_show_as_percentages_and_missing_values_as_a_dash() -> None:
    frame = pd.DataFrame(
        {
            "currency": pd.Series(["ZAR", "ZAR"], dtype="category"),
            "billed_major": [10.0, None],
            "rate": pd.array([0.484567, None], dtype="Float64"),
        }
    )
    assert cells(frame) == [["ZAR", "10.00", "48.5%"], ["ZAR", "—", "—"]]


def test_the_frame_itself_keeps_its_values() -> None:
    frame = pd.DataFrame(
        {"currency": pd.Series(["ZAR"], dtype="category"), "amount_major": [651.5], "share": [0.5]}
    )
    before = frame.copy()
    assert cells(frame) == [["ZAR", "651.50", "50.0%"]]
    pd.testing.assert_frame_equal(frame, before)


def test_amounts_without_a_currency_column_are_refused_by_name() -> None:
    with pytest.raises(InvalidArgumentError, match="amount_major needs a 'currency' column"):
        styled(pd.DataFrame({"amount_major": [1.0]}))
