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
#: From calm to alarming, each mid-luminance so it reads on white and on near-black.
AGING_COLOURS: Final = ("#009E73", "#56B4E9", "#E69F00", "#D55E00", "#CC3311")
ENTITY_COLOURS: Final = {"customer": "#0072B2", "account": "#E69F00"}


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
