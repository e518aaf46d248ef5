"""The parameter spec of each notebook in `notebooks/`: one strict pydantic model per notebook.

A notebook's `parameters` cell assigns exactly these names (a test holds every notebook to its spec), and
its next cell calls `check_parameters(globals(), <Spec>)`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr

from billkit.keys import redact, signing_key, webhook_secret_problem
from billkit.ledger import is_postgres_url
from billkit.money import currency_exponent
from billkit.notebook.runner.parameters import (
    NotebookParameters,
    checked,
    port_number,
    positive_number,
    reveal,
)

__all__ = [
    "AccountBalanceParameters",
    "BillAmountDueParameters",
    "BillFormParameters",
    "CommonOperationsParameters",
    "CustomerBalanceParameters",
    "PaymentsReportParameters",
    "QuickstartParameters",
    "ReconciliationParameters",
    "UploadingBillsParameters",
]

_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_MAX_AMOUNT = 99_999_999


def _webhook_secret(value: str | None) -> str | None:
    if value is None:
        return None
    if not value:
        return "must not be empty: leave it as None to have one generated"
    try:
        signing_key(value)
    except ValueError as error:
        return f"cannot sign webhooks: {error}"
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


class QuickstartParameters(NotebookParameters):
    """What every quickstart notebook takes: the API, the webhook side, the currency and a run id."""

    webhook_secret: Annotated[SecretStr | None, checked(_webhook_secret)] = Field(
        None,
        description="webhook signing secret (whsec_...); None generates one for the embedded sandbox. With base_url "
        "set, the secret Moment gave you for your registered endpoint",
    )
    receiver_port: Annotated[int | None, checked(port_number)] = Field(
        None,
        description="local port of the webhook receiver; None picks a free one. With base_url set, the port your "
        "public tunnel forwards to (no receiver is started when it is None)",
    )
    webhook_timeout: Annotated[float, checked(positive_number)] = Field(
        10.0, description="seconds to wait for each expected webhook"
    )
    currency: Literal["ZAR", "USD"] = Field(
        "ZAR", description="currency of everything the notebook creates"
    )
    run_id: Annotated[str | None, checked(_run_id)] = Field(
        None,
        description="suffix for external references, so reruns against one account do not collide; None picks one",
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        secret = reveal(self.webhook_secret)
        # The embedded sandbox signs with secrets as Moment issues them; Moment's own secret may be any
        # string (its format is not documented), which the receiver then uses as it is.
        problem = webhook_secret_problem(secret) if self.base_url is None and secret else None
        if problem is not None:
            problems.append(
                f"webhook_secret {redact(secret)} {problem} (the embedded sandbox signs with it; "
                "leave it as None to have one generated)"
            )
        if self.base_url is not None and self.receiver_port is not None and not secret:
            problems.append(
                "webhook_secret is required with base_url and receiver_port: give the signing secret "
                "Moment issued for your endpoint"
            )
        return problems


class BillAmountDueParameters(QuickstartParameters):
    """Quickstart: Bill Amount Due (notebook 01)."""

    notebook_title: ClassVar[str] = "01 Bill Amount Due"

    amount_due: Annotated[int, checked(_amount)] = Field(
        2000, description="amount due on the bill, in minor units (2000 = 20.00)"
    )
    hosted_page_amount: Annotated[int, checked(_amount)] = Field(
        500,
        description="part of the bill the payer pays on the hosted page; a payment request collects the rest",
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.hosted_page_amount >= self.amount_due:
            problems.append(
                f"hosted_page_amount ({self.hosted_page_amount}) must be less than amount_due "
                f"({self.amount_due}), so the payment request has something left to collect"
            )
        return problems


class CustomerBalanceParameters(QuickstartParameters):
    """Quickstart: Customer Balance (notebook 02)."""

    notebook_title: ClassVar[str] = "02 Customer Balance"

    balance: Annotated[int, checked(_amount)] = Field(
        2000, description="the customer's opening balance, in minor units"
    )
    first_payment: Annotated[int, checked(_amount)] = Field(
        1200, description="what the payer pays first; a second payment settles the rest"
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.first_payment >= self.balance:
            problems.append(
                f"first_payment ({self.first_payment}) must be less than balance ({self.balance})"
            )
        return problems


class AccountBalanceParameters(QuickstartParameters):
    """Quickstart: Account Balance (notebook 03)."""

    notebook_title: ClassVar[str] = "03 Account Balance"

    account_balances: Annotated[list[int], checked(_amounts)] = Field(
        default_factory=lambda: [15000, 8500, 42000],
        description="opening balances of the customer's accounts (data, voice, device), in minor units",
    )


class CommonOperationsParameters(QuickstartParameters):
    """Common Operations (notebook 04)."""

    notebook_title: ClassVar[str] = "04 Common Operations"

    new_balance: Annotated[int, checked(_amount)] = Field(
        5000, description="the balance set at the start of a new billing cycle, in minor units"
    )


class BillFormParameters(QuickstartParameters):
    """The create-and-pay form (notebook 05)."""

    notebook_title: ClassVar[str] = "05 Bill Form"

    customer_reference: Annotated[str, checked(_reference)] = Field(
        "UCR-FORM-1", description="the customer's external reference the form starts with"
    )
    customer_name: str = Field(
        "Thandi Nkosi", description="the customer's name the form starts with"
    )
    amount: Annotated[str, checked(_major_amount)] = Field(
        "150.00", description="bill amount in major units, as a person types it"
    )
    bill_date: Annotated[str | None, checked(_iso_date)] = Field(
        None, description="bill date YYYY-MM-DD; None means today"
    )
    due_in_days: Annotated[int, checked(_days_ahead)] = Field(
        14, description="days from the bill date to the due date"
    )


def _time_zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"must be an IANA time zone such as 'Africa/Johannesburg' or 'UTC', got {value!r}"
    return None


def _folder(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        return f"must be a folder's path, got {value!r}"
    return None


def _filter_reference(value: str | None) -> str | None:
    if value is not None and not value.strip():
        return f"must be an ID or external_reference, got {value!r}"
    return None


def _source(value: str) -> str | None:
    if value == "sandbox" or is_postgres_url(value):
        return None
    if not value.strip():
        return f"must be 'sandbox', the path of a ledger file or a postgresql:// ledger URL, got {value!r}"
    path = Path(value)
    if not path.is_file():
        return f"names no ledger file: nothing is at {value!r} (use 'sandbox' for the demo data)"
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


class PaymentsReportParameters(NotebookParameters):
    """The payments report (notebook 10): what it reads, for which period, filtered how."""

    notebook_title: ClassVar[str] = "10 Payments Report"

    as_of: Annotated[str | None, checked(_iso_date)] = Field(
        None,
        description="the report's day, YYYY-MM-DD: bills are aged and payments counted up to its end; None means the "
        "last day of the data (the demo month's last day for the sandbox, today for a ledger file)",
    )
    timezone: Annotated[str, checked(_time_zone)] = Field(
        "Africa/Johannesburg",
        description="IANA time zone in which payment times become calendar days",
    )
    currency: Annotated[str | None, checked(_currency_code)] = Field(
        None,
        description="report one currency only (an ISO 4217 code the data holds, in any case); None "
        "reports every currency, each separately",
    )
    start: Annotated[str | None, checked(_iso_date)] = Field(
        None,
        description="first bill date of the period, YYYY-MM-DD; None means the first day of as_of's month",
    )
    end: Annotated[str | None, checked(_iso_date)] = Field(
        None, description="last bill date of the period, YYYY-MM-DD; None means as_of"
    )
    customer: Annotated[str | None, checked(_filter_reference)] = Field(
        None,
        description="only this customer (ID or external_reference) and its accounts; None for all",
    )
    account: Annotated[str | None, checked(_filter_reference)] = Field(
        None, description="only this account (ID or external_reference); None for all"
    )
    source: Annotated[str, checked(_source)] = Field(
        "sandbox",
        description="'sandbox' fills an embedded sandbox with a demo month (or reads the billkit sandbox at "
        "base_url as it is); otherwise the path of a billkit ledger file or a postgresql:// ledger URL",
    )
    demo_seed: Annotated[int, checked(_seed)] = Field(
        7, description="seed of the demo month in the embedded sandbox (same seed, same month)"
    )
    tables_out: Annotated[str | None, checked(_folder)] = Field(
        None,
        description="a folder to also write the report's tables into, in full: payments_report.xlsx "
        "(a sheet per table) and payments_report_<table>.csv; None writes none",
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


def _merchant_alias(value: str) -> str | None:
    from billkit.billfiles.names import check_merchant_alias

    try:
        check_merchant_alias(value)
    except ValueError as exc:
        return str(exc)
    return None


def _bill_count(value: int) -> str | None:
    return None if 4 <= value <= 1000 else "must be 4 to 1000 bills"


class UploadingBillsParameters(NotebookParameters):
    """Uploading bills (notebook 06): a daily billing file over SFTP, then the same bills by API."""

    notebook_title: ClassVar[str] = "06 Uploading Bills"

    merchant: Annotated[str, checked(_merchant_alias)] = Field(
        "acme", description="your merchant alias, as in the billing file names"
    )
    file_date: Annotated[str, checked(_iso_date)] = Field(
        "2025-02-02", description="the first daily file's date, YYYY-MM-DD"
    )
    bill_count: Annotated[int, checked(_bill_count)] = Field(
        12, description="how many bills the first daily file holds"
    )


def _fee_percent(value: float) -> str | None:
    return None if 0 <= value <= 20 else f"must be a percentage from 0 to 20, got {value}"


def _month_days(value: int) -> str | None:
    # The month's planned payments run to day 20 (billkit.notebook.quickstart.reconciliation.PAYMENTS).
    return None if 20 <= value <= 31 else f"must be 20 to 31 days, got {value}"


class ReconciliationParameters(NotebookParameters):
    """Three-way reconciliation (notebook 07): a month in the embedded sandbox, Moment's reports, webhooks."""

    notebook_title: ClassVar[str] = "07 Reconciliation"

    merchant: Annotated[str, checked(_merchant_alias)] = Field(
        "acme", description="the merchant alias Moment's reports are written for"
    )
    fee_percent: Annotated[float, checked(_fee_percent)] = Field(
        2.5, description="Moment's fee on each payment, in percent (the reports show it)"
    )
    days: Annotated[int, checked(_month_days)] = Field(
        28, description="how many days the month runs on the sandbox clock"
    )
    timezone: Annotated[str, checked(_time_zone)] = Field(
        "Africa/Johannesburg", description="the time zone whose days the reconciliation is as of"
    )
    reports_dir: str = Field(
        "moment-reports", description="the local folder Moment's report files are fetched into"
    )
    webhook_timeout: Annotated[float, checked(positive_number)] = Field(
        10.0, description="seconds to wait for each expected webhook"
    )

    def cross_checks(self) -> list[str]:
        problems = super().cross_checks()
        if self.base_url is not None:
            problems.append(
                "base_url must be None: this notebook stops its webhook receiver and moves the sandbox "
                "clock, which only billkit's embedded sandbox allows"
            )
        return problems
