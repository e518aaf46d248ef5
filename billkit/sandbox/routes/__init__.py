"""The sandbox's routes, one module per area, each exposing `ENDPOINTS`."""
