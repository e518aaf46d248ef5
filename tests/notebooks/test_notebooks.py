"""Every notebook in notebooks/: committed clean, parameters declared as its spec says, and run for real.

The run test executes each notebook through papermill against the embedded sandbox (as `billkit demo`
does) and checks the values it recorded, then that no secret and no path of this machine is in the
executed notebook or its HTML copy. A new notebook needs a catalog entry and an entry in EXPECTED here.
"""

from __future__ import annotations

import ast
import dataclasses
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from demo_report import DemoReport, demo_month
from papermill.exceptions import PapermillExecutionError
from pydantic import SecretStr

from billkit.notebook.catalog import NOTEBOOKS, NOTEBOOKS_DIR, entry_for
from billkit.notebook.runner.parameters import reveal
from billkit.notebook.runner.records import read_records
from billkit.notebook.runner.run import ExecutedNotebook, execute
from billkit.sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]

API_KEY = "sk_test_nbQ4x8Lm2Rv7Tz1Wc5Yp9Kd3"
WEBHOOK_SECRET = "whsec_c2VjcmV0LWZvci1ub3RlYm9vay10ZXN0cy0xMjM0NTY="
NOTEBOOK_PATHS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}


def notebook_id(path: Path) -> str:
    return path.stem


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


# What each notebook must have recorded when run with its default parameters.
def bill_amount_due(records: dict[str, Any]) -> None:
    assert records["bill_created_status"] == "unpaid"
    assert records["customer_bill_account_id"] is None
    assert records["composite_ids"] == ["bill_", "bacc_", "bcus_"]
    # hosted page 500 + payment request 1500 on the account bill, 750 and 1200 paid in person
    assert records["webhook_amounts"] == [500, 750, 1200, 1500]
    assert records["local_statuses"] == ["paid", "paid", "paid"]
    assert records["bill_status_after_payment"] == "paid"
    assert records["bill_amount_paid"] == 2000
    assert records["local_bill_status"] == "paid"
    assert records["mistake_error"] == "WebhookVerificationError"
    assert records["mistake_reason"] == "no_matching_signature"


def customer_balance(records: dict[str, Any]) -> None:
    assert records["opening_balance"] == 2000
    assert records["balance_after_page"] == 800
    assert records["webhook_amounts"] == [800, 1200]
    assert records["event_customer_ids_match"] is True
    assert records["final_balance"] == 0
    assert records["reconciled_balance"] == 0
    assert (records["mistake_error"], records["mistake_status"]) == (
        "UnprocessableEntityError",
        422,
    )


def account_balance(records: dict[str, Any]) -> None:
    assert records["opening_balances"] == [15000, 8500, 42000]
    assert records["balances_after"] == [0, 4250, 42000]
    assert records["webhook_amounts"] == [4250, 15000]
    assert records["webhook_account_ids_match"] is True
    assert (records["mistake_error"], records["mistake_status"]) == ("ConflictError", 409)


def common_operations(records: dict[str, Any]) -> None:
    assert records["customer_balance"] == 5000
    assert records["account_balance"] == 10000
    assert records["sibling_balance_unchanged"] is True
    assert records["partial_status"] == ["unpaid", 500]
    assert records["settled_status"] == ["paid", 0]
    assert records["merged_metadata"] == {
        "account_tier": "premium",
        "account_type": "subscription",
        "updated_by": "admin",
    }
    assert records["voided_status"] == "voided"
    assert (records["mistake_error"], records["mistake_status"]) == (
        "UnprocessableEntityError",
        422,
    )
    assert records["voided_bill_unchanged"] is True
    assert records["payment_events"] == 0


def bill_form(records: dict[str, Any]) -> None:
    assert (records["created_status"], records["created_amount_due"]) == ("unpaid", 15000)
    assert records["paid_status"] == "paid"
    assert records["webhook_amount"] == 15000
    assert records["feed_rows"] == 1
    assert records["mistake_error"] == "BillFormError"
    assert records["mistake_fields"] == ["amount"]


def uploading_bills(records: dict[str, Any]) -> None:
    assert records["problem_fields"] == [[3, "amount_due"], [6, "passport_number"]]
    assert records["problems_after_fix"] == 0
    # the customer billed in USD refuses its ZAR bill; the next day's file carries it in USD
    assert records["day_one_summary"] == {
        "created": 11,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert records["day_two_summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert records["resend_summary"] == {"created": 0, "updated": 0, "unchanged": 11, "rejected": 1}
    assert records["api_statuses"] == {"created": 11}
    assert records["api_rerun_statuses"] == {"replayed": 11}
    assert records["api_same_bills"] is True


def reconciliation(records: dict[str, Any]) -> None:
    """A month of 11 payments, one webhook missed on purpose: the three-way match finds exactly that one."""
    assert (records["payments_made"], records["webhooks_received"]) == (11, 10)
    assert records["failed_attempts"] == 6  # the first attempt and the fast schedule's five retries
    # Eight days held payments: a reconciliation and a settlement report each; fetching again gets none.
    assert records["report_files"] == {"reconciliation": 8, "settlement": 8}
    assert records["fetched_again"] == 0
    assert records["findings"] == {
        "matched": 10,
        "no_webhook": 1,
        "not_reported": 0,
        "mismatched": 0,
        "unknown_obligation": 0,
        "settlement_mismatches": 0,
    }
    assert len(records["planted_payment"]) == 1
    assert records["no_webhook_payments"] == records["planted_payment"]
    # Per day and currency: eight days in rand, two of them in dollars too.
    assert (records["settled_days"], records["settlements_agree"]) == (10, True)


def payments_report(records: dict[str, Any]) -> None:
    """The report's figures equal what the demo month it was run on holds (made again from the same seed)."""
    summary = demo_month()
    assert records["as_of"] == summary.last_day.isoformat()
    assert records["bills_by_status"] == summary.bills_by_status
    assert records["partially_paid_bills"] == summary.partially_paid_bills
    assert records["payments_received"] == summary.collected
    assert records["outstanding"] == summary.outstanding
    assert records["reconciliation"]["voided"] == summary.bills_by_status["voided"]


def explore_payments(records: dict[str, Any]) -> None:
    """The explorer's first view is the demo month's last day, with the demo month's outstanding."""
    summary = demo_month()
    assert records["as_of"] == summary.last_day.isoformat()
    assert records["currencies"] == sorted(summary.outstanding)
    assert records["redraws"] == 1
    assert records["outstanding"] == summary.outstanding


@dataclasses.dataclass(frozen=True)
class Expected:
    check: Callable[[dict[str, Any]], None]
    parameters: dict[str, Any]
    secrets: tuple[str, ...]


QUICKSTART_RUN = {"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET}
EXPECTED: dict[str, Expected] = {
    "01_bill_amount_due": Expected(bill_amount_due, QUICKSTART_RUN, (API_KEY, WEBHOOK_SECRET)),
    "02_customer_balance": Expected(customer_balance, QUICKSTART_RUN, (API_KEY, WEBHOOK_SECRET)),
    "03_account_balance": Expected(account_balance, QUICKSTART_RUN, (API_KEY, WEBHOOK_SECRET)),
    "04_common_operations": Expected(common_operations, QUICKSTART_RUN, (API_KEY, WEBHOOK_SECRET)),
    "05_bill_form": Expected(bill_form, QUICKSTART_RUN, (API_KEY, WEBHOOK_SECRET)),
    "06_uploading_bills": Expected(uploading_bills, {"api_key": API_KEY}, (API_KEY,)),
    "07_reconciliation": Expected(reconciliation, {"api_key": API_KEY}, (API_KEY,)),
    # Run by `billkit report` with every default (`demo_report`, shared with tests/report): no key is
    # given, so no key of any kind may show.
    "10_payments_report": Expected(payments_report, {}, ("sk_test_", "sk_live_", "whsec_")),
    "11_explore_payments": Expected(explore_payments, {"api_key": API_KEY}, (API_KEY,)),
}


def assert_nothing_leaks(result: ExecutedNotebook | DemoReport, secrets: tuple[str, ...]) -> None:
    machine_paths = {
        str(REPO_ROOT),
        str(Path.home()),
        sys.prefix,
        sys.base_prefix,
        tempfile.gettempdir(),
    }
    for written in (result.notebook, result.html):
        assert written is not None
        text = written.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{written.name} shows a secret"
        for path in machine_paths:
            assert path not in text, f"{written.name} shows {path}"


def test_every_catalog_notebook_exists_and_every_notebook_is_in_the_catalog() -> None:
    assert {entry.filename for entry in NOTEBOOKS} == {path.name for path in NOTEBOOK_PATHS}
    assert set(EXPECTED) == {path.stem for path in NOTEBOOK_PATHS}


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=notebook_id)
def test_committed_clean(path: Path) -> None:
    notebook = load(path)
    nbformat.validate(notebook)
    assert set(notebook.metadata) <= ALLOWED_NOTEBOOK_METADATA
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in code_cells(notebook):
        assert cell.outputs == [], f"{path.name} is committed with outputs"
        assert cell.execution_count is None, f"{path.name} is committed with execution counts"
    for cell in notebook.cells:
        assert set(cell.metadata) <= {"tags"}, (
            f"{path.name} has cell metadata {dict(cell.metadata)}"
        )


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=notebook_id)
def test_one_parameters_cell_holding_exactly_the_spec(path: Path) -> None:
    entry = entry_for(path)
    assert entry is not None, f"add {path.name} to billkit/notebook/catalog.py"
    cells = code_cells(load(path))
    tagged = [cell for cell in cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert tagged[0] is cells[0], "the parameters cell is the first code cell"
    assigned: dict[str, Any] = {}
    for statement in ast.parse(tagged[0].source).body:
        assert isinstance(statement, ast.Assign), "the parameters cell only assigns"
        (target,) = statement.targets
        assert isinstance(target, ast.Name)
        assigned[target.id] = ast.literal_eval(statement.value)
    defaults = entry.spec()
    spec_defaults = {
        name: reveal(value) if isinstance(value := getattr(defaults, name), SecretStr) else value
        for name in entry.spec.model_fields
    }
    assert assigned == spec_defaults
    assert f"check_parameters(globals(), {entry.spec.__name__})" in cells[1].source


QUICKSTART_PATHS = [path for path in NOTEBOOK_PATHS if not path.name.startswith("10_")]
# What a cell would test to tell the embedded sandbox from a real API; the session decides that once.
MODE_TESTS = ("simulates_payments", "params.base_url", "session.sandbox", "session.receiver")


@pytest.mark.parametrize("path", QUICKSTART_PATHS, ids=notebook_id)
def test_a_quickstart_records_its_results_at_the_end_and_never_branches_on_the_mode(
    path: Path,
) -> None:
    cells = code_cells(load(path))
    recording = [index for index, cell in enumerate(cells) if "record(" in cell.source]
    assert len(recording) == 1, "every record() call belongs in the one cell at the end"
    assert recording[0] >= len(cells) - 2, (
        "the recording cell comes last (before closing the session)"
    )
    for cell in cells:
        found = [test for test in MODE_TESTS if test in cell.source]
        assert not found, (
            f"a cell tests the mode ({found}): move that into the session\n{cell.source}"
        )


#: The report notebook's run is `billkit report`'s, shared with the report tests (tests/conftest.py).
SHARED_RUN = "10_payments_report"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [path for path in NOTEBOOK_PATHS if path.stem != SHARED_RUN], ids=notebook_id
)
def test_runs_against_the_embedded_sandbox(path: Path, tmp_path: Path) -> None:
    entry = entry_for(path)
    assert entry is not None
    expected = EXPECTED[path.stem]
    result = execute(
        path, tmp_path / "out", expected.parameters, spec=entry.spec, hide_code=entry.hide_code
    )
    expected.check(result.records)
    assert_nothing_leaks(result, expected.secrets)


@pytest.mark.slow
def test_the_report_runs_against_the_embedded_sandbox(demo_report: DemoReport) -> None:
    expected = EXPECTED[SHARED_RUN]
    assert demo_report.code == 0
    expected.check(read_records(demo_report.notebook))
    assert_nothing_leaks(demo_report, expected.secrets)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.slow
def test_bill_amount_due_runs_against_a_server_given_by_base_url(tmp_path: Path) -> None:
    """What a user with their own account does: base_url, api_key, webhook_secret and receiver_port."""
    port = free_port()
    with Sandbox(
        api_key=API_KEY,
        webhook_url=f"http://127.0.0.1:{port}/webhooks",
        webhook_secret=WEBHOOK_SECRET,
        retry_schedule="fast",
    ) as server:
        parameters = {
            "base_url": server.base_url,
            "api_key": API_KEY,
            "webhook_secret": WEBHOOK_SECRET,
            "receiver_port": port,
        }
        path = NOTEBOOKS_DIR / "01_bill_amount_due.ipynb"
        result = execute(path, tmp_path / "out", parameters, spec=entry_for(path).spec)  # type: ignore[union-attr]
    bill_amount_due(result.records)
    assert_nothing_leaks(result, (API_KEY, WEBHOOK_SECRET))


@pytest.mark.slow
def test_papermill_alone_is_stopped_by_the_parameter_check(tmp_path: Path) -> None:
    """papermill only logs a warning for an unknown -p; the notebook's own check stops the run."""
    with pytest.raises(PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(NOTEBOOKS_DIR / "02_customer_balance.ipynb"),
            str(tmp_path / "executed.ipynb"),
            parameters={"balanse": 5000},
            progress_bar=False,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},  # the kernel's cwd, without os.chdir
        )
    assert error.value.ename == "ParameterError"
    assert (
        "'balanse' is not a parameter of this notebook. Did you mean 'balance'?"
        in error.value.evalue
    )
