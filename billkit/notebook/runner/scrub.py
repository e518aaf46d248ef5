"""Scrubbing of executed notebooks: no secret and no path of the machine that ran them survives.

Every string in the notebook is rewritten (sources, outputs, tracebacks, records, papermill's metadata):
secrets are masked by `billkit.keys.scrub` (the values given plus anything shaped like a Moment key or
webhook secret), and absolute paths of this machine become placeholders: the project folder becomes
relative, the virtual environment `<venv>`, installed packages `<site-packages>`, the interpreter
`<python>`, temporary folders `<tmp>`, the home folder `~`.
"""

from __future__ import annotations

import os
import re
import site
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from billkit.keys import scrub

__all__ = ["Scrubber", "machine_paths"]

# A path ends where a character that cannot continue a path name follows (a full stop ending a sentence
# does not continue it; `.bak` does).
_PATH_END = r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_\-])"


def machine_paths(
    *, project: Path | None, extra: Mapping[Path, str] | None = None
) -> dict[str, str]:
    """Absolute paths of this machine that outputs may show, each with its placeholder."""
    paths: dict[str, str] = {}
    for location in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]:
        paths[location] = "<site-packages>"
    paths[sys.prefix] = "<venv>"
    paths[sys.base_prefix] = "<python>"
    paths[sysconfig.get_paths()["stdlib"]] = "<python>/lib"
    paths[tempfile.gettempdir()] = "<tmp>"
    paths[str(Path.home())] = "~"
    if project is not None:
        paths[str(project)] = "."
    for extra_path, placeholder in (extra or {}).items():
        paths[str(extra_path)] = placeholder
    # The resolved spelling of each path too (symlinked temp and home folders are common).
    for location, placeholder in list(paths.items()):
        paths.setdefault(os.path.realpath(location), placeholder)
    return {location: placeholder for location, placeholder in paths.items() if len(location) > 1}


@dataclass(frozen=True)
class Scrubber:
    """Rewrites every string of a notebook; build it once per run with the secrets and paths to hide."""

    secrets: tuple[str, ...]
    paths: Mapping[str, str]

    @classmethod
    def create(cls, secrets: Iterable[str | None], paths: Mapping[str, str]) -> Scrubber:
        return cls(tuple(secret for secret in secrets if secret), dict(paths))

    def text(self, value: str) -> str:
        value = scrub(value, self.secrets)
        for path, placeholder in self._ordered_paths:
            if path in value:
                value = path_pattern(path).sub(_placeholder_for(placeholder), value)
        return value

    def notebook(self, node: Any) -> Any:
        """A scrubbed copy of a notebook (or any JSON value): keys and values alike."""
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, list):
            return [self.notebook(item) for item in node]
        if isinstance(node, dict):  # nbformat's NotebookNode is a dict: keep its type
            return type(node)((self.text(key), self.notebook(item)) for key, item in node.items())
        return node

    @property
    def _ordered_paths(self) -> list[tuple[str, str]]:
        # Longest first: the virtual environment lives inside the project, site-packages inside both.
        return sorted(self.paths.items(), key=lambda item: len(item[0]), reverse=True)


def path_pattern(path: str) -> re.Pattern[str]:
    """Matches `path` itself and anything under it, not a longer sibling name (`/root` vs `/rooted`)."""
    return re.compile(re.escape(path) + rf"(?P<sub>/[^\s'\"]*)?{_PATH_END}")


def _placeholder_for(placeholder: str) -> Any:
    def replace(match: re.Match[str]) -> str:
        rest = match.group("sub") or ""
        if placeholder == ".":  # inside the project: show the path relative to it
            return rest.removeprefix("/") or "."
        return placeholder + rest

    return replace
