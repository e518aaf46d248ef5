"""Running notebooks: strict parameter checks, papermill runs, scrubbing, HTML copies and recorded results.

    result = execute(notebook, out_dir, parameters, spec=BillAmountDueParameters)
    result.records["bill_status"]

`parameters` checks parameter specs (pydantic models) and words their problems; `run` executes a notebook in a
temporary folder with this interpreter's kernel (`kernel`); `scrub` masks secrets and machine paths in what it
wrote; `html` exports the standalone copy; `records` reads the values a notebook recorded; `cli` is
`billkit demo`. Nothing here knows what a quickstart does: that is `billkit.notebook.quickstart`.
"""

from __future__ import annotations

from billkit.notebook.runner import _iri_grammar
from billkit.notebook.runner.parameters import ParameterError, validate_parameters
from billkit.notebook.runner.records import read_records
from billkit.notebook.runner.run import (
    ExecutedNotebook,
    NotebookExecutionError,
    execute,
    validate_for_notebook,
)

# Before papermill, nbformat or nbconvert is imported: they read notebooks through jsonschema.
_iri_grammar.defer()

__all__ = [
    "ExecutedNotebook",
    "NotebookExecutionError",
    "ParameterError",
    "execute",
    "read_records",
    "validate_for_notebook",
    "validate_parameters",
]
