"""The small parts on their own: settings checks, the clock, the outbox signal, log redaction, the store."""

from __future__ import annotations

import asyncio
import io
import logging
import sqlite3
from contextlib import AbstractContextManager, closing
from pathlib import Path

import pytest

from billkit.errors import ConfigurationError
from billkit.sandbox.clock import MAX_ADVANCE_SECONDS, SandboxClock, iso_utc
from billkit.sandbox.ids import new_id
from billkit.sandbox.logs import RedactingFilter, log_to_stderr
from billkit.sandbox.outbox import OutboxSignal
from billkit.sandbox.runtime import new_api_key, new_webhook_secret
from billkit.sandbox.settings import (
    SandboxSettings,
    check_api_key,
    check_webhook_secret,
    default_db_path,
    parse_retry_schedule,
)
from billkit.sandbox.store import DuplicateReference, Scope, Store, StoredResponse, UnknownCursor

# ---- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("default", (5, 300, 1800, 7200, 18000, 36000, 36000)),
        ("fast", (0.1, 0.2, 0.5, 1, 2)),
        ("1,5,30", (1.0, 5.0, 30.0)),
        (" 0.5 , 2 ", (0.5, 2.0)),
    ],
)
def test_retry_schedules(text: str, schedule: tuple[float, ...]) -> None:
    assert parse_retry_schedule(text) == schedule


@pytest.mark.parametrize("text", ["", "1,,2", "0", "-1", "nan", "inf", "1e9", "soon"])
def test_bad_retry_schedules(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_retry_schedule(text)


def test_settings_repr_masks_secrets() -> None:
    secret = new_webhook_secret()
    shown = repr(SandboxSettings(api_key="sk_test_abcdefghijklmnop", webhook_secret=secret))
    assert "sk_test_abcdefghijklmnop" not in shown
    assert secret not in shown


def test_generated_secrets_have_the_documented_shapes() -> None:
    assert check_api_key(new_api_key()).startswith("sk_test_")
    assert check_webhook_secret(new_webhook_secret()).startswith("whsec_")
    assert new_api_key() != new_api_key()


def test_ids_are_prefix_and_22_alphanumerics() -> None:
    ids = {new_id("bill_") for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 27 and i[5:].isalnum() and i.isascii() for i in ids)


def test_default_db_path_prefers_billkit_data_dir(tmp_path: Path) -> None:
    env = {"BILLKIT_DATA_DIR": str(tmp_path)}
    assert default_db_path(env) == tmp_path / "sandbox.sqlite3"
    assert default_db_path({}).name == "sandbox.sqlite3"


# ---- clock -------------------------------------------------------------------------------------


def test_clock_adds_its_offset_and_only_moves_forward() -> None:
    clock = SandboxClock(10.0, wall=lambda: 1_736_935_200.0)
    assert iso_utc(clock.now()) == "2025-01-15T10:00:10Z"
    offset = clock.advanced(3600)
    clock.set_offset(offset)
    assert iso_utc(clock.now()) == "2025-01-15T11:00:10Z"
    for seconds in (0, -1, float("nan"), MAX_ADVANCE_SECONDS + 1):
        with pytest.raises(ValueError, match="forward"):
            clock.advanced(seconds)
    with pytest.raises(ValueError, match="never moves back"):
        clock.set_offset(0)


# ---- outbox signal -----------------------------------------------------------------------------


def test_outbox_signal_wakes_a_waiter_and_remembers_an_early_notify() -> None:
    async def scenario() -> list[bool]:
        signal = OutboxSignal()
        results = [await signal.wait(timeout=0.01)]  # nothing yet
        signal.notify()
        results.append(await signal.wait(timeout=0.01))  # notified before waiting
        waiter = asyncio.create_task(signal.wait(timeout=5))
        await asyncio.sleep(0)
        signal.notify()
        results.append(await waiter)
        return results

    assert asyncio.run(scenario()) == [False, True, True]


# ---- logs --------------------------------------------------------------------------------------


def test_log_lines_never_show_secrets() -> None:
    secret = new_webhook_secret()
    stream = io.StringIO()
    record = logging.LogRecord(
        "billkit.sandbox",
        logging.INFO,
        __file__,
        1,
        "key %s secret %s",
        ("sk_test_abcdefghijkl", secret),
        None,
    )
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([secret]))
    handler.handle(record)
    assert "sk_test_abcdefghijkl" not in stream.getvalue()
    assert secret not in stream.getvalue()
    assert "sk_test_…" in stream.getvalue()


def test_log_to_stderr_routes_uvicorn_and_billkit_through_the_filter() -> None:
    names = ("billkit", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in names
    }
    stream = io.StringIO()
    try:
        log_to_stderr(["sk_test_zzzzzzzzzzzz"], stream=stream)
        logging.getLogger("uvicorn.access").info("GET /x?k=sk_test_zzzzzzzzzzzz")
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers = handlers
            logging.getLogger(name).propagate = propagate
    assert "sk_test_zzzzzzzzzzzz" not in stream.getvalue()
    assert "GET /x" in stream.getvalue()


# ---- store -------------------------------------------------------------------------------------


def _insert_then_fail(store: Store, block: AbstractContextManager[object], reference: str) -> None:
    with block:
        store.customers.insert({"id": f"bcus_{reference}", "external_reference": reference}, at=0.0)
        raise RuntimeError("boom")


def test_store_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "db.sqlite3"))
    try:
        with pytest.raises(RuntimeError):
            _insert_then_fail(store, store.transaction(), "1")
        assert store.customers.find("bcus_1") is None
    finally:
        store.close()


def test_store_savepoint_undoes_only_its_block(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "db.sqlite3"))
    try:
        with store.transaction():
            store.customers.insert({"id": "bcus_1", "external_reference": "A"}, at=0.0)
            with pytest.raises(RuntimeError):
                _insert_then_fail(store, store.savepoint(), "B")
        assert store.customers.find("A") is not None
        assert store.customers.find("B") is None
    finally:
        store.close()


def test_store_finds_by_id_before_reference_and_refuses_duplicates(tmp_path: Path) -> None:
    store = Store.open(":memory:")
    try:
        with store.transaction():
            store.customers.insert({"id": "bcus_1", "external_reference": "bcus_2"}, at=0.0)
            store.customers.insert({"id": "bcus_2", "external_reference": "B"}, at=0.0)
            with pytest.raises(DuplicateReference):
                store.customers.insert({"id": "bcus_3", "external_reference": "B"}, at=0.0)
        found = store.customers.find("bcus_2")
        assert found is not None
        assert found["external_reference"] == "B"
        with pytest.raises(UnknownCursor):
            store.customers.list(limit=1, starting_after="bcus_9", filters={})
    finally:
        store.close()


def test_expired_idempotency_records_are_purged() -> None:
    store = Store.open(":memory:")
    try:
        old, fresh = (Scope("owner", "POST", "/billing/customers", key) for key in ("old", "new"))
        with store.transaction():
            store.idempotency.put(old, StoredResponse("f", 201, "{}", created_at=100.0))
            store.idempotency.put(fresh, StoredResponse("f", 201, "{}", created_at=200.0))
            assert store.idempotency.purge(before=150.0) == 1
        assert store.idempotency.get(old, not_before=0) is None
        assert store.idempotency.get(fresh, not_before=0) is not None
        assert (
            store.idempotency.get(fresh, not_before=201.0) is None
        )  # expired, though still stored
    finally:
        store.close()


def test_store_migrates_a_new_file_and_records_the_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "db.sqlite3"
    Store.open(str(path)).close()
    with closing(sqlite3.connect(path)) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert version >= 2
    assert {
        "customers",
        "accounts",
        "bills",
        "payments",
        "events",
        "outbox",
        "idempotency",
    } <= tables
