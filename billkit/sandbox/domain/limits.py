"""The sandbox's limits (contract §2): the largest amount, and how much metadata an object holds.

The domain owns them; request schemas and the hosted page read them from here."""

from __future__ import annotations

__all__ = ["MAX_MINOR_UNITS", "METADATA_KEY_MAX", "METADATA_MAX_KEYS", "METADATA_VALUE_MAX"]

MAX_MINOR_UNITS = 99_999_999
METADATA_MAX_KEYS = 10
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
