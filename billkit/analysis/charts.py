"""Plotly charts of payments, aging, balances and the collection funnel: DataFrame in, Figure out.

Each chart draws one panel per currency (amounts in different currencies never share an axis or a bar),
titles its value axis with the currency, and shows hover text in major units by `billkit.money.format_money`
(billkit's one money format, `BILLKIT_LOCALE`; `locale` overrides it for one chart). Backgrounds are transparent and colours are chosen to read on
JupyterLab's light and dark themes. Nothing here calls `fig.show()`: notebooks display the returned figure.

    charts.payments_chart(frames.payments_frame(events), tz="Africa/Johannesburg")
    charts.aging_chart(metrics.aging(bills, as_of="2025-02-01", tz="Africa/Johannesburg"))
    charts.balances_chart(frames.balances_frame(customers, accounts))
    charts.funnel_chart(metrics.collection_funnel(bills))
    charts.collected_settled_chart(three_way.three_way(day, reconciliation=..., settlement=...).by_day())
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from billkit import frame_money
from billkit.analysis import _as_of, _columns, _theme
from billkit.analysis._aging import AGING_BUCKETS
from billkit.analysis.frames import balances_at
from billkit.analysis.metrics import FUNNEL_STAGES
from billkit.errors import InvalidArgumentError

__all__ = [
    "aging_chart",
    "balances_chart",
    "collected_settled_chart",
    "funnel_chart",
    "payments_chart",
]

Frequency = Literal["D", "W", "M"]
_PERIOD_WORDS: Final = {"D": "day", "W": "week", "M": "month"}
_HOVER_DATE: Final = {"D": "%{x|%a %d %b %Y}", "W": "week of %{x|%d %b %Y}", "M": "%{x|%B %Y}"}


def _currency_panels(
    currencies: Sequence[str], *, vertical: bool, shared_x: bool = False, titles: bool = True
) -> go.Figure:
    """One subplot per currency, so no two currencies ever share a value axis."""
    count = max(len(currencies), 1)
    return make_subplots(
        rows=count if vertical else 1,
        cols=1 if vertical else count,
        subplot_titles=list(currencies) if titles else None,
        shared_xaxes=shared_x,
        vertical_spacing=0.12 if vertical else None,
        horizontal_spacing=None if vertical else 0.08,
    )


def _place(index: int, vertical: bool) -> dict[str, int]:
    return {"row": index + 1, "col": 1} if vertical else {"row": 1, "col": index + 1}


def _require_columns(
    frame: pd.DataFrame, columns: tuple[str, ...], what: str, *, made_by: str
) -> None:
    """Refuse a frame without the columns only `made_by` adds (besides those `coerce` checks)."""
    for column in columns:
        if column not in frame.columns:
            raise InvalidArgumentError(f"{what} is missing column {column!r}: pass {made_by}")


def _money_text(minor: pd.Series, currency: str, locale: str | None) -> list[str]:
    return [frame_money.format_amount(int(value), currency, locale) for value in minor]


def payments_chart(
    payments: pd.DataFrame,
    *,
    tz: str = "UTC",
    freq: Frequency = "D",
    locale: str | None = None,
) -> go.Figure:
    """Payments received per day, week (from Monday) or month in `tz`, one bar panel per currency.

    `payments` is `frames.payments_frame(...)`. Bars are the amount applied in major units; hover shows the
    period, the formatted amount and the number of payments.
    """
    if freq not in _PERIOD_WORDS:
        raise InvalidArgumentError(f"freq must be 'D', 'W' or 'M', got {freq!r}")
    frame = _columns.coerce(
        payments, {"currency": "category", "amount": "minor", "created_at": "timestamp"}, "payments"
    )
    title = f"Payments received per {_PERIOD_WORDS[freq]} ({tz})"
    if frame.empty:
        return _theme.empty("No payments recorded yet", title=title, locale=locale)
    day = _as_of.local_days(frame["created_at"], tz)
    if freq == "W":
        period = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    elif freq == "M":
        period = day - pd.to_timedelta(day.dt.day - 1, unit="D")
    else:
        period = day
    grouped = (
        pd.DataFrame(
            {"currency": frame["currency"].astype(str), "period": period, "amount": frame["amount"]}
        )
        .groupby(["currency", "period"], observed=True)["amount"]
        .agg(["sum", "count"])
        .reset_index()
    )
    currencies = sorted(grouped["currency"].unique())
    figure = _currency_panels(currencies, vertical=True, shared_x=True, titles=False)
    for index, currency in enumerate(currencies):
        rows = grouped.loc[grouped["currency"] == currency]
        major = frame_money.to_major(rows["sum"], rows["currency"])
        customdata = np.column_stack(
            [_money_text(rows["sum"], currency, locale), rows["count"].to_numpy()]
        )
        figure.add_trace(
            go.Bar(
                x=rows["period"],
                y=major,
                name=currency,
                width=_theme.BAR_WIDTH_MS[
                    freq
                ],  # sized to its period, even when it is the only bar
                marker_color=_theme.AMOUNT,
                customdata=customdata,
                hovertemplate=f"{_HOVER_DATE[freq]}<br>%{{customdata[0]}}<br>"
                f"%{{customdata[1]}} payment(s)<extra>{currency}</extra>",
            ),
            **_place(index, vertical=True),
        )
        figure.update_yaxes(title_text=f"Amount ({currency})", **_place(index, vertical=True))
    figure.update_xaxes(title_text=f"Date ({tz})", row=len(currencies), col=1)
    figure.update_layout(showlegend=False)
    return _theme.style(figure, title=title, locale=locale)


def aging_chart(aging: pd.DataFrame, *, locale: str | None = None) -> go.Figure:
    """Outstanding amounts by aging bucket, one panel per currency, from `metrics.aging(...)`."""
    frame = _columns.coerce(aging, {"currency": "category", "amount": "minor"}, "aging")
    _require_columns(frame, ("bucket", "bills", "share"), "aging", made_by="metrics.aging(...)")
    title = "Outstanding by days past due"
    currencies = sorted(str(c) for c in frame["currency"].dropna().unique())
    if not currencies:
        return _theme.empty("No bills recorded yet", title=title, locale=locale)
    figure = _currency_panels(currencies, vertical=False)
    for index, currency in enumerate(currencies):
        rows = frame.loc[(frame["currency"] == currency).to_numpy(dtype=bool)]
        rows = rows.set_index(rows["bucket"].astype(str)).reindex(list(AGING_BUCKETS))
        amount = rows["amount"].fillna(0)
        shares = rows["share"].astype("float64").fillna(0.0)
        customdata = np.column_stack(
            [
                _money_text(amount, currency, locale),
                rows["bills"].fillna(0).astype("int64").to_numpy(),
                [f"{share:.0%}" for share in shares],
            ]
        )
        figure.add_trace(
            go.Bar(
                x=list(AGING_BUCKETS),
                y=frame_money.to_major(
                    amount, pd.Series([currency] * len(amount), index=amount.index)
                ),
                marker_color=list(_theme.AGING_COLOURS),
                customdata=customdata,
                hovertemplate="%{x} days past due<br>%{customdata[0]}<br>%{customdata[1]} bill(s), "
                f"%{{customdata[2]}} of outstanding<extra>{currency}</extra>",
                showlegend=False,
            ),
            **_place(index, vertical=False),
        )
        figure.update_yaxes(title_text=f"Outstanding ({currency})", **_place(index, vertical=False))
        figure.update_xaxes(title_text="Days past due", **_place(index, vertical=False))
    return _theme.style(figure, title=title, locale=locale)


def balances_chart(
    balances: pd.DataFrame,
    *,
    as_of: _as_of.AsOfLike | None = None,
    tz: str = "UTC",
    top: int = 15,
    locale: str | None = None,
) -> go.Figure:
    """Balances by customer and account: one horizontal bar per entity, one panel per currency.

    `balances` is `frames.balances_frame(...)`; `as_of` picks the balances in effect then (default: the
    current ones). Each panel shows the `top` entities by size of balance, largest first (zero balances are left
    out); positive bars are owed, negative ones are credit held for the customer.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidArgumentError(f"top must be a positive whole number, got {top!r}")
    frame = _columns.coerce(
        balances,
        {"currency": "category", "balance": "minor", "superseded_at": "timestamp"},
        "balances",
    )
    _require_columns(
        frame,
        ("entity", "label", "customer_label"),
        "balances",
        made_by="frames.balances_frame(...)",
    )
    title = "Balances by customer and account"
    if as_of is None:
        current = frame.loc[frame["superseded_at"].isna().to_numpy(dtype=bool)]
    else:
        current = balances_at(frame, as_of=as_of, tz=tz)
        title += f" as of {_as_of.resolve(as_of, tz).day.date()}"
    current = current.loc[(current["balance"].fillna(0) != 0).to_numpy(dtype=bool)]
    currencies = sorted(str(c) for c in current["currency"].dropna().unique())
    if not currencies:
        return _theme.empty("No balance is owed or held", title=title, locale=locale)
    # Panels stack vertically: entity names are long, and side by side they would run into each other.
    figure = _currency_panels(currencies, vertical=True)
    bars_shown = 0
    shown_entities: set[str] = set()
    for index, currency in enumerate(currencies):
        rows = current.loc[(current["currency"] == currency).to_numpy(dtype=bool)]
        rows = rows.assign(size=rows["balance"].abs()).nlargest(top, "size")
        is_account = (rows["entity"] == "account").to_numpy(dtype=bool)
        names = np.where(
            is_account,
            rows["customer_label"].astype(str) + " / " + rows["label"].astype(str),
            rows["customer_label"].astype(str),
        )
        # Largest first from the top (plotly draws the first category at the bottom, hence ascending).
        rows = rows.assign(name=names).sort_values(["size", "name"], ascending=[True, False])
        bars_shown += len(rows)
        for entity in ("customer", "account"):
            part = rows.loc[(rows["entity"] == entity).to_numpy(dtype=bool)]
            if part.empty:
                continue
            figure.add_trace(
                go.Bar(
                    y=part["name"],
                    x=frame_money.to_major(part["balance"], part["currency"]),
                    orientation="h",
                    name=f"{entity.capitalize()} balance",
                    legendgroup=entity,
                    showlegend=entity not in shown_entities,
                    marker_color=_theme.ENTITY_COLOURS[entity],
                    customdata=np.column_stack([_money_text(part["balance"], currency, locale)]),
                    hovertemplate=f"%{{y}}<br>%{{customdata[0]}}<extra>{entity} · {currency}</extra>",
                ),
                **_place(index, vertical=True),
            )
            shown_entities.add(entity)
        figure.update_xaxes(
            title_text=f"Balance ({currency}; negative = credit)", **_place(index, vertical=True)
        )
        figure.update_yaxes(
            categoryorder="array", categoryarray=list(rows["name"]), **_place(index, vertical=True)
        )
    figure.update_layout(barmode="relative", height=160 + 26 * bars_shown + 90 * len(currencies))
    return _theme.style(figure, title=title, locale=locale)


def funnel_chart(funnel: pd.DataFrame, *, locale: str | None = None) -> go.Figure:
    """The collection funnel (billed -> at least partly paid -> paid in full) per currency.

    `funnel` is `metrics.collection_funnel(...)`. Bar length is the number of bills; the text shows the share
    of billed bills, and hover adds the amounts due and paid in major units.
    """
    frame = _columns.coerce(
        funnel,
        {"currency": "category", "bills": "minor", "amount_due": "minor", "amount_paid": "minor"},
        "funnel",
    )
    _require_columns(frame, ("stage", "share"), "funnel", made_by="metrics.collection_funnel(...)")
    title = "Collection funnel"
    currencies = sorted(str(c) for c in frame["currency"].dropna().unique())
    if not currencies:
        return _theme.empty("No bills recorded yet", title=title, locale=locale)
    figure = _currency_panels(currencies, vertical=False)
    for index, currency in enumerate(currencies):
        rows = frame.loc[(frame["currency"] == currency).to_numpy(dtype=bool)]
        rows = rows.set_index(rows["stage"].astype(str)).reindex(list(FUNNEL_STAGES))
        shares = rows["share"].astype("float64").fillna(0.0)
        bills = rows["bills"].fillna(0).astype("int64")
        customdata = np.column_stack(
            [
                _money_text(rows["amount_due"].fillna(0), currency, locale),
                _money_text(rows["amount_paid"].fillna(0), currency, locale),
            ]
        )
        figure.add_trace(
            go.Funnel(
                y=list(FUNNEL_STAGES),
                x=bills.to_numpy(),
                text=[
                    f"{count:,} bill{'' if count == 1 else 's'} ({share:.0%})"
                    for count, share in zip(bills, shares, strict=True)
                ],
                textinfo="text",
                marker_color=_theme.AMOUNT,
                connector={"fillcolor": _theme.GRID},
                customdata=customdata,
                hovertemplate="%{y}: %{x} bill(s)<br>due %{customdata[0]}<br>"
                f"paid %{{customdata[1]}}<extra>{currency}</extra>",
                showlegend=False,
            ),
            **_place(index, vertical=False),
        )
        figure.update_xaxes(title_text=f"Bills ({currency})", **_place(index, vertical=False))
    for index in range(1, len(currencies)):  # the stage names once, on the left
        figure.update_yaxes(showticklabels=False, **_place(index, vertical=False))
    return _theme.style(figure, title=title, locale=locale)


def collected_settled_chart(by_day: pd.DataFrame, *, locale: str | None = None) -> go.Figure:
    """Collected by webhook against settled by Moment, per UTC day, one panel per currency.

    `by_day` is `three_way.ThreeWay.by_day()`. Bars: what the webhooks said was paid that day, and the
    settlement report's gross; a line: its net (after Moment's fees). A day whose settled bar is taller than
    its collected one holds a payment no webhook told of.
    """
    frame = _columns.coerce(
        by_day,
        {
            "currency": "category",
            "day": "date",
            "collected": "minor",
            "settled_gross": "minor",
            "settled_net": "minor",
        },
        "by_day",
    )
    title = "Collected (webhooks) and settled (Moment) by day (UTC)"
    currencies = sorted(str(c) for c in frame["currency"].dropna().unique())
    if not currencies:
        return _theme.empty("No payment collected or settled yet", title=title, locale=locale)
    figure = _currency_panels(currencies, vertical=True, shared_x=True)
    series = (
        ("collected", "Collected (webhooks)"),
        ("settled_gross", "Settled gross (Moment)"),
        ("settled_net", "Settled net of fees"),
    )
    for index, currency in enumerate(currencies):
        rows = frame.loc[(frame["currency"] == currency).to_numpy(dtype=bool)]
        codes = pd.Series([currency] * len(rows), index=rows.index)
        for column, name in series:
            common = {
                "x": rows["day"],
                "y": frame_money.to_major(rows[column], codes),
                "name": name,
                "legendgroup": column,
                "showlegend": index == 0,
                "customdata": np.column_stack([_money_text(rows[column], currency, locale)]),
                "hovertemplate": f"%{{x|%a %d %b %Y}}<br>{name}: %{{customdata[0]}}"
                f"<extra>{currency}</extra>",
            }
            trace = (
                go.Scatter(mode="lines+markers", line_color=_theme.SOURCE_COLOURS[column], **common)
                if column == "settled_net"
                else go.Bar(marker_color=_theme.SOURCE_COLOURS[column], **common)
            )
            figure.add_trace(trace, **_place(index, vertical=True))
        figure.update_yaxes(title_text=f"Amount ({currency})", **_place(index, vertical=True))
    figure.update_xaxes(title_text="Day (UTC)", row=len(currencies), col=1)
    figure.update_layout(barmode="group")
    return _theme.style(figure, title=title, locale=locale)
