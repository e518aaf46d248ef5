"""The explorer's handlers, in Python: each control's change redraws the view for the new choice, in place."""

from __future__ import annotations

import datetime as dt

import pytest

from billkit.demo import populate
from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger
from billkit.report.explorer import PERIODS, Choice, Explorer
from billkit.report.table import CURRENCY, TOTAL
from billkit.sandbox import Sandbox

TZ = "Africa/Johannesburg"


@pytest.fixture(scope="module")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Explorer:
    path = tmp_path_factory.mktemp("explorer") / "ledger.sqlite"
    with Sandbox() as sandbox, sandbox.client() as client:
        summary = populate(client, seed=4, customers=8)
        ledger = Ledger(path)
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    return Explorer(ledger, tz=TZ, last_day=summary.last_day)


def owed(view_table_frame: object) -> dict[str, int]:
    frame = view_table_frame
    totals = frame.loc[frame["Customer"] == TOTAL]  # type: ignore[attr-defined]
    return {str(c): int(v) for c, v in zip(totals[CURRENCY], totals["Total owed"], strict=True)}


def test_each_control_redraws_for_its_new_choice(explorer: Explorer) -> None:
    box = explorer.controls()
    controls = box.billkit_controls
    first = explorer.current
    assert first is not None
    assert explorer.redraws == 1
    assert first.choice == Choice(as_of=explorer.last_day)
    charts = box.children[3]
    assert [o["data"]["text/plain"] for o in charts.outputs] == [
        "<plotly chart: Cash received by day>",
        "<plotly chart: Outstanding by days past due>",
    ]
    controls["currency"].value = "ZAR"
    assert explorer.redraws == 2
    assert explorer.current.choice.currency == "ZAR"
    assert set(explorer.current.aged_summary.frame[CURRENCY]) == {"ZAR"}
    assert "Headline figures: USD" not in box.children[2].value
    assert len(charts.outputs) == 2, "redrawn in place, not appended"
    controls["period"].value = "Last 7 days"
    assert explorer.current.choice.start == explorer.last_day - dt.timedelta(days=6)
    earlier = explorer.last_day - dt.timedelta(days=10)
    controls["as_of"].value = earlier
    assert explorer.current.choice.as_of == earlier
    expected = explorer.ledger.as_of(earlier, tz=TZ).aging()
    zar = expected.loc[expected["currency"] == "ZAR", "amount"].sum()
    assert owed(explorer.current.aged_summary.frame) == ({"ZAR": int(zar)} if zar else {})
    customer_id = explorer.customers[0][1]
    controls["customer"].value = customer_id
    assert explorer.current.choice.customer == customer_id
    controls["currency"].value = ""
    assert explorer.current.choice.currency is None, "'' in the dropdown means every currency"
    assert explorer.redraws == 6


def test_a_cleared_date_asks_for_one_instead_of_failing(explorer: Explorer) -> None:
    box = explorer.controls()
    before = explorer.redraws
    box.billkit_controls["as_of"].value = None
    assert explorer.redraws == before
    assert "Choose an as-of day" in box.children[1].value


def test_view_matches_the_report_sections_for_the_same_day(explorer: Explorer) -> None:
    view = explorer.view(Choice(as_of=explorer.last_day))
    aging = explorer.ledger.as_of(explorer.last_day, tz=TZ).aging()
    expected = {
        str(c): int(v)
        for c, v in aging.groupby(aging["currency"].astype(str))["amount"].sum().items()
        if v
    }
    assert owed(view.aged_summary.frame) == expected
    assert len(view.worklist.frame) <= 15


@pytest.mark.parametrize(
    ("choice", "named"),
    [
        (Choice(as_of=dt.date(2027, 1, 1), period="Fortnight"), "period 'Fortnight' is not one of"),
        (Choice(as_of=dt.date(2027, 1, 1), currency="EUR"), "currency 'EUR' is not in the ledger"),
        (Choice(as_of=dt.date(2027, 1, 1), customer="bcus_nobody"), "customer 'bcus_nobody'"),
    ],
)
def test_a_choice_naming_nothing_is_refused_by_name(
    explorer: Explorer, choice: Choice, named: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=named):
        explorer.view(choice)


def test_periods_end_on_the_as_of_day() -> None:
    day = dt.date(2027, 1, 20)
    assert {name: start(day) for name, start in PERIODS.items()} == {
        "Month to date": dt.date(2027, 1, 1),
        "Last 7 days": dt.date(2027, 1, 14),
        "Last 30 days": dt.date(2026, 12, 22),
        "Last 90 days": dt.date(2026, 10, 23),
    }
