"""Records: JSON values a notebook shows under billkit's mimetype and a runner reads back."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from billkit.notebook import RECORD_MIMETYPE, RecordError, read_records, record


def record_output(name: str, value: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data",
        data={RECORD_MIMETYPE: {"name": name, "value": value}, "text/plain": f"recorded {name}"},
    )


def notebook_with(*outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for output in outputs:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [output]
        notebook.cells.append(cell)
    return notebook


def test_records_are_read_from_a_notebook_or_its_file(tmp_path: Path) -> None:
    notebook = notebook_with(
        record_output("bill_status", "paid"),
        nbformat.v4.new_output("stream", name="stdout", text="not a record\n"),
        record_output("amounts", [500, 1500]),
    )
    assert read_records(notebook) == {"bill_status": "paid", "amounts": [500, 1500]}
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, path)
    assert read_records(path) == {"bill_status": "paid", "amounts": [500, 1500]}


def test_a_name_recorded_twice_is_an_error() -> None:
    notebook = notebook_with(record_output("status", "unpaid"), record_output("status", "paid"))
    with pytest.raises(RecordError, match="'status' is recorded twice"):
        read_records(notebook)


@pytest.mark.parametrize("name", ["Bill Status", "1st", "", "status!"])
def test_record_names_must_be_snake_case(name: str) -> None:
    with pytest.raises(RecordError, match="lower_snake_case"):
        record(name, 1)


@pytest.mark.parametrize("value", [object(), float("nan"), {"when": Path("x")}])
def test_record_values_must_be_json(value: object) -> None:
    with pytest.raises(RecordError, match="must be a JSON value"):
        record("value", value)
