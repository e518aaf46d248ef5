"""What the resources have in common: the create / retrieve / update calls of one REST collection, and
the bases that give each resource class its client's send function.

A resource class is then only typed, documented signatures: `Bills.create(**params)` is
`self._send(BILLS.create(params, idempotency_key))`, the same line in `AsyncBills` with an `await`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from billkit.client._base import AsyncSend, Call, SyncSend
from billkit.client._models import MomentObject, ResponseInfo
from billkit.client._params import (
    checked_idempotency_key,
    checked_params,
    encode_body,
    path_segment,
)
from billkit.errors import InvalidArgumentError

__all__ = ["AsyncResource", "ResourceCalls", "SyncResource", "parse_nothing", "parse_object"]

M = TypeVar("M", bound=MomentObject)


class SyncResource:
    def __init__(self, send: SyncSend) -> None:
        self._send = send


class AsyncResource:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send


@dataclass(frozen=True, slots=True)
class ResourceCalls(Generic[M]):
    """The calls of one collection such as `/billing/bills`, each checked before anything is sent."""

    #: How the caller wrote it, for messages: "bills" (as in `client.bills.create`).
    name: str
    path: str
    model: type[M]
    #: The ledger's kind for these objects, also the path parameter's name in messages ("bill").
    kind: str
    create_params: type
    update_params: type

    def create(self, params: Mapping[str, Any], idempotency_key: str | None) -> Call[M]:
        where = f"{self.name}.create"
        body = encode_body(checked_params(params, self.create_params, where=where), where=where)
        return self._call("POST", self.path, body, idempotency_key)

    def retrieve(self, object_id: str) -> Call[M]:
        return self._call("GET", self._item(object_id), None, None)

    def update(
        self, object_id: str, params: Mapping[str, Any], idempotency_key: str | None
    ) -> Call[M]:
        where = f"{self.name}.update"
        body = encode_body(checked_params(params, self.update_params, where=where), where=where)
        if not body:
            raise InvalidArgumentError(f"{where}: nothing to update; pass at least one field")
        return self._call("PATCH", self._item(object_id), body, idempotency_key)

    def action(self, object_id: str, action: str, idempotency_key: str | None) -> Call[M]:
        """A POST to `{path}/{id}/{action}` answered with the object (`bills.void`)."""
        return self._call("POST", f"{self._item(object_id)}/{action}", None, idempotency_key)

    def _item(self, object_id: str) -> str:
        return f"{self.path}/{path_segment(object_id, what=self.kind)}"

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        idempotency_key: str | None,
    ) -> Call[M]:
        return Call(
            method,
            path,
            parse_object(self.model),
            body=body,
            idempotency_key=checked_idempotency_key(idempotency_key),
            record_as=self.kind,
        )


def parse_object(model: type[M]) -> Callable[[Any, ResponseInfo], M]:
    """A parser reading a JSON object body into `model`, keeping the response info on it."""

    def parse(body: Any, info: ResponseInfo) -> M:
        if not isinstance(body, dict):
            raise ValueError(f"expected a JSON object for {model.__name__}, got {body!r:.80}")
        return model.from_api(body, info)

    return parse


def parse_nothing(body: Any, info: ResponseInfo) -> None:
    """For calls whose answer carries nothing the caller needs (a delete, a reset)."""
