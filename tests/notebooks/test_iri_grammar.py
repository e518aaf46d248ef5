"""Reading notebooks without building jsonschema's IRI grammar (billkit/notebook/runner/_iri_grammar.py):
nothing builds it until an `iri` is checked, and then the checks answer as the real module does. Each side
runs in a fresh interpreter, since the test process has its own imports (schemathesis imports jsonschema)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

VALUES = [
    "http://例え.jp/パス?q=1#frag",
    "https://example.com/a%20b",
    "not an iri",
    "//host/path",
    "http://[::1]:80/",
    "http://a b/",
    "",
]

CHECKS = f"""
import json, sys
import jsonschema
checker = jsonschema.Draft7Validator.FORMAT_CHECKER
before = "lark" in sys.modules
answers = [[checker.conforms(v, f) for f in ("iri", "iri-reference")] for v in {VALUES!r}]
print(json.dumps({{"grammar_before_a_check": before, "answers": answers}}))
"""


def _run(prelude: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", prelude + CHECKS], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def without_billkit() -> dict[str, object]:
    return _run("")


def test_reading_notebooks_builds_no_grammar_and_iri_checks_answer_as_before(
    without_billkit: dict[str, object],
) -> None:
    deferred = _run("import billkit.notebook.runner, nbformat, papermill\n")
    assert without_billkit["grammar_before_a_check"], "jsonschema alone builds it as it is imported"
    assert not deferred["grammar_before_a_check"]
    assert deferred["answers"] == without_billkit["answers"]
    assert [True, True] in deferred["answers"], "some values are IRIs"
    assert [False, False] in deferred["answers"], "and some are not"


def test_the_module_imported_first_is_left_as_it_is(without_billkit: dict[str, object]) -> None:
    first = _run(
        "import rfc3987_syntax, billkit.notebook.runner, sys\n"
        "assert type(sys.modules['rfc3987_syntax']).__name__ == 'module'\n"
    )
    assert first["answers"] == without_billkit["answers"]
