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
from postgres_server import PostgresServer
from samples import amount_applied, ann_with_a_bill, bill

from billkit import InvalidArgumentError, Ledger, NotFoundError
from billkit.ledger import LedgerError
from billkit.ledger._sandbox_import import sandbox_report_files
from billkit.ledger._schema import SCHEMA_VERSION

T0 = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def customer(balance: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": "bcus_H4jp6KnU5cPw263v1jyz4",
        "external_reference": "UCR1",
        "name": "John Doe",
        "currency": "ZAR",
        "balance": balance,
    } | changes


def applied(event_id: str = "evt_1234567890abcdef1234", **data: Any) -> dict[str, Any]:
    return amount_applied(event_id, **{"amount": 1500, **data})


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Ledger]:
    """A new ledger on each backend: a SQLite file and a PostgreSQL database."""
    with Ledger(ledger_location) as opened:
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


def test_arrivals_are_recorded_together_each_with_its_own_time(ledger: Ledger) -> None:
    ledger.record_event(applied("evt_recordedbefore00000001"))
    new = ledger.record_arrivals(
        [
            (applied("evt_zzzlastbyid0000000001"), T0 + HOUR),
            (applied("evt_recordedbefore00000001"), T0),  # recorded already
            (applied("evt_aaafirstbyid000000001"), T0),
            (applied("evt_zzzlastbyid0000000001"), T0),  # twice in one batch: the first counts
        ]
    )
    assert new == [True, False, True, False]
    frame = ledger.events_frame().set_index("event_id")
    assert frame.loc["evt_zzzlastbyid0000000001", "received_at"] == pd.Timestamp(T0 + HOUR)
    assert frame.loc["evt_aaafirstbyid000000001", "received_at"] == pd.Timestamp(T0)


def test_arrivals_with_one_unrecordable_event_record_none(ledger: Ledger) -> None:
    with pytest.raises(InvalidArgumentError, match="evt_bad"):
        ledger.record_arrivals([(applied(), T0), ({"id": "evt_bad"}, T0)])
    assert ledger.counts()["event"] == 0


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
    assert body["metadata"] == {"invoice_period": "January 2025"}
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
        ({"id": "wh_1", "type": "x", "data": {}}, "'id' must be a Moment ID: 'evt_'"),
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


def test_a_ledger_keeps_its_record_across_opens(ledger_location: str) -> None:
    with Ledger(ledger_location) as first:
        first.record_object("bill", bill(), T0)
        first.record_event(applied())
    with Ledger(ledger_location) as second:
        assert second.counts()["bill"] == 1
        assert second.counts()["event"] == 1
        second.record_object("bill", bill(), T0 + HOUR)
        assert len(second.versions("bill")) == 1
    if not ledger_location.startswith("postgresql://"):
        (mode,) = sqlite3.connect(ledger_location).execute("PRAGMA journal_mode").fetchone()
        assert mode == "wal"


@pytest.mark.postgres
def test_other_postgres_databases_and_newer_ledgers_are_refused(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    schema = postgres_url.rpartition("%3D")[2]
    postgres_server.psql(f"CREATE TABLE {schema}.events (id text)")
    with pytest.raises(LedgerError, match="not a billkit ledger"):
        Ledger(postgres_url)
    postgres_server.psql(f"DROP TABLE {schema}.events")
    Ledger(postgres_url).close()
    postgres_server.psql(f"UPDATE {schema}.billkit_ledger SET schema_version = 99")
    with pytest.raises(
        LedgerError, match=rf"newer billkit \(schema 99, this one reads {SCHEMA_VERSION}\)"
    ):
        Ledger(postgres_url)
    with pytest.raises(LedgerError, match="cannot open ledger"):
        Ledger(postgres_url.replace("/postgres?", "/no_such_database?"))


@pytest.mark.postgres
def test_a_postgres_password_never_shows(postgres_url: str) -> None:
    url = postgres_url.replace("billkit@", "billkit:s3cret-pw@")
    with Ledger(url) as ledger:  # trust authentication: the password is not checked, only carried
        assert "s3cret-pw" not in repr(ledger)
        assert "s3cret-pw" not in ledger.path
        assert ledger.url == url
    with pytest.raises(LedgerError) as refused:
        Ledger(url.replace("/postgres?", "/no_such_database?"))
    assert "s3cret-pw" not in str(refused.value)
    assert "***" in str(refused.value)


@pytest.mark.postgres
def test_processes_sharing_a_postgres_ledger_record_each_state_and_event_once(
    postgres_url: str,
) -> None:
    """Several writers racing with the same states and events: the database keeps one of each."""
    writers = [Ledger(postgres_url) for _ in range(4)]
    barrier = threading.Barrier(len(writers))

    def write(ledger: Ledger) -> None:
        barrier.wait()
        for number in range(30):
            ledger.record_object("bill", bill(amount_paid=number * 10), T0 + number * HOUR)
            ledger.record_event(applied(f"evt_race{number:020d}"))

    threads = [threading.Thread(target=write, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    with Ledger(postgres_url) as reader:
        assert len(reader.versions("bill")) == 30
        assert reader.counts()["event"] == 30


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


class FakeVersions:
    """`client.sandbox.versions` as the contract shapes `GET /_sandbox/versions`: pages, oldest first."""

    def __init__(self, entries: list[dict[str, Any]], page: int = 2) -> None:
        self.entries = entries
        self.page = page
        self.calls: list[int | None] = []

    def list(self, *, limit: int = 100, starting_after: int | None = None) -> dict[str, Any]:
        self.calls.append(starting_after)
        after = [e for e in self.entries if starting_after is None or e["seq"] > starting_after]
        chosen = after[: min(limit, self.page)]
        return {"data": chosen, "has_more": len(after) > len(chosen)}


def version(seq: int, at: str, obj: dict[str, Any], kind: str = "bill") -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "id": obj["id"], "at": at, "object": obj}


def test_import_sandbox_keeps_every_state_with_the_time_it_began(ledger: Ledger) -> None:
    history = [
        version(1, "2025-01-01T07:00:00Z", customer(2000), "customer"),
        version(2, "2025-01-01T07:00:01Z", bill()),
        version(3, "2025-01-15T10:00:00Z", bill(amount_paid=1500, amount_remaining=500)),
        version(
            4, "2025-01-20T09:00:00Z", bill(amount_paid=1500, amount_remaining=500, status="voided")
        ),
    ]
    client = FakeClient(FakeEvents([applied()]))
    client.sandbox.versions = FakeVersions(history)  # type: ignore[attr-defined]
    result = ledger.import_sandbox(client, observed_at=T0 + 1000 * HOUR)
    assert result.with_history
    assert result.seen == {"customer": 1, "account": 0, "bill": 3, "event": 1}
    assert client.sandbox.versions.calls == [None, 2]  # type: ignore[attr-defined]
    states = ledger.versions("bill")
    assert states["valid_from"].dt.strftime("%m-%d %H:%M").tolist() == [
        "01-01 07:00",
        "01-15 10:00",
        "01-20 09:00",
    ]
    assert states["from_source"].all()
    assert (states["observed_at"] == pd.Timestamp(T0 + 1000 * HOUR)).all()
    assert ledger.import_sandbox(client).recorded == {
        "customer": 0,
        "account": 0,
        "bill": 0,
        "event": 0,
    }
    # The void counts from when it happened: open on the 19th, voided on the 21st.
    tz = "UTC"
    before = ledger.as_of("2025-01-19", tz=tz).bills
    after = ledger.as_of("2025-01-21", tz=tz).bills
    assert before[["status", "amount_paid"]].values.tolist() == [["unpaid", 1500]]
    assert after["status"].astype(str).tolist() == ["voided"]
    assert ledger.as_of("2025-01-14", tz=tz).bills["amount_paid"].tolist() == [0]


def test_an_older_sandbox_without_versions_is_imported_from_its_lists(ledger: Ledger) -> None:
    class Missing:
        def list(self, **_: Any) -> Any:
            raise NotFoundError(
                status_code=404,
                method="GET",
                path="/_sandbox/versions",
                problem={"title": "Not Found", "status": 404},
            )

    client = FakeClient(FakeEvents([]))
    client.sandbox.versions = Missing()  # type: ignore[attr-defined]
    result = ledger.import_sandbox(client, observed_at=T0)
    assert not result.with_history
    assert result.seen == {"customer": 1, "account": 1, "bill": 2, "event": 0}
    assert not ledger.versions("bill")["from_source"].any()


def test_a_ledger_file_of_schema_1_is_migrated_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    body = '{"id":"bill_H4jp6KnU5cPw263v1jyz4"}'
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA_1)
        connection.execute(
            "INSERT INTO object_versions (kind, object_id, observed_at, content_hash, body, customer_id,"
            " currency, status, amount_due, amount_paid, amount_remaining, bill_date, due_date) VALUES"
            " ('bill', 'bill_H4jp6KnU5cPw263v1jyz4', '2025-01-01T09:00:00.250000Z', 'h', ?,"
            " 'bcus_H4jp6KnU5cPw263v1jyz4', 'ZAR', 'unpaid', 2000, 0, 2000, '2025-01-01', NULL)",
            (body,),
        )
        connection.execute(
            "INSERT INTO events VALUES ('evt_1234567890abcdef1234', 'obligation.amount_applied',"
            " '2025-01-15T10:00:05.000000Z', '2025-01-15T10:00:00.000000Z', 'ob_1', 'pay_1', 1500,"
            " 'ZAR', 'bill_H4jp6KnU5cPw263v1jyz4', NULL, NULL, '{}')"
        )
        connection.execute(f"PRAGMA application_id = {0x424B4C47}")
        connection.execute("PRAGMA user_version = 1")
    with Ledger(path) as migrated:
        bills = migrated.latest("bill")
        assert bills.loc[0, "valid_from"] == pd.Timestamp("2025-01-01T09:00:00.25Z")
        assert bills.loc[0, "bill_date"] == pd.Timestamp("2025-01-01")
        assert pd.isna(bills.loc[0, "due_date"])
        events = migrated.events_frame()
        assert events.loc[0, "created_at"] == pd.Timestamp("2025-01-15T10:00:00Z")
        assert migrated.as_of("2025-01-20").bills["amount_paid"].tolist() == [1500]
    (version_number,) = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()
    assert version_number == SCHEMA_VERSION


def test_a_real_sandbox_import_knows_when_each_change_happened(tmp_path: Path) -> None:
    from billkit.sandbox import Sandbox

    with Sandbox() as sandbox, sandbox.client() as client, Ledger(tmp_path / "l.sqlite") as ledger:
        created = client.bills.create(
            external_reference="B1", currency="ZAR", amount_due=10000,
            customer={"external_reference": "C1", "currency": "ZAR"},  # type: ignore[arg-type]
            bill_date=client.sandbox.clock.now().date(),
        )  # fmt: skip
        start = client.sandbox.clock.now()
        day_of_start = start.date()
        client.sandbox.clock.advance(dt.timedelta(days=2))
        client.sandbox.payments.create(bill=created.id, amount=4000)
        client.sandbox.clock.advance(dt.timedelta(days=2))
        client.bills.update(created.id, amount_paid=6000)  # paid outside Moment: no event
        voided = client.bills.create(
            external_reference="B2", currency="ZAR", amount_due=500, customer="C1",
            bill_date=day_of_start,
        )  # fmt: skip
        client.sandbox.clock.advance(dt.timedelta(days=2))
        client.bills.void(voided.id)
        result = ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
        assert result.with_history
        day = start.date()

        def states_on(offset: int) -> dict[str, tuple[str, int]]:
            bills = ledger.as_of(day + dt.timedelta(days=offset), tz="UTC").bills
            return {
                str(row.external_reference): (str(row.status), int(row.amount_paid))
                for row in bills.itertuples()
            }

        assert states_on(0) == {"B1": ("unpaid", 0), "B2": ("unpaid", 0)}
        assert states_on(2) == {"B1": ("unpaid", 4000), "B2": ("unpaid", 0)}
        assert states_on(4) == {"B1": ("unpaid", 6000), "B2": ("unpaid", 0)}
        assert states_on(6) == {"B1": ("unpaid", 6000), "B2": ("voided", 0)}
        assert ledger.as_of(day - dt.timedelta(days=1), tz="UTC").bills.empty


SCHEMA_1 = """
CREATE TABLE object_versions (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, object_id TEXT NOT NULL, observed_at TEXT NOT NULL,
    content_hash TEXT NOT NULL, body TEXT NOT NULL, external_reference TEXT, customer_id TEXT,
    account_id TEXT, name TEXT, currency TEXT, status TEXT, amount INTEGER, amount_due INTEGER,
    amount_paid INTEGER, amount_remaining INTEGER, balance INTEGER, bill_date TEXT, due_date TEXT,
    UNIQUE (kind, object_id, observed_at, content_hash)
);
CREATE INDEX object_versions_timeline ON object_versions (kind, object_id, observed_at, seq);
CREATE TABLE events (
    event_id TEXT PRIMARY KEY, type TEXT NOT NULL, received_at TEXT NOT NULL, created_at TEXT,
    data_id TEXT, payment_id TEXT, amount INTEGER, currency TEXT, bill_id TEXT, account_id TEXT,
    customer_id TEXT, body TEXT NOT NULL
);
CREATE INDEX events_by_type_time ON events (type, created_at);
"""


def test_reads_fetched_in_chunks_keep_order_types_and_categories(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billkit.ledger import _readers

    monkeypatch.setattr(_readers, "CHUNK_ROWS", 3)
    bills = [
        bill(
            id=f"bill_{number:05d}",
            external_reference=f"R{number}",
            currency="ZAR" if number % 3 else "USD",
        )
        for number in range(10)
    ]
    ledger.record_objects("bill", bills, T0)
    read = ledger.versions("bill")
    assert read["bill_id"].tolist() == [item["id"] for item in bills]
    assert read["currency"].tolist() == [item["currency"] for item in bills]
    assert list(read["currency"].cat.categories) == ["USD", "ZAR"]
    assert str(read["amount_due"].dtype) == "Int64"
    assert ledger.as_of("2025-01-31").bills["bill_id"].tolist() == [item["id"] for item in bills]


def test_a_bulk_batch_records_each_state_and_event_once(ledger: Ledger) -> None:
    """Batches this large take the bulk path (PostgreSQL: COPY into a temporary table, then one INSERT ...
    SELECT); the answers are those of the row-by-row path on SQLite."""
    size = 1500
    bills = [bill(id=f"bill_bulk{n:05d}", external_reference=f"B{n}") for n in range(size)]
    assert ledger.record_objects("bill", bills, T0) == size
    assert ledger.record_objects("bill", bills, T0 + HOUR) == 0  # the states in effect: nothing new
    paid = [item | {"amount_paid": 500, "amount_remaining": 1500} for item in bills[:700]]
    assert ledger.record_objects("bill", paid + bills[700:], T0 + 2 * HOUR) == 700
    # The same object twice in one batch: each state compared with the one before it.
    twice = [bills[0] | {"amount_paid": 2000, "amount_remaining": 0, "status": "paid"}, bills[0]]
    assert ledger.record_objects("bill", twice * 600, T0 + 3 * HOUR) == 1200
    versions = ledger.versions("bill")
    assert len(versions) == size + 700 + 1200
    assert versions["bill_id"].iloc[0] == "bill_bulk00000"
    events = [
        applied(f"evt_bulk{n:020d}", payment_id=f"pay_bulk{n}", data_id=f"ob_bulk{n}")
        for n in range(size)
    ]
    assert ledger.record_events(events + events[:10]) == size  # repeats in the batch count once
    assert ledger.record_events(events) == 0
    frame = ledger.events_frame()
    assert frame["event_id"].tolist() == sorted(event["id"] for event in events)
    assert ledger.counts()["event"] == size


def test_as_of_sees_every_write_whoever_made_it(ledger_location: str) -> None:
    """`as_of` reads the record once for many days, and again as soon as anything was added to it: by this
    ledger or by another connection (a receiver) sharing the file or database."""
    with Ledger(ledger_location) as reader, Ledger(ledger_location) as writer:
        reader.record_object("bill", bill(), T0)
        assert len(reader.as_of("2025-01-31").bills) == 1
        assert len(reader.as_of("2025-01-15").bills) == 1  # another day of the same record
        assert reader.as_of("2025-01-31").payments.empty
        writer.record_event(applied())
        assert reader.as_of("2025-01-31").payments["amount"].tolist() == [1500]
        reader.record_object("bill", bill(id="bill_second"), T0)
        assert len(reader.as_of("2025-01-31").bills) == 2


def test_import_sandbox_brings_the_reports_the_sandbox_wrote(ledger: Ledger) -> None:
    """A sandbox's own reconciliation and settlement reports come with its import, once: so a ledger made
    from a sandbox knows each payment's channel and fee, as one fed by `billkit reports fetch` does."""
    from billkit.sandbox import Sandbox

    with Sandbox(fee_percent=2) as sandbox, sandbox.client() as client:
        ann_with_a_bill(client)
        paid = client.sandbox.payments.create(bill="B1", amount=4000, channel="in_person")
        client.sandbox.clock.advance(dt.timedelta(days=2, minutes=1))  # past T+1 and T+2
        first = ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
        again = ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    assert (first.seen["report"], first.recorded["report"]) == (2, 2)
    assert (again.seen["report"], again.recorded["report"]) == (2, 0)
    rows = ledger.reconciliation_rows()
    assert rows[["payment_id", "channel", "amount", "fee"]].values.tolist() == [
        [paid.id, "in_person", 4000, 80]
    ]
    assert ledger.settlement_rows()[["gross_amount", "fees"]].values.tolist() == [[4000, 80]]


def test_report_rows_are_read_once_while_the_ledger_is_unchanged(ledger_location: str) -> None:
    """A report built for many days matches the same report rows every day: they are read and prepared
    once (`three_way_reports`), handed out as copies, and read again once a report is imported, by this
    ledger or by another connection, even when nothing else was added."""
    from billkit.sandbox import Sandbox

    with Sandbox(fee_percent=2) as sandbox, sandbox.client() as client:
        ann_with_a_bill(client)
        paid = client.sandbox.payments.create(bill="B1", amount=4000, channel="in_person")
        client.sandbox.clock.advance(dt.timedelta(days=2, minutes=1))  # past T+1 and T+2
        files = dict(sandbox_report_files(client.sandbox) or ())
    with Ledger(ledger_location) as reader, Ledger(ledger_location) as writer:
        prepared = reader.three_way_reports()
        assert prepared.empty
        assert reader.three_way_reports() is prepared
        (reconciliation,) = (name for name in files if "_Recon_" in name)
        writer.import_report(files[reconciliation], name=reconciliation)
        prepared = reader.three_way_reports()
        assert prepared.reconciliation["payment_id"].tolist() == [paid.id]
        assert prepared.settlement.empty
        rows = reader.reconciliation_rows()
        rows.loc[0, "amount"] = 1
        assert reader.reconciliation_rows()["amount"].tolist() == [4000]
        for name in set(files) - {reconciliation}:
            reader.import_report(files[name], name=name)
        assert reader.three_way_reports().settlement["gross_amount"].tolist() == [4000]
