"""The ledger: billkit's record (a SQLite file, or PostgreSQL for a team) of objects and webhook events, and the DataFrames built from it.

Moment has no list endpoints, so an analyst's data is what billkit recorded. See `Ledger`.
"""

from billkit.ledger._ledger import Ledger, LedgerError
from billkit.ledger._postgres import LEDGER_URL_ENV, is_postgres_url, shown, without_password
from billkit.ledger._records import ObjectKind, SupportsToDict
from billkit.ledger._sandbox_import import ImportResult, SandboxClient

__all__ = [
    "LEDGER_URL_ENV",
    "ImportResult",
    "Ledger",
    "LedgerError",
    "ObjectKind",
    "SandboxClient",
    "SupportsToDict",
    "is_postgres_url",
    "shown",
    "without_password",
]
