"""What the sandbox does with each billing file and each row (contract §9), through billkit's client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pandas as pd
import pytest
from sftp_helpers import HEADER, bill_row, csv_bytes, processed_file, unique_name, unique_ref

from billkit.billfiles import RESULT_COLUMNS, BillFileSftp
from billkit.errors import NotFoundError
from billkit.sandbox import Sandbox


def _send(sftp: BillFileSftp, folder: Path, name: str, data: bytes) -> pd.DataFrame:
    path = folder / name
    path.write_bytes(data)
    sftp.upload(path)
    return sftp.wait_for_results(name, timeout=60)


def _statuses(results: pd.DataFrame) -> list[str]:
    return results["status"].tolist()


def test_rows_are_created_then_unchanged_then_updated(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path
) -> None:
    customer, bill = unique_ref("C"), unique_ref("B")
    first = _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(customer, bill, "240.00")]))
    assert list(first.columns) == list(RESULT_COLUMNS)
    assert _statuses(first) == ["created"]
    assert first.loc[0, "bill_id"].startswith("bill_")
    assert first.loc[0, "customer_id"].startswith("bcus_")

    again = _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(customer, bill, "240.00")]))
    assert _statuses(again) == ["unchanged"]
    assert again.loc[0, "bill_id"] == first.loc[0, "bill_id"]

    changed = bill_row(customer, bill, "300.5", due_date="2025-03-01", first_name="Thando")
    updated = _send(sftp, tmp_path, unique_name(), csv_bytes([changed]))
    assert _statuses(updated) == ["updated"]
    with sftp_sandbox.client() as client:
        stored = client.bills.retrieve(bill)
        assert (stored.amount_due, stored.amount_remaining) == (30050, 30050)
        assert str(stored.due_date) == "2025-03-01"
        assert stored.payment_rules is not None
        assert stored.payment_rules.max_amount == 30050
        person = client.customers.retrieve(customer)
        assert (person.name, person.phone) == ("Thando Mokoena", "+27821234567")
        assert person.metadata == {"sa_identification_number": "8501015800085"}


def test_a_missing_bill_reference_is_derived_from_the_customer_and_file_date(
    sftp: BillFileSftp, tmp_path: Path
) -> None:
    customer = unique_ref("D")
    name = unique_name()
    results = _send(sftp, tmp_path, name, csv_bytes([bill_row(customer, "")]))
    day = name.rsplit("_", 1)[1].removesuffix(".csv").replace("-", "")
    assert results.loc[0, "bill_reference"] == f"{customer}-{day}"
    assert _statuses(results) == ["created"]


def test_a_bad_row_changes_nothing_and_does_not_stop_the_others(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path
) -> None:
    good, bad = unique_ref("G"), unique_ref("X")
    rows = [
        bill_row(good, unique_ref("GB")),
        bill_row(bad, unique_ref("XB"), "12.345"),
        bill_row(unique_ref("G"), unique_ref("GB"), "1.00"),
    ]
    results = _send(sftp, tmp_path, unique_name(), csv_bytes(rows))
    assert _statuses(results) == ["created", "rejected", "created"]
    assert (
        results.loc[1, "errors"] == "amount_due: 12.345 has more decimal places than ZAR allows (2)"
    )
    assert results.loc[1, "customer_id"] == ""
    with sftp_sandbox.client() as client, pytest.raises(NotFoundError):
        client.customers.retrieve(bad)


def test_a_paid_bill_is_not_changed_by_a_file(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path
) -> None:
    customer, bill = unique_ref("P"), unique_ref("PB")
    _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(customer, bill, "10.00")]))
    with sftp_sandbox.client() as client:
        client.bills.update(bill, currency="ZAR", amount_paid=1000)
    results = _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(customer, bill, "20.00")]))
    assert _statuses(results) == ["rejected"]
    assert results.loc[0, "errors"].startswith("bill_reference: bill bill_")
    assert "is paid" in results.loc[0, "errors"]


def test_a_bill_of_another_customer_is_refused(sftp: BillFileSftp, tmp_path: Path) -> None:
    bill = unique_ref("OB")
    _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(unique_ref("O"), bill)]))
    results = _send(sftp, tmp_path, unique_name(), csv_bytes([bill_row(unique_ref("O"), bill)]))
    assert _statuses(results) == ["rejected"]
    assert "belongs to customer" in results.loc[0, "errors"]


def test_a_repeated_bill_reference_in_one_file_rejects_the_later_row(
    sftp: BillFileSftp, tmp_path: Path
) -> None:
    bill = unique_ref("DUP")
    rows = [bill_row(unique_ref("A"), bill, "1.00"), bill_row(unique_ref("A"), bill, "2.00")]
    results = _send(sftp, tmp_path, unique_name(), csv_bytes(rows))
    assert _statuses(results) == ["created", "rejected"]
    assert results.loc[1, "errors"] == (
        f"bill_reference: {bill!r} is also in row 1; a file may hold each bill once"
    )


def test_extra_columns_become_bill_metadata(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path
) -> None:
    bill = unique_ref("M")
    data = csv_bytes(
        [[*bill_row(unique_ref("M"), bill), "February", ""]], (*HEADER, "period", "plan")
    )
    assert _statuses(_send(sftp, tmp_path, unique_name(), data)) == ["created"]
    with sftp_sandbox.client() as client:
        assert client.bills.retrieve(bill).metadata == {"period": "February"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"external_reference,first_name\r\nx,Rene\r\n",
            "header: required column(s) missing",
            id="header-without-required-columns",
        ),
        pytest.param(
            csv_bytes([bill_row("L1", "L1B")]).replace(b"Thandi", "Zo\u00eb".encode("latin-1")),
            "encoding: the file is not UTF-8 (byte 0xeb at line 2, column 6)",
            id="latin-1",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + csv_bytes([bill_row("BOM1", "BOM1B")]),
            "encoding: the file starts with a byte-order mark",
            id="byte-order-mark",
        ),
        pytest.param(
            csv_bytes([bill_row("Q1", "Q1B")]) + b'Q2,"Tha"ndi,x\r\n',
            "csv: line 3 is not valid CSV",
            id="malformed-csv",
        ),
        pytest.param(
            b"invoice,total,customer\r\n1,2,3\r\n",
            "header: none of its columns",
            id="unknown-column-set",
        ),
        pytest.param(b"", "header: the file is empty", id="empty"),
    ],
)
def test_a_file_refused_whole_gets_one_results_row_and_changes_nothing(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path, data: bytes, expected: str
) -> None:
    name = unique_name()
    results = _send(sftp, tmp_path, name, data)
    assert results[["row", "status"]].values.tolist() == [[0, "rejected"]]
    assert results.loc[0, "errors"].startswith(expected)
    record = processed_file(sftp_sandbox, name)
    assert record["status"] == "rejected"
    assert record["rows"] == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    with sftp_sandbox.client() as client:
        for customer in ("L1", "BOM1", "Q1"):
            with pytest.raises(NotFoundError):
                client.customers.retrieve(customer)


def test_a_name_that_is_not_a_billing_file_name_is_refused_whole(
    sftp: BillFileSftp, tmp_path: Path
) -> None:
    results = _send(sftp, tmp_path, "notes.csv", csv_bytes([bill_row("N1", "N1B")]))
    assert results.loc[0, "errors"].startswith("name: 'notes.csv' is not a billing file name")
    other = _send(
        sftp, tmp_path, "za_globex_dailyfile_2030-01-01.csv", csv_bytes([bill_row("N2", "N2B")])
    )
    assert other.loc[0, "errors"] == (
        "name: 'za_globex_dailyfile_2030-01-01.csv' names merchant 'globex'; this server is 'acme'"
    )


def test_files_are_listed_over_http_with_their_rows(
    sftp: BillFileSftp, sftp_sandbox: Sandbox, tmp_path: Path
) -> None:
    name = unique_name("moment_all-customers")
    rows = [bill_row(unique_ref("H"), unique_ref("HB")), bill_row("", unique_ref("HB"), email="")]
    _send(sftp, tmp_path, name, csv_bytes(rows))
    record = processed_file(sftp_sandbox, name)
    assert record["status"] == "processed"
    assert record["rows"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [row["status"] for row in record["results"]] == ["created", "rejected"]
    assert record["results"][1]["errors"] == "external_reference: is required"
    assert record["results"][1]["bill_id"] is None
    listed = httpx.get(
        f"{sftp_sandbox.base_url}/_sandbox/files",
        headers={"Authorization": f"Bearer {sftp_sandbox.api_key}"},
        params={"limit": 100},
    ).json()
    assert any(entry["name"] == name and "results" not in entry for entry in listed["data"])
