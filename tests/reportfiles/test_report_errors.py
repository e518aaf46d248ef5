"""Every refusal of a report file names the file, the line (1-based, in the file) and the column."""

from __future__ import annotations

import pytest
from report_texts import (
    RECON_COLUMNS,
    RECON_HEADER,
    RECON_NAME,
    SETTLEMENT_NAME,
    recon_row,
    recon_text,
    settlement_text,
)

from billkit.reportfiles import ReportFileError, read_reconciliation, read_report, read_settlement

# The data rows of `recon_text` start on line 8 (6 header lines, the column names on line 7).
FIRST_ROW = 8


def refusal(text: str | bytes, name: str = RECON_NAME) -> ReportFileError:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ReportFileError) as caught:
        read_report(data, name=name)
    error = caught.value
    assert error.name == name
    assert str(error).startswith(name)
    return error


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (recon_row(amount="12.345"), "amount", "more decimal places than ZAR allows"),
        (recon_row(amount="1e3"), "amount", "not an amount"),
        (recon_row(amount='"12,34"'), "amount", "not an amount"),
        (recon_row(amount="+12.00"), "amount", "not an amount"),
        (recon_row(amount="NaN"), "amount", "not an amount"),
        (recon_row(amount="R12.00"), "amount", "not an amount"),
        (recon_row(amount=""), "amount", "empty"),
        (recon_row(currency="ZZZ"), "currency", "not an ISO 4217 currency"),
        (recon_row(currency="rand"), "currency", "not an ISO 4217 currency"),
        (recon_row(timestamp="2025-01-01"), "transaction_timestamp", "no time of day"),
        (recon_row(timestamp="yesterday"), "transaction_timestamp", "not an ISO 8601 time"),
        (recon_row(timestamp="2025-02-30T10:00:00Z"), "transaction_timestamp", "not an ISO 8601"),
        (recon_row(reconciliation_id=""), "reconciliation_id", "empty"),
        (recon_row(reconciliation_id="a b"), "reconciliation_id", "not an identifier"),
        (recon_row(kind=""), "transaction_type", "empty"),
    ],
)
def test_a_bad_value_names_its_line_and_column(row: str, column: str, words: str) -> None:
    error = refusal(recon_text(recon_row(), recon_row("6775f1a2b3c4d5e6f7a8b9c1"), row))
    assert (error.line, error.column) == (FIRST_ROW + 2, column)
    assert words in error.message
    assert f"line {FIRST_ROW + 2}, column {column}: " in str(error)


def test_a_quoted_field_spanning_lines_moves_the_line_numbers_on() -> None:
    multi = recon_row().replace("B-100", '"B-1\r\n00"')
    error = refusal(recon_text(multi, recon_row(amount="x")))
    assert error.line == FIRST_ROW + 2  # the first row took two lines


def test_a_missing_required_column_names_the_column_and_the_column_row() -> None:
    text = recon_text().replace("currency,", "").replace(",ZAR,", ",")
    error = refusal(text)
    assert (error.line, error.column) == (7, "currency")
    assert "no currency column" in error.message


def test_a_column_named_twice_is_refused() -> None:
    text = (
        RECON_HEADER
        + RECON_COLUMNS.replace("\r\n", ",amount\r\n")
        + recon_row().replace("\r\n", ",1\r\n")
    )
    error = refusal(text)
    assert (error.line, error.column) == (7, "amount")


def test_a_row_with_another_number_of_fields_is_refused() -> None:
    error = refusal(recon_text(recon_row(), recon_row().replace(",api", "")))
    assert (error.line, error.column) == (FIRST_ROW + 1, None)
    assert "14 fields" in error.message


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "words"),
    [
        ("Version,1.0\r\n", "", None, "Version", "no Version row"),
        ("From,Start Date,2025-01-01T00:00:00Z\r\n", "", None, "Start Date", "no Start Date row"),
        ("2025-01-02T00:00:00Z", "soon", 5, "End Date", "not an ISO 8601"),
        ("2025-01-02T00:00:00Z", "2024-12-31T00:00:00Z", 5, "End Date", "before the Start Date"),
        ("Version,1.0\r\n", "Version,1.0\r\nVersion,2.0\r\n", 3, "Version", "a second Version"),
        (
            "Moment Merchant Reconciliation Report",
            "Moment Merchant Settlement Report",
            None,
            "Report Title",
            "not 'Moment Merchant Reconciliation Report'",
        ),
    ],
)
def test_a_bad_header_names_the_header_row(
    old: str, new: str, line: int | None, column: str, words: str
) -> None:
    error = refusal(recon_text().replace(old, new, 1))
    assert (error.line, error.column) == (line, column)
    assert words in error.message


def test_bytes_that_are_not_utf8_name_the_line() -> None:
    data = recon_text(recon_row(), recon_row().replace("Card", "Carte bancaire \xe9")).encode(
        "latin-1"
    )
    error = refusal(data)
    assert error.line == FIRST_ROW + 1
    assert "not UTF-8" in error.message


def test_malformed_csv_names_the_line() -> None:
    error = refusal(recon_text(recon_row(), recon_row().replace("B-100", '"B-1"00')))
    assert error.line == FIRST_ROW + 1
    assert "not valid CSV" in error.message


def test_the_wrong_reader_or_a_name_of_the_other_kind_is_refused() -> None:
    with pytest.raises(ReportFileError, match="not 'Moment Merchant Settlement Report'"):
        read_settlement(recon_text().encode(), name="x.csv")
    with pytest.raises(ReportFileError, match="the name says a settlement report"):
        read_reconciliation(settlement_text().encode(), name=SETTLEMENT_NAME)
    error = refusal(recon_text().replace("Reconciliation Report", "Daily Summary"), name="x.csv")
    assert error.column == "Report Title"


def test_settlement_counts_and_dates_are_checked() -> None:
    bad_count = settlement_text("2025-01-01,ZAR,-1,150.00,0.00,150.00\r\n")
    error = refusal(bad_count, name=SETTLEMENT_NAME)
    assert (error.line, error.column) == (FIRST_ROW, "transaction_count")
    bad_day = settlement_text(
        "2025-01-01,ZAR,1,1.00,0.00,1.00\r\n", "2025-01-01T10:00:00Z,ZAR,1,1.00,0.00,1.00\r\n"
    )
    error = refusal(bad_day, name=SETTLEMENT_NAME)
    assert (error.line, error.column) == (FIRST_ROW + 1, "settlement_date")


def test_a_missing_file_is_a_report_file_error() -> None:
    with pytest.raises(ReportFileError, match="cannot read"):
        read_report("/nonexistent/20250102_Moment_Recon_abc_20250101.csv")


def test_values_out_of_a_frame_range_are_refused_not_crashed_on() -> None:
    error = refusal(recon_text(recon_row(timestamp="9999-01-01T00:00:00Z")))
    assert (error.line, error.column) == (FIRST_ROW, "transaction_timestamp")
    assert "out of range" in error.message
    error = refusal(recon_text(recon_row(amount="99999999999999999999.00")))
    assert (error.line, error.column) == (FIRST_ROW, "amount")
    assert "too large" in error.message
    far = settlement_text("3000-01-01,ZAR,1,1.00,0.00,1.00\r\n")
    error = refusal(far, name=SETTLEMENT_NAME)
    assert (error.line, error.column) == (FIRST_ROW, "settlement_date")
