"""The refusals the sandbox's rules and services raise; the HTTP layer turns each into one answer.

    RuleViolation       a business rule says no (422)
    MissingField        a field the request needed is absent (400)
    NotFound            a reference names nothing (404)
    DuplicateReference  an external_reference is taken (409)

They carry facts, not HTTP: `http/errors.py` is the one place that maps them to problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DuplicateReference", "MissingField", "NotFound", "RuleViolation"]


class RuleViolation(Exception):
    """A well-formed request that a business rule refuses (HTTP 422).

    `code` says which rule, for any door to word in its own terms (`refusals.payer_words`); `message` is the
    API's words; `field` names the field to blame; `facts` are what the rule compared."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.facts: Mapping[str, Any] = facts or {}


class MissingField(Exception):
    """A field the request needed is absent (HTTP 400); `message` says what it is for."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(Exception):
    """No `kind` has this ID (or external_reference); `field` names the request field that named it."""

    def __init__(
        self, kind: str, reference: str, *, field: str | None = None, by_reference: bool = True
    ) -> None:
        self.kind = kind
        self.reference = reference
        self.field = field
        naming = "ID or external_reference" if by_reference else "ID"
        self.message = f"No {kind} has the {naming} {reference!r}"
        super().__init__(self.message)


class DuplicateReference(Exception):
    """Another `kind` already has this external_reference; `field` is where the request gave it."""

    def __init__(self, kind: str, external_reference: str, *, field: str = "external_reference"):
        self.kind = kind
        self.external_reference = external_reference
        self.field = field
        article = "An" if kind[:1] in "aeiou" else "A"  # "An account", "A bill"
        self.message = (
            f"{article} {kind} with external_reference {external_reference!r} already exists"
        )
        super().__init__(self.message)
