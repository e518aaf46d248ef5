"""Exports: the report's tables as an xlsx workbook and CSV files (numbers stay numbers, in full), and the
as-of frames as Parquet and CSV in the documented schema, through `billkit report --format` and `billkit export`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from billkit.cli import main
from billkit.demo import populate
from billkit.ledger import Ledger
from billkit.report.exports import money_number_format, write_tables
from billkit.report.frames_export import SCHEMA, arrow_tables
from billkit.report.table import CURRENCY, TOTAL, Table
from billkit.sandbox import Sandbox

TZ = "Africa/Johannesburg"


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dt.date]:
    """A ledger file of a small demo month, and the month's last day."""
    path = tmp_path_factory.mktemp("exports") / "ledger.sqlite"
    with Sandbox() as sandbox, sandbox.client() as client, Ledger(path) as ledger:
        summary = populate(client, seed=5, customers=8)
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    return path, summary.last_day


def owed_table() -> Table:
    frame = pd.DataFrame(
        {
            CURRENCY: ["ZAR", "ZAR", "JPY"],
            "Customer": ["Ann", TOTAL, "Ben"],
            "Owed": pd.array([123456, 123456, 500], dtype="Int64"),
            "Rate": pd.array([0.5, None, 0.25], dtype="Float64"),
            "Due": [dt.date(2027, 1, 5), None, dt.date(2027, 1, 9)],
        }
    )
    return Table(
        name="owed", title="Owed", frame=frame, empty="-", money=("Owed",), percent=("Rate",),
        dates=("Due",), totals="Customer",
    )  # fmt: skip


def test_xlsx_has_a_sheet_per_table_with_numbers_in_currency_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BILLKIT_LOCALE", raising=False)
    empty = Table(name="none", title="None", frame=pd.DataFrame(columns=["A"]), empty="Nothing.")
    [path] = write_tables([owed_table(), empty], tmp_path, prefix="r", formats=["xlsx"])
    book = load_workbook(path)
    assert book.sheetnames == ["owed", "none"]
    sheet = book["owed"]
    assert [cell.value for cell in sheet[1]] == [CURRENCY, "Customer", "Owed", "Rate", "Due"]
    ann, total, ben = sheet[2], sheet[3], sheet[4]
    assert ann[2].value == pytest.approx(1234.56)  # a number, not text
    assert ann[2].number_format == '"R"#,##0.00;-"R"#,##0.00'
    assert ben[2].value == 500
    assert ben[2].number_format == '"¥"#,##0;-"¥"#,##0'
    assert (ann[3].value, ann[3].number_format) == (0.5, "0.0%")
    assert ann[4].value == dt.datetime(2027, 1, 5)
    assert total[1].font.bold
    assert not ann[1].font.bold
    assert book["none"]["A2"].value == "Nothing."


def test_csv_holds_exact_major_units(tmp_path: Path) -> None:
    [path] = write_tables([owed_table()], tmp_path, prefix="r", formats=["csv"])
    assert path.name == "r_owed.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Owed"] for row in rows] == ["1234.56", "1234.56", "500"]
    assert rows[1]["Rate"] == ""


def test_money_number_format_follows_iso_decimals() -> None:
    assert money_number_format("BHD") == '"BHD"#,##0.000;-"BHD"#,##0.000'
    assert money_number_format("USD") == '"$"#,##0.00;-"$"#,##0.00'


def test_as_of_frames_in_the_documented_schema(ledger_file: tuple[Path, dt.date]) -> None:
    path, last_day = ledger_file
    with Ledger(path) as ledger:
        day = ledger.as_of(last_day, tz=TZ)
        tables = arrow_tables(day)
    assert set(tables) == set(SCHEMA)
    for name, table in tables.items():
        assert [(f.name, f.type) for f in table.schema] == [(c, t) for c, t, _ in SCHEMA[name]]
    bills = tables["bills"].to_pandas()
    assert len(bills) == len(day.bills)
    open_rows = bills.loc[bills["is_open"]]
    outstanding = open_rows.groupby("currency")["amount_remaining"].sum().to_dict()
    aging = day.aging()
    assert outstanding == {
        code: int(value)
        for code, value in aging.groupby(aging["currency"].astype(str))["amount"].sum().items()
    }
    for minor, major in zip(bills["amount_due"], bills["amount_due_major"], strict=True):
        assert Decimal(int(minor)) / 100 == major
    payments = tables["payments"].to_pandas()
    assert payments["payment_id"].is_unique
    assert len(payments) == len(day.payments)


def test_billkit_export_writes_parquet_csv_and_what_day_they_are_for(
    ledger_file: tuple[Path, dt.date], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, last_day = ledger_file
    out = tmp_path / "bi"
    assert main(["export", "--source", str(path), "--out", str(out), "--as-of", str(last_day)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "as_of.json",
        *sorted(f"{name}.{kind}" for name in SCHEMA for kind in ("csv", "parquet")),
    ]
    about = json.loads((out / "as_of.json").read_text(encoding="utf-8"))
    assert (about["as_of"], about["timezone"]) == (last_day.isoformat(), TZ)
    for name, columns in SCHEMA.items():
        parquet = pq.read_table(out / f"{name}.parquet")
        assert parquet.schema.names == [column for column, _, _ in columns]
        from_csv = pa_csv.read_csv(out / f"{name}.csv")
        assert from_csv.schema.names == parquet.schema.names
        assert from_csv.num_rows == parquet.num_rows
    assert str(out / "bills.parquet") in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--source", "no-such.sqlite"], "--source 'no-such.sqlite': no ledger file there"),
        (["--as-of", "2027-02-30"], "--as-of must be a date"),
        (["--timezone", "Mars/Olympus"], "--timezone must be an IANA time zone"),
        (["--format", "xlsx"], "--format must list parquet and/or csv"),
        (["--as-of", ""], "--as-of must be a date written YYYY-MM-DD, got ''"),
        (
            ["--timezone", ""],
            "--timezone must be an IANA time zone such as 'Africa/Johannesburg', got ''",
        ),
        (["--format", ""], "--format must list parquet and/or csv, got ''"),
        (["--source", ""], "--source '': no ledger file there"),
        (["--out", ""], "argument --out: must be a folder's path, got ''"),
    ],
)
def test_billkit_export_refuses_bad_options_writing_nothing(
    ledger_file: tuple[Path, dt.date],
    arguments: list[str],
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = ledger_file
    out = tmp_path / "bi"
    with pytest.raises(SystemExit) as exited:
        main(["export", "--source", str(path), "--out", str(out), *arguments])
    assert exited.value.code == 2
    assert named in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_report_format_writes_the_tables_in_full(
    ledger_file: tuple[Path, dt.date], tmp_path: Path
) -> None:
    path, last_day = ledger_file
    out = tmp_path / "out"
    arguments = ["report", "--source", str(path), "--as-of", str(last_day), "--out", str(out)]
    assert main([*arguments, "--format", "xlsx,csv"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "payments_report.html" not in names, "html was not asked for"
    assert "payments_report.xlsx" in names
    assert "payments_report_aged_detail.csv" in names
    with Ledger(path) as ledger:
        open_bills = int(ledger.as_of(last_day, tz=TZ).bills["is_open"].sum())
    book = load_workbook(out / "payments_report.xlsx")
    assert "exceptions" in book.sheetnames
    assert book["aged_detail"].max_row == open_bills + 1, "every open bill, not the report's top N"


def test_report_refuses_an_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--format", "html,pdf", "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    assert "--format must list html, xlsx and/or csv" in capsys.readouterr().err


def test_docs_document_every_exported_column() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
    for name, columns in SCHEMA.items():
        assert f"### {name}" in docs
        for column, kind, meaning in columns:
            assert f"| `{column}` | `{kind}` | {meaning} |" in docs, (
                f"{name}.{column} is undocumented"
            )
