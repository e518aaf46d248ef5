"""billkit.Ledger: idempotent recording of object versions and events, typed readers, safe files."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from billkit import InvalidArgumentError, Ledger
from billkit.ledger import LedgerError

T0 = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def bill(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "bill_H4jp6KnU5cPw263v1jyz4",
        "external_reference": "UBR1",
        "customer_id": "bcus_H4jp6KnU5cPw263v1jyz4",
        "account_id": "bacc_H4jp6KnU5cPw263v1jyz4",
        "status": "unpaid",
        "currency": "ZAR",
        "amount_due": 2000,
        "amount_paid": 0,
        "amount_remaining": 2000,
        "bill_date": "2025-01-01",
        "due_date": "2025-01-31",
        "payment_rules": {"min_amount": 100, "max_amount": 2000},
        "metadata": {"period": "January"},
    }
    return base | changes


def customer(balance: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": "bcus_H4jp6KnU5cPw263v1jyz4",
        "external_reference": "UCR1",
        "name": "John Doe",
        "currency": "ZAR",
        "balance": balance,
    } | changes


def applied(event_id: str = "evt_1234567890abcdef1234", **data: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "obligation.amount_applied",
        "data": {
            "id": "ob_N2a38DJQWPL8K4X42354234",
            "amount": 1500,
            "currency": "ZAR",
            "payment_id": "pay_1313235234843nmafdsa",
            "bill_id": "bill_H4jp6KnU5cPw263v1jyz4",
            "account_id": "bacc_H4jp6KnU5cPw263v1jyz4",
            "metadata": {"utm_source": "sms"},
            "created_at": "2025-01-15T10:00:00Z",
            "updated_at": "2025-01-15T10:00:00Z",
        }
        | data,
    }


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(":memory:") as opened:
        yield opened


class Model:
    """Stands in for the client's typed models: not a Mapping, but has to_dict() (with None fields)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def to_dict(self) -> dict[str, Any]:
        return self._data | {"name": None}


def test_the_same_version_recorded_again_changes_nothing(ledger: Ledger) -> None:
    ledger.record_object("bill", bill(), T0)
    ledger.record_object("bill", bill(), T0)  # same version, same time
    ledger.record_object("bill", bill(), T0 + HOUR)  # same version, seen again later
    ledger.record_object("bill", Model(bill()), T0 + 2 * HOUR)  # same content as a typed model
    assert len(ledger.versions("bill")) == 1
    assert ledger.latest("bill")["observed_at"].iloc[0] == pd.Timestamp(T0)


def test_key_order_does_not_make_a_new_version(ledger: Ledger) -> None:
    ledger.record_object("bill", bill(), T0)
    reordered = dict(reversed(list(bill().items())))
    assert ledger.record_objects("bill", [reordered], T0 + HOUR) == 0


def test_a_balance_that_returns_to_an_earlier_value_keeps_every_version(ledger: Ledger) -> None:
    for hours, balance in enumerate([2000, 0, 2000]):
        ledger.record_object("customer", customer(balance), T0 + hours * HOUR)
    versions = ledger.versions("customer")
    assert versions["balance"].tolist() == [2000, 0, 2000]
    assert versions["superseded_at"].tolist()[:2] == [
        pd.Timestamp(T0 + HOUR),
        pd.Timestamp(T0 + 2 * HOUR),
    ]
    assert pd.isna(versions["superseded_at"].iloc[2])
    assert ledger.latest("customer")["balance"].tolist() == [2000]


def test_an_older_observation_recorded_late_fits_into_the_timeline(ledger: Ledger) -> None:
    ledger.record_object("customer", customer(500), T0 + 2 * HOUR)
    ledger.record_object("customer", customer(100), T0 + 4 * HOUR)
    ledger.record_object("customer", customer(500), T0)  # an import of something seen earlier
    versions = ledger.versions("customer")
    assert versions["balance"].tolist() == [500, 100]
    assert versions["observed_at"].iloc[0] == pd.Timestamp(T0)
    assert ledger.latest("customer")["balance"].tolist() == [100]
    assert ledger.latest("customer", as_of=T0 + 3 * HOUR)["balance"].tolist() == [500]
    assert ledger.latest("customer", as_of=T0 - HOUR).empty


def test_readers_return_explicit_dtypes(ledger: Ledger) -> None:
    ledger.record_object("bill", bill(), T0)
    ledger.record_event(applied())
    bills = ledger.latest("bill")
    assert str(bills["bill_id"].dtype) == "string"
    assert str(bills["amount_due"].dtype) == "Int64"
    assert isinstance(bills["currency"].dtype, pd.CategoricalDtype)
    assert str(bills["due_date"].dtype) == "datetime64[ns]"
    assert str(bills["observed_at"].dtype) == "datetime64[ns, UTC]"
    events = ledger.events_frame()
    assert str(events["amount"].dtype) == "Int64"
    assert str(events["created_at"].dtype) == "datetime64[ns, UTC]"
    assert events.loc[0, "created_at"] == pd.Timestamp("2025-01-15T10:00:00Z")
    # Empty readers have the same columns and dtypes.
    empty = ledger.latest("account")
    assert empty.empty
    assert str(empty["balance"].dtype) == "Int64"


def test_events_are_recorded_once_per_event_id(ledger: Ledger) -> None:
    ledger.record_event(applied())
    ledger.record_event(applied())  # the same delivery again
    assert ledger.record_events([applied(), applied("evt_otherevent000000000001")]) == 1
    frame = ledger.events_frame()
    assert frame["event_id"].tolist() == ["evt_1234567890abcdef1234", "evt_otherevent000000000001"]
    assert ledger.counts()["event"] == 2


def test_typed_events_and_other_event_types_are_accepted(ledger: Ledger) -> None:
    paid = {
        "id": "evt_paymentrequestpaid0001",
        "type": "payment_request.paid",
        "data": {"id": "pr_abc", "amount": 500, "currency": "USD", "status": "paid"},
    }
    ledger.record_event(Model(applied()))
    ledger.record_event(paid, received_at=T0)
    frame = ledger.events_frame("payment_request.paid", include_body=True)
    assert frame["data_id"].tolist() == ["pr_abc"]
    assert frame.loc[0, "body"]["data"]["status"] == "paid"
    assert len(ledger.events_frame("obligation.amount_applied")) == 1


def test_an_event_holding_a_lone_surrogate_is_recorded_and_read_back(ledger: Ledger) -> None:
    # JSON's "\udfff" decodes to a code point UTF-8 cannot encode; the ledger keeps it as that escape.
    odd = applied(metadata={"note": "\udfff"})
    ledger.record_event(odd)
    assert ledger.events_frame(include_body=True).loc[0, "body"] == odd


def test_include_body_returns_the_json(ledger: Ledger) -> None:
    ledger.record_object("bill", bill(), T0)
    body = ledger.latest("bill", include_body=True).loc[0, "body"]
    assert body["metadata"] == {"period": "January"}
    assert ledger.get("bill", "bill_H4jp6KnU5cPw263v1jyz4") == bill()
    assert ledger.get("bill", "bill_unknown") is None


@pytest.mark.parametrize(
    ("kind", "obj", "message"),
    [
        ("invoice", bill(), "kind must be one of"),
        ("bill", bill(id="cus_123"), "'id' must be a Moment ID"),
        ("bill", bill(amount_due="20.00"), "'amount_due' must be an integer"),
        ("bill", bill(amount_due=True), "'amount_due' must be an integer"),
        ("bill", bill(currency="rand"), "'currency' must be an ISO 4217 code"),
        ("bill", bill(status="open"), "'status' must be one of unpaid, paid, voided"),
        ("bill", bill(due_date="2025-02-30"), "'due_date' must be a date"),
        ("bill", {k: v for k, v in bill().items() if k != "amount_paid"}, "'amount_paid'"),
        ("account", {"id": "bacc_1", "external_reference": "A"}, "'customer_id'"),
        ("customer", ["not", "a", "mapping"], "must be a mapping or have to_dict"),
    ],
)
def test_bad_objects_are_refused_by_name(ledger: Ledger, kind: str, obj: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        ledger.record_object(kind, obj, T0)
    assert ledger.counts()["bill"] == 0


def test_naive_times_are_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidArgumentError, match="observed_at must be timezone-aware"):
        ledger.record_object("bill", bill(), dt.datetime(2025, 1, 1))
    with pytest.raises(InvalidArgumentError, match="as_of must be timezone-aware"):
        ledger.latest("bill", as_of=dt.datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"id": "evt_x1", "type": "obligation.amount_applied"}, "'data' must be an object"),
        (applied(amount=None), "'amount' must be an integer"),
        (applied(created_at="yesterday"), "data.created_at must be an ISO 8601 timestamp"),
        ({"id": "wh_1", "type": "x", "data": {}}, "'id' must be a Moment ID such as 'evt_"),
    ],
)
def test_bad_events_are_refused_by_name(ledger: Ledger, event: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        ledger.record_event(event)


def test_a_batch_with_one_bad_item_writes_nothing(ledger: Ledger) -> None:
    good = bill()
    bad = bill(id="bill_second", amount_due=None)
    with pytest.raises(InvalidArgumentError):
        ledger.record_objects("bill", [good, bad], T0)
    with pytest.raises(InvalidArgumentError):
        ledger.record_events([applied(), {"id": "evt_bad"}])
    assert ledger.counts() == {
        "customer": 0,
        "account": 0,
        "bill": 0,
        "payment_request": 0,
        "event": 0,
    }


def test_a_file_ledger_keeps_its_record_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "payments.sqlite"
    with Ledger(path) as first:
        first.record_object("bill", bill(), T0)
        first.record_event(applied())
    with Ledger(path) as second:
        assert second.counts()["bill"] == 1
        assert second.counts()["event"] == 1
        second.record_object("bill", bill(), T0 + HOUR)
        assert len(second.versions("bill")) == 1
    (mode,) = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_other_sqlite_files_and_newer_ledgers_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "sandbox.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE bills (id TEXT)")
    with pytest.raises(LedgerError, match="not a billkit ledger"):
        Ledger(foreign)
    newer = tmp_path / "newer.sqlite"
    Ledger(newer).close()
    with sqlite3.connect(newer) as connection:
        connection.execute("PRAGMA user_version = 99")
    with pytest.raises(LedgerError, match="newer billkit"):
        Ledger(newer)
    with pytest.raises(LedgerError, match="folder does not exist"):
        Ledger(tmp_path / "missing" / "ledger.sqlite")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello, this is not a database at all" * 100)
    with pytest.raises(LedgerError, match=r"notes\.txt"):
        Ledger(not_sqlite)


def test_a_closed_ledger_says_so(tmp_path: Path) -> None:
    opened = Ledger(tmp_path / "l.sqlite")
    opened.close()
    opened.close()
    assert "closed" in repr(opened)
    with pytest.raises(LedgerError, match="is closed"):
        opened.latest("bill")


def test_threads_can_share_one_ledger(ledger: Ledger) -> None:
    def deliver(start: int) -> None:
        for number in range(start, start + 25):
            ledger.record_event(applied(f"evt_thread{number:020d}"))

    threads = [threading.Thread(target=deliver, args=(n * 25,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.counts()["event"] == 100


class FakeList:
    def __init__(self, items: Iterable[Any]) -> None:
        self.items = list(items)

    def list(self) -> Iterator[Any]:
        yield from self.items


class FakeEvents:
    def __init__(self, items: Iterable[Any], fail_after: int | None = None) -> None:
        self.items = list(items)
        self.fail_after = fail_after

    def iterate(self) -> Iterator[Any]:
        for index, item in enumerate(self.items):
            if self.fail_after is not None and index == self.fail_after:
                raise ConnectionError("the sandbox went away")
            yield item


class FakeSandbox:
    def __init__(self, events: FakeEvents) -> None:
        self.customers = FakeList([Model(customer(2000))])
        self.accounts = FakeList(
            [
                {
                    "id": "bacc_H4jp6KnU5cPw263v1jyz4",
                    "external_reference": "UAR1",
                    "customer_id": "bcus_H4jp6KnU5cPw263v1jyz4",
                }
            ]
        )
        self.bills = FakeList(
            [Model(bill()), Model(bill(id="bill_second", external_reference="B2"))]
        )
        self.events = events


class FakeClient:
    def __init__(self, events: FakeEvents) -> None:
        self.sandbox = FakeSandbox(events)


def test_import_sandbox_records_everything_once(ledger: Ledger) -> None:
    client = FakeClient(FakeEvents([applied(), applied("evt_second000000000000001")]))
    first = ledger.import_sandbox(client, observed_at=T0)
    assert first.seen == {"customer": 1, "account": 1, "bill": 2, "event": 2}
    assert first.recorded == first.seen
    again = ledger.import_sandbox(client, observed_at=T0 + HOUR)
    assert again.recorded == {"customer": 0, "account": 0, "bill": 0, "event": 0}
    assert "bill: 2 seen, 0 new" in str(again)
    assert ledger.counts() == {
        "customer": 1,
        "account": 1,
        "bill": 2,
        "payment_request": 0,
        "event": 2,
    }


def test_a_failed_import_leaves_the_ledger_as_it_was(ledger: Ledger) -> None:
    client = FakeClient(FakeEvents([applied(), applied("evt_second000000000000001")], fail_after=1))
    with pytest.raises(ConnectionError):
        ledger.import_sandbox(client)
    assert sum(ledger.counts().values()) == 0
