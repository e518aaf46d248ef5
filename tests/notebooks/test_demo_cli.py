"""`billkit demo`: validates every notebook's parameters first, reports one line per notebook."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

import billkit.notebook.runner.cli as demo_cli
from billkit.cli import main
from billkit.notebook.catalog import NOTEBOOKS, CatalogEntry
from billkit.notebook.runner.parameters import NotebookParameters


def write_notebook(path: Path, body: str) -> None:
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("base_url = None\napi_key = None\nallow_live = False")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(body)]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)


@pytest.fixture
def tiny_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(
        folder / "01_fine.ipynb", "from billkit.notebook import record\nrecord('ok', True)"
    )
    write_notebook(folder / "02_broken.ipynb", "1 / 0")
    entries = (
        CatalogEntry("01_fine.ipynb", NotebookParameters),
        CatalogEntry("02_broken.ipynb", NotebookParameters),
    )
    monkeypatch.setattr(demo_cli, "NOTEBOOKS", entries)
    return folder


def test_one_line_per_notebook_and_a_failure_exit(
    tiny_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["demo", "--out", str(out), "--notebooks", str(tiny_catalog)])
    captured = capsys.readouterr()
    printed = captured.out
    assert code == 1
    assert "  ok     01_fine" in printed
    assert f"{out}/01_fine.ipynb  {out}/01_fine.html" in printed
    assert "  FAILED 02_broken" in printed
    # What went wrong is an error: on stderr, naming the cell as Jupyter shows it (after the parameters).
    assert "02_broken failed in In [2] `1 / 0`: ZeroDivisionError" in captured.err
    assert "1 of 2 notebook(s) failed." in captured.err
    assert (out / "02_broken.ipynb").is_file()


def test_only_selects_by_number(
    tiny_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["demo", "--out", str(tmp_path / "out"), "--notebooks", str(tiny_catalog), "--only", "01"]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "02_broken" not in printed
    assert "All 1 notebook(s) ran." in printed
    # The hint names the jupyter beside this Python: after `make run` it is not on PATH.
    jupyter = Path(sys.executable).parent / "jupyter"
    assert f"{jupyter} lab " in printed or f"{jupyter.relative_to(Path.cwd())} lab " in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nine"], "--only nine: no such notebook; choose from 01_bill_amount_due"),
        (["-p", "curency", "USD"], "Did you mean 'currency'?"),
        (["-p", "currency", "EUR"], "-p currency must be one of 'ZAR', 'USD', got 'EUR'"),
        (["-p", "currency", "None"], "-p currency must be one of 'ZAR', 'USD', got None ("),
        (["-p", "allow_live", "1"], "-p allow_live must be True or False, got 1 ("),
        (["-p", "api_kye", "x"], "-p api_kye is not a parameter of this notebook. Did you mean"),
        (["--out", ""], "argument --out: must be a folder's path, got ''"),
        (
            [
                "-p",
                "api_key",
                "sk_live0123456789abcdef",
                "-p",
                "base_url",
                "https://api.momentpay.net",
            ],
            "set -p allow_live True if you really mean",
        ),
    ],
)
def test_bad_arguments_exit_2_before_any_kernel_starts(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(out), *argv])
    assert exit_info.value.code == 2
    printed = capsys.readouterr().err
    assert message in printed
    assert not out.exists()
    # A command line speaks in options and the values typed, not in Python types.
    for python_words in ("got str", "got int", "got NoneType", "The parameters of"):
        assert python_words not in printed


def test_a_missing_notebook_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--out", str(tmp_path / "out"), "--notebooks", str(tmp_path)])
    assert f"notebook {NOTEBOOKS[0].filename} not found in {tmp_path}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2000", 2000),
        ("1.5", 1.5),
        ("True", True),
        ("None", None),
        ("[1, 2]", [1, 2]),
        ("ZAR", "ZAR"),
        ("'01'", "01"),
    ],
)
def test_command_line_values_read_as_python_literals(text: str, value: object) -> None:
    assert demo_cli.parse_value(text) == value


def test_list_shows_each_notebook_with_its_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--list", "--only", "02"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("02_customer_balance  (02 Customer Balance)")
    assert "-p balance" in printed
    assert "an integer; default 2000" in printed
    assert "01_bill_amount_due" not in printed


def test_out_is_required_to_run(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo"])
    assert exit_info.value.code == 2
    assert "--out DIR is required" in capsys.readouterr().err
