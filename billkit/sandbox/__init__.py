"""billkit's sandbox: a local, stateful emulation of Moment's Billing API over real HTTP.

    with billkit.Sandbox() as sandbox:
        client = sandbox.client()

`billkit sandbox` runs the same thing from the command line. The HTTP contract it honours is
`spec/sandbox-contract.md`; see `app` for the routes, `domain` for the rules and `store` for the data.
"""

from billkit.sandbox.server import Sandbox

__all__ = ["Sandbox"]
