"""`billkit demo`: run the quickstart notebooks (and the report) against the embedded sandbox.

    billkit demo --out out [--only 01 --only report] [-p currency USD]
    billkit demo --list                     # the notebooks and the parameters each takes

Every selected notebook's parameters are validated before the first kernel starts. Each notebook prints
one line (status, time, output files); the exit status is 1 if any notebook failed.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from billkit._usage import UsageError, folder
from billkit.notebook.catalog import NOTEBOOKS, NOTEBOOKS_DIR, CatalogEntry
from billkit.notebook.runner.parameters import (
    ParameterError,
    describe_parameters,
    validate_parameters,
)
from billkit.notebook.runner.run import NotebookExecutionError, execute

__all__ = ["configure", "parse_value", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(entry.name for entry in NOTEBOOKS)
    parser.add_argument(
        "--out", type=folder, help="folder for the executed notebooks and HTML copies (required)"
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the notebooks and the parameters each takes, then exit",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only this notebook (repeatable; a number such as 01 is enough): {names}",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        nargs=2,
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter of every selected notebook, e.g. -p currency USD (repeatable)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOKS_DIR,
        help="folder holding the notebooks (default: the notebooks installed with billkit)",
    )


def run(args: argparse.Namespace) -> int:
    entries = _select(args.only)
    if args.list:
        _list(entries)
        return 0
    if args.out is None:
        raise UsageError("--out DIR is required: the folder to write the executed notebooks to")
    parameters = {name: parse_value(value) for name, value in args.parameter}
    notebooks_dir: Path = args.notebooks
    for entry in entries:  # every problem is found before any kernel starts
        try:
            validate_parameters(parameters, entry.spec)
        except ParameterError as error:
            heading = (
                f"the -p values need fixing for {entry.spec.notebook_title} ({entry.name}; "
                f"choose notebooks with --only, and see each one's parameters with --list):"
            )
            raise UsageError(error.as_options(heading, lambda name: f"-p {name}")) from error
        if not (notebooks_dir / entry.filename).is_file():
            raise UsageError(f"notebook {entry.filename} not found in {notebooks_dir}")
    out_dir: Path = args.out
    target = parameters.get("base_url") or "the embedded sandbox"
    print(f"Running {len(entries)} notebook(s) against {target} into {out_dir}/")
    failures: list[NotebookExecutionError] = []
    for entry in entries:
        started = time.perf_counter()
        try:
            result = execute(
                notebooks_dir / entry.filename,
                out_dir,
                parameters,
                spec=entry.spec,
                hide_code=entry.hide_code,
            )
        except NotebookExecutionError as error:
            failures.append(error)
            elapsed = time.perf_counter() - started
            print(f"  FAILED {entry.name:<28} {elapsed:5.1f} s  {error.executed}", flush=True)
            continue
        print(
            f"  ok     {entry.name:<28} {result.seconds:5.1f} s  {result.notebook}  {result.html}",
            flush=True,
        )
    for failure in failures:
        print(f"\n{failure}", file=sys.stderr)
    if failures:
        print(f"\n{len(failures)} of {len(entries)} notebook(s) failed.", file=sys.stderr)
        return 1
    print(
        f"\nAll {len(entries)} notebook(s) ran. Open the .html files in {out_dir}/ in a browser, "
        f"or the .ipynb files in JupyterLab (`{_jupyter()} lab {out_dir}`).",
    )
    return 0


def _jupyter() -> str:
    """The `jupyter` command beside this Python (`.venv/bin/jupyter` after `make run`): it need not be
    on PATH. Shown relative to the current folder when it is inside it."""
    command = Path(sys.executable).parent / "jupyter"
    with contextlib.suppress(ValueError):
        return str(command.relative_to(Path.cwd()))
    return str(command)


def _list(entries: Sequence[CatalogEntry]) -> None:
    for entry in entries:
        print(f"{entry.name}  ({entry.spec.notebook_title})")
        for name, kind, default, meaning in describe_parameters(entry.spec):
            print(f"  -p {name:<20} {kind}; default {default}\n  {'':<23} {meaning}")
        print()


def parse_value(text: str) -> object:
    """A command-line value as a notebook parameter: a Python literal (`2000`, `True`, `None`, `[1, 2]`,
    `'x'`) when it reads as one, else the text itself (`ZAR`)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _select(wanted: Sequence[str]) -> list[CatalogEntry]:
    if not wanted:
        return list(NOTEBOOKS)
    selected: list[CatalogEntry] = []
    for name in wanted:
        matches = [entry for entry in NOTEBOOKS if entry.matches(name)]
        if not matches:
            names = ", ".join(entry.name for entry in NOTEBOOKS)
            raise UsageError(f"--only {name}: no such notebook; choose from {names}")
        selected += [entry for entry in matches if entry not in selected]
    return selected
