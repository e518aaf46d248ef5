"""The sandbox's business rules as pure functions: objects in, objects (or a `RuleViolation`) out.

No HTTP and no SQL here: the routes look objects up and store the results, these modules decide what a
create, an update, a void or a payment does, exactly as Moment documents it (sandbox contract §2 and §4).
"""

from billkit.sandbox.domain.errors import RuleViolation

__all__ = ["RuleViolation"]
