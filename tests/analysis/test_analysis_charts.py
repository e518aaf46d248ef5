"""Charts: one panel per currency, currency in the axis titles, formatted hover text, theme-neutral colours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from billkit import InvalidArgumentError
from billkit.analysis import charts, frames, metrics

TZ = "Africa/Johannesburg"


@pytest.fixture
def bills() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bill_id": ["bill_1", "bill_2", "bill_3"],
            "customer_id": ["bcus_1", "bcus_1", "bcus_2"],
            "account_id": [None, None, None],
            "currency": ["ZAR", "ZAR", "USD"],
            "status": ["unpaid", "paid", "unpaid"],
            "amount_due": [123450, 5000, 9999],
            "amount_paid": [0, 5000, 0],
            "amount_remaining": [123450, 0, 9999],
            "bill_date": ["2025-01-01"] * 3,
            "due_date": ["2025-01-10", "2025-01-31", "2025-03-01"],
        }
    )


@pytest.fixture
def payments() -> pd.DataFrame:
    events = pd.DataFrame(
        {
            "event_id": ["evt_1", "evt_2", "evt_3"],
            "type": ["obligation.amount_applied"] * 3,
            "created_at": ["2025-01-31T22:30:00Z", "2025-01-31T21:00:00Z", "2025-02-01T10:00:00Z"],
            "data_id": ["ob_1", "ob_2", "ob_3"],
            "payment_id": ["pay_1", "pay_2", "pay_3"],
            "amount": [2500, 2500, 700],
            "currency": ["ZAR", "ZAR", "USD"],
            "bill_id": ["bill_2", "bill_2", "bill_3"],
            "account_id": [None] * 3,
            "customer_id": [None] * 3,
        }
    )
    return frames.payments_frame(events)


def axis_titles(figure: go.Figure, letter: str) -> list[str]:
    layout = figure.to_plotly_json()["layout"]
    return sorted(
        value["title"]["text"]
        for key, value in layout.items()
        if key.startswith(f"{letter}axis") and "title" in value
    )


def assert_theme_neutral(figure: go.Figure) -> None:
    layout = figure.layout
    assert layout.paper_bgcolor == "rgba(0, 0, 0, 0)"
    assert layout.plot_bgcolor == "rgba(0, 0, 0, 0)"
    assert layout.font.color not in (None, "black", "white", "#000000", "#ffffff")
    assert layout.title.text


def test_payments_chart_groups_by_local_day_per_currency(payments: pd.DataFrame) -> None:
    figure = charts.payments_chart(payments, tz=TZ)
    assert_theme_neutral(figure)
    assert [trace.name for trace in figure.data] == ["USD", "ZAR"]
    zar = figure.data[1]
    # 22:30Z on 31 Jan is 1 Feb in Johannesburg; 21:00Z is still 31 Jan.
    assert [pd.Timestamp(x).date().isoformat() for x in zar.x] == ["2025-01-31", "2025-02-01"]
    assert list(zar.y) == [25.0, 25.0]
    assert zar.customdata[0][0] == "R25.00"
    assert axis_titles(figure, "y") == ["Amount (USD)", "Amount (ZAR)"]
    assert figure.layout.separators == ".,"
    # Currencies get panels, not colours; a day's bar is a day wide even when it is the only one.
    assert {trace.marker.color for trace in figure.data} == {"#0072B2"}
    assert {trace.width for trace in figure.data} == {0.8 * 86_400_000}


def test_charts_follow_the_one_locale_setting(
    payments: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILLKIT_LOCALE", "en_ZA")
    figure = charts.payments_chart(payments, tz=TZ)
    assert figure.data[1].customdata[0][0] == "R25,00"
    assert figure.layout.separators == ",\xa0"


def test_payments_chart_weekly_and_monthly(payments: pd.DataFrame) -> None:
    monthly = charts.payments_chart(payments, tz=TZ, freq="M")
    assert [pd.Timestamp(x).date().isoformat() for x in monthly.data[1].x] == [
        "2025-01-01",
        "2025-02-01",
    ]
    assert monthly.data[0].customdata[0][0] == "$7.00"
    assert {trace.width for trace in monthly.data} == {0.8 * 28 * 86_400_000}
    weekly = charts.payments_chart(payments, tz=TZ, freq="W")
    assert {pd.Timestamp(x).weekday() for trace in weekly.data for x in trace.x} == {0}
    with pytest.raises(InvalidArgumentError, match="freq"):
        charts.payments_chart(payments, freq="Y")  # type: ignore[arg-type]


def test_aging_chart_has_a_panel_per_currency(bills: pd.DataFrame) -> None:
    aging = metrics.aging(bills, as_of="2025-02-01", tz=TZ)
    figure = charts.aging_chart(aging)
    assert_theme_neutral(figure)
    assert len(figure.data) == 2
    zar = figure.data[1]
    assert list(zar.x) == ["current", "1-30", "31-60", "61-90", "90+"]
    assert list(zar.y) == [0.0, 1234.5, 0.0, 0.0, 0.0]
    assert list(zar.customdata[1]) == ["R1,234.50", "1", "100%"]
    assert axis_titles(figure, "y") == ["Outstanding (USD)", "Outstanding (ZAR)"]


def test_funnel_chart_per_currency(bills: pd.DataFrame) -> None:
    figure = charts.funnel_chart(metrics.collection_funnel(bills))
    assert_theme_neutral(figure)
    assert [list(trace.x) for trace in figure.data] == [[1, 0, 0], [2, 1, 1]]
    assert figure.data[1].text[1] == "1 bill (50%)"
    assert "R50.00" in figure.data[1].customdata[1][1]
    assert {trace.marker.color for trace in figure.data} == {"#0072B2"}


def test_balances_chart_shows_entities_per_currency() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["bcus_1", "bcus_2", "bcus_3"],
            "name": ["Ann", "Ben", "Zoe"],
            "currency": ["ZAR", "USD", "ZAR"],
            "balance": [2000, -500, 0],
            "observed_at": pd.to_datetime(["2025-01-01T00:00Z"] * 3, utc=True),
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["bacc_1"],
            "customer_id": ["bcus_1"],
            "name": ["Data"],
            "currency": ["ZAR"],
            "balance": [750],
            "observed_at": pd.to_datetime(["2025-01-01T00:00Z"], utc=True),
        }
    )
    figure = charts.balances_chart(frames.balances_frame(customers, accounts))
    assert_theme_neutral(figure)
    names = {(trace.name, tuple(trace.y)) for trace in figure.data}
    assert names == {
        ("Customer balance", ("Ben",)),
        ("Customer balance", ("Ann",)),
        ("Account balance", ("Ann / Data",)),
    }
    # Largest first from the top (the last category is drawn at the top); a zero balance draws no bar.
    assert list(figure.layout.yaxis2.categoryarray) == ["Ann / Data", "Ann"]
    assert axis_titles(figure, "x") == [
        "Balance (USD; negative = credit)",
        "Balance (ZAR; negative = credit)",
    ]
    with pytest.raises(InvalidArgumentError, match="top"):
        charts.balances_chart(frames.balances_frame(customers, accounts), top=0)


def test_empty_input_draws_a_message_not_an_error(bills: pd.DataFrame) -> None:
    nothing = frames.payments_frame(
        pd.DataFrame(
            columns=[
                "event_id",
                "type",
                "created_at",
                "data_id",
                "payment_id",
                "amount",
                "currency",
                "bill_id",
                "account_id",
                "customer_id",
            ]
        )
    )
    figure = charts.payments_chart(nothing)
    assert figure.layout.annotations[0].text == "No payments recorded yet"
    assert_theme_neutral(figure)


def test_charts_refuse_frames_that_are_not_theirs(bills: pd.DataFrame) -> None:
    with pytest.raises(InvalidArgumentError, match=r"metrics\.aging"):
        charts.aging_chart(bills.assign(amount=1))
    with pytest.raises(InvalidArgumentError, match=r"'stage': pass metrics\.collection_funnel"):
        charts.funnel_chart(bills.assign(bills=1))
    with pytest.raises(InvalidArgumentError, match=r"'entity': pass frames\.balances_frame"):
        charts.balances_chart(bills.assign(balance=1, superseded_at=None))
    with pytest.raises(InvalidArgumentError, match="unknown locale"):
        charts.aging_chart(metrics.aging(bills, as_of="2025-02-01"), locale="xx_NOPE")
