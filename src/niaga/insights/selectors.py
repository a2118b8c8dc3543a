"""Reads of the programme dashboard, scoped to who asks.

Every money figure comes from the pre-aggregated tables (ExportFact, ExporterFirstOrder), so a
request groups a few thousand rows, never the orders; the funnel reads the programmes' own
tables. Officers see the programmes they work (administrators, every one); anyone may see the
open data of a programme published as open. Small cells are suppressed before a figure leaves.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import pycountry
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from niaga.core import permissions
from niaga.core.errors import NotFound, PermissionDenied
from niaga.core.sectors import Sector
from niaga.insights import suppression
from niaga.insights.figures import Column, Figure
from niaga.insights.models import (
    Dimension,
    ExporterFirstOrder,
    ExportFact,
    NationalExportFigure,
    OpenProgramme,
)
from niaga.programs.models import Programme

REGION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TOP = 10


@dataclass(frozen=True)
class Filters:
    programme: str = ""  # a programme's slug; blank for every visible one
    month_from: date | None = None
    month_to: date | None = None
    region: str = ""  # a country (ID) or a province or state (ID-JI)


def parse_filters(
    *, programme: str = "", month_from: str = "", month_to: str = "", region: str = ""
) -> Filters:
    """Filters from what a form or a query string gave: months as YYYY-MM."""
    from niaga.insights.services import InsightsError

    region = (region or "").strip().upper()
    if region and not REGION.match(region):
        raise InsightsError(
            _("Give the region as a country (ID) or a province or state code (ID-JI)."),
            field="region",
        )
    months = []
    for name, text in (("month_from", month_from), ("month_to", month_to)):
        text = (text or "").strip()
        if not text:
            months.append(None)
            continue
        match = MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise InsightsError(_("Give the month as YYYY-MM."), field=name)
        months.append(date(int(match[1]), int(match[2]), 1))
    if months[0] and months[1] and months[0] > months[1]:
        raise InsightsError(_("The period ends before it starts."), field="month_to")
    return Filters((programme or "").strip(), months[0], months[1], region)


# --- who sees which programme ------------------------------------------------------------------


def may_see_dashboard(user) -> bool:
    return permissions.is_officer(user)


def dashboard_programmes(user) -> QuerySet[Programme]:
    """The programmes whose dashboard this person may open; a non-officer opens none."""
    from niaga.programs.selectors import worked_programmes

    if not may_see_dashboard(user):
        raise PermissionDenied(_("The programme dashboard is for officers and analysts."))
    return worked_programmes(user).order_by("name")


def open_data_programmes(user) -> QuerySet[Programme]:
    """Worked programmes, and every programme whose open data is public."""
    from niaga.programs.selectors import worked_programmes

    public = Q(pk__in=OpenProgramme.objects.values("programme_id"))
    if permissions.is_officer(user):
        public |= Q(pk__in=worked_programmes(user).values("pk"))
    return Programme.objects.filter(public).order_by("name")


def programme_ids(visible: QuerySet[Programme], filters: Filters) -> list[int]:
    """The ids the figures cover; a programme the person may not see looks missing."""
    if filters.programme:
        chosen = permissions.one_or_not_found(visible, slug=filters.programme)
        return [chosen.pk]
    ids = list(visible.values_list("pk", flat=True))
    if not ids:
        raise NotFound(_("No programme figures to show."))
    return ids


# --- labels ------------------------------------------------------------------------------------


@cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else (code or _("unknown"))


@cache
def region_name(code: str) -> str:
    if not code:
        return _("unknown")
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision.name if subdivision else code


def _label(dimension: str, key: str) -> str:
    if dimension == Dimension.SECTOR:
        return str(Sector(key).label) if key in Sector.values else (key or _("not given"))
    if dimension == Dimension.DESTINATION:
        return country_name(key)
    if dimension == Dimension.HS_CHAPTER:
        return _("Chapter %(code)s") % {"code": key} if key else _("not classified")
    if dimension == Dimension.HS_HEADING:
        return _("Heading %(code)s") % {"code": key} if key else _("not classified")
    return key


# --- export value ------------------------------------------------------------------------------


def _facts(ids: list[int], filters: Filters, dimension: str) -> QuerySet[ExportFact]:
    facts = ExportFact.objects.filter(dimension=dimension, programme_id__in=ids)
    if filters.month_from:
        facts = facts.filter(month__gte=filters.month_from)
    if filters.month_to:
        facts = facts.filter(month__lte=filters.month_to)
    if filters.region:
        facts = facts.filter(_region_q(filters.region))
    return facts


def _region_q(region: str) -> Q:
    return Q(country=region) if len(region) == 2 else Q(province=region)


USD = Column("usd_minor", _lazy("Export value (USD)"), "usd_minor")
ORDERS = Column("orders", _lazy("Settled orders"), "int")
SUPPRESSED = Column("suppressed", _lazy("Suppressed"), "bool")

BREAKDOWNS = {
    "export-by-month": (Dimension.TOTAL, "month", _lazy("Export value by month")),
    "export-by-province": (Dimension.TOTAL, "province", _lazy("Export value by province or state")),
    "export-by-sector": (Dimension.SECTOR, "key", _lazy("Export value by sector")),
    "export-by-hs-chapter": (Dimension.HS_CHAPTER, "key", _lazy("Export value by HS chapter")),
    "export-by-destination": (
        Dimension.DESTINATION,
        "key",
        _lazy("Export value by destination country"),
    ),
    "export-by-currency": (
        Dimension.CURRENCY,
        "key",
        _lazy("Export value in its original currency"),
    ),
}
KEY_LABELS = {
    "export-by-month": _lazy("Month"),
    "export-by-province": _lazy("Province or state"),
    "export-by-sector": _lazy("Sector"),
    "export-by-hs-chapter": _lazy("HS chapter"),
    "export-by-destination": _lazy("Destination"),
    "export-by-currency": _lazy("Currency"),
}


def export_breakdown(slug: str, ids: list[int], filters: Filters) -> Figure:
    dimension, group, title = BREAKDOWNS[slug]
    sums = {"usd_minor": Sum("usd_minor"), "orders": Sum("orders")}
    if dimension == Dimension.CURRENCY:
        sums["native_minor"] = Sum("native_minor")
    rows = []
    for row in _facts(ids, filters, dimension).values(group).annotate(**sums).order_by(group):
        key = row.pop(group)
        if group == "month":
            key, label = key.strftime("%Y-%m"), key.strftime("%Y-%m")
        elif group == "province":
            label = region_name(key)
        else:
            label = _label(dimension, key)
        rows.append({"key": key, "label": label, **row})
    if group != "month":
        rows.sort(key=lambda row: (-row["usd_minor"], row["key"]))
    value_columns = [USD, ORDERS]
    if dimension == Dimension.CURRENCY:
        value_columns.insert(0, Column("native_minor", _("Value (minor units)"), "native_minor"))
    suppression.suppress_breakdown(
        rows, count="orders", value="usd_minor", blanked=[c.name for c in value_columns]
    )
    note = ""
    if dimension == Dimension.HS_CHAPTER:
        note = _(
            "An order's value is split across its items; an order with products of two "
            "chapters counts in both."
        )
    columns = [
        Column("key", KEY_LABELS[slug], "text"),
        Column("label", _("Name"), "text"),
        *value_columns,
        SUPPRESSED,
    ]
    return Figure(slug, str(title), columns, rows, note=note)


def export_total(ids: list[int], filters: Filters) -> Figure:
    totals = _facts(ids, filters, Dimension.TOTAL).aggregate(
        usd_minor=Sum("usd_minor"), orders=Sum("orders")
    )
    row = {"usd_minor": totals["usd_minor"] or 0, "orders": totals["orders"] or 0}
    row["suppressed"] = False
    if suppression.too_small(row["orders"]):
        suppression.blank(row, ["usd_minor", "orders"])
    return Figure("export-total", _("Export value, settled"), [USD, ORDERS, SUPPRESSED], [row])


def top(slug: str, ids: list[int], filters: Filters) -> Figure:
    """Top products (HS headings) or markets (destinations); suppressed cells are not ranked."""
    dimension, title, key_label = {
        "top-products": (Dimension.HS_HEADING, _("Top products (HS headings)"), _("HS heading")),
        "top-markets": (Dimension.DESTINATION, _("Top markets"), _("Destination")),
    }[slug]
    rows = [
        {"key": row["key"], "label": _label(dimension, row["key"]), **_pick(row)}
        for row in _facts(ids, filters, dimension)
        .values("key")
        .annotate(usd_minor=Sum("usd_minor"), orders=Sum("orders"))
    ]
    rows.sort(key=lambda row: (-row["usd_minor"], row["key"]))
    suppression.suppress_breakdown(
        rows, count="orders", value="usd_minor", blanked=["usd_minor", "orders"]
    )
    ranked = [row for row in rows if not row["suppressed"]][:TOP]
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    columns = [
        Column("rank", _("Rank"), "int"),
        Column("key", key_label, "text"),
        Column("label", _("Name"), "text"),
        USD,
        ORDERS,
        SUPPRESSED,
    ]
    return Figure(slug, str(title), columns, ranked)


def _pick(row: dict) -> dict:
    return {"usd_minor": row["usd_minor"], "orders": row["orders"]}


# --- first orders ------------------------------------------------------------------------------


def _firsts(ids: list[int], filters: Filters) -> QuerySet[ExporterFirstOrder]:
    firsts = ExporterFirstOrder.objects.filter(programme_id__in=ids)
    if filters.month_from:
        firsts = firsts.filter(month__gte=filters.month_from)
    if filters.month_to:
        firsts = firsts.filter(month__lte=filters.month_to)
    if filters.region:
        firsts = firsts.filter(_region_q(filters.region))
    return firsts


def first_orders(ids: list[int], filters: Filters) -> Figure:
    """Exporters whose first order under the programme settled, by month, and how long after
    their approval it took (median days, where the approval is on record).

    One grouped read (month × days) over a covering index gives both the counts per month and
    the histogram the exact median is taken from: no sort of the exporters themselves.
    """
    per_month: dict[date, int] = defaultdict(int)
    histogram: dict[int, int] = defaultdict(int)
    cells = (
        _firsts(ids, filters)
        .values("month", "days_to_first_order")
        .annotate(n=Count("*"))
        .order_by()
    )
    for cell in cells:
        per_month[cell["month"]] += cell["n"]
        if cell["days_to_first_order"] is not None:
            histogram[cell["days_to_first_order"]] += cell["n"]
    rows = [
        {"month": month.strftime("%Y-%m"), "exporters": count}
        for month, count in sorted(per_month.items())
    ]
    suppression.suppress_breakdown(
        rows, count="exporters", value="exporters", blanked=["exporters"]
    )
    timed = sum(histogram.values())
    summary = {
        "exporters": sum(per_month.values()),
        "timed": timed,
        "median_days": median_of_histogram(histogram),
        "suppressed": False,
    }
    if suppression.too_small(summary["exporters"]) or suppression.too_small(timed):
        suppression.blank(summary, ["exporters", "timed", "median_days"])
    columns = [
        Column("month", _("Month of the first settled order"), "text"),
        Column("exporters", _("Exporters"), "int"),
        SUPPRESSED,
    ]
    title = _("Exporters with a first order")
    return Figure("first-orders", title, columns, rows, summary=summary)


def median_of_histogram(histogram: dict[int, int]) -> Decimal | None:
    """The exact median of the values a {value: how many} histogram holds."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        found.extend(value for position in wanted if seen <= position < seen + count)
        seen += count
    return Decimal(sum(found)) / len(found)


# --- funnel ------------------------------------------------------------------------------------


# What each step of the funnel (a column of FunnelProgress) is called on the page.
FUNNEL_LABELS = {
    "applied": _lazy("Applied or nominated"),
    "screened": _lazy("Screened"),
    "assessed": _lazy("Assessed"),
    "ready": _lazy("Ready"),
    "approved": _lazy("Approved"),
    "onboarded": _lazy("Onboarded"),
    "active": _lazy("Active: first order"),
}


def funnel(ids: list[int], filters: Filters) -> Figure:
    """Roster business to active exporter: how many reached each step, the conversion from the
    step before, and the median days it took. A skipped step (mentoring) is not a step here,
    and a business that reached a later step counts as having passed the earlier ones."""
    from niaga.insights.funnel import STEPS
    from niaga.insights.models import FunnelProgress

    progress = FunnelProgress.objects.filter(programme_id__in=ids)
    if filters.region:
        field = "country" if len(filters.region) == 2 else "province"
        progress = progress.filter(**{field: filters.region})
    if filters.month_from:
        progress = progress.filter(applied_on__gte=filters.month_from)
    if filters.month_to:
        progress = progress.filter(applied_on__lt=_next_month(filters.month_to))
    steps = ("applied", *STEPS)
    # Read through a plain cursor: a programme may have tens of thousands of applications, and
    # Django's per-value converters would double the time.
    sql, params = progress.values_list(*steps).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moments_by_application = cursor.fetchall()
    counts = [0] * len(steps)
    waits: list[list[float]] = [[] for _ in steps]
    for times in moments_by_application:
        known = [(index, at) for index, at in enumerate(times) if at is not None]
        for index in range(known[-1][0] + 1):
            counts[index] += 1
        for (_before, start), (index, end) in zip(known, known[1:], strict=False):
            waits[index].append(end - start)
    rows = [
        {
            "step": "roster",
            "label": _("On a roster"),
            "businesses": _roster_count(ids, filters),
            "conversion_percent": None,
            "median_days": None,
        }
    ]
    for index, step in enumerate(steps):
        rows.append(
            {
                "step": step,
                "label": str(FUNNEL_LABELS[step]),
                "businesses": counts[index],
                "conversion_percent": _percent(counts[index], rows[-1]["businesses"]),
                "median_days": _median_days(waits[index]) if index else None,
            }
        )
    for index, row in enumerate(rows):
        row["suppressed"] = False
        small = suppression.too_small(row["businesses"])
        before = rows[index - 1] if index else None
        if small:
            suppression.blank(row, ["businesses", "conversion_percent", "median_days"])
        elif before is not None and before["suppressed"]:
            row["conversion_percent"] = None
    columns = [
        Column("step", _("Step"), "text"),
        Column("label", _("Name"), "text"),
        Column("businesses", _("Businesses"), "int"),
        Column("conversion_percent", _("Conversion from the step before (%)"), "percent"),
        Column("median_days", _("Median days from the step before"), "days"),
        SUPPRESSED,
    ]
    return Figure("funnel", _("From roster to active exporter"), columns, rows)


def _roster_count(ids: list[int], filters: Filters) -> int:
    """Businesses on a roster the programme's operator or ministries sent; a roster sent with
    no agency named counts for the programmes of its businesses' country."""
    from niaga.accounts.models import Organisation
    from niaga.registry.models import Business, RosterRow

    agencies = Organisation.objects.filter(
        Q(programmes_operated__in=ids) | Q(programmes_joined__in=ids)
    )
    countries = set(agencies.values_list("country", flat=True))
    rows = RosterRow.objects.filter(source__organisation__in=agencies.values("pk"))
    unnamed = RosterRow.objects.filter(source__organisation=None, business__country__in=countries)
    businesses = Business.objects.filter(merged_into=None).filter(
        Q(pk__in=rows.values("business_id")) | Q(pk__in=unnamed.values("business_id"))
    )
    if filters.region:
        field = "country" if len(filters.region) == 2 else "province"
        businesses = businesses.filter(**{field: filters.region})
    return businesses.count()


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _median_days(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --- MSME share --------------------------------------------------------------------------------


def msme_share(ids: list[int], filters: Filters) -> Figure:
    """The programme exporters' share of their country's exports, against the national
    figures analysts entered (yearly or monthly)."""
    figures = NationalExportFigure.objects.all()
    if filters.region:
        figures = figures.filter(country=filters.region[:2])
    if filters.month_from:
        figures = figures.filter(year__gte=filters.month_from.year)
    if filters.month_to:
        figures = figures.filter(year__lte=filters.month_to.year)
    figures = list(figures)
    monthly: dict[tuple[str, date], list[int]] = {}
    if figures:
        facts = ExportFact.objects.filter(
            dimension=Dimension.TOTAL,
            programme_id__in=ids,
            country__in={figure.country for figure in figures},
        )
        if filters.region and len(filters.region) > 2:
            facts = facts.filter(province=filters.region)
        for row in facts.values("country", "month").annotate(
            usd=Sum("usd_minor"), orders=Sum("orders")
        ):
            monthly[row["country"], row["month"]] = [row["usd"], row["orders"]]
    rows = []
    for figure in figures:
        usd = orders = 0
        for (country, month), (value, count) in monthly.items():
            same_period = month.year == figure.year and figure.month in (None, month.month)
            if country == figure.country and same_period:
                usd, orders = usd + value, orders + count
        period = f"{figure.year}" if figure.month is None else f"{figure.year}-{figure.month:02d}"
        row = {
            "country": figure.country,
            "period": period,
            "national_usd_minor": figure.usd_minor,
            "programme_usd_minor": usd,
            "orders": orders,
            "share_percent": (Decimal(100) * usd / figure.usd_minor).quantize(Decimal("0.0001")),
            "source": figure.source,
            "suppressed": False,
        }
        if suppression.too_small(orders):
            suppression.blank(row, ["programme_usd_minor", "orders", "share_percent"])
        rows.append(row)
    rows.sort(key=lambda row: (row["country"], row["period"]))
    columns = [
        Column("country", _("Country"), "text"),
        Column("period", _("Period"), "text"),
        Column("national_usd_minor", _("National exports (USD)"), "usd_minor"),
        Column("programme_usd_minor", _("Programme exporters (USD)"), "usd_minor"),
        Column("orders", _("Settled orders"), "int"),
        Column("share_percent", _("Share (%)"), "percent"),
        Column("source", _("Source of the national figure"), "text"),
        SUPPRESSED,
    ]
    return Figure("msme-share", _("MSME share of exports"), columns, rows)


# --- exchange rates ------------------------------------------------------------------------------


def exchange_rates(ids: list[int], filters: Filters) -> Figure:
    """The rates export values are converted at, each with its source: entered rates (for a
    month, or fixed) and the planning rates used where none was entered."""
    from niaga.insights.models import ExchangeRate
    from niaga.insights.rates import ASSUMPTION, PLANNING_RATES

    entered = ExchangeRate.objects.order_by("currency", "month")
    rows = [
        {
            "currency": rate.currency,
            "month": rate.month.strftime("%Y-%m") if rate.month else "",
            "usd_per_unit": rate.usd_per_unit,
            "source": rate.source,
        }
        for rate in entered
    ]
    fixed = {rate.currency for rate in entered if rate.month is None}
    rows += [
        {"currency": code, "month": "", "usd_per_unit": value, "source": ASSUMPTION}
        for code, value in sorted(PLANNING_RATES.items())
        if code not in fixed
    ]
    columns = [
        Column("currency", _("Currency"), "text"),
        Column("month", _("Month (blank: any month without its own rate)"), "text"),
        Column("usd_per_unit", _("USD per unit"), "rate"),
        Column("source", _("Source"), "text"),
    ]
    return Figure("exchange-rates", _("Exchange rates to USD"), columns, rows)


# --- the catalogue of figures ------------------------------------------------------------------


def figure_slugs() -> list[str]:
    return [
        "export-total",
        *BREAKDOWNS,
        "top-products",
        "top-markets",
        "first-orders",
        "funnel",
        "msme-share",
        "exchange-rates",
    ]


def figure(slug: str, ids: list[int], filters: Filters) -> Figure:
    if slug in BREAKDOWNS:
        return export_breakdown(slug, ids, filters)
    if slug in ("top-products", "top-markets"):
        return top(slug, ids, filters)
    readers = {
        "export-total": export_total,
        "first-orders": first_orders,
        "funnel": funnel,
        "msme-share": msme_share,
        "exchange-rates": exchange_rates,
    }
    if slug not in readers:
        raise NotFound(_("No such figure."))
    return readers[slug](ids, filters)


def open_figure(user, slug: str, filters: Filters) -> Figure:
    """A figure for the API and the open data files: programmes the caller works or that are
    published as open data."""
    if slug not in figure_slugs():
        raise NotFound(_("No such figure."))
    return figure(slug, programme_ids(open_data_programmes(user), filters), filters)
