"""Programme dashboard queries at scale: p50/p95 of each figure from the aggregate tables,
beside the same figure grouped straight from the orders and settlements (the baseline).

Builds a scratch database (SQLite in a temporary directory; or PostgreSQL with
``--database-url``, where a scratch database named after this process is created on that server
and dropped at the end), migrates it, and fills it by bulk SQL, not through the services: 100k
exporter organisations with their registry businesses, buyers in 13 countries, 4 programmes and
1M settled orders (1-2 items each, USD/EUR/IDR/INR) with their settlements. The aggregate tables
are filled from the same rows with the same ``contributions`` the services use; first orders
get synthetic approval-to-first-order days (the bench has no applications, so the funnel, read
from the programmes' tables, is not timed here).

Each figure is read for many filter combinations (programme, period, region) through
``niaga.insights.selectors``; the baseline runs the same grouping on the orders/settlements
tables for fewer combinations (it is slow). Ratio = baseline p50 / aggregate p50.

    uv run python bench/insights_dashboard.py --orders 1000000 --businesses 100000
    uv run python bench/insights_dashboard.py --database-url postgres://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

PROVINCES = {
    "ID": ["ID-JK", "ID-JB", "ID-JT", "ID-JI", "ID-BA", "ID-SU", "ID-SN", "ID-YO", "ID-KS"],
    "IN": ["IN-MH", "IN-GJ", "IN-TN", "IN-KA", "IN-UP", "IN-WB", "IN-RJ", "IN-KL", "IN-DL"],
}
SECTORS = [
    "food",
    "coffee_tea_cocoa",
    "spices",
    "textiles",
    "batik_handloom",
    "handicrafts",
    "furniture",
    "leather",
    "jewellery",
    "cosmetics",
]
BUYER_COUNTRIES = ["US", "DE", "AE", "JP", "SA", "AU", "NL", "GB", "SG", "ES", "KR", "FR", "NG"]
HS_CODES = [
    "090111",
    "080132",
    "090811",
    "520852",
    "940360",
    "090240",
    "630221",
    "091030",
    "500720",
    "420231",
    "610910",
    "691200",
    "330499",
    "711319",
    "200819",
    "180690",
]
CURRENCIES = [("USD", 6), ("EUR", 2), ("IDR", 1), ("INR", 1)]
MONTHS = 36
PROGRAMMES = 4
CHUNK = 50_000


def _setup(database_url: str | None, data_dir: str) -> None:
    os.environ["NIAGA_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _scratch_postgres(url: str) -> tuple[str, str]:
    """(scratch database URL, its name), created on the server ``url`` points at."""
    import psycopg

    name = f"niaga_bench_insights_{os.getpid()}"
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the data ------------------------------------------------------------------------------------


def _insert(model, fields: list[str], rows) -> None:
    from django.db import connection

    columns = [model._meta.get_field(name).column for name in fields]
    # Table and column names come from the models; every value goes as a parameter.
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _insert_records(model, defaults: dict, records) -> None:
    """Rows given as {field: value}; every other text column is blank, as the forms leave it."""
    from django.db import models

    blank = {
        field.name: ""
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.null
    }
    records = iter(records)
    first = {**blank, **defaults, **next(records)}
    fields = list(first)
    _insert(
        model,
        fields,
        (
            [row[name] for name in fields]
            for row in (first, *({**blank, **defaults, **r} for r in records))
        ),
    )


def build(*, businesses: int, orders: int, seed: int = 7, log=print) -> dict:
    from django.db import connection, transaction

    from niaga.accounts.models import Organisation
    from niaga.assurance.models import Order, OrderItem, Settlement
    from niaga.core.money import currency_exponent
    from niaga.insights import rates
    from niaga.insights.models import ExporterFirstOrder, ExportFact, NationalExportFigure
    from niaga.insights.services import contributions
    from niaga.programs.models import Programme
    from niaga.registry.models import Business

    rng = random.Random(seed)
    ops = connection.ops
    now = datetime.now(UTC).replace(microsecond=0)
    first_month = (now.date().replace(day=1) - timedelta(days=MONTHS * 30)).replace(day=1)
    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        operators = [
            Organisation.objects.create(name=f"Ministry {i}", kind="ministry", country="ID")
            for i in range(PROGRAMMES)
        ]
        programmes = [
            Programme.objects.create(
                slug=f"bench-{i}",
                name=f"Bench programme {i}",
                operator=operator,
                capacity=10_000,
                opens_on=first_month,
                closes_on=now.date() + timedelta(days=365),
            )
            for i, operator in enumerate(operators)
        ]
        base = Organisation.objects.order_by("-id").values_list("id", flat=True).first() + 1
        exporters = []
        for index in range(businesses):
            country = "ID" if index % 2 else "IN"
            exporters.append(
                SimpleNamespace(
                    pk=base + index,
                    country=country,
                    region=rng.choice(PROVINCES[country]),
                    sector=rng.choice(SECTORS),
                )
            )
        buyers = [
            SimpleNamespace(pk=base + businesses + i, country=country)
            for i, country in enumerate(c for c in BUYER_COUNTRIES for _ in range(15))
        ]
        created = ops.adapt_datetimefield_value(now)
        _insert_records(
            Organisation,
            {"is_active": True, "created_at": created},
            (
                {
                    "id": e.pk,
                    "name": f"Exporter {e.pk}",
                    "kind": "exporter",
                    "country": e.country,
                    "region": e.region,
                    "sector": e.sector,
                }
                for e in exporters
            ),
        )
        _insert_records(
            Organisation,
            {"is_active": True, "created_at": created},
            (
                {"id": b.pk, "name": f"Buyer {b.pk}", "kind": "buyer", "country": b.country}
                for b in buyers
            ),
        )
        _insert_records(
            Business,
            {"created_at": created, "updated_at": created},
            (
                {
                    "name": f"Exporter {e.pk}",
                    "normalised_name": f"exporter {e.pk}",
                    "country": e.country,
                    "province": e.region,
                    "sector": e.sector,
                    "organisation": e.pk,
                }
                for e in exporters
            ),
        )
        timings["organisations and businesses s"] = round(time.perf_counter() - started, 1)
        log(f"  {businesses} exporters and businesses, {len(buyers)} buyers")

        facts: dict[tuple, list[int]] = {}
        firsts: dict[tuple[int, int], datetime] = {}
        rate_of = {code: rates.PLANNING_RATES[code] for code, _w in CURRENCIES}
        codes = [code for code, weight in CURRENCIES for _ in range(weight)]
        span = (now - datetime(first_month.year, first_month.month, 1, tzinfo=UTC)).total_seconds()

        def generate(start: int, stop: int):
            order_rows, item_rows, settlement_rows = [], [], []
            for pk in range(start, stop):
                exporter = rng.choice(exporters)
                buyer = rng.choice(buyers)
                programme = programmes[pk % PROGRAMMES]
                currency = rng.choice(codes)
                scale = {"USD": 1, "EUR": 1, "IDR": 15_000, "INR": 80}[currency]
                items = [
                    (
                        rng.choice(HS_CODES),
                        rng.randrange(10, 2_000),
                        rng.randrange(300, 9_000) * scale,
                    )
                    for _ in range(rng.choice((1, 1, 2)))
                ]
                total = sum(q * p for _c, q, p in items)
                settled = now - timedelta(seconds=rng.random() * span)
                fee = total * 250 // 10_000
                order_rows.append(
                    [
                        pk,
                        buyer.pk,
                        exporter.pk,
                        programme.pk,
                        currency,
                        total,
                        "FOB",
                        "Port",
                        ops.adapt_datefield_value(settled.date()),
                        False,
                        "settled",
                        ops.adapt_datetimefield_value(settled - timedelta(days=40)),
                    ]
                )
                item_rows.extend([pk, f"Goods {c}", c, q, "pcs", p] for c, q, p in items)
                settlement_rows.append(
                    [pk, total, 0, fee, 0, ops.adapt_datetimefield_value(settled)]
                )
                month = settled.date().replace(day=1)
                usd = rates.convert(total, currency_exponent(currency), rate_of[currency])
                order = SimpleNamespace(exporter=exporter, buyer=buyer, currency=currency)
                place = (programme.pk, month, exporter.country, exporter.region)
                for part in contributions(order, items, total, usd):
                    sums = facts.setdefault((*place, part.dimension, part.key), [0, 0, 0])
                    sums[0] += part.usd_minor
                    sums[1] += part.native_minor
                    sums[2] += part.orders
                key = (programme.pk, exporter.pk)
                if key not in firsts or settled < firsts[key]:
                    firsts[key] = settled
            return order_rows, item_rows, settlement_rows

        for start in range(1, orders + 1, CHUNK):
            order_rows, item_rows, settlement_rows = generate(start, min(orders + 1, start + CHUNK))
            _insert(
                Order,
                [
                    "id",
                    "buyer",
                    "exporter",
                    "programme",
                    "currency",
                    "total_minor",
                    "incoterm",
                    "named_place",
                    "shipping_deadline",
                    "inspection_required",
                    "state",
                    "created_at",
                ],
                order_rows,
            )
            _insert(
                OrderItem,
                ["order", "description", "hs_code", "quantity", "unit", "unit_price_minor"],
                item_rows,
            )
            _insert(
                Settlement,
                [
                    "order",
                    "released_minor",
                    "refunded_minor",
                    "fee_minor",
                    "waived_minor",
                    "settled_at",
                ],
                settlement_rows,
            )
            log(f"  orders {min(orders, start + CHUNK - 1)}/{orders}")
        timings["orders and settlements s"] = round(time.perf_counter() - started, 1)
        _insert(
            ExportFact,
            [
                "programme",
                "month",
                "country",
                "province",
                "dimension",
                "key",
                "usd_minor",
                "native_minor",
                "orders",
            ],
            (
                [p, ops.adapt_datefield_value(m), c, r, d, k, u, n, o]
                for (p, m, c, r, d, k), (u, n, o) in facts.items()
            ),
        )
        _insert(
            ExporterFirstOrder,
            [
                "programme",
                "exporter",
                "country",
                "province",
                "sector",
                "month",
                "first_settled_at",
                "days_to_first_order",
            ],
            (
                [
                    p,
                    e,
                    exporters[e - base].country,
                    exporters[e - base].region,
                    exporters[e - base].sector,
                    ops.adapt_datefield_value(at.date().replace(day=1)),
                    ops.adapt_datetimefield_value(at),
                    rng.randrange(5, 200),
                ]
                for (p, e), at in firsts.items()
            ),
        )
        for year in range(first_month.year, now.year + 1):
            for country, dollars in (("ID", 258_000_000_000), ("IN", 437_000_000_000)):
                NationalExportFigure.objects.create(
                    country=country, year=year, usd_minor=dollars * 100, source="assumption: bench"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["total build s"] = round(time.perf_counter() - started, 1)
    return {
        "programmes": [p.pk for p in programmes],
        "slugs": [p.slug for p in programmes],
        "first_month": first_month,
        "last_month": now.date().replace(day=1),
        "facts": len(facts),
        "first_orders": len(firsts),
        "build": timings,
    }


FUNNEL_SHARE = 0.3  # of the businesses that apply to a programme


def build_funnel(world: dict, *, seed: int = 13, log=print) -> int:
    """Applications for a share of the businesses, each moved a random way down the funnel,
    with an event per step a few days apart; bulk SQL, as for the orders, then the funnel's
    table rebuilt from them."""
    from django.db import connection, transaction

    from niaga.programs.models import Application, ApplicationEvent
    from niaga.registry.models import Business

    rng = random.Random(seed)
    path = ["screened", "assessed", "ready", "approved", "onboarded", "active"]
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    business_ids = list(Business.objects.values_list("pk", flat=True))
    chosen = rng.sample(business_ids, int(len(business_ids) * FUNNEL_SHARE))
    depths = [min(len(path), int(rng.expovariate(0.45))) for _ in chosen]
    ops = connection.ops
    with transaction.atomic():
        _insert_records(
            Application,
            {"readiness": None},
            (
                {
                    "programme_id": rng.choice(world["programmes"]),
                    "business_id": business,
                    "state": path[depth - 1] if depth else "applied",
                    "created_at": ops.adapt_datetimefield_value(
                        now - timedelta(days=rng.randrange(30, 700))
                    ),
                    "updated_at": ops.adapt_datetimefield_value(now),
                }
                for business, depth in zip(chosen, depths, strict=True)
            ),
        )
        applications = dict(
            Application.objects.filter(business_id__in=chosen).values_list("business_id", "pk")
        )
        created = dict(Application.objects.values_list("pk", "created_at"))

        def events():
            for business, depth in zip(chosen, depths, strict=True):
                application = applications[business]
                at = created[application]
                before = "applied"
                for state in path[:depth]:
                    at += timedelta(days=rng.randrange(1, 30))
                    yield {
                        "application_id": application,
                        "from_state": before,
                        "to_state": state,
                        "outcomes": "[]",
                        "created_at": ops.adapt_datetimefield_value(at),
                    }
                    before = state

        _insert_records(ApplicationEvent, {}, events())
    # Written past the services' hook, so the funnel's table is rebuilt, as the command does.
    from niaga.insights import funnel

    funnel.rebuild()
    log(f"funnel: {len(chosen):,} applications in {time.perf_counter() - started:.1f} s")
    return len(chosen)


def _funnel_baseline(ids: list[int]) -> list:
    """A bare count of applications per state: the least any funnel query reads."""
    from django.db.models import Count

    from niaga.programs.models import Application

    return list(
        Application.objects.filter(programme_id__in=ids)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )


# --- the timings ---------------------------------------------------------------------------------

FIGURES = [
    "export-total",
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
    "funnel",
]


def _combinations(world: dict, rng: random.Random, count: int):
    from niaga.insights.selectors import Filters

    months = []
    month = world["first_month"]
    while month <= world["last_month"]:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    regions = ["", "", "ID", "IN", *PROVINCES["ID"][:3], *PROVINCES["IN"][:3]]
    for _ in range(count):
        programmes = rng.choice([world["programmes"], [rng.choice(world["programmes"])]])
        period = rng.choice(["all", "year", "quarter"])
        if period == "all":
            start = end = None
        else:
            length = 12 if period == "year" else 3
            first = rng.randrange(0, len(months) - length)
            start, end = months[first], months[first + length - 1]
        yield programmes, Filters("", start, end, rng.choice(regions))


def _baseline(slug: str, ids: list[int], filters) -> list:
    """The same grouping straight from the settlements and orders (native amounts summed)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Substr, TruncMonth

    from niaga.assurance.models import OrderItem, Settlement

    if slug == "funnel":
        return _funnel_baseline(ids)
    settled = Settlement.objects.filter(order__programme_id__in=ids, released_minor__gt=0)
    if filters.month_from:
        settled = settled.filter(settled_at__date__gte=filters.month_from)
    if filters.month_to:
        settled = settled.filter(settled_at__date__lt=filters.month_to + timedelta(days=31))
    if filters.region:
        field = "country" if len(filters.region) == 2 else "region"
        settled = settled.filter(**{f"order__exporter__{field}": filters.region})
    sums = {"value": Sum("released_minor"), "orders": Count("id")}
    if slug == "export-total":
        return [settled.aggregate(**sums)]
    if slug in ("export-by-hs-chapter", "top-products"):
        width = 2 if slug == "export-by-hs-chapter" else 4
        items = OrderItem.objects.filter(order__settlement__in=settled)
        return list(
            items.annotate(code=Substr("hs_code", 1, width))
            .values("code")
            .annotate(orders=Count("order", distinct=True))
        )
    if slug == "first-orders":
        return list(
            settled.values("order__programme_id", "order__exporter_id").annotate(
                first=TruncMonth("settled_at")
            )[:1]
        ) + [settled.values("order__exporter_id").distinct().count()]
    group = {
        "export-by-month": TruncMonth("settled_at"),
        "msme-share": TruncMonth("settled_at"),
    }
    if slug in group:
        return list(settled.annotate(g=group[slug]).values("g").annotate(**sums))
    field = {
        "export-by-province": "order__exporter__region",
        "export-by-sector": "order__exporter__sector",
        "export-by-destination": "order__buyer__country",
        "top-markets": "order__buyer__country",
        "export-by-currency": "order__currency",
    }[slug]
    return list(settled.values(field).annotate(**sums))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_queries(world: dict, *, samples: int, baseline_samples: int, seed: int = 11) -> list:
    from niaga.insights import selectors

    results = []
    for slug in FIGURES:
        rng = random.Random(seed)
        fast = []
        for ids, filters in _combinations(world, rng, samples):
            started = time.perf_counter()
            selectors.figure(slug, ids, filters)
            fast.append((time.perf_counter() - started) * 1000)
        rng = random.Random(seed)
        slow = []
        for ids, filters in _combinations(world, rng, baseline_samples):
            started = time.perf_counter()
            _baseline(slug, ids, filters)
            slow.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "figure": slug,
                "p50 ms": round(statistics.median(fast), 1),
                "p95 ms": round(_percentile(fast, 0.95), 1),
                "baseline p50 ms": round(statistics.median(slow), 1),
                "baseline p95 ms": round(_percentile(slow, 0.95), 1),
                "ratio": round(statistics.median(slow) / statistics.median(fast), 1),
            }
        )
    # Every figure of the page at once, as one dashboard request reads them.
    rng = random.Random(seed)
    whole = []
    for ids, filters in _combinations(world, rng, max(10, samples // 3)):
        started = time.perf_counter()
        for slug in FIGURES:
            selectors.figure(slug, ids, filters)
        whole.append((time.perf_counter() - started) * 1000)
    results.append(
        {
            "figure": "all of the above, one request",
            "p50 ms": round(statistics.median(whole), 1),
            "p95 ms": round(_percentile(whole, 0.95), 1),
            "baseline p50 ms": round(sum(row["baseline p50 ms"] for row in results), 1),
            "baseline p95 ms": "",
            "ratio": round(
                sum(row["baseline p50 ms"] for row in results) / statistics.median(whole), 1
            ),
        }
    )
    return results


def machine() -> str:
    from django.db import connection

    cores = os.cpu_count()
    database = connection.vendor
    version = connection.cursor().connection.__class__.__module__
    if database == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        number = connection.pg_version
        version = f"PostgreSQL {number // 10000}.{number % 10000}"
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores, Python "
        f"{platform.python_version()}, {version}"
    )


def run(
    *,
    businesses: int = 100_000,
    orders: int = 1_000_000,
    samples: int = 60,
    baseline_samples: int = 5,
    database_url: str | None = None,
    log=print,
) -> dict:
    """Build the scratch database, time every figure, and return the figures and the machine."""
    with tempfile.TemporaryDirectory(prefix="niaga-bench-insights-") as data_dir:
        scratch = None
        if database_url:
            database_url, scratch = _scratch_postgres(database_url)
        try:
            _setup(database_url, data_dir)
            log(f"building {businesses} businesses and {orders} orders ...")
            world = build(businesses=businesses, orders=orders, log=log)
            world["applications"] = build_funnel(world, log=log)
            log(f"timing {len(FIGURES)} figures ...")
            results = time_queries(world, samples=samples, baseline_samples=baseline_samples)
            return {
                "machine": machine(),
                "businesses": businesses,
                "orders": orders,
                "aggregate rows": world["facts"],
                "first-order rows": world["first_orders"],
                "applications": world["applications"],
                "build": world["build"],
                "samples": samples,
                "baseline samples": baseline_samples,
                "results": results,
            }
        finally:
            if scratch:
                _drop_postgres(database_url, scratch)


def print_table(report: dict) -> None:
    print(f"\nmachine: {report['machine']}")
    print(
        f"{report['businesses']} businesses, {report['orders']} orders; "
        f"{report['aggregate rows']} aggregate rows, {report['first-order rows']} first orders"
    )
    print(f"build: {report['build']}")
    headers = ["figure", "p50 ms", "p95 ms", "baseline p50 ms", "baseline p95 ms", "ratio"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in report["results"]:
        print("| " + " | ".join(str(row[h]) for h in headers) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--baseline-samples", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    report = run(
        businesses=args.businesses,
        orders=args.orders,
        samples=args.samples,
        baseline_samples=args.baseline_samples,
        database_url=args.database_url,
    )
    print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
