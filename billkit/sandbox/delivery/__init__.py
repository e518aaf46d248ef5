"""Webhook delivery from the sandbox (contract §5): the outbox worker, its retry schedule, chaos delivery
and the lean HTTP transport it posts with. The outbox itself is a table of the store (`store/outbox.py`);
the routes that show and repeat deliveries are in `routes/events.py`."""

from billkit.sandbox.delivery.worker import DeliveryWorker, delivery_service

__all__ = ["DeliveryWorker", "delivery_service"]
