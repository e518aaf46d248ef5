"""The billing file's columns and what each row must hold (contract §9): the one home of those rules.

`FileLayout.from_header(header, name)` checks the header once; `layout.parse(fields, row)` turns one row into
a `BillRow` (what the sandbox applies) or a `RowRejected` listing every problem in it. Both billkit's offline
validator and the sandbox's SFTP ingestion use these, so a file that validates cleanly here is the file the
sandbox accepts.

Mapping onto Moment's objects: the customer's `name` is `first_name last_name`; `email` and
`mobile_phone_number` (as E.164: a local `0821234567` in a `za` file becomes `+27821234567`) are its email
and phone; `passport_number` and `sa_identification_number` go in the new customer's metadata. The bill
is on the customer directly. Every column not listed below is biller metadata on the bill.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import itemgetter

from billkit.billfiles.errors import BillFileRejected, FieldProblem
from billkit.billfiles.names import BillFileName
from billkit.money import currency_exponent, to_major

__all__ = [
    "COLUMNS",
    "CURRENCIES",
    "IDENTITY_COLUMNS",
    "MAX_AMOUNT_MINOR",
    "METADATA_MAX_KEYS",
    "REQUIRED_COLUMNS",
    "BillRow",
    "FileLayout",
    "RowRejected",
]

REQUIRED_COLUMNS = ("external_reference", "first_name", "last_name", "amount_due")
IDENTITY_COLUMNS = ("passport_number", "sa_identification_number")
OPTIONAL_COLUMNS = ("mobile_phone_number", "email", "bill_reference", "due_date", "currency")
COLUMNS = (*REQUIRED_COLUMNS, *IDENTITY_COLUMNS, *OPTIONAL_COLUMNS)
#: Moment's supported currencies and their limits (Moment's documentation on amounts and balances; docs/sandbox.md).
CURRENCIES = frozenset({"USD", "ZAR"})
_PLACES = {code: currency_exponent(code) for code in CURRENCIES}
MAX_AMOUNT_MINOR = 99_999_999
METADATA_MAX_KEYS = 10
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
REFERENCE_MAX = 255
NAME_MAX = 255

_REFERENCE = re.compile(r"[a-zA-Z0-9_-]+")
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL = re.compile(r"[^@\t\n\r ]+@[^@\t\n\r ]+\.[^@\t\n\r .]+")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_PHONE_PUNCTUATION = str.maketrans("", "", " -().")
_PASSPORT = re.compile(r"[A-Za-z0-9]{5,20}")
_SA_ID = re.compile(r"[0-9]{13}")
#: Country calling codes for numbers written the local way (a leading 0, or 10 digits in the US).
_CALLING_CODES = {"za": "27", "us": "1"}


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which costs a
# measurable share of validating 100,000 rows.
@dataclass(slots=True)
class BillRow:
    """One row, checked: a customer (created or updated) and its bill (created or updated)."""

    row: int
    external_reference: str
    name: str
    email: str | None
    phone: str | None
    #: passport_number / sa_identification_number, kept in a new customer's metadata.
    identity: dict[str, str]
    bill_reference: str
    currency: str
    amount_due: int
    due_date: date | None
    metadata: dict[str, str] = field(default_factory=dict)


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which costs a
# measurable share of validating 100,000 rows.
@dataclass(slots=True)
class RowRejected:
    row: int
    external_reference: str
    bill_reference: str
    problems: tuple[FieldProblem, ...]

    @property
    def errors(self) -> str:
        """`field: message` pairs joined by `; ` (the results file's `errors` column)."""
        return "; ".join(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class FileLayout:
    """Where each column sits in this file's rows."""

    file: BillFileName
    header: tuple[str, ...]
    index: dict[str, int]
    metadata_columns: tuple[tuple[str, int], ...]

    @classmethod
    def from_header(cls, header: Sequence[str], file: BillFileName) -> FileLayout:
        """Check the header row; `BillFileRejected` (part `header`) naming every problem in it."""
        names = tuple(header)
        if not any(name in COLUMNS for name in names):
            raise BillFileRejected(
                "header",
                f"none of its columns ({_shown(names)}) is a billing file column; the file needs "
                f"{', '.join(REQUIRED_COLUMNS)} and one of {' or '.join(IDENTITY_COLUMNS)}",
            )
        problems: list[str] = []
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            problems.append(f"required column(s) missing: {', '.join(missing)}")
        if not any(name in names for name in IDENTITY_COLUMNS):
            problems.append(f"needs a {' or a '.join(IDENTITY_COLUMNS)} column")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                problems.append(f"column {name!r} appears more than once")
            seen.add(name)
        metadata = [(name, i) for i, name in enumerate(names) if name not in COLUMNS]
        for name, position in metadata:
            if not name.strip():
                problems.append(f"column {position + 1} has no name")
            elif len(name) > METADATA_KEY_MAX:
                problems.append(
                    f"metadata column {name[:50]!r} is longer than {METADATA_KEY_MAX} characters"
                )
        if len(metadata) > METADATA_MAX_KEYS:
            problems.append(
                f"{len(metadata)} metadata columns ({_shown([n for n, _ in metadata])}); "
                f"a bill holds at most {METADATA_MAX_KEYS} metadata keys"
            )
        if problems:
            raise BillFileRejected("header", "; ".join(problems))
        index = {name: i for i, name in enumerate(names) if name in COLUMNS}
        return cls(file, names, index, tuple(metadata))

    def parse(self, fields: Sequence[str], row: int) -> BillRow | RowRejected:
        """Row `row` (1 = the first data row) as a `BillRow`, or every problem it has."""
        problems: list[FieldProblem] = []
        width = len(self.header)
        if len(fields) != width:
            problems.append(
                FieldProblem("row", f"has {len(fields)} fields; the header has {width}")
            )
            fields = [*fields, *[""] * width][:width]
        (
            external_reference,
            first_name,
            last_name,
            amount_text,
            passport,
            sa_id,
            phone_text,
            email,
            bill_reference,
            due_text,
            currency_text,
        ) = map(str.strip, self._pick([*fields, ""]))
        # Each check has a fast path for a good value; the helper words the problem otherwise.
        if not (
            _REFERENCE.fullmatch(external_reference) and len(external_reference) <= REFERENCE_MAX
        ):
            _check_reference("external_reference", external_reference, problems)
        if bill_reference:
            if not (_REFERENCE.fullmatch(bill_reference) and len(bill_reference) <= REFERENCE_MAX):
                _check_reference("bill_reference", bill_reference, problems)
        elif external_reference:
            bill_reference = f"{external_reference}-{self._day}"
            if len(bill_reference) > REFERENCE_MAX:
                problems.append(
                    FieldProblem(
                        "bill_reference",
                        f"is missing, and the derived {external_reference}-YYYYMMDD would be "
                        f"longer than {REFERENCE_MAX} characters",
                    )
                )
        if not first_name:
            problems.append(FieldProblem("first_name", "is required"))
        if not last_name:
            problems.append(FieldProblem("last_name", "is required"))
        name = f"{first_name} {last_name}"
        if len(name) > NAME_MAX:
            problems.append(
                FieldProblem("first_name", f"with last_name is longer than {NAME_MAX} characters")
            )
        if sa_id and not passport and _SA_ID.fullmatch(sa_id):
            identity = {"sa_identification_number": sa_id}
        else:
            identity = _identity(passport, sa_id, problems)
        if email and (len(email) > NAME_MAX or not _EMAIL.fullmatch(email)):
            problems.append(FieldProblem("email", f"{email[:60]!r} is not an email address"))
        phone = _phone(phone_text, self.file.country, problems)
        currency = (currency_text or self._default_currency).upper()
        if currency not in CURRENCIES:
            _currency(currency, self.file, problems)
        amount_due = _amount(amount_text, currency, problems)
        due_date = _date(due_text, problems)
        metadata = (
            {key: fields[position] for key, position in self.metadata_columns if fields[position]}
            if self.metadata_columns
            else {}
        )
        for key, text in metadata.items():
            if len(text) > METADATA_VALUE_MAX:
                problems.append(
                    FieldProblem(
                        key, f"is longer than {METADATA_VALUE_MAX} characters (a metadata value)"
                    )
                )
        if problems:
            return RowRejected(row, external_reference, bill_reference, tuple(problems))
        # Positional: measurably cheaper than keywords over 100,000 rows; the order is BillRow's.
        return BillRow(
            row,
            external_reference,
            name,
            email or None,
            phone,
            identity,
            bill_reference,
            currency,
            amount_due,
            due_date,
            metadata,
        )

    @cached_property
    def _pick(self) -> Callable[[list[str]], tuple[str, ...]]:
        """Every known column of a row in `COLUMNS` order, in one C call; an absent column reads the
        empty field `parse` appends at the end of each row."""
        absent = len(self.header)
        return itemgetter(*(self.index.get(name, absent) for name in COLUMNS))

    @cached_property
    def _default_currency(self) -> str:
        return self.file.default_currency or ""

    @cached_property
    def _day(self) -> str:
        return f"{self.file.day:%Y%m%d}"


def _check_reference(column: str, text: str, problems: list[FieldProblem]) -> None:
    if not text:
        problems.append(FieldProblem(column, "is required"))
    elif len(text) > REFERENCE_MAX:
        problems.append(FieldProblem(column, f"is longer than {REFERENCE_MAX} characters"))
    elif not _REFERENCE.fullmatch(text):
        problems.append(
            FieldProblem(column, f"{text[:60]!r} may hold only letters, digits, '_' and '-'")
        )


def _identity(passport: str, sa_id: str, problems: list[FieldProblem]) -> dict[str, str]:
    identity: dict[str, str] = {}
    if not passport and not sa_id:
        problems.append(FieldProblem("passport_number", "or sa_identification_number is required"))
    if passport:
        if _PASSPORT.fullmatch(passport):
            identity["passport_number"] = passport
        else:
            problems.append(FieldProblem("passport_number", "must be 5 to 20 letters or digits"))
    if sa_id:
        if _SA_ID.fullmatch(sa_id):
            identity["sa_identification_number"] = sa_id
        else:
            problems.append(
                FieldProblem(
                    "sa_identification_number", "must be the 13 digits of a South African ID"
                )
            )
    return identity


def _phone(text: str, country: str, problems: list[FieldProblem]) -> str | None:
    if not text:
        return None
    code = _CALLING_CODES.get(country)
    if code == "27" and len(text) == 10 and text[0] == "0" and text.isdigit():
        return f"+27{text[1:]}"  # the common case of a za file, a local mobile number
    compact = text if text.isdigit() else text.translate(_PHONE_PUNCTUATION)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif code is not None and compact.isdigit():
        if compact.startswith("0"):
            compact = f"+{code}{compact[1:]}"
        elif code == "1" and len(compact) == 10:
            compact = f"+1{compact}"
    if not _E164.fullmatch(compact):
        problems.append(
            FieldProblem(
                "mobile_phone_number",
                f"{text[:40]!r} is not a phone number: write it as +27821234567 "
                "(or 0821234567 in a za file)",
            )
        )
        return None
    return compact


def _currency(currency: str, file: BillFileName, problems: list[FieldProblem]) -> None:
    """Word the problem with a currency that is missing or not supported."""
    if not currency:
        problems.append(
            FieldProblem(
                "currency", f"is required: a {file.country!r} file has no default currency"
            )
        )
    elif currency not in CURRENCIES:
        problems.append(
            FieldProblem(
                "currency", f"{currency!r} is not supported; use {' or '.join(sorted(CURRENCIES))}"
            )
        )


def _amount(text: str, currency: str, problems: list[FieldProblem]) -> int:
    if not text:
        problems.append(FieldProblem("amount_due", "is required"))
        return 0
    if not _AMOUNT.fullmatch(text):
        problems.append(
            FieldProblem(
                "amount_due", f"{text[:40]!r} must be an amount in major units such as 240.00"
            )
        )
        return 0
    places = _PLACES.get(currency)
    if places is None:
        return 0  # its decimals cannot be checked; the currency is reported already
    whole, _, fraction = text.partition(".")
    if len(fraction) > places:
        problems.append(
            FieldProblem(
                "amount_due", f"{text} has more decimal places than {currency} allows ({places})"
            )
        )
        return 0
    # The pattern has matched, so this is exact integer arithmetic on the digits (no floats).
    minor = int(whole + fraction.ljust(places, "0"))
    if not 1 <= minor <= MAX_AMOUNT_MINOR:
        problems.append(
            FieldProblem(
                "amount_due",
                f"{text} must be more than 0 and at most {to_major(MAX_AMOUNT_MINOR, currency)}",
            )
        )
    return minor


def _date(text: str, problems: list[FieldProblem]) -> date | None:
    if not text:
        return None
    # fromisoformat also reads 20250220 and other ISO forms: the pattern holds the file to YYYY-MM-DD.
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(FieldProblem("due_date", f"{text[:40]!r} must be a date written YYYY-MM-DD"))
    return None


def _shown(names: Sequence[str], limit: int = 12) -> str:
    listed = ", ".join(repr(name[:40]) for name in names[:limit])
    return listed + (", ..." if len(names) > limit else "")
