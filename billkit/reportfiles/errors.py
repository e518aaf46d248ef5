"""What is wrong with a report file: `ReportFileError` names the file, the line and the column."""

from __future__ import annotations

from billkit.errors import BillkitError

__all__ = ["ReportFileError"]


class ReportFileError(BillkitError, ValueError):
    """A report file billkit cannot read as Moment's layout says.

    `name` is the file's name, `line` the line in the file (counting from 1; None for the file as a whole) and
    `column` the table column or header row at fault (None when it is not one column).
    """

    def __init__(
        self, name: str, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        where = name
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")
        self.name = name
        self.line = line
        self.column = column
        self.message = message
