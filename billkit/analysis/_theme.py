"""One look for every billkit chart, readable in both light and dark JupyterLab themes.

Backgrounds are transparent so the notebook's own colour shows through; text and grid lines are a mid grey
that keeps enough contrast on white and on JupyterLab's dark grey; series colours are the Okabe-Ito palette
(safe for colour-blind readers) without its black and pale yellow, which vanish on one theme or the other.
"""

from __future__ import annotations

from typing import Final

import plotly.graph_objects as go
from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from billkit.errors import InvalidArgumentError
from billkit.money import money_locale

TEXT: Final = "#7f7f7f"
GRID: Final = "rgba(127, 127, 127, 0.25)"
TRANSPARENT: Final = "rgba(0, 0, 0, 0)"
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")
# One meaning per colour across the report: a plain amount or count is AMOUNT (blue); the aging buckets have
# their own palette, used for nothing else; channels have theirs. Currencies are never colours: they get
# panels. Customer and account balances are the same blue, the account one lighter.
AMOUNT: Final = "#0072B2"
#: From calm to alarming, each mid-luminance so it reads on white and on near-black.
AGING_COLOURS: Final = ("#009E73", "#56B4E9", "#E69F00", "#D55E00", "#CC3311")
ENTITY_COLOURS: Final = {"customer": AMOUNT, "account": "rgba(0, 114, 178, 0.5)"}
#: Payment channels (the report's cash received), none of them a bucket colour.
CHANNEL_COLOURS: Final = {
    "API": "#332288",
    "Bill page": "#CC79A7",
    "In person": "#999933",
    "Payment request": "#882255",
    "Channel not recorded": AMOUNT,
}
#: Where a figure comes from in the three-way reconciliation's chart: webhooks or Moment's settlement report.
SOURCE_COLOURS: Final = {
    "collected": AMOUNT,
    "settled_gross": "#44AA99",
    "settled_net": "#117733",
}
#: A bar's width on a date axis, in milliseconds: most of its period, so one payment is one day wide.
_DAY_MS: Final = 86_400_000
BAR_WIDTH_MS: Final = {"D": 0.8 * _DAY_MS, "W": 0.8 * 7 * _DAY_MS, "M": 0.8 * 28 * _DAY_MS}


def separators(locale: str | None = None) -> str:
    """Plotly's `separators` (decimal mark, then thousands mark) for a CLDR locale (default: billkit's money
    locale, `BILLKIT_LOCALE`), so axes match hovers."""
    chosen = money_locale() if locale is None else locale
    try:
        return get_decimal_symbol(chosen) + get_group_symbol(chosen)
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise InvalidArgumentError(
            f"unknown locale {locale!r}: expected a CLDR locale such as 'en_ZA'"
        ) from exc


def style(figure: go.Figure, *, title: str, locale: str | None = None) -> go.Figure:
    """Apply billkit's look to `figure` in place and return it."""
    figure.update_layout(
        template="none",
        title={"text": title, "x": 0.01, "xanchor": "left"},
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        font={"color": TEXT, "family": "system-ui, -apple-system, Segoe UI, sans-serif"},
        colorway=list(PALETTE),
        separators=separators(locale),
        legend={"bgcolor": TRANSPARENT, "orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": "system-ui, sans-serif"}},
        margin={"l": 70, "r": 20, "t": 70, "b": 60},
    )
    axis_style = {
        "gridcolor": GRID,
        "zerolinecolor": GRID,
        "linecolor": GRID,
        "tickcolor": GRID,
        "automargin": True,
    }
    figure.update_xaxes(**axis_style)
    figure.update_yaxes(**axis_style)
    figure.update_annotations(font={"color": TEXT})
    return figure


def empty(message: str, *, title: str, locale: str | None = None) -> go.Figure:
    """A figure that says there is nothing to draw, instead of an empty frame or an error."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return style(figure, title=title, locale=locale)
