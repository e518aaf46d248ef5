"""Billing files: Moment's bulk upload over SFTP (contract §9), built, checked and sent from billkit.

    path = write_bill_file(frame, "out/", country="za", merchant="acme", day=date(2025, 2, 2))
    problems = validate_bill_file(path, merchant="acme")     # empty: every row will be accepted
    with BillFileSftp(SftpSettings.resolve()) as sftp:
        sftp.upload(path)
        results = sftp.wait_for_results(path.name)          # created / updated / unchanged / rejected

`rows` holds the file's rules, which the sandbox's SFTP ingestion applies too.
"""

from billkit.billfiles.build import bill_file_name, write_bill_file
from billkit.billfiles.errors import BillFileRejected, FieldProblem, SftpError
from billkit.billfiles.names import BillFileKind, BillFileName, results_name
from billkit.billfiles.reader import MAX_FILE_BYTES
from billkit.billfiles.results import RESULT_COLUMNS, STATUSES, read_results, summarize
from billkit.billfiles.settings import SFTP_ENV, SftpSettings
from billkit.billfiles.sftp import AsyncBillFileSftp, BillFileSftp
from billkit.billfiles.validate import PROBLEM_COLUMNS, validate_bill_file

__all__ = [
    "MAX_FILE_BYTES",
    "PROBLEM_COLUMNS",
    "RESULT_COLUMNS",
    "SFTP_ENV",
    "STATUSES",
    "AsyncBillFileSftp",
    "BillFileKind",
    "BillFileName",
    "BillFileRejected",
    "BillFileSftp",
    "FieldProblem",
    "SftpError",
    "SftpSettings",
    "bill_file_name",
    "read_results",
    "results_name",
    "summarize",
    "validate_bill_file",
    "write_bill_file",
]
