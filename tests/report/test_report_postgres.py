"""`billkit report --source postgresql://...`: the same report from a PostgreSQL ledger as from a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from billkit.cli import main
from billkit.demo import populate
from billkit.ledger import LEDGER_URL_ENV, Ledger
from billkit.notebook.runner.records import read_records
from billkit.sandbox import Sandbox

PASSWORD = "pw-not-in-any-report"


@pytest.mark.slow
@pytest.mark.postgres
def test_the_same_data_in_sqlite_and_postgres_gives_the_same_report(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv(LEDGER_URL_ENV, raising=False)
    ledger_file = tmp_path / "ledger.sqlite"
    with Sandbox() as sandbox, sandbox.client() as client:
        summary = populate(client, seed=3, customers=8)
        observed = client.sandbox.clock.now()
        for location in (str(ledger_file), postgres_url):
            with Ledger(location) as ledger:
                ledger.import_sandbox(client, observed_at=observed)
    # The server trusts local connections: the password is carried, never checked, and must not leak.
    url = postgres_url.replace("billkit@", f"billkit:{PASSWORD}@")
    day = ["--as-of", summary.last_day.isoformat(), "--start", f"{summary.month}-01"]
    assert (
        main(["report", *day, "--source", str(ledger_file), "--out", str(tmp_path / "lite")]) == 0
    )
    monkeypatch.setenv(LEDGER_URL_ENV, url)  # --source defaults to the team's ledger URL
    assert main(["report", *day, "--out", str(tmp_path / "pg")]) == 0

    from_sqlite = read_records(tmp_path / "lite" / "payments_report.ipynb")
    from_postgres = read_records(tmp_path / "pg" / "payments_report.ipynb")
    assert from_postgres == from_sqlite
    assert from_sqlite["payments"] > 0
    for written in (tmp_path / "pg").iterdir():
        text = written.read_text(encoding="utf-8")
        assert PASSWORD not in text
        assert "PostgreSQL ledger" in text
