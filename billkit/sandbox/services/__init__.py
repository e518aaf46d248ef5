"""The sandbox's business actions, one service per action, with no HTTP in them.

Every door onto the sandbox (the API routes, the hosted page, payment requests, file rows) calls these,
inside the caller's transaction (`store.transaction()`), so each action has exactly one implementation:

    billing          create customers, accounts and bills (composites included), update them, void bills
    payments         apply a payment to a bill, an account or customer balance, or a payment request
    payment_requests create, show, update and pay Collect payment requests
    lookup           find what a reference names (NotFound otherwise); insert, refusing a taken reference

They take checked input (the HTTP layer validates bodies first), look up and store through `Store`, decide
through `domain`, and raise the domain's refusals (`RuleViolation`, `NotFound`, `DuplicateReference`),
which each door words for its audience.
"""
