"""Strict validation of a notebook's parameters, with messages that say what to fix.

papermill injects whatever `-p NAME VALUE` it is given as a new assignment and at most logs a warning for a
name the notebook does not declare, so a misspelled `api_kye` would silently run with the default key.
Every billkit notebook therefore describes its parameters as a pydantic model (a *spec*: strict types,
extra fields forbidden, secrets as `SecretStr`) and its second cell calls `check_parameters(globals(), Spec)`;
runners call `validate_parameters(values, Spec)` before a kernel starts. pydantic finds the problems; this
module words each one for a notebook user (unknown names with a close-match suggestion, the expected type
in words, the field's own check, a live key without `allow_live`) and raises one `ParameterError` listing
them all. Secrets never appear in a message: only their masks.
"""

from __future__ import annotations

import ast
import difflib
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from billkit.errors import ConfigurationError
from billkit.keys import KeyKind, api_key_type, redact, scrub

__all__ = [
    "NotebookParameters",
    "ParameterError",
    "ParameterProblem",
    "check_parameters",
    "checked",
    "describe_parameters",
    "parameter_cell_names",
    "reveal",
    "secret_values",
    "unknown_name_problem",
    "validate_parameters",
]

Check = Callable[[Any], str | None]
"""A value check: returns what is wrong with the (already type-correct) value, or None."""

P = TypeVar("P", bound="NotebookParameters")

# Names IPython and ipykernel put in every user namespace (papermill's kernels included).
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
# Only values a parameters cell (or papermill's injected cell) can assign are parameter candidates:
# imports, functions and classes in the namespace are never mistaken for misspelled parameters.
_LITERAL_TYPES = (type(None), bool, int, float, str, list, dict, tuple)
_SUGGESTION_CUTOFF = 0.6
_CHECK_ERROR = "billkit_check"
_CROSS_CHECK_ERROR = "billkit_cross_check"
_FRIENDLY_NAMES: dict[Any, str] = {
    str: "a string",
    SecretStr: "a string",
    int: "an integer",
    float: "a number",
    bool: "True or False",
}
_PLURAL_NAMES: dict[Any, str] = {
    str: "strings",
    int: "integers",
    float: "numbers",
    bool: "booleans",
}


@dataclass(frozen=True)
class ParameterProblem:
    """One thing wrong with a notebook's parameters: about `name` (a parameter, or a name the notebook does
    not take when `unknown`), or about several (`name` None). `text` says what is wrong after the name."""

    name: str | None
    text: str
    unknown: bool = False

    def __str__(self) -> str:
        if self.name is None:
            return self.text
        return f"{self.name!r} {self.text}" if self.unknown else f"{self.name} {self.text}"

    def worded(self, flag: Callable[[str], str], names: Sequence[str]) -> str:
        """The problem for a command-line user: every parameter named as the option that sets it
        (`flag("as_of")` -> `--as-of`), including those a rule across fields mentions."""
        text = _MENTIONED.sub(lambda found: _flagged(found, flag, names), self.text)
        return text if self.name is None else f"{flag(self.name)} {text}"


# A parameter mentioned inside a problem: a name with an underscore, or any name followed by its value in
# parentheses ("end (2026-12-01)") or by "=" ("allow_live=True" becomes "-p allow_live True"). Plain words
# that happen to be names ("currency code") stay words.
_MENTIONED = re.compile(
    r"\b(?P<name>[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?= \(|=))(?P<equals>=?)"
)


def _flagged(found: re.Match[str], flag: Callable[[str], str], names: Sequence[str]) -> str:
    name = found.group("name")
    if name not in names:
        return found.group(0)
    return flag(name) + (" " if found.group("equals") else "")


class ParameterError(ConfigurationError):
    """A notebook was given parameters it cannot run with; the message lists every problem and its fix.

    `problems` are the problems' texts as a notebook user reads them; `details` the same problems with the
    parameter each is about, for a command line to word with its own option names (`as_options`).
    """

    def __init__(
        self, notebook: str, problems: Sequence[ParameterProblem], accepted: list[str]
    ) -> None:
        self.notebook = notebook
        self.details = tuple(problems)
        self.problems = tuple(str(problem) for problem in problems)
        self.accepted = tuple(accepted)
        lines = [f"The parameters of {notebook} need fixing ({_count(problems)}):"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append(f"Parameters it takes: {', '.join(accepted)}.")
        super().__init__("\n".join(lines))

    def as_options(self, heading: str, flag: Callable[[str], str]) -> str:
        """The message for a command line: `heading`, then each problem with `flag(name)` for every
        parameter it names, so the user reads the option as typed (`--as-of`, `-p currency`)."""
        lines = [heading] + [f"  {problem.worded(flag, self.accepted)}" for problem in self.details]
        return "\n".join(lines)


def _count(problems: Sequence[object]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def checked(check: Check) -> AfterValidator:
    """A field's own value check, run by pydantic after the type check: `Annotated[int, checked(f)]`.

    `check` gets the plain value (a secret's text) and returns what is wrong with it, or None.
    """

    def validate(value: Any) -> Any:
        problem = check(reveal(value) if isinstance(value, SecretStr) else value)
        if problem:
            raise PydanticCustomError(_CHECK_ERROR, "{problem}", {"problem": problem})
        return value

    return AfterValidator(validate)


def reveal(secret: SecretStr | None) -> str | None:
    """The text of a secret parameter, for the code that needs it (a client, a receiver); never print it."""
    return None if secret is None else secret.get_secret_value()


def http_url(value: str | None) -> str | None:
    """An http(s) base URL; plain http only on loopback, since Moment's API is HTTPS only."""
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if not sep or scheme not in ("http", "https") or not host:
        return f"must be a URL such as 'https://api.momentpay.net', got {value!r}"
    if scheme == "http" and host not in ("127.0.0.1", "localhost", "::1"):
        return f"must use https (plain http is allowed only on loopback), got {value!r}"
    return None


def port_number(value: int | None) -> str | None:
    """A TCP port: 0 (pick a free one) to 65535."""
    if value is not None and not 0 <= value <= 65535:
        return f"must be a port number from 0 (pick a free one) to 65535, got {value}"
    return None


def positive_number(value: float) -> str | None:
    return None if value > 0 else f"must be greater than 0, got {value}"


class NotebookParameters(BaseModel):
    """What every notebook that talks to Moment takes: where the API is, the key, and the live-key guard.

    `base_url=None` means the embedded sandbox (no account, no network). Subclasses add their own fields
    (`Annotated[type, checked(rule)] = Field(default, description=...)`) and may extend `cross_checks`
    for rules that involve several fields.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    notebook_title: ClassVar[str] = "this notebook"

    base_url: typing.Annotated[str | None, checked(http_url)] = Field(
        None,
        description="Moment API base URL, e.g. 'https://api.momentpay.net'; None runs against "
        "billkit's embedded sandbox",
    )
    api_key: SecretStr | None = Field(
        None,
        description="secret API key (sk_test_...); needed with base_url, optional for the embedded sandbox",
    )
    allow_live: bool = Field(
        False, description="set True only to run on purpose against live mode with an sk_ live key"
    )

    def cross_checks(self) -> list[str]:
        """Rules that involve several fields; each problem says what to change."""
        problems: list[str] = []
        key = reveal(self.api_key)
        if self.base_url is not None and not key:
            problems.append(
                "api_key is required when base_url is set: give your Moment test key (sk_test_...)"
            )
        if key is None:
            return problems
        key_type = api_key_type(key)
        if key_type is not None and key_type.kind is KeyKind.PUBLIC:
            problems.append(
                f"api_key {redact(key)} is a public key, which cannot call billing routes: "
                "use your secret key (sk_test_...)"
            )
        elif key_type is None:
            problems.append(
                f"api_key {redact(key)} is not a Moment secret key: it should start with sk_test_"
            )
        elif key_type.live:
            if self.base_url is None:
                problems.append(
                    f"api_key {redact(key)} is a live key, and the embedded sandbox accepts test keys "
                    "only: use an sk_test_ key or leave api_key as None"
                )
            elif not self.allow_live:
                problems.append(
                    f"api_key {redact(key)} is a live key (sk_ without test_): these notebooks create "
                    "bills and move money, so use an sk_test_ key, or set allow_live=True if you "
                    "really mean to run against live mode"
                )
        return problems

    @model_validator(mode="after")
    def _apply_cross_checks(self) -> NotebookParameters:
        problems = self.cross_checks()
        if problems:
            raise PydanticCustomError(
                _CROSS_CHECK_ERROR, "{problems}", {"problems": "\n".join(problems)}
            )
        return self


def check_parameters(namespace: Mapping[str, object], spec: type[P]) -> P:
    """Validate the parameters a notebook's kernel holds (`globals()`) against `spec` and return them typed.

    Names that are neither fields of `spec` nor Python or IPython internals are reported as unknown, with
    the closest field name as a suggestion; papermill adds such names for any `-p` it does not recognise.
    """
    hidden, history = _ipython_state()
    assigned = parameter_cell_names(history) if history is not None else None
    declared = set(spec.model_fields)
    values = {
        name: value
        for name, value in namespace.items()
        if not _is_internal(name, value, hidden)
        and (assigned is None or name in assigned or name in declared)
    }
    return validate_parameters(values, spec)


def parameter_cell_names(history: Sequence[str]) -> set[str] | None:
    """The names assigned by the parameter cells that ran just before the current cell.

    `history` is IPython's `In`: every executed cell's source, the current one last. Walking back from the
    cell before it, each cell made only of `name = literal` lines (the `parameters` cell, and papermill's
    injected cell after it) counts. So a variable a later cell made in an earlier run (Run All without a
    restart) is not mistaken for a misspelled parameter, and neither is a stale name from a parameters
    cell since corrected and re-run. None when no such cell ran just before (nothing to go on).
    """
    names: set[str] = set()
    found = False
    for source in reversed(history[:-1]):
        assigned = _literal_assignments(source)
        if assigned is None:
            break
        names |= assigned
        found = True
    return names if found else None


def validate_parameters(values: Mapping[str, object], spec: type[P]) -> P:
    """Validate explicit parameter values (unset fields take their defaults) and return the typed spec.

    Raises `ParameterError` listing every problem at once: the fields' problems, or (once every field is
    right) the rules across fields.
    """
    try:
        return spec.model_validate(dict(values))
    except ValidationError as error:
        raise ParameterError(
            spec.notebook_title, _problems(error, values, spec), list(spec.model_fields)
        ) from None


def describe_parameters(spec: type[NotebookParameters]) -> list[tuple[str, str, str, str]]:
    """(name, type, default, help) for every field of `spec`, secrets' defaults redacted: for docs and `--help`."""
    rows = []
    for name, field in spec.model_fields.items():
        default = field.get_default(call_default_factory=True)
        rows.append(
            (
                name,
                _type_name(field.annotation),
                _show(default, secret=_is_secret(spec, name)),
                field.description or "",
            )
        )
    return rows


def secret_values(params: NotebookParameters) -> list[str]:
    """The values of the secret fields of `params`, for scrubbing outputs."""
    return [
        value.get_secret_value()
        for name in type(params).model_fields
        if isinstance(value := getattr(params, name), SecretStr) and value.get_secret_value()
    ]


def _problems(
    error: ValidationError, values: Mapping[str, object], spec: type[NotebookParameters]
) -> list[ParameterProblem]:
    fields = spec.model_fields
    unknown: list[ParameterProblem] = []
    by_field: dict[str, ParameterProblem] = {}
    for detail in error.errors():
        kind = detail["type"]
        if kind == _CROSS_CHECK_ERROR:
            return [
                ParameterProblem(None, text) for text in str(detail["ctx"]["problems"]).split("\n")
            ]
        name = str(detail["loc"][0])
        if kind == "extra_forbidden":
            unknown.append(unknown_name_problem(name, list(fields)))
            continue
        if name in by_field:  # one problem per field: the first pydantic found
            continue
        secret = _is_secret(spec, name)
        value = values[name]
        if kind == _CHECK_ERROR:
            hidden = [value] if secret and isinstance(value, str) else []
            text = scrub(str(detail["ctx"]["problem"]), hidden)
        else:
            # The value as it was written (`None`, `'ZAR'`, `1`), never its Python type's name.
            field = fields[name]
            text = (
                f"must be {_type_name(field.annotation)}, got {_show(value, secret=secret)} "
                f"({field.description or ''})"
            )
        by_field[name] = ParameterProblem(name, text)
    return unknown + [by_field[name] for name in fields if name in by_field]


def _is_secret(spec: type[NotebookParameters], name: str) -> bool:
    annotation = spec.model_fields[name].annotation
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def _ipython_state() -> tuple[frozenset[str], list[str] | None]:
    """The names IPython itself put in the user namespace, and its input history (outside IPython:
    nothing hidden and no history)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel, a dependency
        return frozenset(), None
    shell = get_ipython()
    if shell is None:
        return frozenset(), None
    history = shell.user_ns.get("In")
    return frozenset(shell.user_ns_hidden), list(history) if isinstance(history, list) else None


def _literal_assignments(source: str) -> set[str] | None:
    """The names a cell assigns, if it holds nothing but `name = literal` lines (comments allowed)."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return None
    names: set[str] = set()
    for statement in statements:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            return None
        try:
            ast.literal_eval(statement.value)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return None
        names.add(statement.targets[0].id)
    return names if names else None


def _is_internal(name: str, value: object, hidden: frozenset[str]) -> bool:
    return (
        name.startswith("_")
        or name in _IPYTHON_NAMES
        or name in hidden
        or not isinstance(value, _LITERAL_TYPES)
    )


def unknown_name_problem(name: str, accepted: list[str]) -> ParameterProblem:
    close = difflib.get_close_matches(name, accepted, n=1, cutoff=_SUGGESTION_CUTOFF)
    hint = f" Did you mean {close[0]!r}?" if close else " Remove it or check its spelling."
    return ParameterProblem(name, f"is not a parameter of this notebook.{hint}", unknown=True)


def _show(value: object, *, secret: bool) -> str:
    if secret and isinstance(value, str):
        return redact(value)
    return scrub(repr(value))


def _type_name(expected: Any) -> str:
    if expected is type(None) or expected is None:
        return "None"
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in args)
    if origin is Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin is list:
        return f"a list of {_PLURAL_NAMES.get(args[0], _type_name(args[0]))}"
    if origin is dict:
        return f"a dict of {_type_name(args[0])} to {_type_name(args[1])}"
    return _FRIENDLY_NAMES.get(expected, f"a {getattr(expected, '__name__', expected)}")
