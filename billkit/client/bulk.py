"""Creating many bills through the API: `client.bills.create_many(rows, concurrency=8)`.

For merchants without SFTP. Each row is one `bills.create`, sent `concurrency` at a time through the
client's own request loop (so 429s wait for `Retry-After`, and connection errors and 5xx are retried).
Each row's Idempotency-Key is derived from `source` (the file's name, say) and the row's content, so a load
that was interrupted, run again, creates nothing twice: rows already created are answered from Moment's
idempotency store (`replayed`), or, once that has expired, refused as taken references (`exists`).

The answer is one row of outcome per input row, in input order: `row` (1 = the first), `external_reference`,
`status` (`created`, `replayed`, `exists`, `failed`), `bill_id` and `error`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from billkit.client._models import Bill
from billkit.errors import BillkitError, ConflictError, InvalidArgumentError

__all__ = [
    "OUTCOME_COLUMNS",
    "Rows",
    "idempotency_key_for",
    "load_async",
    "load_sync",
]

OUTCOME_COLUMNS = ["row", "external_reference", "status", "bill_id", "error"]
#: A DataFrame (one bill per row, `BillCreateParams` columns) or an iterable of mappings.
Rows = pd.DataFrame | Iterable[Mapping[str, Any]]
_KEY_PREFIX = "bulk-"


@dataclass(frozen=True, slots=True)
class _Outcome:
    row: int
    external_reference: str
    status: str
    bill_id: str | None
    error: str | None


def idempotency_key_for(source: str, params: Mapping[str, Any]) -> str:
    """`bulk-` + 64 hex digits: the SHA-256 of `source` and the row's content (keys in sorted order)."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=_plain)
    digest = hashlib.sha256(f"{source}\n{canonical}".encode()).hexdigest()
    return _KEY_PREFIX + digest


def load_sync(
    create: Callable[..., Bill],
    rows: Rows,
    *,
    concurrency: int,
    source: str,
    progress: bool,
) -> pd.DataFrame:
    """Threads share the client's connection pool; at most `concurrency` rows are in flight."""
    _check(concurrency, source)
    outcomes: list[_Outcome] = []
    lock = threading.Lock()
    total = len(rows) if isinstance(rows, pd.DataFrame) else None
    with _bar(total, progress) as bar, ThreadPoolExecutor(max_workers=concurrency) as pool:
        pending: set[Future[_Outcome]] = set()
        for number, params in _numbered(rows):
            if len(pending) >= concurrency * 2:  # keep memory flat: a window, not the whole file
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                _collect(done, outcomes, bar, lock)
            pending.add(pool.submit(_create_one, create, number, params, source))
        done, _ = wait(pending)
        _collect(done, outcomes, bar, lock)
    return _frame(outcomes)


async def load_async(
    create: Callable[..., Awaitable[Bill]],
    rows: Rows,
    *,
    concurrency: int,
    source: str,
    progress: bool,
) -> pd.DataFrame:
    """`concurrency` workers take rows from one iterator, so only that many are in flight."""
    _check(concurrency, source)
    outcomes: list[_Outcome] = []
    numbered = _numbered(rows)
    total = len(rows) if isinstance(rows, pd.DataFrame) else None

    async def worker(bar: tqdm[Any]) -> None:
        for number, params in numbered:
            key = idempotency_key_for(source, params)
            try:
                bill = await create(idempotency_key=key, **params)
            except BillkitError as exc:
                outcomes.append(_failed(number, params, exc))
            else:
                outcomes.append(_created(number, params, bill))
            bar.update(1)

    with _bar(total, progress) as bar:
        await asyncio.gather(*(worker(bar) for _ in range(concurrency)))
    return _frame(outcomes)


def _create_one(
    create: Callable[..., Bill], number: int, params: dict[str, Any], source: str
) -> _Outcome:
    key = idempotency_key_for(source, params)
    try:
        return _created(number, params, create(idempotency_key=key, **params))
    except BillkitError as exc:
        return _failed(number, params, exc)


def _created(number: int, params: Mapping[str, Any], bill: Bill) -> _Outcome:
    replayed = bill.response is not None and bill.response.replayed
    return _Outcome(
        number,
        str(params.get("external_reference", "")),
        "replayed" if replayed else "created",
        bill.id,
        None,
    )


def _failed(number: int, params: Mapping[str, Any], exc: BillkitError) -> _Outcome:
    # A taken reference on a re-run after the idempotency store forgot the key: it was created before.
    status = "exists" if isinstance(exc, ConflictError) else "failed"
    return _Outcome(number, str(params.get("external_reference", "")), status, None, str(exc))


def _numbered(rows: Rows) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(rows, pd.DataFrame):
        records: Iterable[Mapping[str, Any]] = rows.to_dict("records")  # type: ignore[assignment]
    else:
        records = rows
    for number, record in enumerate(records, start=1):
        yield number, {str(name): value for name, value in record.items() if not _is_empty(value)}


def _collect(
    done: Iterable[Future[_Outcome]], outcomes: list[_Outcome], bar: tqdm[Any], lock: threading.Lock
) -> None:
    with lock:
        for future in done:
            outcomes.append(future.result())
            bar.update(1)


def _frame(outcomes: list[_Outcome]) -> pd.DataFrame:
    ordered = sorted(outcomes, key=lambda outcome: outcome.row)
    frame = pd.DataFrame(
        [(o.row, o.external_reference, o.status, o.bill_id, o.error) for o in ordered],
        columns=OUTCOME_COLUMNS,
    )
    return frame.astype({"row": "int64"})


def _bar(total: int | None, progress: bool) -> tqdm[Any]:
    return tqdm(total=total, desc="bills", unit="bill", disable=not progress, leave=False)


def _check(concurrency: int, source: str) -> None:
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= 64
    ):
        raise InvalidArgumentError(f"create_many: concurrency must be 1 to 64, not {concurrency!r}")
    if not isinstance(source, str) or not source:
        raise InvalidArgumentError(
            "create_many: source must name the load (a file name, say): it keys the rows"
        )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # NaN: an empty cell


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dict__"):
        return vars(value)
    return str(value)
