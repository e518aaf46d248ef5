"""Live exploration of a ledger: controls for the as-of day, period, currency and customer that redraw the
headline figures, aged receivables, worklist and charts in place (notebooks/11_explore_payments.ipynb, and
`billkit dashboard`, which serves that notebook through Voila).

The logic is here, not in the notebook: `Explorer.view(choice)` is the pure part (a `Choice` in, the tables
and figures of that choice out, every day read through `Ledger.as_of`), and `Explorer.controls()` builds the
ipywidgets whose change handlers call it and redraw.

    explorer = Explorer(ledger, tz="Africa/Johannesburg", last_day=date(2027, 1, 31))
    explorer.controls()          # the last expression of a cell: the controls and what they show
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import plotly.graph_objects as go

from billkit.analysis.charts import aging_chart
from billkit.analysis.point_in_time import AsOfFrames
from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger
from billkit.report.charts import cash_chart
from billkit.report.sections import _names, aged, cash, headline
from billkit.report.table import Table
from billkit.report.tables import to_html

__all__ = ["PERIODS", "Choice", "Explorer", "ExplorerView"]

#: Period name -> its first day, given the as-of day (the period ends on the as-of day).
PERIODS: Final[dict[str, Callable[[dt.date], dt.date]]] = {
    "Month to date": lambda day: day.replace(day=1),
    "Last 7 days": lambda day: day - dt.timedelta(days=6),
    "Last 30 days": lambda day: day - dt.timedelta(days=29),
    "Last 90 days": lambda day: day - dt.timedelta(days=89),
}
#: How many open bills of each currency the worklist shows, and how many customers the aged summary names
#: (the rest in one line each, so a big ledger still redraws quickly).
WORKLIST_ROWS: Final = 15
SUMMARY_CUSTOMERS: Final = 25


@dataclass(frozen=True)
class Choice:
    """What the controls say: the as-of day, the period's name, and optional currency and customer IDs."""

    as_of: dt.date
    period: str = "Month to date"
    currency: str | None = None
    customer: str | None = None

    @property
    def start(self) -> dt.date:
        return PERIODS[self.period](self.as_of)


@dataclass(frozen=True)
class ExplorerView:
    """The tables and figures of one `Choice`."""

    choice: Choice
    headline: Table
    aged_summary: Table
    worklist: Table
    figures: dict[str, go.Figure]

    def tables(self) -> list[Table]:
        return [self.headline, self.aged_summary, self.worklist]


def _plotly_output(figure: go.Figure) -> dict[str, object]:
    """An output widget's display of `figure` in plotly's own mimetype (drawn by its JupyterLab renderer).

    Built directly: a plotly figure given to IPython's formatter displays itself in the cell, not the widget.
    """
    title = figure.layout.title.text or "chart"
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "application/vnd.plotly.v1+json": {
                **json.loads(figure.to_json()),
                "config": {"responsive": True, "displaylogo": False},
            },
            "text/plain": f"<plotly chart: {title}>",
        },
    }


class Explorer:
    """Explore a ledger: `view` for any choice, `controls` for the widgets that choose."""

    def __init__(self, ledger: Ledger, *, tz: str, last_day: dt.date) -> None:
        self.ledger = ledger
        self.tz = tz
        self.last_day = last_day
        self._days: dict[dt.date, AsOfFrames] = {}
        self.current: ExplorerView | None = None
        self.redraws = 0
        latest = ledger.as_of(last_day, tz=tz)
        self.currencies = sorted(str(c) for c in latest.bills["currency"].dropna().unique())
        names = _names.customers(latest)
        self.customers = sorted(
            ((f"{row['name']} ({row['reference']})", str(cid)) for cid, row in names.iterrows()),
            key=lambda pair: pair[0],
        )

    def _day(self, when: dt.date) -> AsOfFrames:
        """The ledger as of `when` (read once per day: moving a control back and forth stays quick)."""
        if when not in self._days:
            self._days[when] = self.ledger.as_of(when, tz=self.tz)
        return self._days[when]

    def _narrowed(self, when: dt.date, choice: Choice) -> AsOfFrames:
        return self._day(when).narrowed(customer_id=choice.customer, currency=choice.currency)

    def check(self, choice: Choice) -> Choice:
        """`choice` if every part names something the ledger holds; else `InvalidArgumentError` saying which."""
        if choice.period not in PERIODS:
            raise InvalidArgumentError(
                f"period {choice.period!r} is not one of: {', '.join(PERIODS)}"
            )
        if choice.currency is not None and choice.currency not in self.currencies:
            raise InvalidArgumentError(
                f"currency {choice.currency!r} is not in the ledger, which holds "
                + ", ".join(self.currencies)
            )
        if choice.customer is not None and choice.customer not in {c for _, c in self.customers}:
            raise InvalidArgumentError(f"customer {choice.customer!r} is not in the ledger")
        return choice

    def view(self, choice: Choice) -> ExplorerView:
        """The headline, aged receivables, worklist and charts for `choice`."""
        self.check(choice)
        day = self._narrowed(choice.as_of, choice)
        before_start, before_end, before_as_of = headline.previous_dates(
            choice.start, choice.as_of, choice.as_of
        )
        before = self._narrowed(before_as_of, choice)
        at_before_end = self._narrowed(before_end, choice)
        heads = headline.headline(
            headline.Period(choice.start, choice.as_of, day, day),
            headline.Period(before_start, before_end, before, at_before_end),
        )
        summary = aged.aged_summary(day, top=SUMMARY_CUSTOMERS)
        worklist = aged.worklist(aged.aged_detail(day), rows=WORKLIST_ROWS)
        received = cash.cash_received(day, start=choice.start, end=choice.as_of, freq="D")
        return ExplorerView(
            choice=choice,
            headline=heads,
            aged_summary=summary,
            worklist=worklist,
            figures={
                "aging": aging_chart(day.aging()),
                "cash": cash_chart(received, period=(choice.start, choice.as_of)),
            },
        )

    def controls(self, initial: Choice | None = None) -> Any:
        """The ipywidgets: date picker, period, currency and customer, above the view they redraw."""
        import ipywidgets as widgets

        start = self.check(initial or Choice(as_of=self.last_day))
        as_of = widgets.DatePicker(description="As of", value=start.as_of)
        period = widgets.Dropdown(description="Period", options=list(PERIODS), value=start.period)
        # "" stands for every currency / customer: a dropdown shows a None value as no choice at all.
        currency = widgets.Dropdown(
            description="Currency",
            options=[("Every currency", ""), *[(c, c) for c in self.currencies]],
            value=start.currency or "",
        )
        customer = widgets.Dropdown(
            description="Customer",
            options=[("Every customer", ""), *self.customers],
            value=start.customer or "",
        )
        message = widgets.HTML()
        tables = {name: widgets.HTML() for name in ("headline", "aged", "worklist")}
        figures = widgets.Output()

        def redraw(_: object = None) -> None:
            if as_of.value is None:
                message.value = "<b>Choose an as-of day.</b>"
                return
            try:
                view = self.view(
                    replace(
                        start,
                        as_of=as_of.value,
                        period=period.value,
                        currency=currency.value or None,
                        customer=customer.value or None,
                    )
                )
            except InvalidArgumentError as error:
                message.value = f"<b>{error}</b>"
                return
            message.value = ""
            self.current = view
            self.redraws += 1
            tables["headline"].value = to_html(view.headline)
            tables["aged"].value = to_html(view.aged_summary)
            tables["worklist"].value = to_html(view.worklist)
            # Replaced, not appended: the charts redraw in place.
            figures.outputs = tuple(
                _plotly_output(view.figures[name]) for name in ("cash", "aging")
            )

        for control in (as_of, period, currency, customer):
            control.observe(redraw, names="value")
        redraw()
        bar = widgets.HBox([as_of, period, currency, customer], layout={"flex_flow": "row wrap"})
        box = widgets.VBox(
            [bar, message, tables["headline"], figures, tables["aged"], tables["worklist"]]
        )
        box.billkit_controls = {  # for tests and scripts: the controls by name
            "as_of": as_of,
            "period": period,
            "currency": currency,
            "customer": customer,
        }
        return box
