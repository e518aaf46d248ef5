"""`billkit dashboard`: notebooks/11_explore_payments.ipynb served as a live page through Voila, on loopback.

    billkit dashboard                                   # the demo month in an embedded sandbox
    billkit dashboard --source ledger.sqlite --port 8866

The options are the report's data options (checked the same way before anything starts; a bad one exits 2
naming it). They are written into a copy of the notebook's parameters cell (papermill's parameterising, with
no run), and Voila serves that copy on 127.0.0.1 only, code hidden. Each page opened runs the notebook in its
own kernel, this interpreter's; the controls then redraw in place. Ctrl-C stops the server.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from billkit._usage import UsageError, whole_number
from billkit.notebook.catalog import NOTEBOOKS_DIR
from billkit.report.cli import add_data_options, checked_parameters

__all__ = ["HOST", "NOTEBOOK", "RECORDS_TAG", "configure", "run", "voila_command"]

NOTEBOOK = NOTEBOOKS_DIR / "11_explore_payments.ipynb"
#: Cells with this tag record figures for tests and schedulers; a reader of the page has no use for them.
RECORDS_TAG = "billkit-records"
HOST = "127.0.0.1"
_DEFAULT_PORT = 8866


def configure(parser: argparse.ArgumentParser) -> None:
    add_data_options(parser)
    parser.add_argument(
        "--port",
        type=whole_number,
        default=_DEFAULT_PORT,
        help=f"port on {HOST} (default: {_DEFAULT_PORT}; 0 picks a free one)",
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _parameterised(parameters: dict[str, object], folder: Path) -> Path:
    """A copy of the notebook in `folder` with `parameters` injected after its parameters cell."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = load_notebook_node(str(NOTEBOOK))  # gives every cell the tags papermill looks for
    notebook.cells = [cell for cell in notebook.cells if RECORDS_TAG not in cell.metadata.tags]
    target = folder / NOTEBOOK.name
    nbformat.write(parameterize_notebook(notebook, parameters), target)  # type: ignore[no-untyped-call]
    return target


def _last_day(source: Path, timezone: str | None) -> str | None:
    """The ledger file's last day of recorded activity (the first view's day), if it has any."""
    import pandas as pd

    from billkit.ledger import Ledger
    from billkit.notebook.specs import PaymentsReportParameters

    if not source.is_file():
        return None  # the parameter check names the missing file
    zone = timezone or PaymentsReportParameters().timezone
    with Ledger(source) as ledger:
        span = ledger.activity_span()
    return None if span is None else pd.Timestamp(span[1]).tz_convert(zone).date().isoformat()


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voila server for `notebook` on loopback `port`: no browser, code hidden, nothing else served."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.file_allowlist=[]",
    ]


def run(args: argparse.Namespace) -> int:
    port: int = args.port
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be 0 to 65535, got {port}")
    if args.as_of is None and args.source not in (None, "sandbox"):
        args.as_of = _last_day(Path(args.source).expanduser(), args.timezone)
    parameters = checked_parameters(args, "dashboard")
    if not NOTEBOOK.is_file():
        raise UsageError(f"the exploration notebook is missing: {NOTEBOOK}")
    port = port or _free_port()
    with tempfile.TemporaryDirectory(prefix="billkit-dashboard-") as work:
        folder = Path(work)
        notebook = _parameterised(parameters, folder)
        env = {
            **os.environ,
            # The kernelspec runs `python`: make it this interpreter, which has billkit.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            # Jupyter's per-user files (runtime, the notebook-signing key) stay in the run's folder.
            "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
            "JUPYTER_DATA_DIR": str(folder / "data"),
        }
        print(f"Dashboard: http://{HOST}:{port}/  (Ctrl-C stops it)", flush=True)
        server = subprocess.Popen(voila_command(notebook, port), cwd=folder, env=env)
        # Stopped with SIGTERM (a service manager, a test), the server goes too: no orphaned Voila.
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait()
            return 130
