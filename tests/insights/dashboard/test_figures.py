"""Dashboard figures against the ledger, and each breakdown against the total."""

from datetime import date

import pytest
from django.db.models import Sum

from niaga.insights import rates, selectors, services
from niaga.insights.models import ExporterFirstOrder, ExportFact
from niaga.insights.selectors import Filters
from niaga.ledger import check
from niaga.ledger.models import Purpose, Transfer
from tests.insights.dashboard.helpers import settle

pytestmark = pytest.mark.django_db


def released_on_ledger(orders) -> dict[str, int]:
    """What the ledger moved out of each order's escrow to the exporter and to fees."""
    by_currency: dict[str, int] = {}
    for order in orders:
        moved = Transfer.objects.filter(
            debit_account__purpose=Purpose.ESCROW,
            debit_account__reference=order.escrow_reference,
            credit_account__purpose__in=[Purpose.EXPORTER_PAYABLE, Purpose.FEES],
        ).aggregate(total=Sum("amount"))["total"]
        by_currency[order.currency] = by_currency.get(order.currency, 0) + (moved or 0)
    return by_currency


def total(ids, filters=None):
    return selectors.export_total(ids, filters or Filters()).rows[0]


def test_export_value_equals_what_the_ledger_released_converted_to_usd(world):
    for index in range(4):
        settle(world, exporter=index, items=[("090111", 100 + index, 2_500)])
    settle(world, exporter=4, currency="EUR", items=[("520852", 7, 3_333)])
    settle(world, exporter=5, currency="IDR", items=[("940360", 3, 150_000_000)])
    assert check.violations(check.run()) == []

    ledger = released_on_ledger(world.settled)
    month = date.today().replace(day=1)
    expected = sum(rates.to_usd_minor(amount, code, month) for code, amount in ledger.items())
    row = total([world.programme_a.pk])
    assert row["usd_minor"] == expected
    assert row["orders"] == 6
    currencies = selectors.figure("export-by-currency", [world.programme_a.pk], Filters())
    assert {r["key"]: r["native_minor"] for r in currencies.rows if not r["suppressed"]} == {
        "USD": ledger["USD"]
    }


def test_the_usd_conversion_is_decimal_and_rounds_to_whole_cents():
    assert rates.convert(12_345, 2, rates.PLANNING_RATES["EUR"]) == 13_333  # 133.326 → 133.33
    assert rates.convert(150_000_000, 2, rates.PLANNING_RATES["IDR"]) == 9_450
    assert rates.convert(5, 0, rates.PLANNING_RATES["JPY"]) == 3  # ¥5 = 3.35 cents
    assert rates.rate_for("IDR", date(2026, 1, 1)).source == rates.ASSUMPTION


@pytest.mark.parametrize(
    "slug",
    [
        "export-by-month",
        "export-by-province",
        "export-by-sector",
        "export-by-hs-chapter",
        "export-by-destination",
        "export-by-currency",
    ],
)
def test_every_breakdown_sums_to_the_total(world, settings, slug):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1  # nothing blanked: the sums are exact
    for index in range(7):
        settle(
            world,
            exporter=index,
            buyer="US" if index % 2 else "DE",
            currency="EUR" if index == 3 else "USD",
            items=[("090111", 10 + index, 2_500), ("520852", 3, 1_999 + index)],
        )
    ids = [world.programme_a.pk]
    figure = selectors.figure(slug, ids, Filters())
    assert sum(row["usd_minor"] for row in figure.rows) == total(ids)["usd_minor"]
    if slug != "export-by-hs-chapter":  # an order with two chapters counts in both
        assert sum(row["orders"] for row in figure.rows) == 7


def test_an_order_split_across_chapters_keeps_every_cent():
    assert services.split_by_weight(1_001, [1, 1]) == [501, 500]
    assert services.split_by_weight(10, [3, 3, 3]) == [4, 3, 3]
    assert sum(services.split_by_weight(99_999, [7, 13, 1])) == 99_999


def test_cells_from_fewer_orders_than_the_threshold_are_blanked(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 3
    for index in range(3):
        settle(world, exporter=index)  # ID-JB: three orders
    settle(world, exporter=3)  # ID-JI: one order
    settle(world, exporter=6)  # ID-BA: one order
    settle(world, exporter=4)  # ID-JI: two orders
    figure = selectors.figure("export-by-province", [world.programme_a.pk], Filters())
    rows = {row["key"]: row for row in figure.rows}
    assert rows["ID-JB"]["suppressed"] is False and rows["ID-JB"]["orders"] == 3
    for small in ("ID-JI", "ID-BA"):
        assert rows[small]["suppressed"] is True
        assert rows[small]["usd_minor"] is None and rows[small]["orders"] is None


def test_one_small_cell_takes_the_next_smallest_with_it(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 2
    for index in (0, 1, 2, 3, 4):
        settle(world, exporter=index)
    settle(world, exporter=6)  # the one small cell
    rows = {
        row["key"]: row
        for row in selectors.figure("export-by-province", [world.programme_a.pk], Filters()).rows
    }
    assert rows["ID-BA"]["suppressed"] and rows["ID-JI"]["suppressed"]
    assert not rows["ID-JB"]["suppressed"]


def test_filters_by_period_region_and_programme(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    settle(world, exporter=0, settled_on=date(2026, 1, 10))
    settle(world, exporter=1, settled_on=date(2026, 2, 10))
    settle(world, exporter=3, settled_on=date(2026, 2, 10))
    settle(world, exporter=4, programme=world.programme_b, settled_on=date(2026, 3, 1))
    services.rebuild()
    a, b = world.programme_a.pk, world.programme_b.pk
    assert total([a])["orders"] == 3
    assert total([b])["orders"] == 1
    assert total([a, b])["orders"] == 4
    february = Filters(month_from=date(2026, 2, 1), month_to=date(2026, 2, 1))
    assert total([a], february)["orders"] == 2
    assert total([a], Filters(region="ID-JI"))["orders"] == 1
    assert total([a], Filters(region="ID"))["orders"] == 3
    assert total([a], Filters(region="IN"))["orders"] == 0
    months = selectors.figure("export-by-month", [a], Filters())
    assert [row["key"] for row in months.rows] == ["2026-01", "2026-02"]


def test_first_orders_count_each_exporter_once(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    settle(world, exporter=0, settled_on=date(2026, 1, 10))
    settle(world, exporter=0, settled_on=date(2026, 2, 10))
    settle(world, exporter=1, settled_on=date(2026, 2, 10))
    services.rebuild()
    figure = selectors.first_orders([world.programme_a.pk], Filters())
    assert figure.summary["exporters"] == 2
    assert [(row["month"], row["exporters"]) for row in figure.rows] == [
        ("2026-01", 1),
        ("2026-02", 1),
    ]


def test_rebuild_reproduces_the_incrementally_maintained_tables(world):
    for index in range(5):
        settle(world, exporter=index, buyer="US" if index % 2 else "DE")
    settle(world, exporter=2, currency="EUR", items=[("090111", 3, 999), ("420231", 2, 5_000)])
    settle(world, exporter=6, programme=world.programme_b)

    def snapshot():
        facts = sorted(
            ExportFact.objects.values_list(
                "programme_id",
                "month",
                "country",
                "province",
                "dimension",
                "key",
                "usd_minor",
                "native_minor",
                "orders",
            )
        )
        firsts = sorted(
            ExporterFirstOrder.objects.values_list(
                "programme_id", "exporter_id", "month", "first_settled_at", "days_to_first_order"
            )
        )
        return facts, firsts

    before = snapshot()
    assert before[0]
    counts = services.rebuild()
    assert counts["settlements"] == 7
    assert snapshot() == before


def test_recording_a_settlement_twice_counts_it_once(world):
    settlement = settle(world, exporter=0)
    services.record_settlement(settlement)
    assert total([world.programme_a.pk])["orders"] in (None, 1)
    assert ExportFact.objects.get(dimension="total").orders == 1


def test_the_rebuild_command_reports_its_progress(world):
    from io import StringIO

    from django.core.management import call_command

    settle(world, exporter=0)
    out = StringIO()
    call_command("rebuild_insights", stdout=out)
    assert "settlements: 1/1 (100%)" in out.getvalue()
    assert "insights rebuilt: settlements: 1" in out.getvalue()


def test_an_entered_rate_wins_over_the_planning_rate_and_a_monthly_over_a_fixed_one():
    from decimal import Decimal

    from niaga.insights.models import ExchangeRate

    march = date(2026, 3, 1)
    ExchangeRate.objects.create(currency="EUR", usd_per_unit=Decimal("1.10"), source="ECB 2026")
    assert rates.rate_for("EUR", march).source == "ECB 2026"
    ExchangeRate.objects.create(
        currency="EUR", month=march, usd_per_unit=Decimal("1.0845"), source="ECB March 2026"
    )
    assert rates.to_usd_minor(10_000, "EUR", march) == 10_845
    assert rates.to_usd_minor(10_000, "EUR", date(2026, 4, 1)) == 11_000
    assert rates.to_usd_minor(10_000, "XOF", march) == 0  # no rate: not guessed
    figure = selectors.exchange_rates([], Filters())
    sources = {(row["currency"], row["month"]): row["source"] for row in figure.rows}
    assert sources[("EUR", "")] == "ECB 2026"
    assert sources[("EUR", "2026-03")] == "ECB March 2026"
    assert sources[("IDR", "")] == rates.ASSUMPTION
