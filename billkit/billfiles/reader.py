"""Reading a billing file as a stream: decoded as strict UTF-8 and split into records by the standard `csv`
module (RFC 4180 quoting, strict), in chunks, never the whole file in memory.

`read_records(stream)` yields `Record`s and raises `BillFileRejected` for what makes the whole file
unusable: a size over `MAX_FILE_BYTES`, a byte-order mark, bytes that are not UTF-8 (a Latin-1 or
Windows-1252 export), malformed CSV, or no header row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from billkit.billfiles.errors import BillFileRejected

__all__ = ["MAX_FILE_BYTES", "Record", "read_records"]

#: The largest billing file accepted: 64 MiB, about 400,000 rows of typical width. Split bigger loads
#: into several files (a full file, then daily files). A single field holds at most 131,072 characters
#: (the csv module's own limit, left as it is).
MAX_FILE_BYTES = 64 * 1024 * 1024


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which costs a
# measurable share of validating 100,000 rows.
@dataclass(slots=True)
class Record:
    #: 0 for the header, then 1, 2, ... for data rows (blank lines are skipped and not counted).
    row: int
    #: The line it starts on, counting from 1 (a quoted field may span lines).
    line: int
    fields: list[str]


class _Limited(io.RawIOBase):
    """The bytes of `stream`, refusing to go past `max_bytes`: the size is checked as the file is read."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self.size += len(data)
        if self.size > self._max_bytes:
            raise BillFileRejected(
                "size",
                f"the file is larger than {self._max_bytes:,} bytes (the limit); "
                "split it into several files",
            )
        buffer[: len(data)] = data
        return len(data)


def read_records(stream: BinaryIO, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Record]:
    """The header (row 0) and then each data row of a billing file read from `stream` (binary)."""
    raw = _Limited(stream, max_bytes)
    buffered = io.BufferedReader(raw, buffer_size=1 << 16)
    if buffered.peek(3)[:3] == codecs.BOM_UTF8:
        raise BillFileRejected(
            "encoding",
            "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM "
            "(Excel's 'CSV UTF-8' adds one; use a plain UTF-8 export)",
        )
    # The C decoder and parser do the work; the Python code here runs once per record.
    text = io.TextIOWrapper(buffered, encoding="utf-8", errors="strict", newline="")
    reader = csv.reader(text, strict=True)
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
                f"line {reader.line_num} is not valid CSV ({exc}); quote a field holding a comma, "
                'quote or line break whole, and double the quotes inside it ("a ""b"" c")',
            ) from None
        except UnicodeDecodeError as exc:
            raise _not_utf8(stream, exc, after=reader.line_num) from None
        if fields:
            yield Record(row, start, fields)
            row += 1
        start = reader.line_num + 1
    if row == 0:
        raise BillFileRejected("header", "the file is empty: it needs a header row")


def _not_utf8(stream: BinaryIO, error: UnicodeDecodeError, *, after: int) -> BillFileRejected:
    """Name the first line that is not UTF-8: the decoder reads ahead in chunks, so the line the parser
    had reached is only a lower bound; a seekable stream is read again to find the line itself."""
    where = f"after line {after}"
    bad = error.object[error.start : error.start + 1].hex()
    if stream.seekable():
        stream.seek(0)
        for number, line in enumerate(stream, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                where, bad = (
                    f"line {number}, column {exc.start + 1}",
                    line[exc.start : exc.start + 1].hex(),
                )
                break
    return BillFileRejected(
        "encoding",
        f"the file is not UTF-8 (byte 0x{bad} at {where}); it may be Latin-1 or Windows-1252: "
        "save it as UTF-8",
    )
