"""Helpers shared by the sandbox tests: unique references and an httpx client with the sandbox's key."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from billkit.sandbox import Sandbox

__all__ = ["Api", "ref"]


def ref(prefix: str = "REF") -> str:
    """A fresh external_reference."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Api:
    """httpx with the sandbox's key, and a new Idempotency-Key on every POST unless one is given."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(
            base_url=sandbox.base_url,
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
            timeout=10,
        )

    def post(
        self, path: str, json: Any = None, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.http.post(path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def patch(self, path: str, json: Any, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, **kwargs)

    def created(self, path: str, json: Any) -> dict[str, Any]:
        """POST that must answer 201; returns the body."""
        response = self.post(path, json)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def customer(self, **fields: Any) -> dict[str, Any]:
        return self.created("/billing/customers", {"external_reference": ref("UCR"), **fields})

    def account(self, customer: str, **fields: Any) -> dict[str, Any]:
        return self.created(
            "/billing/accounts", {"customer": customer, "external_reference": ref("UAR"), **fields}
        )

    def bill(self, amount_due: int = 2000, currency: str = "ZAR", **fields: Any) -> dict[str, Any]:
        if "customer" not in fields and "account" not in fields:
            fields["customer"] = self.customer(currency=currency)["id"]
        body = {
            "external_reference": ref("UBR"),
            "currency": currency,
            "amount_due": amount_due,
            **fields,
        }
        return self.created("/billing/bills", body)

    def pay(self, **fields: Any) -> httpx.Response:
        return self.post("/_sandbox/payments", fields)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
