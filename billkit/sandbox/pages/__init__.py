"""The hosted bill page (Electronic Bill Presentment, contract §7): `/pay/{id}` for bills, account and
customer balances and payment requests. `PAGE_ROUTES` are served by the sandbox app next to its API.

    routes   GET shows what is due and a pay form; POST pays (channel ebp) and shows a receipt
    views    objects -> the words and formatted amounts a payer reads; refusals explained
    forms    the urlencoded form, the typed amount, URL parameters kept as metadata
    tokens   one-time form tokens and the receipts a repeated submission shows again
    render   Jinja2 (autoescaped) and the pages' security headers
"""

from billkit.sandbox.pages.routes import PAGE_ROUTES, is_page_path, routing_error_page

__all__ = ["PAGE_ROUTES", "is_page_path", "routing_error_page"]
