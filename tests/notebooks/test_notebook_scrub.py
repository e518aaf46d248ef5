"""Scrubbing: no secret and no absolute path of this machine survives in an executed notebook."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from billkit.notebook.scrub import Scrubber, machine_paths

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
RAW_SECRET = "my-own-raw-signing-secret"
PROJECT = Path("/srv/checkout/billkit")


def scrubber(*secrets: str, extra: dict[Path, str] | None = None) -> Scrubber:
    return Scrubber.create(secrets, machine_paths(project=PROJECT, extra=extra))


def test_known_and_shaped_secrets_are_masked() -> None:
    text = f"key={KEY} raw={RAW_SECRET} other=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    out = scrubber(RAW_SECRET).text(text)
    assert KEY not in out
    assert RAW_SECRET not in out
    assert "whsec_MfKQ" not in out
    assert "sk_test_…p7dc" in out


def test_project_paths_become_relative() -> None:
    out = scrubber().text(f'File "{PROJECT}/billkit/client/_base.py", line 3; cwd {PROJECT}.')
    assert out == 'File "billkit/client/_base.py", line 3; cwd ..'


def test_interpreter_and_site_packages_get_placeholders() -> None:
    site_file = Path(nbformat.__file__)
    out = scrubber().text(f"{sys.executable} ran {site_file}")
    assert out.startswith("<venv>/bin/") or out.startswith("<python>/")
    assert "<site-packages>/nbformat/__init__.py" in out
    assert sys.prefix not in out


def test_home_and_temp_folders_are_hidden_but_similar_names_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = (
        "/home/payer"  # not the real one: a real home folder may itself be inside the temp folder
    )
    monkeypatch.setenv("HOME", home)
    out = scrubber(extra={tmp_path: "<tmp>"}).text(
        f"{home}/.cache {tmp_path}/x.db {home}ed {tmp_path}"
    )
    assert out == f"~/.cache <tmp>/x.db {home}ed <tmp>"


def test_a_home_folder_inside_the_temp_folder_is_still_shown_as_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    out = scrubber(extra={tmp_path: "<tmp>"}).text(f"{home}/.cache {tmp_path}/x.db")
    assert out == "~/.cache <tmp>/x.db"


def test_paths_inside_ansi_coloured_tracebacks_are_hidden() -> None:
    line = f"\x1b[0;32m{PROJECT}/billkit/x.py\x1b[0m:12"
    assert scrubber().text(line) == "\x1b[0;32mbillkit/x.py\x1b[0m:12"


def test_a_whole_notebook_is_scrubbed_and_keeps_its_type() -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f'api_key = "{KEY}"')
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"{PROJECT}/notebooks\n"),
        nbformat.v4.new_output(
            "display_data", data={"application/json": {"nested": [KEY]}, "text/plain": KEY}
        ),
        nbformat.v4.new_output("error", ename="E", evalue=KEY, traceback=[f"{PROJECT}/a.py"]),
    ]
    notebook.cells = [cell]
    notebook.metadata["papermill"] = {
        "input_path": f"{PROJECT}/notebooks/01.ipynb",
        "parameters": {"api_key": KEY},
    }
    scrubbed = scrubber(KEY).notebook(notebook)
    assert isinstance(scrubbed, nbformat.NotebookNode)
    text = nbformat.writes(scrubbed)
    assert KEY not in text
    assert str(PROJECT) not in text
    assert scrubbed.metadata.papermill.input_path == "notebooks/01.ipynb"
    assert scrubbed.cells[0].outputs[1].data["application/json"] == {"nested": ["sk_test_…p7dc"]}
    nbformat.validate(scrubbed)
