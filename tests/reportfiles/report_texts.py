"""Report files for the tests, written by hand as text in Moment's published layout (no billkit code writes
them), and the files in `files/`."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).parent / "files"
#: Refund row, extra columns, another column order, CRLF, thousands separator, an offset time, a lower-case
#: currency, extra header row: see the file itself.
RECON_FILE = FILES / "20241231_Moment_Recon_ae5811c4-0fb3-47de-8a9e-f8b298b9525b_20241230.csv"
#: BOM, LF, padded header rows, another column order, an extra column.
SETTLEMENT_FILE = (
    FILES / "20250101_Moment_Settlement_ae5811c4-0fb3-47de-8a9e-f8b298b9525b_20241230.csv"
)

RECON_NAME = "20250102_Moment_Recon_0f9d2c4e-1b7a-4c3e-9d8f-2a6b5c4d3e21_20250101.csv"
SETTLEMENT_NAME = "20250103_Moment_Settlement_0f9d2c4e-1b7a-4c3e-9d8f-2a6b5c4d3e21_20250101.csv"

RECON_HEADER = (
    "Report Title,Moment Merchant Reconciliation Report\r\n"
    "Version,1.0\r\n"
    "Merchant alias,acme\r\n"
    "From,Start Date,2025-01-01T00:00:00Z\r\n"
    "To,End Date,2025-01-02T00:00:00Z\r\n"
    "\r\n"
)
RECON_COLUMNS = (
    "transaction_type,transaction_timestamp,reconciliation_id,merchant_reference_id,payment_method,"
    "payment_method_tender,customer_reference,country,currency,amount,fee,net_amount,payment_id,"
    "obligation_id,channel\r\n"
)


def recon_row(
    reconciliation_id: str = "6775f1a2b3c4d5e6f7a8b9c0",
    *,
    amount: str = "150.00",
    timestamp: str = "2025-01-01T10:00:00Z",
    currency: str = "ZAR",
    kind: str = "Payment",
) -> str:
    return (
        f"{kind},{timestamp},{reconciliation_id},B-100,Card,Card,C-1,ZA,{currency},{amount},0.00,"
        f"{amount},pay_Q1w2E3r4T5y6U7i8O9p0A,bill_Z9x8C7v6B5n4M3l2K1j0H,api\r\n"
    )


def recon_text(*rows: str) -> str:
    """A reconciliation file: the header (lines 1-6), the column names (line 7), then `rows` from line 8."""
    return RECON_HEADER + RECON_COLUMNS + "".join(rows or (recon_row(),))


SETTLEMENT_HEADER = RECON_HEADER.replace("Reconciliation", "Settlement")


def settlement_text(*rows: str) -> str:
    columns = "settlement_date,currency,transaction_count,gross_amount,fees,net_amount\r\n"
    return (
        SETTLEMENT_HEADER + columns + "".join(rows or ("2025-01-01,ZAR,1,150.00,0.00,150.00\r\n",))
    )
