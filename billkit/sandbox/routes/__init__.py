"""The sandbox's HTTP handlers, one module per area, each declaring its `routes` next to the handlers."""
