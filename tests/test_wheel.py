"""billkit works when installed: a wheel built from the repository runs `billkit demo` and `billkit report`
from an empty folder, finding its notebooks inside the package and writing nothing but its outputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT = 600
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "reports", "*.egg-info", "__pycache__", ".*_cache"
)


def _run(command: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _files_under(folder: Path) -> set[Path]:
    return {
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.slow
def test_an_installed_wheel_runs_the_demo_and_the_report_from_an_empty_folder(
    tmp_path: Path,
) -> None:
    # billkit runs with a home folder of its own: nothing it does may rely on, or land in, the real one.
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    # Built from a copy of the working tree: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "source"
    shutil.copytree(REPO_ROOT, source, ignore=_NOT_SOURCES)
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source],
        tmp_path,
        dict(os.environ),
    )
    [wheel] = dist.glob("billkit-*.whl")

    # A fresh environment: pip installs the wheel and its requirements from the package index (with the
    # machine's own pip cache, so the real HOME here).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, dict(os.environ))
    venv_python = venv / "bin" / "python"
    _run([venv_python, "-m", "pip", "install", "-q", wheel], tmp_path, dict(os.environ))
    site_packages = Path(
        _run(
            [venv_python, "-c", "import billkit, os; print(os.path.dirname(billkit.__path__[0]))"],
            tmp_path,
            env,
        ).strip()
    )
    installed = site_packages / "billkit"
    package_files = _files_under(installed)
    # Every file of the package and every notebook is in the wheel (a folder without __init__.py too).
    shipped = _files_under(REPO_ROOT / "billkit") | {
        Path("notebooks", path.name) for path in (REPO_ROOT / "notebooks").glob("*.ipynb")
    }
    assert shipped <= package_files, sorted(shipped - package_files)

    empty = tmp_path / "elsewhere"
    empty.mkdir()
    billkit = venv / "bin" / "billkit"
    demo = _run([billkit, "demo", "--only", "01", "--out", "out"], empty, env)
    assert "All 1 notebook(s) ran" in demo
    _run([billkit, "report", "--out", "reports"], empty, env)

    executed = json.loads((empty / "out" / "01_bill_amount_due.ipynb").read_text())
    assert executed["cells"], "the executed quickstart has its cells"
    assert "Payments report" in (empty / "reports" / "payments_report.html").read_text()
    # The runs left their outputs and nothing else: not in the folder, not in the package.
    assert {path.parts[0] for path in _files_under(empty)} == {"out", "reports"}
    assert _files_under(installed) == package_files
