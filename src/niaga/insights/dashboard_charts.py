"""Plotly figures drawn from the dashboard's figures: the same numbers as the tables beside them.

Suppressed cells are left out of a chart (the table says they were suppressed).
"""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from niaga.insights.charts import figure_html
from niaga.insights.figures import Figure

HUNDRED = Decimal(100)


def _layout(chart: go.Figure, title: str) -> go.Figure:
    chart.update_layout(
        title=title,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        height=340,
        template="simple_white",
    )
    return chart


def _shown(figure: Figure) -> list[dict]:
    return [row for row in figure.rows if not row.get("suppressed")]


def bar(figure: Figure, *, label: str = "label") -> SafeString:
    rows = _shown(figure)
    chart = go.Figure(
        go.Bar(
            x=[str(row[label]) for row in rows],
            y=[Decimal(row["usd_minor"]) / HUNDRED for row in rows],
            name=_("USD"),
        )
    )
    chart.update_yaxes(title=_("USD"))
    return figure_html(_layout(chart, str(figure.title)), element_id=f"chart-{figure.slug}")


def line(figure: Figure, *, x: str, y: str, scale: Decimal = HUNDRED) -> SafeString:
    rows = _shown(figure)
    chart = go.Figure(
        go.Scatter(
            x=[row[x] for row in rows],
            y=[Decimal(row[y]) / scale for row in rows],
            mode="lines+markers",
        )
    )
    return figure_html(_layout(chart, str(figure.title)), element_id=f"chart-{figure.slug}")


def funnel(figure: Figure) -> SafeString:
    rows = _shown(figure)
    chart = go.Figure(
        go.Funnel(y=[str(row["label"]) for row in rows], x=[row["businesses"] for row in rows])
    )
    return figure_html(_layout(chart, str(figure.title)), element_id=f"chart-{figure.slug}")


def share(figure: Figure) -> SafeString:
    rows = _shown(figure)
    chart = go.Figure()
    for country in sorted({row["country"] for row in rows}):
        mine = [row for row in rows if row["country"] == country]
        chart.add_trace(
            go.Scatter(
                x=[row["period"] for row in mine],
                y=[row["share_percent"] for row in mine],
                mode="lines+markers",
                name=country,
            )
        )
    chart.update_yaxes(title=_("Share (%)"))
    return figure_html(_layout(chart, str(figure.title)), element_id=f"chart-{figure.slug}")
