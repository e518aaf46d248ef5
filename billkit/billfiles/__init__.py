"""Billing files: Moment's bulk upload over SFTP (contract §9), built, checked and sent from billkit.

    path = write_bill_file(frame, "out/", country="za", merchant="acme", day=date(2025, 2, 2))
    problems = validate_bill_file(path, merchant="acme")     # empty: every row will be accepted
    with BillFileSftp(SftpSettings.resolve()) as sftp:
        sftp.upload(path)
        results = sftp.wait_for_results(path.name)          # created / updated / unchanged / rejected

`rows` holds the file's rules, which the sandbox's SFTP ingestion applies too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it; imported when first used, so the sandbox can use the rules
# (`rows`, `names`) without loading pandas or asyncssh.
_EXPORTS: dict[str, str] = {
    "AsyncBillFileSftp": "billkit.billfiles.sftp",
    "BillFileKind": "billkit.billfiles.names",
    "BillFileName": "billkit.billfiles.names",
    "BillFileRejected": "billkit.billfiles.errors",
    "BillFileSftp": "billkit.billfiles.sftp",
    "FieldProblem": "billkit.billfiles.errors",
    "MAX_FILE_BYTES": "billkit.billfiles.reader",
    "PROBLEM_COLUMNS": "billkit.billfiles.validate",
    "RESULT_COLUMNS": "billkit.billfiles.results",
    "SFTP_ENV": "billkit.billfiles.settings",
    "STATUSES": "billkit.billfiles.results",
    "SftpError": "billkit.billfiles.errors",
    "SftpSettings": "billkit.billfiles.settings",
    "bill_file_name": "billkit.billfiles.build",
    "read_results": "billkit.billfiles.results",
    "results_name": "billkit.billfiles.names",
    "summarize": "billkit.billfiles.results",
    "validate_bill_file": "billkit.billfiles.validate",
    "write_bill_file": "billkit.billfiles.build",
}

__all__: list[str] = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'billkit.billfiles' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from billkit.billfiles.build import bill_file_name as bill_file_name
    from billkit.billfiles.build import write_bill_file as write_bill_file
    from billkit.billfiles.errors import BillFileRejected as BillFileRejected
    from billkit.billfiles.errors import FieldProblem as FieldProblem
    from billkit.billfiles.errors import SftpError as SftpError
    from billkit.billfiles.names import BillFileKind as BillFileKind
    from billkit.billfiles.names import BillFileName as BillFileName
    from billkit.billfiles.names import results_name as results_name
    from billkit.billfiles.reader import MAX_FILE_BYTES as MAX_FILE_BYTES
    from billkit.billfiles.results import RESULT_COLUMNS as RESULT_COLUMNS
    from billkit.billfiles.results import STATUSES as STATUSES
    from billkit.billfiles.results import read_results as read_results
    from billkit.billfiles.results import summarize as summarize
    from billkit.billfiles.settings import SFTP_ENV as SFTP_ENV
    from billkit.billfiles.settings import SftpSettings as SftpSettings
    from billkit.billfiles.sftp import AsyncBillFileSftp as AsyncBillFileSftp
    from billkit.billfiles.sftp import BillFileSftp as BillFileSftp
    from billkit.billfiles.validate import PROBLEM_COLUMNS as PROBLEM_COLUMNS
    from billkit.billfiles.validate import validate_bill_file as validate_bill_file
