"""Rendering the hosted page's templates (`billkit/sandbox/templates/`) with Jinja2, autoescaping on.

Every page is sent with headers that keep it private and inert: no caching (it shows what someone owes),
no framing, and a Content-Security-Policy that allows no scripts at all and forms posting only to the
sandbox itself.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

__all__ = ["SECURITY_HEADERS", "render"]

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_environment = Environment(
    loader=PackageLoader("billkit.sandbox", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, status: int, **context: Any) -> HTMLResponse:
    html = _environment.get_template(template).render(status=status, **context)
    return HTMLResponse(html, status, headers=SECURITY_HEADERS)
