"""Contract §2, auth: Bearer secret test key only; 401 for none or unknown, 403 for live and public keys."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import Api

from billkit.sandbox import Sandbox

PATHS = [
    ("GET", "/billing/customers/UCR-x"),
    ("POST", "/billing/bills"),
    ("GET", "/_sandbox/events"),
    ("POST", "/_sandbox/payments"),
]


def _call(sandbox: Sandbox, method: str, path: str, authorization: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": "auth-test"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.request(method, sandbox.base_url + path, headers=headers, json={})


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_missing_key_is_401(sandbox: Sandbox, method: str, path: str) -> None:
    response = _call(sandbox, method, path, None)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("#unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", ["Basic abc", "Bearer", "sk_test_abcdefgh", "Token sk_test_abc"]
)
def test_malformed_authorization_is_401(sandbox: Sandbox, authorization: str) -> None:
    assert _call(sandbox, "GET", "/_sandbox/clock", authorization).status_code == 401


def test_unknown_test_key_is_401_and_never_echoed(sandbox: Sandbox) -> None:
    wrong = "sk_test_WrongKeyWrongKey1234"
    response = _call(sandbox, "GET", "/billing/customers/x", f"Bearer {wrong}")
    assert response.status_code == 401
    assert wrong not in response.text
    assert sandbox.api_key not in response.text


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_live_secret_key_is_403_test_keys_only(sandbox: Sandbox, method: str, path: str) -> None:
    live = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    response = _call(sandbox, method, path, f"Bearer {live}")
    assert response.status_code == 403
    assert response.json()["type"].endswith("#forbidden")
    assert "test keys only" in response.json()["detail"]
    assert live not in response.text


@pytest.mark.parametrize("key", ["pk_test_4eC39HqLyjWDarjtT1zdp7dc", "pk_4eC39HqLyjWDarjtT1zdp7dc"])
@pytest.mark.parametrize(("method", "path"), PATHS)
def test_public_key_is_403(sandbox: Sandbox, method: str, path: str, key: str) -> None:
    response = _call(sandbox, method, path, f"Bearer {key}")
    assert response.status_code == 403
    assert key not in response.text


def test_the_sandbox_key_is_accepted_with_any_scheme_case(sandbox: Sandbox) -> None:
    response = _call(sandbox, "GET", "/_sandbox/clock", f"bearer {sandbox.api_key}")
    assert response.status_code == 200


def test_auth_comes_before_validation(api: Api, sandbox: Sandbox) -> None:
    """An unauthenticated request learns nothing about its body's problems."""
    response = httpx.post(
        sandbox.base_url + "/billing/customers", json={"bogus": 1}, headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 401
    assert "bogus" not in response.text
