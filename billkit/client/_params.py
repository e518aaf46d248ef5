"""Request bodies: the nested objects of composite creates, and checks on what a caller passes.

Everything here runs before a request is sent, so a wrong argument costs no API call and leaves nothing
half-done on Moment's side. Fields that are None are left out of the JSON (Moment's "never set"); inside
`metadata` a None value is kept, because on update it tells Moment to remove that key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, fields
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from billkit.errors import InvalidArgumentError

__all__ = [
    "NewAccount",
    "NewCustomer",
    "checked_idempotency_key",
    "checked_params",
    "encode_body",
    "path_segment",
]

#: Request fields holding money: integers of minor units, nothing else.
_MINOR_UNIT_FIELDS = frozenset({"amount", "amount_due", "amount_paid", "balance"})
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{1,255}")
_JSON_SCALARS = frozenset({str, int, float, bool})


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A customer to create inside an account or bill create (a composite create).

    `NewCustomer("UCR1234567890", name="John Doe", currency="ZAR", balance=2000)`
    """

    external_reference: str
    _: KW_ONLY
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    currency: str | None = None
    balance: int | None = None
    metadata: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account to create inside a bill create; `customer` is an existing customer or a `NewCustomer`.

    `NewAccount("UAR1234567890", customer=NewCustomer("UCR1234567890"), name="Primary Account")`
    Leave `customer` out when the bill names it: `bills.create(customer="bcus_...", account=NewAccount(...))`.
    """

    external_reference: str
    _: KW_ONLY
    customer: str | NewCustomer | Mapping[str, Any] | None = None
    name: str | None = None
    currency: str | None = None
    balance: int | None = None
    metadata: Mapping[str, str] | None = None


_NEW_OBJECTS = (NewCustomer, NewAccount)


def checked_params(params: Mapping[str, Any], spec: type, *, where: str) -> Mapping[str, Any]:
    """Refuse keyword arguments the TypedDict `spec` does not name, or required ones that are missing."""
    allowed: frozenset[str] = spec.__required_keys__ | spec.__optional_keys__  # type: ignore[attr-defined]
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidArgumentError(
            f"{where}: unknown argument(s) {', '.join(unknown)}; expected some of {', '.join(sorted(allowed))}"
        )
    missing = sorted(key for key in spec.__required_keys__ if params.get(key) is None)  # type: ignore[attr-defined]
    if missing:
        raise InvalidArgumentError(f"{where}: missing required argument(s) {', '.join(missing)}")
    return params


def encode_body(params: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """JSON-ready body from keyword arguments, nested `NewCustomer`/`NewAccount`, dates and metadata."""
    return {
        name: _encode(value, name=name, where=where)
        for name, value in params.items()
        if value is not None
    }


def path_segment(value: object, *, what: str) -> str:
    """A Moment ID or external_reference, checked and URL-quoted for use as one path segment."""
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what} must be a str (a Moment ID or external_reference), not {type(value).__name__}"
        )
    if not value.strip():
        raise InvalidArgumentError(f"{what} is empty: pass a Moment ID or external_reference")
    return quote(value, safe="")


def checked_idempotency_key(key: object) -> str | None:
    """A caller's Idempotency-Key, held to Moment's rule: 1 to 255 letters, digits and hyphens."""
    if key is None:
        return None
    if not isinstance(key, str) or not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidArgumentError(
            f"idempotency_key {key!r} must be 1 to 255 letters, digits and hyphens (a UUID, for instance)"
        )
    return key


def _encode(value: object, *, name: str, where: str) -> Any:
    if name in _MINOR_UNIT_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidArgumentError(
            f"{where}: {name} must be an int of minor units (cents), not {type(value).__name__} "
            f"{value!r}; convert with billkit.money.to_minor(amount, currency)"
        )
    if type(value) in _JSON_SCALARS:  # the common case first: every create sends a few of these
        return value
    if name == "metadata":
        return _metadata(value, f"{where}: {name}")
    if isinstance(value, _NEW_OBJECTS):
        value = {field.name: getattr(value, field.name) for field in fields(value)}
    if isinstance(value, Mapping):
        return encode_body(value, where=f"{where}: {name}")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidArgumentError(
                f"{where}: {name} must be timezone-aware (e.g. datetime.now(UTC))"
            )
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return value
    raise InvalidArgumentError(
        f"{where}: {name}: {type(value).__name__} values cannot be sent as JSON"
    )


def _metadata(value: object, label: str) -> dict[str, str | None]:
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and (item is None or isinstance(item, str))
        for key, item in value.items()
    ):
        raise InvalidArgumentError(
            f"{label} must map str keys to str values (None removes a key on update)"
        )
    return dict(value)
