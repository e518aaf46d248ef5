"""How a batch is recorded: the states a batch writes are those recording it one item at a time would, and
its rows are those the item-at-a-time checks would make (and refuse what they would refuse, naming it)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import ACCOUNT, CUSTOMER, PAYMENT_REQUEST, amount_applied, bill

from billkit import InvalidArgumentError, Ledger
from billkit.ids import are_moment_ids, is_moment_id
from billkit.ledger import _schema, _writes
from billkit.ledger._records import event_row, event_rows, object_row, object_rows
from billkit.ledger._schema_pg import COPY_ROWS

T0 = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
STAMP = 1_735_722_000_000_000  # T0 in µs


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Ledger]:
    """A new ledger on each backend: a SQLite file and a PostgreSQL database."""
    with Ledger(ledger_location) as opened:
        yield opened


def _bills(count: int, **changes: Any) -> list[dict[str, Any]]:
    return [
        bill(id=f"bill_batch{n:06d}", external_reference=f"B{n}", **changes) for n in range(count)
    ]


@pytest.mark.parametrize("size", [3, COPY_ROWS + 1])  # PostgreSQL: statements, then COPY
def test_a_batch_of_new_unchanged_and_changed_objects_writes_the_new_and_the_changed(
    ledger: Ledger, size: int
) -> None:
    first = _bills(size)
    assert ledger.record_objects("bill", first[:-1], T0) == size - 1
    paid = {"status": "paid", "amount_paid": 2000, "amount_remaining": 0}
    # Unchanged, then changed, then one never seen: only the last two kinds are written.
    batch = [*first[:-2], first[-2] | paid, first[-1]]
    assert ledger.record_objects("bill", batch, T0 + HOUR) == 2
    versions = ledger.versions("bill")
    assert len(versions) == size + 1
    assert versions["bill_id"].tolist()[-3:] == [f"bill_batch{size - 2:06d}"] * 2 + [
        f"bill_batch{size - 1:06d}"
    ]
    assert versions["status"].tolist()[-2] == "paid"
    assert ledger.record_objects("bill", batch, T0 + 2 * HOUR) == 0


def test_the_same_object_twice_in_a_batch_is_compared_with_its_state_before(ledger: Ledger) -> None:
    item = bill()
    paid = item | {"status": "paid", "amount_paid": 2000, "amount_remaining": 0}
    assert ledger.record_objects("bill", [item, item], T0) == 1  # the second is the state in effect
    assert ledger.record_objects("bill", [item, paid, item], T0 + HOUR) == 2
    assert ledger.versions("bill")["status"].tolist() == ["unpaid", "paid", "unpaid"]


# -- new states against the row-by-row rule, on SQLite -----------------------------------------------------

# The rule as one statement a row: insert when the body differs from the latest state at or before its time.
_ONE_BY_ONE = f"""
INSERT INTO object_versions ({", ".join(_schema.VERSION_COLUMNS)})
SELECT {", ".join(f"?{n}" for n in range(1, len(_schema.VERSION_COLUMNS) + 1))}
WHERE (
    SELECT body FROM object_versions WHERE kind = ?1 AND object_id = ?2 AND valid_from <= ?3
    ORDER BY valid_from DESC, seq DESC LIMIT 1
) IS NOT ?6
"""
_STATES = st.tuples(
    st.sampled_from("ab"), st.integers(0, 4), st.integers(0, 2)
)  # object, hour, balance


def _rows(states: list[tuple[str, int, int]]) -> list[tuple[Any, ...]]:
    return [
        object_row(
            "customer",
            CUSTOMER | {"id": f"bcus_{name}", "balance": balance},
            STAMP + hour * 3_600_000_000,
            STAMP,
            True,
        )
        for name, hour, balance in states
    ]


def _stored(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return connection.execute(
        "SELECT object_id, valid_from, body FROM object_versions ORDER BY seq"
    ).fetchall()


@settings(max_examples=150, deadline=None)
@given(
    before=st.lists(_STATES, max_size=5),
    batch=st.lists(_STATES, max_size=8),
    one_time=st.booleans(),
)
def test_a_batch_writes_what_recording_its_states_one_by_one_would(
    before: list[tuple[str, int, int]], batch: list[tuple[str, int, int]], one_time: bool
) -> None:
    if one_time:  # as record_objects does: every state of the batch observed at once
        batch = [(name, 2, balance) for name, _, balance in batch]
    ours, reference = Ledger(":memory:"), Ledger(":memory:")
    with ours, reference:
        ours_db, reference_db = ours._connection, reference._connection
        for row in _rows(before):
            ours_db.execute(_ONE_BY_ONE, row)
            reference_db.execute(_ONE_BY_ONE, row)
        expected = sum(reference_db.execute(_ONE_BY_ONE, row).rowcount for row in _rows(batch))
        assert _writes.write_states(ours_db, "customer", _rows(batch)) == expected
        assert _stored(ours_db) == _stored(reference_db)


def test_states_recorded_out_of_order_in_one_batch_keep_the_timeline() -> None:
    rows = _rows([("a", 3, 1), ("a", 1, 1), ("a", 2, 0), ("a", 4, 0)])
    new = _writes.new_states(rows, {})
    # At 1h nothing was in effect yet (the 3h state began later), at 2h the 1h state was, at 4h the 3h one.
    assert [row[2] for row in new] == [row[2] for row in rows]
    # With the 3h state stored before, in effect at 3h and 4h: the 3h one is not new, the 4h one still is.
    three = (STAMP + 3 * 3_600_000_000, rows[0][5])
    assert _writes.new_states(rows, {0: three, 3: three}) == rows[1:]


# -- rows made a column at a time equal rows made one at a time ------------------------------------------------

_OBJECTS: dict[str, list[dict[str, Any]]] = {
    "customer": [CUSTOMER, CUSTOMER | {"name": "Jo", "currency": "ZAR", "balance": -5}],
    "account": [ACCOUNT, ACCOUNT | {"balance": 0, "name": None}],
    "bill": [bill(), bill(account_id=None, bill_date=None), bill(status="voided", note="null")],
    "payment_request": [PAYMENT_REQUEST],
}


@pytest.mark.parametrize("kind", list(_OBJECTS))
def test_a_batch_makes_the_rows_each_item_would(kind: Any) -> None:
    items = _OBJECTS[kind]
    expected = [object_row(kind, item, STAMP, STAMP, False) for item in items]
    assert object_rows(kind, items, STAMP, STAMP, False) == expected
    times = [STAMP + n for n in range(len(items))]
    assert object_rows(kind, items, times, STAMP, True) == [
        object_row(kind, item, time, STAMP, True) for item, time in zip(items, times, strict=True)
    ]


def test_a_batch_of_events_makes_the_rows_each_event_would() -> None:
    events = [
        amount_applied("evt_batch1"),
        amount_applied("evt_batch2", account_id=None, created_at="2025-01-15T12:00:00.250+02:00"),
        amount_applied("evt_batch3", metadata={"note": "null"}),
    ]
    expected = [event_row(event, STAMP) for event in events]
    assert event_rows(events, STAMP) == expected
    other = {"id": "evt_other1", "type": "payment_request.paid", "data": {"id": "pr_x"}}
    assert event_rows([*events, other], STAMP) == [*expected, event_row(other, STAMP)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"customer_id": "bcus_bad-id"}, "'customer_id' must be a Moment ID"),
        ({"account_id": 7}, "'account_id' must be a Moment ID"),
        ({"currency": "zar"}, "'currency' must be an ISO 4217 code"),
        ({"amount_due": True}, "'amount_due' must be an integer amount"),
        ({"due_date": "2025-02-30"}, "'due_date' must be a date as YYYY-MM-DD"),
        ({"status": "lost"}, "'status' must be one of unpaid, paid, voided"),
        ({"external_reference": ""}, "'external_reference' must be a non-empty string"),
    ],
)
def test_one_bad_item_in_a_batch_is_named(change: dict[str, Any], message: str) -> None:
    items = [*_bills(3), bill(id="bill_thebadone", **change)]
    with pytest.raises(InvalidArgumentError, match=f"bill bill_thebadone: {message}"):
        object_rows("bill", items, STAMP, STAMP, False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"created_at": "2025-01-15T10:00:00"}, "must be timezone-aware"),
        ({"payment_id": ""}, "'payment_id' must be a non-empty string"),
        ({"bill_id": "bcus_notabill"}, "'bill_id' must be a Moment ID"),
    ],
)
def test_one_bad_event_in_a_batch_is_named(data: dict[str, Any], message: str) -> None:
    events = [amount_applied("evt_good1"), amount_applied("evt_thebadone", **data)]
    with pytest.raises(InvalidArgumentError, match=message):
        event_rows(events, STAMP)


_ID_CHARACTERS = st.sampled_from(list("bcus_\nxZ9é- "))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(_ID_CHARACTERS, max_size=10).map(lambda text: "bcus_" + text),
            st.text(_ID_CHARACTERS, max_size=6),
            st.sampled_from(["bcus_" + "a" * 250, "bcus_" + "a" * 251, None, 5]),
        ),
        max_size=5,
    )
)
def test_a_column_of_ids_passes_when_each_id_would(values: list[object]) -> None:
    assert are_moment_ids(values, "bcus_") == all(is_moment_id(value, "bcus_") for value in values)
