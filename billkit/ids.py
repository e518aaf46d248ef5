"""Moment's object IDs: the one rule for what an ID looks like, shared by the webhook receiver and the ledger.

An ID is its kind's prefix (`evt_`, `bill_`, `bcus_`, ...) followed by ASCII letters and digits, nothing else
(no underscore, dash or space after the prefix), at most `MAX_LENGTH` characters in all. Moment's schemas ask
for 20 or more characters after `evt_`, but its own Billing example (`evt_2341234567890abcdef`) is shorter, so
the length is not checked beyond being at least one character. The receiver refuses an event whose IDs break
this rule (400, logged), because the ledger could never record it: the two must agree, or a redelivery that
can never succeed would be answered 5xx and retried forever.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

#: Moment's ID prefix for each kind of object billkit records.
ID_PREFIXES: Final[Mapping[str, str]] = {
    "customer": "bcus_",
    "account": "bacc_",
    "bill": "bill_",
    "payment_request": "pr_",
    "event": "evt_",
}
MAX_LENGTH: Final = 255


def is_moment_id(value: object, prefix: str) -> bool:
    """Whether `value` is an ID with `prefix` (such as "evt_"): the prefix, then ASCII letters and digits."""
    return (
        type(value) is str
        and len(prefix) < len(value) <= MAX_LENGTH
        and value.startswith(prefix)
        and value.isascii()
        and value[len(prefix) :].isalnum()
    )


def are_moment_ids(values: Sequence[object], prefix: str) -> bool:
    """Whether every one of `values` is an ID with `prefix`: `is_moment_id` for a whole column at once, by a
    few passes of C over the joined text instead of a Python call per value (a ledger batch has 100,000)."""
    if not values:
        return True
    if set(map(type, values)) != {str}:
        return False
    texts: Sequence[str] = values  # type: ignore[assignment]  # every value's type is str, checked above
    # One "\n" before each value, and the joined text made only of "\n", the prefix, then 1 to the most
    # letters and digits: so no value holds a "\n", and each one is an ID.
    joined = "\n" + "\n".join(texts)
    return joined.count("\n") == len(texts) and _ids_pattern(prefix).fullmatch(joined) is not None


@lru_cache(maxsize=16)
def _ids_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(f"(?:\n{re.escape(prefix)}[A-Za-z0-9]{{1,{MAX_LENGTH - len(prefix)}}})*")


def id_problem(prefix: str) -> str:
    """What an ID with `prefix` must be, for an error message."""
    return (
        f"a Moment ID: {prefix!r} then ASCII letters and digits only (no '_' or '-' after the prefix), "
        f"at most {MAX_LENGTH} characters, such as '{prefix}H4jp6KnU5cPw263v1jyz4'"
    )
