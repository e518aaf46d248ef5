"""Several `billkit receive --db postgresql://...` processes, one team ledger: each event recorded once.

Real processes against a real PostgreSQL server; the receivers connect as a role that may only insert events
(the GRANTs of docs/team-ledger.md), and an analyst role that may only read.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from postgres_server import PostgresServer
from receiver_process import Receiver
from samples import amount_applied
from webhook_helpers import PATIENCE, delivery

from billkit.ledger import Ledger, LedgerError
from billkit.webhooks import generate_secret

pytestmark = pytest.mark.postgres
SECRET = generate_secret()


def _role_url(url: str, role: str) -> str:
    return url.replace("billkit@", f"{role}@", 1)


@pytest.fixture
def team(postgres_server: PostgresServer, postgres_url: str) -> Iterator[dict[str, str]]:
    """A ledger made by its owner, a receiver role (insert events) and an analyst role (read only)."""
    Ledger(postgres_url).close()
    schema = postgres_url.rpartition("%3D")[2]
    receiver, analyst = f"{schema}_receiver", f"{schema}_analyst"
    for statement in (
        f"CREATE ROLE {receiver} LOGIN",
        f"GRANT USAGE ON SCHEMA {schema} TO {receiver}",
        f"GRANT SELECT ON {schema}.billkit_ledger TO {receiver}",
        # ON CONFLICT (event_id) reads the key it arbitrates on: SELECT on that one column, nothing else.
        f"GRANT INSERT, SELECT (event_id) ON {schema}.events TO {receiver}",
        f"CREATE ROLE {analyst} LOGIN",
        f"GRANT USAGE ON SCHEMA {schema} TO {analyst}",
        f"GRANT SELECT ON {schema}.object_versions, {schema}.events, {schema}.billkit_ledger TO {analyst}",
    ):
        postgres_server.psql(statement)
    yield {
        "owner": postgres_url,
        "receiver": _role_url(postgres_url, receiver),
        "analyst": _role_url(postgres_url, analyst),
    }
    postgres_server.psql(f"DROP SCHEMA {schema} CASCADE")
    postgres_server.psql(f"DROP ROLE {receiver}")
    postgres_server.psql(f"DROP ROLE {analyst}")


def _post(http: httpx.Client, url: str, event_id: str) -> dict[str, object]:
    body, headers = delivery(amount_applied(event_id, data_id=f"ob_{event_id}"), SECRET)
    answer = http.post(url, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    decoded: dict[str, object] = answer.json()
    return decoded


@pytest.mark.slow
def test_receivers_sharing_a_ledger_record_each_event_once_and_survive_a_restart(
    team: dict[str, str],
) -> None:
    receivers = [Receiver(team["receiver"], SECRET) for _ in range(3)]
    try:
        event_ids = [f"evt_team{n:020d}" for n in range(40)]
        # Every event delivered to every receiver at once: the database lets exactly one record it.
        jobs = [(receiver.url, event_id) for event_id in event_ids for receiver in receivers]
        with httpx.Client(timeout=PATIENCE) as http, ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda job: _post(http, *job), jobs))
        firsts = [answer["event_id"] for answer in answers if answer["duplicate"] is False]
        assert sorted(firsts) == event_ids

        with Ledger(team["analyst"]) as analyst:
            # The 2xx came after the commit: a reader elsewhere already sees every event.
            assert analyst.counts()["event"] == len(event_ids)
            assert sorted(analyst.events_frame()["event_id"]) == event_ids

        # One receiver killed outright: the others keep answering, and it comes back on its port.
        killed = receivers[0]
        killed.stop(signal.SIGKILL)
        with httpx.Client(timeout=PATIENCE) as http:
            assert _post(http, receivers[1].url, "evt_whileDown0000000000001")["duplicate"] is False
            receivers[0] = Receiver(team["receiver"], SECRET, port=killed.port)
            assert _post(http, receivers[0].url, "evt_whileDown0000000000001")["duplicate"] is True
            assert _post(http, receivers[0].url, "evt_afterRestart000000001")["duplicate"] is False
        with Ledger(team["analyst"]) as analyst:
            assert analyst.counts()["event"] == len(event_ids) + 2
    finally:
        for receiver in receivers:
            receiver.stop()
    # Each process printed the events it recorded, and together exactly the recorded ones.
    printed = sorted(str(event["id"]) for receiver in receivers for event in receiver.printed)
    assert len(printed) == len(set(printed))


def test_an_analyst_reads_but_cannot_write_and_a_receiver_writes_only_events(
    team: dict[str, str],
) -> None:
    with Ledger(team["receiver"]) as receiver:
        assert receiver.record_events([amount_applied("evt_byReceiver00000000001")]) == 1
        with pytest.raises(LedgerError, match="permission denied for table"):
            receiver.events_frame()
    with Ledger(team["analyst"]) as analyst:
        assert list(analyst.events_frame()["event_id"]) == ["evt_byReceiver00000000001"]
        assert analyst.as_of("2025-01-31").payments["amount"].sum() == 2000
        with pytest.raises(LedgerError, match="permission denied for table"):
            analyst.record_events([amount_applied("evt_byAnalyst000000000001")])
