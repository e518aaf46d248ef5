"""billkit works when installed: a wheel built from the repository runs `billkit demo` and `billkit report`
from an empty folder, finding its notebooks inside the package and writing nothing but its outputs.

The fresh environment holds the wheel and exactly the distributions its requirements need, transitively:
those are linked from the test's own environment, where pip installed them from the package index, rather
than downloaded and unpacked again (minutes, for a hundred-odd packages). A requirement missing from the
wheel's metadata is therefore missing there, as for a user; `pip check` confirms every version fits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def _wheel_requirements(wheel: Path) -> list[Requirement]:
    """The Requires-Dist lines of the wheel's own metadata: what pip would install with it."""
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        fields = HeaderParser().parsestr(archive.read(name).decode())
    return [Requirement(line) for line in fields.get_all("Requires-Dist", [])]


def _needed_distributions(requirements: list[Requirement]) -> list[metadata.Distribution]:
    """The distributions of this environment that `requirements` need, transitively, extras and markers
    evaluated for this interpreter (the fresh environment's too); fails naming one this one lacks."""
    needed: dict[str, metadata.Distribution] = {}
    extras_needed: dict[str, set[str]] = {}
    todo = [(requirement, {""}) for requirement in requirements]
    while todo:
        requirement, asked_with = todo.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in asked_with
        ):
            continue
        key = canonicalize_name(requirement.name)
        extras = {"", *requirement.extras}
        if extras <= extras_needed.get(key, set()):
            continue
        if key not in needed:
            try:
                needed[key] = metadata.distribution(requirement.name)
            except metadata.PackageNotFoundError:
                pytest.fail(f"{requirement} is needed but not installed in {sys.prefix}")
        extras_needed[key] = extras_needed.get(key, set()) | extras
        todo += [(Requirement(line), extras) for line in needed[key].requires or []]
    return list(needed.values())


def _link_into(venv_dir: Path, distribution: metadata.Distribution) -> None:
    """Install `distribution` in the venv as links to this environment's copy: its top-level
    site-packages entries (packages, modules, dist-info) and its data files (nbconvert's templates under
    share/, say). Its console scripts are left out: their first line names this environment's Python."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    prefix = Path(sys.prefix)
    files = distribution.files
    assert files is not None, f"{distribution.name} has no RECORD to link it by"
    sources: set[Path] = set()
    for file in files:
        path = Path(os.path.normpath(distribution.locate_file(file)))
        if path.is_relative_to(site_packages):
            top = site_packages / path.relative_to(site_packages).parts[0]
            if top.name != "__pycache__":
                sources.add(top)
        elif path.is_relative_to(prefix) and path.relative_to(prefix).parts[0] != "bin":
            sources.add(path)
    for source in sources:
        link = venv_dir / source.relative_to(prefix)
        if source.exists() and not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source)


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

    # A fresh environment: what the wheel's requirements need, linked, and the wheel, installed by pip.
    venv_dir = tmp_path / "venv"
    venv.create(venv_dir, with_pip=False)
    for distribution in _needed_distributions(_wheel_requirements(wheel)):
        _link_into(venv_dir, distribution)
    venv_python = venv_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", venv_python]
    _run([*pip, "install", "-q", "--no-deps", "--no-index", wheel], tmp_path, dict(os.environ))
    _run([*pip, "check"], tmp_path, dict(os.environ))
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
    billkit = venv_dir / "bin" / "billkit"
    demo = _run([billkit, "demo", "--only", "01", "--out", "out"], empty, env)
    assert "All 1 notebook(s) ran" in demo
    _run([billkit, "report", "--out", "reports"], empty, env)

    executed = json.loads((empty / "out" / "01_bill_amount_due.ipynb").read_text())
    assert executed["cells"], "the executed quickstart has its cells"
    assert "Payments report" in (empty / "reports" / "payments_report.html").read_text()
    # The runs left their outputs and nothing else: not in the folder, not in the package.
    assert {path.parts[0] for path in _files_under(empty)} == {"out", "reports"}
    assert _files_under(installed) == package_files
