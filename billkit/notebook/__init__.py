"""Notebook machinery: strict parameters, recorded results, scrubbed papermill runs, and widgets.

In a notebook:

    params = billkit.notebook.check_parameters(globals(), BillAmountDueParameters)
    ...
    billkit.notebook.record("bill_status", bill.status)

From code (tests, `billkit demo`, `billkit report`): `billkit.notebook.run.execute(...)` runs a notebook
through papermill and returns what it recorded; `read_records(path)` reads them from an executed file.
"""

from __future__ import annotations

from billkit.notebook.parameters import (
    NotebookParameters,
    ParameterError,
    check_parameters,
    parameter,
    validate_parameters,
)
from billkit.notebook.records import RECORD_MIMETYPE, RecordError, read_records, record

__all__ = [
    "RECORD_MIMETYPE",
    "NotebookParameters",
    "ParameterError",
    "RecordError",
    "check_parameters",
    "parameter",
    "read_records",
    "record",
    "validate_parameters",
]
