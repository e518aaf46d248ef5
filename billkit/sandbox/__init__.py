"""billkit's sandbox: a local, stateful emulation of Moment's Billing API over real HTTP.

    with billkit.Sandbox() as sandbox:
        client = sandbox.client()

`billkit sandbox` runs the same thing from the command line. The HTTP contract it honours is
`docs/sandbox.md`; see `routes` for the handlers, `services` for the business actions, `domain` for the rules and `store` for the data (docs/architecture.md draws them).
"""

from billkit.sandbox.server import Sandbox

__all__ = ["Sandbox"]
