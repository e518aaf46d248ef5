"""JSON text that any UTF-8 stream, file or database can hold, with non-ASCII text kept readable."""

from __future__ import annotations

import json
import re
from typing import Final

__all__ = ["json_text"]

#: JSON may carry `"\udfff"` (a lone surrogate escape): valid JSON, but a code point UTF-8 cannot encode.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: object, *, sort_keys: bool = False) -> str:
    """Compact JSON for `data`; lone surrogates are written back as the `\\uXXXX` escapes they arrived as,
    so the text decodes to the same data and always encodes to UTF-8 (printing or storing it cannot fail)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))
    return _LONE_SURROGATE.sub(_escaped, text)
