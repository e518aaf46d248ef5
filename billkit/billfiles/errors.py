"""What is wrong with a billing file: the whole of it (`BillFileRejected`) or one field of one row."""

from __future__ import annotations

from dataclasses import dataclass

from billkit.errors import BillkitError

__all__ = ["BillFileRejected", "FieldProblem", "SftpError"]


class BillFileRejected(BillkitError, ValueError):
    """The whole file is refused: its name, size, encoding, CSV structure or header.

    `part` says which (`name`, `size`, `encoding`, `csv`, `header`); the message says how to fix it.
    """

    def __init__(self, part: str, message: str) -> None:
        super().__init__(f"{part}: {message}")
        self.part = part
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one row: `field` is a column name (or `row` for the row as a whole)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class SftpError(BillkitError):
    """An SFTP connection, login or transfer failed; the message never holds a password."""
