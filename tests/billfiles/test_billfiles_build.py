"""Writing billing files from DataFrames, and the SFTP settings that reach a server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from billkit.billfiles import SftpSettings, bill_file_name, validate_bill_file, write_bill_file
from billkit.errors import ConfigurationError, InvalidArgumentError

FINGERPRINT = "SHA256:" + "A" * 43


def _frame(**columns: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "external_reference": ["UCR1", "UCR2"],
        "first_name": ["Thandi", "Sipho"],
        "last_name": ["Mokoena", "Dlamini"],
        "sa_identification_number": ["8501015800085", "9001015800081"],
    }
    return pd.DataFrame({**base, **columns})


def test_a_frame_becomes_a_file_with_its_proper_name_and_format(tmp_path: Path) -> None:
    frame = _frame(amount_due=[Decimal("240"), "10.5"], due_date=[date(2025, 2, 20), None])
    path = write_bill_file(frame, tmp_path, country="ZA", merchant="acme", day=date(2025, 2, 2))
    assert path.name == "za_acme_dailyfile_2025-02-02.csv"
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert (
        data.splitlines(keepends=True)[1]
        == b"UCR1,Thandi,Mokoena,8501015800085,240.00,2025-02-20\r\n"
    )
    assert b",10.50,\r\n" in data
    assert validate_bill_file(path, merchant="acme").empty


def test_minor_units_are_written_as_major_units_and_floats_are_refused(tmp_path: Path) -> None:
    path = write_bill_file(
        _frame(amount_due_minor=[24000, 1]),
        tmp_path,
        country="us",
        merchant="acme",
        day=date(2025, 1, 1),
        full=True,
    )
    assert path.name == bill_file_name("us", "acme", date(2025, 1, 1), full=True)
    assert "UCR2,Sipho,Dlamini,9001015800081,0.01" in path.read_text()
    with pytest.raises(InvalidArgumentError, match="is a float"):
        write_bill_file(
            _frame(amount_due=[240.0, 1.5]),
            tmp_path,
            country="za",
            merchant="acme",
            day=date(2025, 1, 1),
        )


def test_an_amount_the_validator_should_see_is_written_as_given(tmp_path: Path) -> None:
    path = write_bill_file(
        _frame(amount_due=["240.555", "x"]),
        tmp_path,
        country="za",
        merchant="acme",
        day=date(2025, 1, 2),
    )
    problems = validate_bill_file(path)
    assert problems["field"].tolist() == ["amount_due", "amount_due"]


def test_bad_names_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="merchant alias"):
        write_bill_file(
            _frame(amount_due=["1", "2"]),
            tmp_path,
            country="za",
            merchant="Acme Ltd",
            day=date(2025, 1, 2),
        )
    with pytest.raises(InvalidArgumentError, match="ISO 3166"):
        write_bill_file(
            _frame(amount_due=["1", "2"]),
            tmp_path,
            country="zz",
            merchant="acme",
            day=date(2025, 1, 2),
        )
    assert list(tmp_path.iterdir()) == []


def test_sftp_settings_come_from_the_environment_and_mask_the_password() -> None:
    env = {
        "MOMENT_SFTP_HOST": "sftp.example.com",
        "MOMENT_SFTP_PORT": "2222",
        "MOMENT_SFTP_USERNAME": "acme",
        "MOMENT_SFTP_PASSWORD": "sk_test_abcdefghijklmnop",
        "MOMENT_SFTP_HOST_KEY_FINGERPRINT": FINGERPRINT,
    }
    settings = SftpSettings.resolve(env=env)
    assert (settings.host, settings.port, settings.username) == ("sftp.example.com", 2222, "acme")
    assert "abcdefghijklmnop" not in repr(settings)
    assert SftpSettings.resolve(port=22, env=env).port == 22


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("MOMENT_SFTP_HOST_KEY_FINGERPRINT", "host key is not pinned"),
        ("MOMENT_SFTP_PASSWORD", "no SFTP credentials"),
        ("MOMENT_SFTP_HOST", "no SFTP host"),
    ],
)
def test_sftp_settings_refuse_what_cannot_be_used(missing: str, message: str) -> None:
    env = {
        "MOMENT_SFTP_HOST": "h",
        "MOMENT_SFTP_USERNAME": "u",
        "MOMENT_SFTP_PASSWORD": "p",
        "MOMENT_SFTP_HOST_KEY_FINGERPRINT": FINGERPRINT,
    }
    del env[missing]
    with pytest.raises(ConfigurationError, match=message):
        SftpSettings.resolve(env=env)


def test_a_fingerprint_must_be_in_ssh_keygen_form() -> None:
    with pytest.raises(ConfigurationError, match="SHA256: followed by"):
        SftpSettings(host="h", username="u", password="p", host_key_fingerprint="MD5:aa:bb")
