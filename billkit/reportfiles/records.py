"""A report file's bytes as CSV records, each with the line it starts on.

Report files are small (a day of payments), so the file is read whole: its checksum is needed anyway and the
`csv` module then splits the decoded text in C. A UTF-8 byte-order mark (Excel adds one) and CRLF or LF line
ends are accepted; bytes that are not UTF-8 are refused naming the line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from billkit.reportfiles.errors import ReportFileError

__all__ = ["MAX_REPORT_BYTES", "ReportSource", "blank", "column_key", "records"]

#: The largest report file read: 256 MiB, well over a million payments in a day.
MAX_REPORT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReportSource:
    """A report file's name and bytes, read once."""

    name: str
    data: bytes

    @classmethod
    def of(cls, source: str | os.PathLike[str] | bytes, name: str | None = None) -> ReportSource:
        """`source` is a path, or the file's bytes (then `name` is its file name, for errors and the ledger)."""
        if isinstance(source, bytes | bytearray | memoryview):
            return cls(name or "<bytes>", bytes(source))
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_REPORT_BYTES:
                raise ReportFileError(
                    path.name, f"the file is larger than {MAX_REPORT_BYTES:,} bytes (the limit)"
                )
            data = path.read_bytes()
        except OSError as exc:
            raise ReportFileError(path.name, f"cannot read {path}: {exc.strerror or exc}") from None
        return cls(name or path.name, data)

    @property
    def checksum(self) -> str:
        """`sha256:` and the hex digest of the bytes: how the ledger tells one file's content from another."""
        return "sha256:" + hashlib.sha256(self.data).hexdigest()


def column_key(name: str) -> str:
    """A table column's name as billkit matches it: case and spacing aside (`Net Amount` is `net_amount`)."""
    return "_".join(name.split()).casefold()


def blank(fields: list[str]) -> bool:
    """An empty line, or one of empty fields only (a spreadsheet pads short rows with commas)."""
    return not any(field.strip() for field in fields)


def records(source: ReportSource) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its fields) for every record, blank ones included."""
    data = source.data
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReportFileError(
            source.name,
            f"not UTF-8 (byte 0x{data[exc.start : exc.start + 1].hex()}); save it as UTF-8",
            line=line,
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ReportFileError(
                source.name, f"not valid CSV ({exc})", line=reader.line_num
            ) from None
        yield start, fields
        start = reader.line_num + 1
