"""API-key checks (contract §2): Bearer secret test key only. Messages show keys masked, never whole."""

from __future__ import annotations

import hmac

from billkit.keys import KeyKind, api_key_type, redact
from billkit.sandbox.http.problems import ApiError

__all__ = ["authenticate"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="billkit sandbox"'}


def authenticate(authorization: str | None, api_key: str) -> None:
    """Accept `Authorization: Bearer <api_key>`; refuse anything else with 401 or 403."""
    if authorization is None:
        raise ApiError(
            401,
            "No API key: send the header Authorization: Bearer sk_test_... "
            "(billkit sandbox prints its key when it starts)",
            headers=_CHALLENGE,
        )
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401, "The Authorization header must read 'Bearer <secret key>'", headers=_CHALLENGE
        )
    if hmac.compare_digest(token.encode(), api_key.encode()):
        return  # the sandbox's own key, always a secret test key: nothing more to tell apart
    key_type = api_key_type(token)
    if key_type is not None and key_type.kind is KeyKind.PUBLIC:
        raise ApiError(
            403,
            f"{redact(token)} is a public key, which cannot be used on billing routes: "
            "use the secret key (sk_test_...)",
        )
    if key_type is not None and key_type.live:
        raise ApiError(
            403, f"{redact(token)} is a live key: the sandbox accepts test keys only (sk_test_...)"
        )
    raise ApiError(
        401,
        f"Unknown API key {redact(token)}: this sandbox accepts only its own key",
        headers=_CHALLENGE,
    )
