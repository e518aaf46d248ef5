"""ipywidgets for notebook 05: a form that creates a test bill and pays it, and a live webhook feed.

The widgets only read their fields and call the plain functions of `bill_form.py`; clicking a button and
calling `create_button.click()` from code (as a papermill run does) run the same handler.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import ipywidgets as widgets

from billkit.client import Bill, Client
from billkit.errors import BillkitError
from billkit.keys import scrub
from billkit.money import format_money
from billkit.notebook.quickstart.bill_form import (
    CURRENCIES,
    BillFormValues,
    create_test_bill,
    feed_rows,
    pay_bill,
    render_feed,
)

__all__ = ["BillForm", "WebhookFeed"]

_OK = "color: #1a7f37"
_ERROR = "color: #cf222e"


class BillForm:
    """Customer, amount with its currency, dates, and Create / Pay buttons; `view` is what to display.

    After Create, `bill` holds the bill made; after Pay, `payment` the payment. `message` shows what
    happened, or what to fix, in words.
    """

    def __init__(
        self,
        client: Client,
        start: BillFormValues,
        *,
        page_url: Callable[[str], str | None] = lambda bill_id: None,
    ) -> None:
        self._client = client
        self._page_url = page_url
        self.bill: Bill | None = None
        self.payment: Any = None
        # Labels sized to their words, so none is cut off ("Customer reference", not "Customer…").
        label = {"style": {"description_width": "initial"}}
        self.customer_reference = widgets.Text(
            start.customer_reference, description="Customer reference", **label
        )
        self.customer_name = widgets.Text(start.customer_name, description="Name", **label)
        self.amount = widgets.Text(start.amount, description="Amount", **label)
        self.currency = widgets.Dropdown(
            options=list(CURRENCIES), value=start.currency, description="Currency", **label
        )
        self.bill_date = widgets.DatePicker(value=start.bill_date, description="Bill date", **label)
        self.due_date = widgets.DatePicker(value=start.due_date, description="Due date", **label)
        self.create_button = widgets.Button(description="Create bill", button_style="primary")
        self.pay_button = widgets.Button(description="Pay it", disabled=True)
        self.message = widgets.HTML()
        self.create_button.on_click(self._on_create)
        self.pay_button.on_click(self._on_pay)
        self.view = widgets.VBox(
            [
                widgets.HBox([self.customer_reference, self.customer_name]),
                widgets.HBox([self.amount, self.currency]),
                widgets.HBox([self.bill_date, self.due_date]),
                widgets.HBox([self.create_button, self.pay_button]),
                self.message,
            ]
        )

    def values(self) -> BillFormValues:
        """The fields as they are now."""
        return BillFormValues(
            customer_reference=self.customer_reference.value,
            customer_name=self.customer_name.value,
            amount=self.amount.value,
            currency=self.currency.value,
            bill_date=_as_date(self.bill_date.value),
            due_date=_as_date(self.due_date.value),
        )

    def _on_create(self, _: widgets.Button) -> None:
        try:
            bill = create_test_bill(self._client, self.values())
        except BillkitError as error:
            self._say(str(error), _ERROR)
            return
        except Exception as error:  # a button's failure must show in the form, not in a log console
            self._say(f"Could not create the bill: {_described(error)}", _ERROR)
            return
        self.bill, self.payment = bill, None
        self.pay_button.disabled = False
        link = self._page_url(bill.id)
        where = (
            f' · <a href="{html.escape(link)}" target="_blank">hosted bill page</a>' if link else ""
        )
        self._say(
            f"Created {bill.id} for {format_money(bill.amount_due, bill.currency)}, status {bill.status}",
            _OK,
            extra=where,
        )

    def _on_pay(self, _: widgets.Button) -> None:
        if self.bill is None:
            self._say("Create a bill first.", _ERROR)
            return
        try:
            self.payment = pay_bill(self._client, self.bill)
            self.bill = self._client.bills.retrieve(self.bill.id)
        except BillkitError as error:
            self._say(str(error), _ERROR)
            return
        except Exception as error:  # as in _on_create: the form says what went wrong
            self._say(f"Could not pay the bill: {_described(error)}", _ERROR)
            return
        self.pay_button.disabled = self.bill.status != "unpaid"
        self._say(
            f"Paid {format_money(self.payment.amount, self.payment.currency)} ({self.payment.id}); "
            f"{self.bill.id} is now {self.bill.status}",
            _OK,
        )

    def _say(self, text: str, style: str, *, extra: str = "") -> None:
        self.message.value = f'<span style="{style}">{html.escape(scrub(text))}</span>{extra}'


class WebhookFeed:
    """A table of received webhooks that keeps itself current while `start()`ed.

    `events` returns the events received so far, newest first (the receiver's list, for instance).
    `refresh()` redraws once; `start()` redraws every `interval` seconds in a background thread until
    `stop()`.
    """

    def __init__(self, events: Callable[[], Iterable[Any]], *, interval: float = 0.5) -> None:
        self._events = events
        self._interval = interval
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.view = widgets.HTML(render_feed([]))

    def refresh(self) -> int:
        """Redraw the table; returns how many events it shows."""
        rows = feed_rows(self._events())
        self.view.value = render_feed(rows)
        return len(rows)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopped.clear()
        self._thread = threading.Thread(target=self._poll, name="billkit-webhook-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _poll(self) -> None:
        shown = -1
        while not self._stopped.wait(self._interval):
            rows = feed_rows(self._events())
            if len(rows) != shown:  # redraw only when something arrived
                self.view.value = render_feed(rows)
                shown = len(rows)


def _described(error: Exception) -> str:
    """An unexpected failure in words: its kind and message (a closed client, a stopped sandbox)."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None
