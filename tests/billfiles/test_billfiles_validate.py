"""The offline validator: every rule of contract §9, named in words a person can act on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from billkit.billfiles import PROBLEM_COLUMNS, BillFileName, validate_bill_file
from billkit.billfiles.errors import BillFileRejected
from billkit.billfiles.names import BillFileKind

HEADER = "external_reference,first_name,last_name,passport_number,mobile_phone_number,email,amount_due,due_date,currency\r\n"
NAME = "za_acme_dailyfile_2025-02-02.csv"


def _problems(body: str, *, header: str = HEADER, name: str = NAME) -> list[tuple[int, str, str]]:
    frame = validate_bill_file((header + body).encode(), name=name)
    assert list(frame.columns) == PROBLEM_COLUMNS
    return list(zip(frame["row"], frame["field"], frame["message"], strict=True))


def test_a_clean_file_has_no_problems() -> None:
    assert (
        _problems("UCR1,Thandi,Mokoena,P1234567,+27821234567,t@example.com,240.00,2025-02-20,\r\n")
        == []
    )


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (",A,B,P1234567,,,1.00,,", "external_reference", "is required"),
        (
            "U 1,A,B,P1234567,,,1.00,,",
            "external_reference",
            "'U 1' may hold only letters, digits, '_' and '-'",
        ),
        ("U1,,B,P1234567,,,1.00,,", "first_name", "is required"),
        ("U1,A,,P1234567,,,1.00,,", "last_name", "is required"),
        ("U1,A,B,,,,1.00,,", "passport_number", "or sa_identification_number is required"),
        ("U1,A,B,P1,,,1.00,,", "passport_number", "must be 5 to 20 letters or digits"),
        (
            "U1,A,B,P1234567,12,,1.00,,",
            "mobile_phone_number",
            "'12' is not a phone number: write it as +27821234567 (or 0821234567 in a za file)",
        ),
        ("U1,A,B,P1234567,,nobody,1.00,,", "email", "'nobody' is not an email address"),
        ("U1,A,B,P1234567,,,,,", "amount_due", "is required"),
        (
            'U1,A,B,P1234567,,,"1,000.00",,',
            "amount_due",
            "'1,000.00' must be an amount in major units such as 240.00",
        ),
        (
            "U1,A,B,P1234567,,,-5,,",
            "amount_due",
            "'-5' must be an amount in major units such as 240.00",
        ),
        (
            "U1,A,B,P1234567,,,2.345,,",
            "amount_due",
            "2.345 has more decimal places than ZAR allows (2)",
        ),
        (
            "U1,A,B,P1234567,,,0.00,,",
            "amount_due",
            "0.00 must be more than 0 and at most 999999.99",
        ),
        (
            "U1,A,B,P1234567,,,1000000,,",
            "amount_due",
            "1000000 must be more than 0 and at most 999999.99",
        ),
        (
            "U1,A,B,P1234567,,,1.00,20250220,",
            "due_date",
            "'20250220' must be a date written YYYY-MM-DD",
        ),
        (
            "U1,A,B,P1234567,,,1.00,2025-02-30,",
            "due_date",
            "'2025-02-30' must be a date written YYYY-MM-DD",
        ),
        ("U1,A,B,P1234567,,,1.00,,EUR", "currency", "'EUR' is not supported; use USD or ZAR"),
        ("U1,A,B,P1234567,,,1.00", "row", "has 7 fields; the header has 9"),
    ],
)
def test_each_rule_names_its_field(row: str, field: str, message: str) -> None:
    assert (1, field, message) in _problems(row + "\r\n")


def test_local_phone_numbers_read_as_the_files_country() -> None:
    from billkit.billfiles.rows import FileLayout

    layout = FileLayout.from_header(HEADER.strip().split(","), BillFileName.parse(NAME))
    row = layout.parse(["U1", "A", "B", "P1234567", "082 123 4567", "", "1.5", "", ""], 1)
    assert getattr(row, "phone", None) == "+27821234567"
    assert getattr(row, "amount_due", None) == 150
    assert getattr(row, "currency", None) == "ZAR"


def test_a_us_file_bills_in_dollars_and_other_countries_need_a_currency_column() -> None:
    assert (
        _problems("U1,A,B,P1234567,2025550123,,1.00,,\r\n", name="us_acme_dailyfile_2025-02-02.csv")
        == []
    )
    assert _problems("U1,A,B,P1234567,,,1.00,,\r\n", name="gb_acme_dailyfile_2025-02-02.csv") == [
        (1, "currency", "is required: a 'gb' file has no default currency")
    ]


def test_a_repeated_bill_reference_is_reported_on_the_later_row() -> None:
    header = "external_reference,first_name,last_name,passport_number,bill_reference,amount_due\r\n"
    body = "U1,A,B,P1234567,INV1,1\r\nU2,A,B,P1234567,INV1,2\r\nU1,A,B,P1234567,,3\r\nU1,A,B,P1234567,,4\r\n"
    assert _problems(body, header=header) == [
        (2, "bill_reference", "'INV1' is also in row 1; a file may hold each bill once"),
        (4, "bill_reference", "'U1-20250202' is also in row 3; a file may hold each bill once"),
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "external_reference,first_name,last_name,amount_due\r\n",
            "header: needs a passport_number or a sa_identification_number column",
        ),
        (
            "external_reference,first_name,first_name,last_name,amount_due,passport_number\r\n",
            "header: column 'first_name' appears more than once",
        ),
        ("a,b,c\r\n", "header: none of its columns ('a', 'b', 'c') is a billing file column"),
        (
            "external_reference,first_name,last_name,amount_due,passport_number,"
            + ",".join(f"m{i}" for i in range(11))
            + "\r\n",
            "header: 11 metadata columns",
        ),
    ],
)
def test_header_problems_refuse_the_whole_file(header: str, message: str) -> None:
    problems = _problems("", header=header)
    assert len(problems) == 1
    row, part, text = problems[0]
    assert row == 0
    assert f"{part}: {text}".startswith(message)


def test_the_file_name_is_checked_against_the_merchant() -> None:
    frame = validate_bill_file(HEADER.encode(), name=NAME, merchant="globex")
    assert frame.loc[0, "message"] == f"{NAME!r} names merchant 'acme'; this server is 'globex'"


def test_the_size_limit_is_checked_while_reading(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes((HEADER + "U1,A,B,P1234567,,,1.00,,\r\n" * 50).encode())
    frame = validate_bill_file(path, max_bytes=500)
    assert frame["field"].tolist() == ["size"]


def test_a_stream_needs_a_name() -> None:
    with pytest.raises(ValueError, match="pass name="):
        validate_bill_file(io.BytesIO(HEADER.encode()))


def test_file_names_parse_into_their_parts() -> None:
    parsed = BillFileName.parse("us_globex-co_moment_all-customers_2025-01-31.csv")
    assert (parsed.country, parsed.merchant, parsed.day.isoformat(), parsed.kind) == (
        "us",
        "globex-co",
        "2025-01-31",
        BillFileKind.FULL,
    )
    for bad in (
        "za_acme_dailyfile_2025-02-30.csv",
        "xx_acme_dailyfile_2025-02-02.csv",
        "za_acme_weekly_2025-02-02.csv",
    ):
        with pytest.raises(BillFileRejected):
            BillFileName.parse(bad)
