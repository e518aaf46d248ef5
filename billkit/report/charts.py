"""Charts of the report's own sections (cash received, trends), drawn from their `Table`s.

Same look and rules as `billkit.analysis.charts`: one panel per currency, currency in the value axis title,
hover text by `format_money`, bars as wide as their period; channels have their own colours, amounts are blue.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from billkit import frame_money
from billkit.analysis import _theme
from billkit.money import format_money
from billkit.report.sections.cash import CHANNELS, UNRECORDED
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["cash_chart", "cohort_chart", "trend_chart"]

_FREQ_OF_HEADER: Final = {"Day": "D", "Week from": "W", "Month from": "M"}


def _panels(currencies: list[str], *, titles: bool = True) -> go.Figure:
    return make_subplots(
        rows=max(len(currencies), 1),
        cols=1,
        subplot_titles=currencies if titles else None,
        vertical_spacing=0.14,
    )


def _major(minor: pd.Series, currency: str) -> pd.Series:
    return frame_money.to_major(minor, pd.Series([currency] * len(minor), index=minor.index))


def _money_text(minor: pd.Series, currency: str) -> list[str]:
    return [format_money(int(value), currency) for value in minor]


def cash_chart(table: Table, *, period: tuple[dt.date, dt.date]) -> go.Figure:
    """Stacked bars of `cash_received`'s table: one panel per currency, one colour per channel.

    Every panel's date axis spans `period` (its first and last day), so a bar is as wide as its day, week or
    month even when it is the only one.
    """
    period_header = next(h for h in table.frame.columns if h in _FREQ_OF_HEADER)
    freq = _FREQ_OF_HEADER[str(period_header)]
    title = table.title
    if table.is_empty:
        return _theme.empty(table.empty, title=title)
    rows = table.frame.loc[table.frame[period_header] != TOTAL]
    currencies = sorted(rows[CURRENCY].astype(str).unique())
    figure = _panels(currencies)
    channels = [h for h in (*CHANNELS.values(), UNRECORDED) if h in table.money]
    for index, currency in enumerate(currencies):
        mine = rows.loc[rows[CURRENCY] == currency]
        for channel in channels:
            figure.add_trace(
                go.Bar(
                    x=pd.to_datetime(mine[period_header].astype(str)),
                    y=_major(mine[channel], currency),
                    width=_theme.BAR_WIDTH_MS[freq],
                    name=channel,
                    legendgroup=channel,
                    showlegend=index == 0 and len(channels) > 1,
                    marker_color=_theme.CHANNEL_COLOURS.get(channel, _theme.AMOUNT),
                    customdata=_money_text(mine[channel], currency),
                    hovertemplate=f"%{{x|%d %b %Y}}<br>{channel}: %{{customdata}}<extra>{currency}</extra>",
                ),
                row=index + 1,
                col=1,
            )
        figure.update_yaxes(title_text=f"Received ({currency})", row=index + 1, col=1)
    first, last = period
    half_day = dt.timedelta(hours=12)
    figure.update_xaxes(
        type="date", range=[dt.datetime.combine(first, dt.time()) - half_day,
                            dt.datetime.combine(last, dt.time()) + half_day],
    )  # fmt: skip
    figure.update_layout(barmode="stack", height=220 + 260 * len(currencies))
    return _theme.style(figure, title=title)


def _by_currency(table: Table) -> tuple[go.Figure, list[tuple[int, str, pd.DataFrame]]]:
    """A figure with one panel per currency of `table`, and (panel index, currency, its rows) for each."""
    frame = table.frame
    currencies = sorted(frame[CURRENCY].astype(str).unique())
    rows = [(i, code, frame.loc[frame[CURRENCY] == code]) for i, code in enumerate(currencies)]
    return _panels(currencies), rows


def trend_chart(table: Table) -> go.Figure:
    """Outstanding (solid) and overdue (dotted) at each as-of day of `month_ends`' table, per currency."""
    title = table.title
    if table.is_empty:
        return _theme.empty(table.empty, title=title)
    figure, panels = _by_currency(table)
    for index, currency, mine in panels:
        for header, dash in (("Outstanding", "solid"), ("Overdue", "dot")):
            figure.add_trace(
                go.Scatter(
                    x=pd.to_datetime(mine["As of"].astype(str)),
                    y=_major(mine[header], currency),
                    mode="lines+markers",
                    name=header,
                    legendgroup=header,
                    showlegend=index == 0,
                    line={"color": _theme.AMOUNT, "dash": dash},
                    customdata=_money_text(mine[header], currency),
                    hovertemplate=f"%{{x|%d %b %Y}}<br>{header}: %{{customdata}}<extra>{currency}</extra>",
                ),
                row=index + 1,
                col=1,
            )
        figure.update_yaxes(
            title_text=f"Amount ({currency})", rangemode="tozero", row=index + 1, col=1
        )
    figure.update_layout(height=220 + 260 * len(panels))
    return _theme.style(figure, title=title)


def cohort_chart(table: Table) -> go.Figure:
    """Collection rate per billing month of `cohorts`' table, one panel per currency."""
    title = table.title
    if table.is_empty:
        return _theme.empty(table.empty, title=title)
    figure, panels = _by_currency(table)
    for index, currency, mine in panels:
        figure.add_trace(
            go.Bar(
                x=mine["Billing month"].astype(str),
                y=mine["Collection rate"].astype("float64"),
                marker_color=_theme.AMOUNT,
                showlegend=False,
                customdata=[
                    f"{format_money(int(c), currency)} of {format_money(int(b), currency)}"
                    for c, b in zip(mine["Collected"], mine["Billed"], strict=True)
                ],
                hovertemplate="%{x}: %{y:.1%}<br>%{customdata}<extra>" + currency + "</extra>",
            ),
            row=index + 1,
            col=1,
        )
        figure.update_yaxes(
            title_text=f"Collected ({currency})",
            tickformat=".0%",
            range=[0, 1.05],
            row=index + 1,
            col=1,
        )
        figure.update_xaxes(type="category", row=index + 1, col=1)
    figure.update_layout(height=200 + 240 * len(panels))
    return _theme.style(figure, title=title)
