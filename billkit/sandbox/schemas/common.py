"""Field types shared by every sandbox schema: references, money, currencies, metadata, dates, IDs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    WithJsonSchema,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from billkit.sandbox.domain.limits import (
    MAX_MINOR_UNITS,
    METADATA_KEY_MAX,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX,
)

__all__ = [
    "CLOSED",
    "MAX_MINOR_UNITS",
    "METADATA_MAX_KEYS",
    "OBJECT_TAG",
    "REFERENCE_TAG",
    "UNION_TAGS",
    "AccountId",
    "AmountDue",
    "AmountPaid",
    "ApplicationId",
    "Balance",
    "BillDate",
    "BillId",
    "Currency",
    "CustomerId",
    "Email",
    "EventId",
    "ExternalReference",
    "IdOrReference",
    "Metadata",
    "MetadataPatch",
    "Name",
    "NoQuery",
    "PaymentId",
    "Phone",
    "PositiveAmount",
    "Timestamp",
    "WebhookEndpointId",
    "id_pattern",
    "in_range",
    "range_schema",
    "reference_or_object",
]

#: Request and response objects are closed: unknown fields are refused (requests) or never sent (responses).
CLOSED = ConfigDict(extra="forbid", strict=True)

_REFERENCE_PATTERN = r"^[a-zA-Z0-9_-]+$"

ExternalReference = Annotated[
    str, StringConstraints(min_length=1, max_length=255, pattern=_REFERENCE_PATTERN)
]
#: A path or body reference to an existing object: its Moment ID or its external_reference.
IdOrReference = ExternalReference
Name = Annotated[str, StringConstraints(max_length=255)]
# Written with explicit classes: the validator's \d and \s would also match non-ASCII digits and spaces.
Email = Annotated[
    str, StringConstraints(max_length=255, pattern=r"^[^@\t\n\r ]+@[^@\t\n\r ]+\.[^@\t\n\r .]+$")
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{1,14}$")]
Currency = Literal["USD", "ZAR"]


def in_range(low: int, high: int) -> AfterValidator:
    """Refuse ints outside `low`..`high` with "must be between low and high"."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range", "must be between {low} and {high}", {"low": low, "high": high}
            )
        return value

    return AfterValidator(check)


def range_schema(low: int, high: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


AmountDue = Annotated[int, in_range(1, MAX_MINOR_UNITS), range_schema(1, MAX_MINOR_UNITS)]
AmountPaid = Annotated[int, in_range(0, MAX_MINOR_UNITS), range_schema(0, MAX_MINOR_UNITS)]
PositiveAmount = AmountDue
Balance = Annotated[
    int,
    in_range(-MAX_MINOR_UNITS, MAX_MINOR_UNITS),
    range_schema(-MAX_MINOR_UNITS, MAX_MINOR_UNITS),
]
BillDate = date
#: ISO 8601 UTC, whole seconds: 2025-01-15T10:00:00Z.
Timestamp = Annotated[
    str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
]

_MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=METADATA_KEY_MAX)]
_MetadataValue = Annotated[str, StringConstraints(max_length=METADATA_VALUE_MAX)]
Metadata = Annotated[dict[_MetadataKey, _MetadataValue], Field(max_length=METADATA_MAX_KEYS)]
#: On update a key set to null is removed.
MetadataPatch = Annotated[
    dict[_MetadataKey, _MetadataValue | None], Field(max_length=METADATA_MAX_KEYS)
]

#: Tags of the reference-or-object unions; they are dropped from error locations.
REFERENCE_TAG = "id_or_reference"
OBJECT_TAG = "new_object"
UNION_TAGS = frozenset({REFERENCE_TAG, OBJECT_TAG})


def id_pattern(prefix: str) -> str:
    return rf"^{prefix}[a-zA-Z0-9]{{21,}}$"


CustomerId = Annotated[str, Field(pattern=id_pattern("bcus_"))]
AccountId = Annotated[str, Field(pattern=id_pattern("bacc_"))]
BillId = Annotated[str, Field(pattern=id_pattern("bill_"))]
PaymentId = Annotated[str, Field(pattern=id_pattern("pay_"))]
ApplicationId = Annotated[str, Field(pattern=id_pattern("ob_"))]
EventId = Annotated[str, Field(pattern=id_pattern("evt_"))]
WebhookEndpointId = Annotated[str, Field(pattern=id_pattern("we_"))]


def _reference_or_object_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return REFERENCE_TAG
    if isinstance(value, dict):
        return OBJECT_TAG
    return None


def reference_or_object(what: str) -> Discriminator:
    """The discriminator of `Tagged[IdOrReference, REFERENCE] | Tagged[NewX, OBJECT]` unions."""
    return Discriminator(
        _reference_or_object_tag,
        custom_error_type="reference_or_object",
        custom_error_message=f"must be an existing {what}'s ID or external_reference, or a new {what} object",
    )


@with_config(ConfigDict(extra="forbid"))
class NoQuery(TypedDict):
    """Routes without query parameters refuse any (a typo should not be silently ignored)."""
