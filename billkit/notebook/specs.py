"""The parameter spec of each notebook in `notebooks/`: one frozen dataclass per notebook.

A notebook's `parameters` cell assigns exactly these names (a test holds every notebook to its spec), and
its next cell calls `check_parameters(globals(), <Spec>)`.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billkit.ledger import is_postgres_url
from billkit.money import currency_exponent
from billkit.notebook.parameters import (
    NotebookParameters,
    parameter,
    port_number,
    positive_number,
)

__all__ = [
    "AccountBalanceParameters",
    "BillAmountDueParameters",
    "BillFormParameters",
    "CommonOperationsParameters",
    "CustomerBalanceParameters",
    "PaymentsReportParameters",
    "QuickstartParameters",
]

_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_MAX_AMOUNT = 99_999_999


def _webhook_secret(value: str | None) -> str | None:
    if value is None:
        return None
    if not value:
        return "must not be empty: leave it as None to have one generated"
    if value.startswith("whsec_"):
        try:
            base64.b64decode(value.removeprefix("whsec_"), validate=True)
        except binascii.Error:
            return "must be whsec_ followed by base64, as Moment issues it"
    return None


def _run_id(value: str | None) -> str | None:
    if value is not None and not _REFERENCE.match(value):
        return f"must be 1 to 40 letters, digits, '_' or '-' (it goes into external references), got {value!r}"
    return None


def _reference(value: str) -> str | None:
    if not _REFERENCE.match(value):
        return f"must be 1 to 40 letters, digits, '_' or '-', got {value!r}"
    return None


def _days_ahead(value: int) -> str | None:
    return None if 0 <= value <= 3650 else f"must be from 0 to 3650 days, got {value}"


def _amount(value: int) -> str | None:
    if not 1 <= value <= _MAX_AMOUNT:
        return f"must be from 1 to {_MAX_AMOUNT} minor units (cents), got {value}"
    return None


def _amounts(values: list[int]) -> str | None:
    if len(values) < 2:
        return f"needs at least two balances (the point is paying one and not the others), got {values}"
    for value in values:
        if not 1 <= value <= _MAX_AMOUNT:
            return f"must each be from 1 to {_MAX_AMOUNT} minor units, got {value}"
    return None


def _iso_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"must be a date written YYYY-MM-DD, got {value!r}"
    return None


def _major_amount(value: str) -> str | None:
    if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", value):
        return f"must be an amount in major units such as '150.00', got {value!r}"
    return None


@dataclass(frozen=True, kw_only=True)
class QuickstartParameters(NotebookParameters):
    """What every quickstart notebook takes: the API, the webhook side, the currency and a run id."""

    webhook_secret: str | None = parameter(
        None,
        "webhook signing secret (whsec_...); None generates one for the embedded sandbox. With base_url "
        "set, the secret Moment gave you for your registered endpoint",
        secret=True,
        check=_webhook_secret,
    )
    receiver_port: int | None = parameter(
        None,
        "local port of the webhook receiver; None picks a free one. With base_url set, the port your "
        "public tunnel forwards to (no receiver is started when it is None)",
        check=port_number,
    )
    webhook_timeout: float = parameter(
        10.0, "seconds to wait for each expected webhook", check=positive_number
    )
    currency: Literal["ZAR", "USD"] = parameter(
        "ZAR", "currency of everything the notebook creates"
    )
    run_id: str | None = parameter(
        None,
        "suffix for external references, so reruns against one account do not collide; None picks one",
        check=_run_id,
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.base_url is not None and self.receiver_port is not None and not self.webhook_secret:
            problems.append(
                "webhook_secret is required with base_url and receiver_port: give the signing secret "
                "Moment issued for your endpoint"
            )
        return problems


@dataclass(frozen=True, kw_only=True)
class BillAmountDueParameters(QuickstartParameters):
    """Quickstart: Bill Amount Due (notebook 01)."""

    notebook_title: ClassVar[str] = "01 Bill Amount Due"

    amount_due: int = parameter(
        2000, "amount due on the bill, in minor units (2000 = 20.00)", check=_amount
    )
    hosted_page_amount: int = parameter(
        500,
        "part of the bill the payer pays on the hosted page; a payment request collects the rest",
        check=_amount,
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.hosted_page_amount >= self.amount_due:
            problems.append(
                f"hosted_page_amount ({self.hosted_page_amount}) must be less than amount_due "
                f"({self.amount_due}), so the payment request has something left to collect"
            )
        return problems


@dataclass(frozen=True, kw_only=True)
class CustomerBalanceParameters(QuickstartParameters):
    """Quickstart: Customer Balance (notebook 02)."""

    notebook_title: ClassVar[str] = "02 Customer Balance"

    balance: int = parameter(2000, "the customer's opening balance, in minor units", check=_amount)
    first_payment: int = parameter(
        1200, "what the payer pays first; a second payment settles the rest", check=_amount
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.first_payment >= self.balance:
            problems.append(
                f"first_payment ({self.first_payment}) must be less than balance ({self.balance})"
            )
        return problems


@dataclass(frozen=True, kw_only=True)
class AccountBalanceParameters(QuickstartParameters):
    """Quickstart: Account Balance (notebook 03)."""

    notebook_title: ClassVar[str] = "03 Account Balance"

    account_balances: list[int] = parameter(  # noqa: RUF009 (parameter() copies list defaults)
        [15000, 8500, 42000],
        "opening balances of the customer's accounts (data, voice, device), in minor units",
        check=_amounts,
    )


@dataclass(frozen=True, kw_only=True)
class CommonOperationsParameters(QuickstartParameters):
    """Common Operations (notebook 04)."""

    notebook_title: ClassVar[str] = "04 Common Operations"

    new_balance: int = parameter(
        5000, "the balance set at the start of a new billing cycle, in minor units", check=_amount
    )


@dataclass(frozen=True, kw_only=True)
class BillFormParameters(QuickstartParameters):
    """The create-and-pay form (notebook 05)."""

    notebook_title: ClassVar[str] = "05 Bill Form"

    customer_reference: str = parameter(
        "UCR-FORM-1", "the customer's external reference the form starts with", check=_reference
    )
    customer_name: str = parameter("Thandi Nkosi", "the customer's name the form starts with")
    amount: str = parameter(
        "150.00", "bill amount in major units, as a person types it", check=_major_amount
    )
    bill_date: str | None = parameter(
        None, "bill date YYYY-MM-DD; None means today", check=_iso_date
    )
    due_in_days: int = parameter(14, "days from the bill date to the due date", check=_days_ahead)


def _time_zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"must be an IANA time zone such as 'Africa/Johannesburg' or 'UTC', got {value!r}"
    return None


def _filter_reference(value: str | None) -> str | None:
    if value is not None and not value.strip():
        return "must be an ID or external_reference, or None for all"
    return None


def _source(value: str) -> str | None:
    if value == "sandbox" or is_postgres_url(value):
        return None
    if not value.strip():
        return "must be 'sandbox', the path of a ledger file or a postgresql:// ledger URL"
    path = Path(value)
    if not path.is_file():
        return "names no ledger file: nothing is at that path (use 'sandbox' for the demo data)"
    return None


def _currency_code(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        currency_exponent(value)
    except (TypeError, ValueError):
        return f"must be an ISO 4217 currency code such as 'ZAR' or 'usd', got {value!r}"
    return None


def _seed(value: int) -> str | None:
    return None if value >= 0 else f"must be 0 or more, got {value}"


@dataclass(frozen=True, kw_only=True)
class PaymentsReportParameters(NotebookParameters):
    """The payments report (notebook 10): what it reads, for which period, filtered how."""

    notebook_title: ClassVar[str] = "10 Payments Report"

    as_of: str | None = parameter(
        None,
        "the report's day, YYYY-MM-DD: bills are aged and payments counted up to its end; None means the "
        "last day of the data (the demo month's last day for the sandbox, today for a ledger file)",
        check=_iso_date,
    )
    timezone: str = parameter(
        "Africa/Johannesburg",
        "IANA time zone in which payment times become calendar days",
        check=_time_zone,
    )
    currency: str | None = parameter(
        None,
        "report one currency only (an ISO 4217 code the data holds, in any case); None reports every "
        "currency, each separately",
        check=_currency_code,
    )
    start: str | None = parameter(
        None,
        "first bill date of the period, YYYY-MM-DD; None means the first day of as_of's month",
        check=_iso_date,
    )
    end: str | None = parameter(
        None, "last bill date of the period, YYYY-MM-DD; None means as_of", check=_iso_date
    )
    customer: str | None = parameter(
        None,
        "only this customer (ID or external_reference) and its accounts; None for all",
        check=_filter_reference,
    )
    account: str | None = parameter(
        None, "only this account (ID or external_reference); None for all", check=_filter_reference
    )
    source: str = parameter(
        "sandbox",
        "'sandbox' fills an embedded sandbox with a demo month (or reads the billkit sandbox at base_url "
        "as it is); otherwise the path of a billkit ledger file or a postgresql:// ledger URL",
        check=_source,
    )
    demo_seed: int = parameter(
        7, "seed of the demo month in the embedded sandbox (same seed, same month)", check=_seed
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        start = None if self.start is None else date.fromisoformat(self.start)
        end = None if self.end is None else date.fromisoformat(self.end)
        as_of = None if self.as_of is None else date.fromisoformat(self.as_of)
        if start is not None and end is not None and start > end:
            problems.append(f"start ({start}) must be on or before end ({end})")
        if end is not None and as_of is not None and end > as_of:
            problems.append(
                f"end ({end}) must be on or before as_of ({as_of}): nothing after as_of is counted"
            )
        if self.base_url is not None and self.source != "sandbox":
            problems.append(
                "base_url is only for source='sandbox' (a running billkit sandbox); a ledger file "
                "needs no API"
            )
        return problems
