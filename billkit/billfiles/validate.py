"""Checking a billing file before it is sent: `validate_bill_file(path)` -> a table of every problem.

    problems = validate_bill_file("za_acme_dailyfile_2025-02-02.csv", merchant="acme")
    problems.empty          # True: the sandbox (and these rules) will accept every row

The rules are the sandbox's own (`parse_bill_file` is what its SFTP ingestion applies), read as a stream,
so memory stays flat however large the file. A problem with the whole file is one row with `row` 0.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from billkit.billfiles.errors import BillFileRejected, FieldProblem
from billkit.billfiles.names import BillFileName
from billkit.billfiles.reader import MAX_FILE_BYTES, read_records
from billkit.billfiles.rows import BillRow, FileLayout, RowRejected
from billkit.errors import InvalidArgumentError

__all__ = ["PROBLEM_COLUMNS", "Source", "parse_bill_file", "validate_bill_file"]

PROBLEM_COLUMNS = ["row", "line", "external_reference", "bill_reference", "field", "message"]

#: A file on disk, its bytes, or a binary stream.
Source = str | Path | bytes | BinaryIO


def parse_bill_file(
    stream: BinaryIO, file: BillFileName, *, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[tuple[int, BillRow | RowRejected]]:
    """Each data row of the file as `(line, BillRow or RowRejected)`, in order.

    Raises `BillFileRejected` for a problem with the whole file (size, encoding, CSV, header). A row that
    repeats an earlier row's bill reference is rejected; the earlier one stands.
    """
    records = read_records(stream, max_bytes=max_bytes)
    header = next(records)
    layout = FileLayout.from_header(header.fields, file)
    first_row_of: dict[str, int] = {}
    for record in records:
        outcome = layout.parse(record.fields, record.row)
        reference = outcome.bill_reference
        if reference:
            earlier = first_row_of.setdefault(reference, record.row)
            if earlier != record.row:
                outcome = _duplicate(outcome, earlier)
        yield record.line, outcome


def validate_bill_file(
    source: Source,
    *,
    name: str | None = None,
    merchant: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> pd.DataFrame:
    """Every problem in the file, one per row and field (`PROBLEM_COLUMNS`); empty when all is well.

    `name` defaults to the file's own name (give it for bytes or a stream); `merchant`, when given, is
    the alias the name must carry.
    """
    problems: list[tuple[int, int, str, str, str, str]] = []
    with ExitStack() as stack:
        stream, file_name = _open(source, name, stack)
        try:
            file = BillFileName.parse(file_name, merchant=merchant)
            for line, outcome in parse_bill_file(stream, file, max_bytes=max_bytes):
                if isinstance(outcome, RowRejected):
                    problems.extend(
                        (
                            outcome.row,
                            line,
                            outcome.external_reference,
                            outcome.bill_reference,
                            problem.field,
                            problem.message,
                        )
                        for problem in outcome.problems
                    )
        except BillFileRejected as rejected:
            problems = [(0, 0, "", "", rejected.part, rejected.message)]
    frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    return frame.astype({"row": "int64", "line": "int64"})


def _open(source: Source, name: str | None, stack: ExitStack) -> tuple[BinaryIO, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            stream = stack.enter_context(path.open("rb"))
        except OSError as exc:
            raise InvalidArgumentError(f"cannot read {path}: {exc.strerror or exc}") from None
        return stream, name or path.name
    if name is None:
        raise InvalidArgumentError(
            "validate_bill_file: pass name=... (the file name decides its country and date)"
        )
    if isinstance(source, bytes):
        return io.BytesIO(source), name
    return source, name


def _duplicate(outcome: BillRow | RowRejected, earlier: int) -> RowRejected:
    problem = FieldProblem(
        "bill_reference",
        f"{outcome.bill_reference!r} is also in row {earlier}; a file may hold each bill once",
    )
    previous = outcome.problems if isinstance(outcome, RowRejected) else ()
    return RowRejected(
        outcome.row, outcome.external_reference, outcome.bill_reference, (*previous, problem)
    )
