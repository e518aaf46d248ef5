"""Masking of API keys and webhook secrets, under the import path much of billkit uses.

The rules (and the code) live in `billkit.keys`, the one home of key and secret rules; this module only
re-exports its two masking functions.
"""

from __future__ import annotations

from billkit.keys import redact, scrub

__all__ = ["redact", "scrub"]
