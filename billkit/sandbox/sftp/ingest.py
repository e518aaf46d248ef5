"""Processing one uploaded billing file (contract §9): check it whole, apply each row on its own, write
the results file atomically.

The whole-file checks (name, size, encoding, CSV, header) run first, in a worker thread, over the whole
file: a file refused whole changes nothing. Then rows are applied on the event loop in batches, each batch
one transaction and each row a savepoint inside it, so a row that fails leaves nothing behind and does not
stop the others. Between batches the loop serves other requests; no await ever falls inside a transaction.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from billkit.billfiles.errors import BillFileRejected
from billkit.billfiles.names import BillFileName, results_name
from billkit.billfiles.reader import MAX_FILE_BYTES
from billkit.billfiles.results import write_results
from billkit.billfiles.rows import BillRow, RowRejected
from billkit.billfiles.validate import parse_bill_file
from billkit.sandbox.clock import iso_utc
from billkit.sandbox.domain.errors import DuplicateReference, MissingField, NotFound, RuleViolation
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.services.file_rows import apply_file_row
from billkit.sandbox.sftp.folders import Folders
from billkit.sandbox.store.bill_files import ResultRow

__all__ = ["BATCH_ROWS", "ingest_file"]

#: Rows applied per transaction: large enough that commits do not dominate, small enough that the loop
#: answers HTTP requests between batches within a few tens of milliseconds.
BATCH_ROWS = 200
_REFUSALS = (RuleViolation, NotFound, DuplicateReference, MissingField)

logger = logging.getLogger("billkit.sandbox")


async def ingest_file(
    runtime: Runtime,
    folders: Folders,
    name: str,
    upload: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    refused: BillFileRejected | None = None,
) -> str:
    """Process the complete upload `upload` received as `name`; returns the file's status.

    `refused`: the upload was already refused whole while it was received (it went past the size limit)."""
    store = runtime.store
    with store.transaction():
        seq = store.bill_files.start(name, received_at=iso_utc(runtime.clock.timestamp()))
    target = folders.results / results_name(name)
    partial = folders.staging / f"{target.name}.{seq}.part"
    try:
        try:
            if refused is not None:
                raise refused
            file = BillFileName.parse(name, merchant=runtime.settings.merchant)
            await asyncio.to_thread(_check_whole, upload, file, max_bytes)
        except BillFileRejected as rejected:
            whole = _rejected(0, "", "", f"{rejected.part}: {rejected.message}")
            with partial.open("w", encoding="utf-8", newline="") as out:
                write_results([whole], out)
            with store.transaction():
                store.bill_files.add_results(seq, [whole])
                store.bill_files.finish(seq, status="rejected", counts={"rejected": 1})
            os.replace(partial, target)
            logger.info("billing file %s rejected: %s", name, rejected)
            return "rejected"
        counts = await _apply_rows(runtime, seq, file, upload, partial, max_bytes)
        os.replace(partial, target)
        with store.transaction():
            store.bill_files.finish(seq, status="processed", counts=counts)
        logger.info("billing file %s processed: %s", name, dict(counts))
        return "processed"
    finally:
        partial.unlink(missing_ok=True)
        upload.unlink(missing_ok=True)


def _check_whole(upload: Path, file: BillFileName, max_bytes: int) -> None:
    with upload.open("rb") as stream:
        for _ in parse_bill_file(stream, file, max_bytes=max_bytes):
            pass


async def _apply_rows(
    runtime: Runtime, seq: int, file: BillFileName, upload: Path, partial: Path, max_bytes: int
) -> Counter[str]:
    store = runtime.store
    counts: Counter[str] = Counter()
    with upload.open("rb") as stream, partial.open("w", encoding="utf-8", newline="") as out:
        rows = parse_bill_file(stream, file, max_bytes=max_bytes)
        header_written = False
        for batch in _batches(rows):
            now = runtime.clock.timestamp()
            with store.transaction():
                results = [_apply(runtime, outcome, now) for outcome in batch]
                store.bill_files.add_results(seq, results)
            counts.update(result[3] for result in results)
            if header_written:
                write_results(results, out, header=False)
            else:
                write_results(results, out)
                header_written = True
            await asyncio.sleep(0)  # let HTTP requests in between batches
        if not header_written:
            write_results([], out)
    return counts


def _apply(runtime: Runtime, outcome: BillRow | RowRejected, now: float) -> ResultRow:
    if isinstance(outcome, RowRejected):
        return _rejected(
            outcome.row, outcome.external_reference, outcome.bill_reference, outcome.errors
        )
    try:
        with runtime.store.savepoint():
            applied = apply_file_row(runtime.store, outcome, now=now)
    except _REFUSALS as refusal:
        field = getattr(refusal, "field", None) or "row"
        return _rejected(
            outcome.row,
            outcome.external_reference,
            outcome.bill_reference,
            f"{field}: {refusal.message}",
        )
    except Exception:
        # A defect, not the row's fault: the row is refused and the rest of the file goes on.
        logger.exception("billing file row %d could not be applied", outcome.row)
        return _rejected(
            outcome.row,
            outcome.external_reference,
            outcome.bill_reference,
            "row: the sandbox failed to apply this row; its log has the details",
        )
    return (
        outcome.row,
        outcome.external_reference,
        outcome.bill_reference,
        applied.status,
        applied.customer_id,
        applied.bill_id,
        "",
    )


def _rejected(row: int, external_reference: str, bill_reference: str, errors: str) -> ResultRow:
    return (row, external_reference, bill_reference, "rejected", "", "", errors)


def _batches(
    rows: Iterator[tuple[int, BillRow | RowRejected]],
) -> Iterator[list[BillRow | RowRejected]]:
    batch: list[BillRow | RowRejected] = []
    for _line, outcome in rows:
        batch.append(outcome)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
