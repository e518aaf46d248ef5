"""billkit's notebooks and what they use, in two parts.

* `runner`: running a notebook (papermill, scrubbing, HTML, recorded results, parameter checks); used by
  `billkit demo`, `billkit report` and the tests, and by nothing in a notebook but the two names below.
* `quickstart`: the helpers the quickstart notebooks' cells call (session, payer, bill form, widgets).

`specs` holds each notebook's parameter spec and `catalog` the notebooks billkit ships.

In a notebook:

    params = billkit.notebook.check_parameters(globals(), BillAmountDueParameters)
    ...
    billkit.notebook.record("bill_status", bill.status)

From code (tests, `billkit demo`, `billkit report`): `billkit.notebook.runner.execute(...)` runs a notebook
through papermill and returns what it recorded; `read_records(path)` reads them from an executed file.
"""

from __future__ import annotations

from billkit.notebook.runner.parameters import (
    NotebookParameters,
    ParameterError,
    check_parameters,
    checked,
    validate_parameters,
)
from billkit.notebook.runner.records import RECORD_MIMETYPE, RecordError, read_records, record

__all__ = [
    "RECORD_MIMETYPE",
    "NotebookParameters",
    "ParameterError",
    "RecordError",
    "check_parameters",
    "checked",
    "read_records",
    "record",
    "validate_parameters",
]
