"""The report's own charts: one panel per currency, bars sized to their period even when alone."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from billkit.report.charts import cash_chart, trend_chart
from billkit.report.table import CURRENCY, TOTAL, Table


def test_one_payment_is_a_one_day_bar_on_an_axis_spanning_the_period() -> None:
    frame = pd.DataFrame(
        {
            CURRENCY: ["USD", "USD"],
            "Day": [dt.date(2027, 1, 9), TOTAL],
            "Channel not recorded": pd.array([1900, 1900], dtype="Int64"),
            "Total received": pd.array([1900, 1900], dtype="Int64"),
            "Payments": pd.array([1, 1], dtype="Int64"),
        }
    )
    table = Table(
        name="cash_day", title="Cash received by day", frame=frame, empty="-",
        money=("Channel not recorded", "Total received"), counts=("Payments",), totals="Day",
    )  # fmt: skip
    figure = cash_chart(table, period=(dt.date(2027, 1, 1), dt.date(2027, 1, 31)))
    [bar] = figure.data
    assert list(bar.y) == [19.0], "the totals row is not a bar"
    assert bar.width == 0.8 * 86_400_000
    assert bar.customdata[0] == "$19.00"
    first, last = (pd.Timestamp(x) for x in figure.layout.xaxis.range)
    assert (first, last) == (pd.Timestamp("2026-12-31 12:00"), pd.Timestamp("2027-01-31 12:00"))


def test_empty_tables_draw_their_sentence() -> None:
    empty = Table(
        name="trend",
        title="Outstanding",
        frame=pd.DataFrame(columns=[CURRENCY]),
        empty="Nothing yet.",
    )
    figure = trend_chart(empty)
    assert figure.layout.annotations[0].text == "Nothing yet."
