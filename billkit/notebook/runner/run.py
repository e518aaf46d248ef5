"""Running a notebook: validate its parameters, execute it with papermill, scrub it, write it and its HTML.

The kernel is always this interpreter (the one billkit is installed in), whatever kernelspecs the machine
has, and it runs in a temporary folder, so a notebook never writes into the project. What lands in the
output folder is scrubbed (see `scrub.py`); when a cell fails, the executed notebook is still written there
for inspection and the error names the notebook, the cell and the exception.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from billkit.errors import BillkitError
from billkit.notebook.runner.html import export_html
from billkit.notebook.runner.parameters import (
    NotebookParameters,
    ParameterError,
    secret_values,
    unknown_name_problem,
    validate_parameters,
)
from billkit.notebook.runner.records import read_records
from billkit.notebook.runner.scrub import Scrubber, machine_paths

__all__ = ["ExecutedNotebook", "NotebookExecutionError", "execute", "validate_for_notebook"]

_SECRET_NAME_PARTS = ("key", "secret", "token", "password")
_KERNEL_START_TIMEOUT = 60


@dataclass(frozen=True)
class ExecutedNotebook:
    """A notebook that ran to the end: where its scrubbed copies are and what it recorded."""

    name: str
    notebook: Path
    html: Path | None
    records: dict[str, Any]
    seconds: float


class NotebookExecutionError(BillkitError):
    """A notebook stopped before its end: a cell raised, timed out, or the kernel died.

    `execution_count` is the failing cell's `In [n]` as Jupyter shows it, when it got one; `cell` its position
    in the kept notebook (1 for the first cell, markdown and papermill's error notes included), the fallback
    when it has no count. `where` names it for a reader: `In [8]` with the cell's tag or first line. The
    executed notebook was kept at `executed`.
    """

    def __init__(
        self,
        notebook: str,
        *,
        cell: int | None,
        execution_count: int | None,
        source: str,
        exception: str,
        executed: Path,
        tags: Sequence[str] = (),
    ) -> None:
        self.notebook = notebook
        self.cell = cell
        self.execution_count = execution_count
        self.exception = exception
        self.executed = executed
        self.where = _cell_name(cell, execution_count, source, tags)
        super().__init__(
            f"{notebook} failed in {self.where}: {exception}\n"
            f"The executed notebook is kept at {executed}"
        )


def _cell_name(
    position: int | None, execution_count: int | None, source: str, tags: Sequence[str]
) -> str:
    """How a reader finds the cell: `In [8]` (or `cell 5` when it never got a count) with its tag or first line."""
    if execution_count is not None:
        name = f"In [{execution_count}]"
    elif position is not None:
        name = f"cell {position}"
    else:
        return "a cell"
    own_tags = [tag for tag in tags if not tag.startswith("papermill-")]
    if own_tags:
        return f"{name} (tagged {own_tags[0]!r})"
    first_line = source.strip().splitlines()[0] if source.strip() else ""
    return f"{name} `{first_line}`" if first_line else name


def validate_for_notebook(
    notebook: Path,
    parameters: Mapping[str, object],
    spec: type[NotebookParameters] | None = None,
) -> NotebookParameters | None:
    """Check `parameters` before any kernel starts: names against the notebook's `parameters` cell, and
    types and rules against `spec` when the notebook has one. Raises `ParameterError`."""
    if spec is not None:
        return validate_parameters(parameters, spec)
    import papermill

    declared = list(papermill.inspect_notebook(str(notebook)))
    unknown = [name for name in parameters if name not in declared]
    if unknown:
        raise ParameterError(
            notebook.stem, [unknown_name_problem(name, declared) for name in unknown], declared
        )
    return None


def execute(
    notebook: Path,
    out_dir: Path,
    parameters: Mapping[str, object] | None = None,
    *,
    spec: type[NotebookParameters] | None = None,
    html: bool = True,
    hide_code: bool = False,
    timeout: float | None = 600.0,
) -> ExecutedNotebook:
    """Execute `notebook` with `parameters` and write `<name>.ipynb` (and `<name>.html`) into `out_dir`.

    `spec` is the notebook's parameter spec, used to validate `parameters` before the kernel starts and to
    know which values are secret. `timeout` bounds each cell, in seconds. Raises `ParameterError` for bad
    parameters (nothing is run or written) and `NotebookExecutionError` when a cell fails, times out or
    the kernel dies (the scrubbed executed notebook is still written).
    """
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    params = dict(parameters or {})
    validated = validate_for_notebook(notebook, params, spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = notebook.stem
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="billkit-notebook-") as work:
        work_dir = Path(work)
        scrubber = Scrubber.create(
            _secrets(params, validated),
            # The folder the run started from (a checkout, or wherever billkit was called) reads as ".".
            machine_paths(
                project=Path.cwd(), extra={work_dir: "<tmp>", out_dir.resolve(): "<out>"}
            ),
        )
        failure = _run_papermill(notebook, work_dir, params, timeout)
        executed = scrubber.notebook(_read(work_dir / notebook.name))
        # Both files are built in the work folder and then moved, so out_dir never holds half a result.
        staged = work_dir / "staged"
        staged.mkdir()
        _write(executed, staged / f"{name}.ipynb")
        if html:
            export_html(executed, staged / f"{name}.html", title=name, hide_code=hide_code)
        for built in staged.iterdir():
            shutil.move(built, out_dir / built.name)
    target = out_dir / f"{name}.ipynb"
    html_path = out_dir / f"{name}.html" if html else None
    if failure is not None:
        position, cell = _failed_cell(executed)
        raise NotebookExecutionError(
            name,
            cell=position,
            execution_count=None if cell is None else cell.get("execution_count"),
            source="" if cell is None else str(cell.source),
            tags=() if cell is None else list(cell.get("metadata", {}).get("tags", [])),
            exception=scrubber.text(failure),
            executed=target,
        )
    return ExecutedNotebook(
        name=name,
        notebook=target,
        html=html_path,
        records=read_records(executed),
        seconds=time.perf_counter() - started,
    )


def _run_papermill(
    notebook: Path, work_dir: Path, parameters: Mapping[str, object], timeout: float | None
) -> str | None:
    """Run papermill into `work_dir`; return why it stopped (`Type: message`), or None when every cell ran.

    papermill writes the executed notebook even when a cell raises, times out or kills the kernel; if the
    kernel never started, the unexecuted notebook is left in its place so there is always one to keep.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from billkit.notebook.runner.kernel import kernel_manager_class

    output = work_dir / notebook.name
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            start_timeout=_KERNEL_START_TIMEOUT,
            execution_timeout=timeout,
            kernel_manager_class=kernel_manager_class(work_dir),
            # the kernel's working folder, set without papermill's os.chdir in this process
            resources={"metadata": {"path": str(work_dir)}},
        )
    except PapermillExecutionError as error:
        return f"{error.ename}: {error.evalue}"
    except (CellTimeoutError, DeadKernelError, RuntimeError) as error:
        if not output.exists():
            shutil.copyfile(notebook, output)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"{type(error).__name__}: {first_line}"
    return None


def _failed_cell(executed: Any) -> tuple[int | None, Any]:
    """(position from 1, cell) of the cell that stopped the run: the first with an error output, else the
    last that started (a cell stopped by a timeout or a dead kernel); (None, None) when none started."""
    cells = list(enumerate(executed.cells, start=1))
    failed = [
        (position, cell)
        for position, cell in cells
        if any(output.get("output_type") == "error" for output in cell.get("outputs", []))
    ]
    started = [
        (position, cell)
        for position, cell in cells
        if cell.get("metadata", {}).get("papermill", {}).get("start_time") is not None
    ]
    found = failed[:1] or started[-1:]
    if not found:
        return None, None
    return found[0]


def _secrets(parameters: Mapping[str, object], validated: NotebookParameters | None) -> list[str]:
    values = secret_values(validated) if validated is not None else []
    values += [
        value
        for name, value in parameters.items()
        if isinstance(value, str) and any(part in name.lower() for part in _SECRET_NAME_PARTS)
    ]
    return values


def _read(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def _write(notebook: Any, path: Path) -> None:
    import nbformat

    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
