"""Helpers shared by the sandbox tests: unique references and an httpx client with the sandbox's key."""

from __future__ import annotations

import threading
import time
import uuid
from itertools import pairwise
from types import TracebackType
from typing import Any, Final, Self

import httpx

from billkit.sandbox import Sandbox

__all__ = ["LOOP_HELD_AT_MOST", "Api", "LoopProbe", "ref"]


def ref(prefix: str = "REF") -> str:
    """A fresh external_reference."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Api:
    """httpx with the sandbox's key, and a new Idempotency-Key on every POST and PATCH unless one is given."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(
            base_url=sandbox.base_url,
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
            timeout=60,  # generous for a loaded machine: a wait for an answer, not a measure
        )

    def post(
        self, path: str, json: Any = None, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.http.post(path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def patch(
        self, path: str, json: Any, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """PATCH with a new Idempotency-Key unless one is given (`key=""`: none at all)."""
        sent = {} if key == "" else {"Idempotency-Key": key or str(uuid.uuid4())}
        return self.http.patch(
            path, json=json, headers={**sent, **kwargs.pop("headers", {})}, **kwargs
        )

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


#: How long one request may hold the sandbox's event loop, in CPU seconds: about 0.1 s is what a request
#: within the limits costs; the defects this guards against held it for minutes. CPU time, not wall time,
#: so that a loaded machine (which stretches every wall-clock interval) cannot fail the check.
LOOP_HELD_AT_MOST: Final = 2.0


class LoopProbe:
    """Sends a tiny request again and again, on its own connection, while the `with` block runs.

    Handlers run on the sandbox's event loop, so a request that holds the loop delays the next probe's answer.
    `worst` is the most CPU time this process (the embedded sandbox, the client and the probe) spent between
    two consecutive answers: a bystander's measure of the longest stretch the loop was held, which a busy
    machine does not inflate the way it inflates elapsed time."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._http = httpx.Client(
            base_url=sandbox.base_url,
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
            timeout=600,
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)
        self._answered_at: list[float] = []

    def _probe(self) -> None:
        while not self._stop.is_set():
            self._http.get("/_sandbox/clock").raise_for_status()
            self._answered_at.append(time.process_time())

    @property
    def worst(self) -> float:
        stamps = self._answered_at
        return max(later - earlier for earlier, later in pairwise(stamps))

    def __enter__(self) -> Self:
        self._http.get("/_sandbox/clock").raise_for_status()  # connected before the work starts
        self._answered_at.append(time.process_time())
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._http.close()
