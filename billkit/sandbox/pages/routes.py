"""`GET` and `POST /pay/{id}`: the hosted bill page (contract §7).

GET shows what is due and a pay form carrying a one-time token and the URL's metadata parameters. POST
applies the payment with channel `ebp` through the same functions `POST /_sandbox/payments` uses, in one
synchronous transaction (so twenty forms submitted at once are applied one after another, each checked
against what the previous left), and shows a receipt. Every refusal is a page in plain words with a 4xx
status; nothing a payer sees is ever a stack trace.
"""

from __future__ import annotations

import logging
from typing import Final

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.payments import ObligationKind, PaymentIntent
from billkit.sandbox.domain.refusals import payer_words
from billkit.sandbox.pages.forms import (
    MAX_FORM_BYTES,
    PageError,
    metadata_params,
    parse_amount,
    parse_form,
)
from billkit.sandbox.pages.render import render
from billkit.sandbox.pages.tokens import TokenSigner
from billkit.sandbox.pages.views import (
    PayView,
    Subject,
    balance_view,
    bill_view,
    money,
    payment_request_view,
    receipt,
)
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.services import payments
from billkit.sandbox.store import Store

__all__ = ["PAGE_ROUTES", "PAYMENT_CHANNEL", "is_page_path", "routing_error_page"]

logger = logging.getLogger("billkit.sandbox")

PAYMENT_CHANNEL: Final = "ebp"
_PREFIXES: dict[str, ObligationKind] = {"bill_": "bill", "bacc_": "account", "bcus_": "customer"}
_NOT_FOUND = (
    "There is no bill, balance or payment request at this address. Check the link you were sent."
)
_WRONG_METHOD = (
    "This page can only be opened, or paid from its own form. Open the link you were sent."
)


def _load(store: Store, target_id: str) -> Subject:
    """The subject of `/pay/{target_id}`, by Moment ID only (a link never carries a reference)."""
    if target_id.startswith("pr_"):
        request = store.payment_requests.find(target_id)
        if request is not None and request["id"] == target_id:
            return Subject("payment_request", request)
        raise PageError(404, _NOT_FOUND)
    kind = next((k for prefix, k in _PREFIXES.items() if target_id.startswith(prefix)), None)
    obj = store.objects(kind).find(target_id) if kind else None
    if kind is None or obj is None or obj["id"] != target_id:
        raise PageError(404, _NOT_FOUND)
    if kind == "customer":
        return Subject(kind, obj, customer=obj)
    customer = store.customers.find(obj["customer_id"])
    if kind == "account":
        return Subject(kind, obj, customer=customer, account=obj)
    account = store.accounts.find(obj["account_id"]) if "account_id" in obj else None
    return Subject(kind, obj, customer=customer, account=account)


def _view(subject: Subject, now: float) -> PayView:
    if subject.kind == "bill":
        return bill_view(subject)
    if subject.kind == "payment_request":
        return payment_request_view(subject, now=now)
    return balance_view(subject)


def _signer(runtime: Runtime) -> TokenSigner:
    return TokenSigner(runtime.api_key)


def _pay_page(
    runtime: Runtime,
    view: PayView,
    *,
    metadata: dict[str, str],
    amount: str | None = None,
    error: str | None = None,
    status: int = 200,
    token: str | None = None,
) -> Response:
    return render(
        "pay.html",
        status,
        view=view,
        metadata=metadata,
        amount=view.suggested_amount if amount is None else amount,
        error=error,
        token=token or _signer(runtime).issue(view.id),
    )


def _show(runtime: Runtime, target_id: str, request: Request) -> Response:
    subject = _load(runtime.store, target_id)
    view = _view(subject, runtime.clock.timestamp())
    return _pay_page(runtime, view, metadata=metadata_params(request.query_params.multi_items()))


def _submit(runtime: Runtime, target_id: str, body: bytes) -> Response:
    form = parse_form(body)
    if not _signer(runtime).valid(form.token, target_id):
        raise PageError(
            400,
            "This payment form is out of date. Open the link again and pay from the fresh page.",
        )
    store = runtime.store
    now = runtime.clock.timestamp()
    with store.transaction():
        done = store.page_receipts.find(form.token)
        if done is not None:  # a second submission of a form that already paid
            return render("receipt.html", 200, receipt=done, target_id=target_id, repeated=True)
        subject = _load(store, target_id)
        view = _view(subject, now)

        def refused(status: int, message: str) -> Response:
            return _pay_page(
                runtime,
                view,
                metadata=form.metadata,
                amount=form.amount,
                error=message,
                status=status,
                token=form.token,
            )

        if not view.payable:
            return refused(422, view.closed_reason or "")
        try:
            amount = parse_amount(form.amount, view.currency)
        except PageError as error:
            return refused(error.status, error.message)
        intent = PaymentIntent(amount, PAYMENT_CHANNEL, view.currency, form.metadata)
        try:
            with store.savepoint():  # a refusal leaves nothing half-written
                paid = payments.pay(store, subject.kind, subject.obj["id"], intent, now=now)
        except RuleViolation as violation:
            return refused(422, payer_words(violation, money))
        shown = receipt(view, paid.payment, paid.paid)
        store.page_receipts.add(form.token, target_id, shown, now=now)
    return render("receipt.html", 200, receipt=shown, target_id=target_id, repeated=False)


async def _read_body(request: Request) -> bytes:
    """The form, refused early when larger than any the page sends."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise PageError(413, "The form sent was too large. Reload the page and try again.")
        chunks.append(chunk)
    return b"".join(chunks)


async def pay_page(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    target_id: str = request.path_params["target"]
    try:
        if request.method == "POST":
            body = await _read_body(request)
            return _submit(runtime, target_id, body)
        return _show(runtime, target_id, request)
    except PageError as error:
        return render("message.html", error.status, message=error.message)
    except ClientDisconnect:  # gone mid-form (or dropped for sending it too slowly): nobody to show
        return Response(status_code=400)
    except Exception:
        logger.exception("hosted page %s %s failed", request.method, request.url.path)
        return render(
            "message.html",
            500,
            message="Something went wrong on our side. Open the link again to see where your payment stands.",
        )


PAGE_ROUTES = [Route("/pay/{target}", pay_page, methods=["GET", "POST"], name="pay_page")]
PAGE_PREFIX = "/pay"


def is_page_path(path: str) -> bool:
    """Whether `path` is under /pay/, where every answer is a page for a person (contract §7)."""
    return path == PAGE_PREFIX or path.startswith(PAGE_PREFIX + "/")


def routing_error_page(status: int) -> Response:
    """What a browser gets under /pay/ where the router found no page (404) or no such method (405)."""
    if status == 405:
        return render("message.html", 405, message=_WRONG_METHOD)
    return render("message.html", 404 if status == 404 else 400, message=_NOT_FOUND)
