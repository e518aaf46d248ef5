"""The notebooks `billkit demo` runs, in order, each with its parameter spec.

This list is data: a new notebook joins the demo by adding an entry here (and a spec in `specs.py`).

The notebooks' one source is the repository's top-level `notebooks/` folder; billkit installs it as the
data-only package `billkit.notebooks` (see setup.py), so they are found with importlib.resources in a wheel
and in an editable install alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from billkit.notebook.runner.parameters import NotebookParameters
from billkit.notebook.specs import (
    AccountBalanceParameters,
    BillAmountDueParameters,
    BillFormParameters,
    CommonOperationsParameters,
    CustomerBalanceParameters,
    PaymentsReportParameters,
    ReconciliationParameters,
    UploadingBillsParameters,
)

__all__ = ["NOTEBOOKS", "NOTEBOOKS_DIR", "NOTEBOOKS_PACKAGE", "CatalogEntry", "entry_for"]

NOTEBOOKS_PACKAGE = "billkit.notebooks"


def _notebooks_dir() -> Path:
    folder = files(NOTEBOOKS_PACKAGE)
    # papermill and the HTML export read files; pip always installs a package as a folder of them.
    if not isinstance(folder, Path):
        raise RuntimeError(f"billkit's notebooks are not files on disk here ({folder!r})")
    return folder


#: The folder holding the notebooks: inside the installed package, or notebooks/ of a checkout.
NOTEBOOKS_DIR = _notebooks_dir()


@dataclass(frozen=True)
class CatalogEntry:
    """One notebook: its file name in `notebooks/`, its parameter spec, and how its HTML copy looks."""

    filename: str
    spec: type[NotebookParameters]
    hide_code: bool = False

    @property
    def name(self) -> str:
        return Path(self.filename).stem

    def matches(self, wanted: str) -> bool:
        """`01`, `01_bill_amount_due`, `bill_amount_due` and the file name all name this notebook."""
        number, _, words = self.name.partition("_")
        return wanted in (self.filename, self.name, number, words)


NOTEBOOKS: tuple[CatalogEntry, ...] = (
    CatalogEntry("01_bill_amount_due.ipynb", BillAmountDueParameters),
    CatalogEntry("02_customer_balance.ipynb", CustomerBalanceParameters),
    CatalogEntry("03_account_balance.ipynb", AccountBalanceParameters),
    CatalogEntry("04_common_operations.ipynb", CommonOperationsParameters),
    CatalogEntry("05_bill_form.ipynb", BillFormParameters),
    CatalogEntry("06_uploading_bills.ipynb", UploadingBillsParameters),
    CatalogEntry("07_reconciliation.ipynb", ReconciliationParameters),
    CatalogEntry("10_payments_report.ipynb", PaymentsReportParameters, hide_code=True),
    CatalogEntry("11_explore_payments.ipynb", PaymentsReportParameters, hide_code=True),
)


def entry_for(notebook: Path) -> CatalogEntry | None:
    """The catalog entry of a notebook file, by its name; None for a notebook not in the catalog."""
    return next((entry for entry in NOTEBOOKS if entry.filename == notebook.name), None)
