"""The ledger: billkit's local SQLite record of objects and webhook events, and the DataFrames built from it.

Moment has no list endpoints, so an analyst's data is what billkit recorded. See `Ledger`.
"""

from billkit.ledger._ledger import Ledger, LedgerError
from billkit.ledger._records import ObjectKind, SupportsToDict
from billkit.ledger._sandbox_import import ImportResult, SandboxClient

__all__ = ["ImportResult", "Ledger", "LedgerError", "ObjectKind", "SandboxClient", "SupportsToDict"]
