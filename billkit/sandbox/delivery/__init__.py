"""Webhook delivery from the sandbox (contract §5 and §6): the outbox worker, its retry schedule, chaos
delivery, and the routes that show and repeat deliveries.

`delivery_service` is one of the app's background services; `ENDPOINTS` are its routes.
"""

from billkit.sandbox.delivery.routes import ENDPOINTS
from billkit.sandbox.delivery.worker import DeliveryWorker, delivery_service

__all__ = ["ENDPOINTS", "DeliveryWorker", "delivery_service"]
