"""Reading a notebook without building an IRI grammar first.

nbformat, papermill and nbconvert validate notebooks with jsonschema, and jsonschema imports
`rfc3987_syntax` (installed by Jupyter's `jsonschema[format-nongpl]`) for its `iri` format checks. That
module builds some forty Lark parsers as it is imported: about 2 CPU-seconds in every process that reads a
notebook (python-jsonschema/jsonschema#1428), for a format no notebook schema uses. `defer()` puts a stand-in
in its place whose `is_valid_syntax` (the one name jsonschema imports) and any other attribute import the
real module on first use, so a check of an `iri` still gives the real answer.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

NAME = "rfc3987_syntax"
_loading = threading.Lock()


class _StandIn(types.ModuleType):
    """`rfc3987_syntax` until something uses it; then the real module, which replaces it in sys.modules."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_real(), attribute)


def _real() -> types.ModuleType:
    with _loading:
        current = sys.modules.get(NAME)
        if current is not None and not isinstance(current, _StandIn):
            return current
        sys.modules.pop(NAME, None)
        try:
            return importlib.import_module(NAME)
        except BaseException:
            if current is not None:  # a failed load leaves the stand-in in place, to try again
                sys.modules.setdefault(NAME, current)
            raise


def is_valid_syntax(term: str, value: str) -> bool:
    """`rfc3987_syntax.is_valid_syntax`, from the real module."""
    return bool(_real().is_valid_syntax(term, value))


def defer() -> None:
    """Put the stand-in in place, unless the module is imported already or not installed."""
    if NAME in sys.modules:
        return
    spec = importlib.util.find_spec(NAME)
    if spec is None:
        return
    stand_in = _StandIn(NAME, __doc__)
    # What tools read of every imported module, so that reading it does not load the real one.
    stand_in.__spec__, stand_in.__loader__, stand_in.__package__ = spec, spec.loader, NAME
    stand_in.__file__ = spec.origin
    stand_in.__path__ = list(spec.submodule_search_locations or [])
    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules.setdefault(NAME, stand_in)
