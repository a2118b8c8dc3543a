"""The dashboard's figures as JSON (/api/v1/insights/): the same rows, blanked cells included,
that the page shows and the open data files carry.

Officers read the programmes they work; anyone reads the programmes published as open data.
A programme the caller may not read looks missing (404).
"""

from typing import Any

from django.urls import reverse
from ninja import Query, Router, Schema

from niaga.core.schemas import Problem, responses
from niaga.insights import opendata, selectors, suppression

router = Router(tags=["insights"])


class FiltersIn(Schema):
    programme: str = ""
    month_from: str = ""
    month_to: str = ""
    region: str = ""


class ColumnOut(Schema):
    name: str
    label: str
    kind: str


class FigureLinkOut(Schema):
    slug: str
    csv: str
    parquet: str


class FigureOut(Schema):
    slug: str
    title: str
    note: str
    min_cell: int
    filters: dict[str, str]
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def _links(slug: str) -> FigureLinkOut:
    return FigureLinkOut(
        slug=slug,
        csv=reverse("insights:data_csv", args=[slug]),
        parquet=reverse("insights:data_parquet", args=[slug]),
    )


@router.get("/figures", response=responses({200: list[FigureLinkOut]}))
def list_figures(request):
    """Every figure of the dashboard, with its open data downloads."""
    return [_links(slug) for slug in selectors.figure_slugs()]


@router.get("/figures/{slug}", response=responses({200: FigureOut, 404: Problem}))
def read_figure(request, slug: str, filters: Query[FiltersIn]):
    """One figure, filtered by programme (slug), period (YYYY-MM to YYYY-MM) and region."""
    chosen = selectors.parse_filters(**filters.dict())
    figure = selectors.open_figure(request.user, slug, chosen)
    return {
        "slug": figure.slug,
        "title": str(figure.title),
        "note": str(figure.note),
        "min_cell": suppression.threshold(),
        "filters": filters.dict(),
        "columns": [
            {"name": c.name, "label": str(c.label), "kind": c.kind} for c in figure.columns
        ],
        "rows": [{k: opendata.plain_json(v) for k, v in row.items()} for row in figure.rows],
        "summary": {k: opendata.plain_json(v) for k, v in figure.summary.items()},
    }
