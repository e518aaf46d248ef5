"""The one error the domain raises."""

from __future__ import annotations

__all__ = ["RuleViolation"]


class RuleViolation(Exception):
    """A well-formed request that a business rule refuses (HTTP 422); `field` names the field to blame."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
