"""Values a notebook records for whoever runs it: tests, `billkit demo`, a scheduler.

`record(name, value)` displays a JSON value under billkit's own mimetype (next to a short text line a
person reads in JupyterLab or the HTML copy); `read_records(executed)` collects them back from the executed
notebook. Recording goes through the notebook's outputs, so it works wherever the notebook ran and the
values pass through the same scrubbing as every other output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["RECORD_MIMETYPE", "RecordError", "read_records", "record"]

RECORD_MIMETYPE = "application/vnd.billkit.record+json"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RecordError(ValueError):
    """A record cannot be written or read back; the message names the record."""


def record(name: str, value: Any) -> None:
    """Record `value` (anything `json.dumps` accepts) under `name` in the running notebook's outputs."""
    if not _NAME.match(name):
        raise RecordError(
            f"record name {name!r} must be lower_snake_case: letters, digits and '_', starting with a letter"
        )
    try:
        encoded = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RecordError(
            f"record {name!r} must be a JSON value (str, int, float, bool, None, list, dict); "
            f"convert it first ({exc})"
        ) from exc
    from IPython.display import display

    bundle = {
        RECORD_MIMETYPE: {"name": name, "value": json.loads(encoded)},
        "text/plain": f"recorded {name} = {encoded}",
    }
    display(bundle, raw=True)  # type: ignore[no-untyped-call]


def read_records(executed: Path | str | Mapping[str, Any]) -> dict[str, Any]:
    """Every value recorded in an executed notebook (a path or a loaded notebook), by name.

    A name recorded twice is an error: a test reading it could not tell which value is meant.
    """
    notebook = _load(executed) if isinstance(executed, Path | str) else executed
    records: dict[str, Any] = {}
    for index, cell in enumerate(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(RECORD_MIMETYPE)
            if payload is None:
                continue
            name = payload["name"]
            if name in records:
                raise RecordError(f"record {name!r} is recorded twice (again in cell {index})")
            records[name] = payload["value"]
    return records


def _load(path: Path | str) -> Mapping[str, Any]:
    with open(path, encoding="utf-8") as handle:
        loaded: Mapping[str, Any] = json.load(handle)
    return loaded
