"""The programme dashboard page and the open data downloads: parse, read a selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from niaga.core.errors import NiagaError, NotFound, PermissionDenied
from niaga.core.pages import public, signed_in
from niaga.insights import (
    dashboard_charts,
    opendata,
    presentation,
    selectors,
    services,
    suppression,
)
from niaga.insights.forms import FilterForm, NationalFigureForm
from niaga.insights.models import NationalExportFigure

CHARTS = {
    "export-by-month": lambda figure: dashboard_charts.line(figure, x="key", y="usd_minor"),
    "export-by-province": dashboard_charts.bar,
    "export-by-sector": dashboard_charts.bar,
    "export-by-hs-chapter": dashboard_charts.bar,
    "export-by-destination": dashboard_charts.bar,
    "top-products": dashboard_charts.bar,
    "top-markets": dashboard_charts.bar,
    "first-orders": lambda figure: dashboard_charts.line(figure, x="month", y="exporters", scale=1),
    "funnel": dashboard_charts.funnel,
    "msme-share": dashboard_charts.share,
}
SECTIONS = [
    "funnel",
    "export-by-month",
    "export-by-province",
    "export-by-sector",
    "export-by-hs-chapter",
    "export-by-destination",
    "export-by-currency",
    "top-products",
    "top-markets",
    "first-orders",
    "msme-share",
    "exchange-rates",
]


def _programmes(user):
    try:
        return selectors.dashboard_programmes(user)
    except PermissionDenied as refused:
        raise Forbidden(refused.message) from refused


@signed_in
def dashboard(request, national_form=None, status=200):
    programmes = _programmes(request.user)
    form = FilterForm(request.GET or None, programmes=programmes)
    context = {
        "form": form,
        "sections": [],
        "may_enter": services.may_enter_national_figures(request.user),
        "national_form": national_form or NationalFigureForm(),
        "national_figures": NationalExportFigure.objects.all()[:50],
        "query": request.GET.urlencode(),
        "min_cell": suppression.threshold(),
    }
    filters = _filters(form)
    if filters is not None:
        try:
            ids = selectors.programme_ids(programmes, filters)
        except NotFound:
            if filters.programme:
                raise
            ids = []
        if ids:
            context |= _figures(ids, filters)
    return render(request, "insights/dashboard.html", context, status=status)


def _filters(form: FilterForm) -> selectors.Filters | None:
    if not form.is_bound:
        return selectors.Filters()
    if not form.is_valid():
        return None
    try:
        return selectors.parse_filters(**form.cleaned_data)
    except NiagaError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _figures(ids: list[int], filters: selectors.Filters) -> dict:
    sections = []
    for slug in SECTIONS:
        figure = selectors.figure(slug, ids, filters)
        sections.append(
            {
                "table": presentation.table(figure),
                "chart": CHARTS[slug](figure) if slug in CHARTS else "",
                "summary": figure.summary,
                "csv": reverse("insights:data_csv", args=[slug]),
                "parquet": reverse("insights:data_parquet", args=[slug]),
            }
        )
    total = presentation.table(selectors.export_total(ids, filters))
    return {
        "sections": sections,
        "total": list(zip(total["headers"], total["rows"][0]["cells"], strict=True)),
    }


@require_POST
@signed_in
def national_figure(request):
    form = NationalFigureForm(request.POST)
    if form.is_valid():
        try:
            services.enter_national_figure(actor=request.user, **form.cleaned_data_for_service())
        except PermissionDenied as refused:
            raise Forbidden(refused.message) from refused
        except NiagaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The national export figure is recorded."))
            return redirect("insights:dashboard")
    if not services.may_enter_national_figures(request.user):
        raise Forbidden(_("National export figures are entered by policy analysts."))
    return dashboard(request, national_form=form, status=422)


@public
def figure_data(request, slug: str, suffix: str):
    """A figure as CSV or Parquet, with the same filters as the page."""
    try:
        filters = selectors.parse_filters(
            **{name: request.GET.get(name, "") for name in opendata.FILTER_NAMES}
        )
    except NiagaError as error:
        raise Http404(error.message) from error
    figure = selectors.open_figure(request.user, slug, filters)
    name = f"niaga-{slug}"
    if suffix == "csv":
        response = StreamingHttpResponse(
            opendata.csv_lines(figure), content_type="text/csv; charset=utf-8"
        )
    else:
        given = {key: request.GET.get(key, "") for key in opendata.FILTER_NAMES}
        response = HttpResponse(
            opendata.parquet_bytes(figure, filters=given),
            content_type="application/vnd.apache.parquet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response
