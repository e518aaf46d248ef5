"""Reading a billing file as a stream: its bytes checked as UTF-8 line by line, its records split by the
standard `csv` module (RFC 4180 quoting, strict), never the whole file in memory.

`read_records(stream)` yields `Record`s and raises `BillFileRejected` for what makes the whole file
unusable: a size over `MAX_FILE_BYTES`, a byte-order mark, bytes that are not UTF-8 (a Latin-1 or
Windows-1252 export), malformed CSV, or no header row.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from billkit.billfiles.errors import BillFileRejected

__all__ = ["MAX_FILE_BYTES", "Record", "read_records"]

#: The largest billing file accepted: 64 MiB, about 400,000 rows of typical width. Split bigger loads
#: into several files (a full file, then daily files).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: A single field holds at most 131,072 characters: the csv module's own limit, left as it is.


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which costs a
# measurable share of validating 100,000 rows.
@dataclass(slots=True)
class Record:
    #: 0 for the header, then 1, 2, ... for data rows (blank lines are skipped and not counted).
    row: int
    #: The line it starts on, counting from 1 (a quoted field may span lines).
    line: int
    fields: list[str]


class _Lines:
    """UTF-8 lines of a binary stream, counting lines and bytes as they go."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self.line = 0
        self.size = 0

    def __iter__(self) -> Iterator[str]:
        decode = codecs.getdecoder("utf-8")
        for raw in self._stream:
            self.line += 1
            self.size += len(raw)
            if self.size > self._max_bytes:
                raise BillFileRejected(
                    "size",
                    f"the file is larger than {self._max_bytes:,} bytes (the limit); "
                    "split it into several files",
                )
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raise BillFileRejected(
                    "encoding",
                    "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM "
                    "(in Excel: 'CSV UTF-8' adds one; use a plain UTF-8 export)",
                )
            try:
                text, _ = decode(raw, "strict")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                raise BillFileRejected(
                    "encoding",
                    f"line {self.line} is not UTF-8 (byte 0x{bad} at column {exc.start + 1}); "
                    "the file may be Latin-1 or Windows-1252: save it as UTF-8",
                ) from None
            yield text


def read_records(stream: BinaryIO, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Record]:
    """The header (row 0) and then each data row of a billing file read from `stream` (binary)."""
    lines = _Lines(stream, max_bytes)
    reader = csv.reader(lines, strict=True)
    row = 0
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BillFileRejected(
                "csv",
                f"line {lines.line} is not valid CSV ({exc}); quote a field holding a comma, quote "
                'or line break whole, and double the quotes inside it ("a ""b"" c")',
            ) from None
        if fields:
            yield Record(row, start, fields)
            row += 1
        start = lines.line + 1
    if row == 0:
        raise BillFileRejected("header", "the file is empty: it needs a header row")
