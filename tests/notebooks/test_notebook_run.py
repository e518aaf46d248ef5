"""Running a notebook through papermill: parameters first, then scrubbed .ipynb and offline HTML."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from billkit.notebook import ParameterError, read_records
from billkit.notebook.runner.html import WIDGET_NOTE
from billkit.notebook.runner.parameters import NotebookParameters
from billkit.notebook.runner.run import NotebookExecutionError, execute
from billkit.notebook.runner.scrub import Scrubber, machine_paths

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_test_Zq81mVn3RxT0b7LwYc2Ked4s"

PARAMETERS_CELL = "base_url = None\napi_key = None\nallow_live = False"
CHECK_CELL = """\
import billkit.notebook
from billkit.notebook.runner.parameters import NotebookParameters
params = billkit.notebook.check_parameters(globals(), NotebookParameters)"""
BODY_CELL = """\
import os, sys
import ipywidgets
import plotly.graph_objects as go
from billkit.notebook import record
key = params.api_key.get_secret_value()  # the text itself: scrubbing must mask it
print("key", key, "cwd", os.getcwd(), "home", os.path.expanduser("~"))
record("executable", sys.executable)
record("key_tail", key[-4:])
display(ipywidgets.Button(description="Pay"))
go.Figure(go.Bar(x=["paid", "unpaid"], y=[3, 1]))"""


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    cells[0].metadata["tags"] = ["parameters"]
    notebook.cells = cells
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def test_a_run_writes_scrubbed_notebook_and_offline_html(tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "example.ipynb", PARAMETERS_CELL, CHECK_CELL, BODY_CELL)
    out = tmp_path / "out"

    result = execute(source, out, {"api_key": KEY}, spec=NotebookParameters)

    assert result.name == "example"
    assert result.notebook == out / "example.ipynb"
    assert result.html == out / "example.html"
    assert result.records == read_records(result.notebook)
    assert result.records["key_tail"] == KEY[-4:]
    # The kernel was this interpreter, shown scrubbed as the notebook would show it.
    this_python = Scrubber.create([], machine_paths(project=REPO_ROOT)).text(sys.executable)
    assert result.records["executable"] == this_python
    for written in (result.notebook, result.html):
        text = written.read_text(encoding="utf-8")
        assert KEY not in text
        for path in (str(tmp_path), str(Path.home()), str(REPO_ROOT), sys.prefix):
            assert path not in text, (written.name, path)
    html = result.html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=\"https?://", html), (
        "the HTML copy must not load from a CDN"
    )
    assert "Plotly.newPlot" in html
    assert WIDGET_NOTE in html


def test_a_failing_cell_names_the_cell_and_keeps_the_executed_notebook(tmp_path: Path) -> None:
    failing = 'raise RuntimeError(f"refused {params.api_key.get_secret_value()}")'
    source = write_notebook(tmp_path / "broken.ipynb", PARAMETERS_CELL, CHECK_CELL, failing)
    out = tmp_path / "out"

    with pytest.raises(NotebookExecutionError) as error:
        execute(source, out, {"api_key": KEY}, spec=NotebookParameters)

    message = str(error.value)
    # Named as Jupyter shows it (papermill's marker cells in the kept notebook shift its position to 6)
    assert message.startswith('broken failed in In [4] `raise RuntimeError(f"refused')
    assert (error.value.cell, error.value.execution_count) == (6, 4)
    assert "RuntimeError: refused sk_test_…ed4s" in message
    assert KEY not in message
    assert error.value.executed == out / "broken.ipynb"
    kept = error.value.executed.read_text(encoding="utf-8")
    assert "RuntimeError" in kept
    assert KEY not in kept
    assert (out / "broken.html").is_file()


def test_bad_parameters_stop_before_a_kernel_starts(tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "example.ipynb", PARAMETERS_CELL, CHECK_CELL)
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="Did you mean 'api_key'"):
        execute(source, out, {"api_kye": KEY}, spec=NotebookParameters)
    with pytest.raises(ParameterError, match="Did you mean 'base_url'"):
        execute(
            source, out, {"base_ulr": "x"}
        )  # no spec: names checked against the parameters cell
    assert not out.exists()


def test_wrong_types_without_a_spec_are_caught_by_the_notebook_itself(tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "example.ipynb", PARAMETERS_CELL, CHECK_CELL)
    with pytest.raises(NotebookExecutionError) as error:
        execute(source, tmp_path / "out", {"allow_live": "yes"}, html=False)
    assert "ParameterError: The parameters of this notebook need fixing" in str(error.value)
    assert (error.value.cell, error.value.execution_count) == (5, 3)


def test_a_missing_notebook_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no notebook at"):
        execute(tmp_path / "nope.ipynb", tmp_path / "out")


@pytest.mark.parametrize(
    ("body", "timeout", "exception"),
    [
        ("import os\nos._exit(1)", 60.0, "DeadKernelError: Kernel died"),
        ("import time\ntime.sleep(30)", 1.0, "CellTimeoutError: A cell timed out"),
    ],
    ids=["kernel-dies", "cell-times-out"],
)
def test_a_stopped_run_names_the_cell_and_keeps_the_notebook(
    body: str, timeout: float, exception: str, tmp_path: Path
) -> None:
    source = write_notebook(tmp_path / "stopped.ipynb", PARAMETERS_CELL, body)
    out = tmp_path / "out"
    with pytest.raises(NotebookExecutionError) as error:
        execute(source, out, timeout=timeout, html=False)
    assert error.value.cell == 2
    assert exception in str(error.value)
    assert error.value.executed == out / "stopped.ipynb"
    assert error.value.executed.is_file()
