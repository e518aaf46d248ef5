"""What a quickstart notebook talks through: a client, and the webhook side, for either of two set-ups.

* `base_url=None` (the default): billkit's embedded sandbox on a free loopback port, delivering signed
  webhooks (retry schedule "fast") to a local `WebhookReceiver`. Everything works offline, payments
  included: the notebook pays as a payer would, on the hosted page or through the sandbox's payment route.
* `base_url` set: your Moment test account (or a `billkit sandbox` you started). Objects are created
  there; a receiver is started only when `receiver_port` is given (Moment delivers to the public URL you
  registered with them, which you forward to that port). Paying from code is possible only when the
  server is a billkit sandbox; against Moment, the notebook prints the links for you to pay by hand.

The client's HTTP exchanges are recorded so the notebook can print the real request and response.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from billkit.client import Bill, Client
from billkit.errors import BillkitError, ConfigurationError
from billkit.keys import redact
from billkit.money import format_money
from billkit.notebook.quickstart.exchanges import Exchange, RecordingTransport
from billkit.notebook.quickstart.payer import HostedPagePayment, pay_on_hosted_page
from billkit.notebook.runner.parameters import reveal
from billkit.notebook.specs import QuickstartParameters

if TYPE_CHECKING:
    from billkit.sandbox import Sandbox
    from billkit.webhooks import WebhookEvent, WebhookReceiver

__all__ = ["QuickstartSession", "start_session"]

OnEvent = Callable[[Any], object]


@dataclass
class QuickstartSession:
    """The client, the sandbox (if embedded), the receiver (if any) and what the notebook may do."""

    params: QuickstartParameters
    client: Client
    transport: RecordingTransport
    run_id: str
    webhook_secret: str | None
    sandbox: Sandbox | None = None
    receiver: WebhookReceiver | None = None
    #: Whether the server is a billkit sandbox, whose payment route and hosted page a notebook may use.
    simulates_payments: bool = False
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    @property
    def base_url(self) -> str:
        return self.client.base_url

    def reference(self, prefix: str) -> str:
        """An external_reference unique to this run (`UCR-3f9a0c21`), so reruns never collide."""
        return f"{prefix}-{self.run_id}"

    @property
    def last_exchange(self) -> Exchange:
        return self.transport.last

    def show_exchange(self) -> None:
        """Print the last request and its response, as sent and received."""
        self.transport.last.show()

    def describe(self) -> str:
        """Where the notebook is talking to and where webhooks go, with secrets masked."""
        key = redact(self.api_key)
        if self.sandbox is not None:
            where = f"billkit's embedded sandbox at {self.base_url} (key {key})"
        elif self.simulates_payments:
            where = f"a billkit sandbox at {self.base_url} (key {key})"
        else:
            where = f"Moment at {self.base_url} (key {key})"
        if self.receiver is not None:
            hook = (
                f"webhooks go to a local receiver at {self.receiver.url}, "
                f"signed with {redact(self.webhook_secret)}"
            )
        else:
            hook = (
                "no webhook receiver: set receiver_port (and webhook_secret) to receive Moment's "
                "webhooks through your public endpoint; webhook steps are skipped"
            )
        return f"Talking to {where};\n{hook}."

    @property
    def api_key(self) -> str:
        return (
            self.sandbox.api_key if self.sandbox is not None else str(reveal(self.params.api_key))
        )

    def hosted_page_url(self, object_id: str, **query: str) -> str | None:
        """The hosted bill page link for a bill, account, customer or payment request on the sandbox;
        None against Moment, whose bill-presentment links come from your Moment representative."""
        if not self.simulates_payments:
            return None
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.base_url}/pay/{object_id}{suffix}"

    def today(self) -> date:
        """The day bills are dated: the sandbox clock's day on a billkit sandbox, else today."""
        if self.simulates_payments:
            return self.client.sandbox.clock.now().date()
        return date.today()

    def pay_on_hosted_page(
        self, url: str | None, amount: str | None = None
    ) -> HostedPagePayment | None:
        """Pay at `url` as a payer would (`amount` in major units, `"12.50"`; None: what the page suggests).

        On a billkit sandbox the page's form is submitted from code and the receipt printed. Against Moment
        no payer sits in a notebook: it prints what to pay where (`url` is None when Moment's bill
        presentment links come from your Moment representative) and returns None.
        """
        what = f"{amount} " if amount else ""
        if not self.simulates_payments:
            where = url or "the bill-presentment link your Moment representative issues"
            print(f"Open {where} and pay {what}there by hand; the webhook steps wait for it.")
            return None
        if url is None:
            raise ConfigurationError("no hosted page link to pay")
        receipt = pay_on_hosted_page(url, amount)
        print(
            f"The payer typed {what or 'the suggested amount '}on {url}: payment {receipt.payment_id}"
        )
        return receipt

    def pay_in_person(self, obligation: Bill, amount: int) -> None:
        """Pay `amount` (minor units) on a bill at one of Moment's in-person pay points.

        On a billkit sandbox its payment route with the `in_person` channel stands in for the cashier;
        against Moment it prints what to pay.
        """
        shown = format_money(amount, obligation.currency)
        if not self.simulates_payments:
            print(
                f"Pay {shown} on {obligation.id} at a Moment pay point; the webhook steps wait for it."
            )
            return
        paid = self.client.sandbox.payments.create(
            bill=obligation.id, amount=amount, channel="in_person"
        )
        print(f"{paid.id}: {shown} applied to {obligation.id} ({paid.channel})")

    def events(self, type: str) -> list[Mapping[str, Any]]:
        """Every event of `type` so far, as JSON: the sandbox's own list on a billkit sandbox; against
        Moment, which lists none, what the receiver verified (none without a receiver)."""
        if self.simulates_payments:
            return [
                event for event in self.client.sandbox.events.iterate() if event["type"] == type
            ]
        received = self.receiver.received if self.receiver is not None else []
        return [event.to_dict() for event in received if event.type == type]

    def received_events(self) -> list[WebhookEvent]:
        """The events the receiver verified so far, oldest first ([] when no receiver runs)."""
        return list(self.receiver.received) if self.receiver is not None else []

    def wait_for_events(
        self, count: int, *, type: str = "obligation.amount_applied"
    ) -> list[WebhookEvent]:
        """The first `count` events of `type` the receiver verified. Without a receiver: [] and a note;
        when not all arrive within `webhook_timeout`: those that did, and a note saying what was seen."""
        if self.receiver is None:
            print("No webhook receiver is running, so this step is skipped.")
            return []
        try:
            return self.receiver.wait_for(
                type=type, count=count, timeout=self.params.webhook_timeout
            )
        except TimeoutError as error:
            print(f"Not every webhook arrived in time: {error}")
            return [event for event in self.receiver.received if event.type == type]

    def close(self) -> None:
        """Stop what the session started (client, sandbox, receiver), newest first."""
        while self._closers:
            self._closers.pop()()


def start_session(
    params: QuickstartParameters, *, on_event: OnEvent | None = None
) -> QuickstartSession:
    """Start the client (and the embedded sandbox and receiver when `params.base_url` is None).

    `on_event` is called with each verified, new webhook event (after signature verification and
    de-duplication), as your own endpoint's handler would be.
    """
    run_id = params.run_id or uuid.uuid4().hex[:8]
    closers: list[Callable[[], None]] = []
    try:
        if params.base_url is None:
            return _embedded_session(params, run_id, on_event, closers)
        return _remote_session(params, run_id, on_event, closers)
    except BaseException:
        for close in reversed(closers):
            close()
        raise


def _embedded_session(
    params: QuickstartParameters,
    run_id: str,
    on_event: OnEvent | None,
    closers: list[Callable[[], None]],
) -> QuickstartSession:
    from billkit.webhooks import generate_secret

    secret = reveal(params.webhook_secret) or generate_secret()
    receiver = _start_receiver(secret, params.receiver_port or 0, on_event)
    closers.append(receiver.stop)
    sandbox = _start_sandbox(reveal(params.api_key), receiver.url, secret)
    closers.append(sandbox.stop)
    transport = RecordingTransport()
    client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url, transport=transport)
    closers.append(client.close)
    return QuickstartSession(
        params=params,
        client=client,
        transport=transport,
        run_id=run_id,
        webhook_secret=secret,
        sandbox=sandbox,
        receiver=receiver,
        simulates_payments=True,
        _closers=closers,
    )


def _remote_session(
    params: QuickstartParameters,
    run_id: str,
    on_event: OnEvent | None,
    closers: list[Callable[[], None]],
) -> QuickstartSession:
    transport = RecordingTransport()
    client = Client(
        api_key=reveal(params.api_key),
        base_url=params.base_url,
        allow_live=params.allow_live,
        transport=transport,
    )
    closers.append(client.close)
    receiver: WebhookReceiver | None = None
    secret = reveal(params.webhook_secret)
    if params.receiver_port is not None and secret:
        receiver = _start_receiver(secret, params.receiver_port, on_event)
        closers.append(receiver.stop)
    return QuickstartSession(
        params=params,
        client=client,
        transport=transport,
        run_id=run_id,
        webhook_secret=secret,
        receiver=receiver,
        simulates_payments=_is_billkit_sandbox(client),
        _closers=closers,
    )


def _start_receiver(secret: str, port: int, on_event: OnEvent | None) -> WebhookReceiver:
    from billkit.webhooks import WebhookReceiver

    return WebhookReceiver(secret, port=port, on_event=on_event).start()


def _start_sandbox(api_key: str | None, webhook_url: str, secret: str) -> Sandbox:
    from billkit.sandbox import Sandbox

    return Sandbox(
        api_key=api_key, webhook_url=webhook_url, webhook_secret=secret, retry_schedule="fast"
    ).start()


def _is_billkit_sandbox(client: Client) -> bool:
    """Whether the server answers billkit's sandbox-only clock route (Moment has no such route)."""
    try:
        client.sandbox.clock.now()
    except BillkitError:
        return False
    return True
