"""Every write of the dashboard: folding a settlement into the aggregate tables, rebuilding them
from the settlements, and the national export figures analysts enter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pycountry
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.core import audit, permissions
from niaga.core.errors import NiagaError, PermissionDenied
from niaga.core.roles import Role
from niaga.insights import rates
from niaga.insights.models import (
    Dimension,
    ExporterFirstOrder,
    ExportFact,
    NationalExportFigure,
    RecordedSettlement,
)


class InsightsError(NiagaError):
    code = "insights_invalid"
    status = 422


@dataclass(frozen=True)
class Contribution:
    dimension: str
    key: str
    usd_minor: int
    native_minor: int = 0
    orders: int = 1


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


# --- one settlement ----------------------------------------------------------------------------


def record_settlement(settlement) -> None:
    """Fold one settlement into the dashboard tables; call it where the settlement is created,
    inside the same transaction, so the figures and the ledger move together."""
    from niaga.assurance.models import Settlement

    settlement = Settlement.objects.select_related("order__exporter", "order__buyer").get(
        pk=settlement.pk
    )
    order = settlement.order
    if order.programme_id is None or settlement.released_minor <= 0:
        return
    try:
        with transaction.atomic():
            RecordedSettlement.objects.create(settlement=settlement)
    except IntegrityError:  # recorded already: once is enough
        return
    month = month_of(settlement.settled_at)
    usd = rates.to_usd_minor(settlement.released_minor, order.currency, month)
    items = list(order.items.values_list("hs_code", "quantity", "unit_price_minor"))
    for part in contributions(order, items, settlement.released_minor, usd):
        _add(order, month, part)
    _note_first_order(order, settlement.settled_at)


def contributions(order, items, released_minor: int, usd_minor: int) -> list[Contribution]:
    """What one settled order adds along each dimension."""
    exporter, buyer = order.exporter, order.buyer
    parts = [
        Contribution(Dimension.TOTAL, "", usd_minor),
        Contribution(Dimension.SECTOR, exporter.sector, usd_minor),
        Contribution(Dimension.DESTINATION, buyer.country, usd_minor),
        Contribution(Dimension.CURRENCY, order.currency, usd_minor, released_minor),
    ]
    codes = [code or "" for code, _qty, _price in items]
    shares = split_by_weight(usd_minor, [qty * price for _code, qty, price in items])
    for dimension, width in ((Dimension.HS_CHAPTER, 2), (Dimension.HS_HEADING, 4)):
        by_key: dict[str, int] = defaultdict(int)
        for code, share in zip(codes, shares, strict=True):
            by_key[code[:width] if len(code) >= width else ""] += share
        parts.extend(Contribution(dimension, key, value) for key, value in sorted(by_key.items()))
    return parts


def split_by_weight(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, in integers that add up to it exactly
    (largest remainders first, earlier items on ties)."""
    whole = sum(weights)
    if not weights:
        return []
    if whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    shares = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for index in remainders[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _add(order, month: date, part: Contribution) -> None:
    key = {
        "programme_id": order.programme_id,
        "month": month,
        "country": order.exporter.country,
        "province": order.exporter.region,
        "dimension": part.dimension,
        "key": part.key,
    }
    grow = {
        "usd_minor": F("usd_minor") + part.usd_minor,
        "native_minor": F("native_minor") + part.native_minor,
        "orders": F("orders") + part.orders,
    }
    if ExportFact.objects.filter(**key).update(**grow):
        return
    try:
        with transaction.atomic():
            ExportFact.objects.create(
                **key,
                usd_minor=part.usd_minor,
                native_minor=part.native_minor,
                orders=part.orders,
            )
    except IntegrityError:  # another settlement made the row first
        ExportFact.objects.filter(**key).update(**grow)


def _note_first_order(order, settled_at: datetime) -> None:
    row = ExporterFirstOrder.objects.filter(
        programme_id=order.programme_id, exporter_id=order.exporter_id
    ).first()
    if row is not None and row.first_settled_at <= settled_at:
        return
    values = first_order_values(order.programme_id, order.exporter, settled_at)
    if row is None:
        ExporterFirstOrder.objects.create(
            programme_id=order.programme_id, exporter=order.exporter, **values
        )
    else:
        ExporterFirstOrder.objects.filter(pk=row.pk).update(**values)


def first_order_values(programme_id: int, exporter, settled_at: datetime, approvals=None):
    if approvals is None:
        approvals = approval_times([programme_id], [exporter.pk])
    approved_at = approvals.get((programme_id, exporter.pk))
    days = (settled_at - approved_at).days if approved_at else None
    return {
        "country": exporter.country,
        "province": exporter.region,
        "sector": exporter.sector,
        "month": month_of(settled_at),
        "first_settled_at": settled_at,
        "approved_at": approved_at,
        "days_to_first_order": days if days is not None and days >= 0 else None,
    }


def approval_times(programme_ids: Iterable[int], exporter_ids: Iterable[int]) -> dict:
    """(programme id, exporter organisation id) -> when the exporter's application was
    approved in that programme, for the exporters whose registry record applied."""
    from django.db.models import Min

    from niaga.programs.models import ApplicationEvent, ApplicationState

    rows = (
        ApplicationEvent.objects.filter(
            to_state=ApplicationState.APPROVED,
            application__programme_id__in=list(programme_ids),
            application__business__organisation_id__in=list(exporter_ids),
        )
        .values("application__programme_id", "application__business__organisation_id")
        .annotate(at=Min("created_at"))
    )
    return {
        (row["application__programme_id"], row["application__business__organisation_id"]): row["at"]
        for row in rows
    }


# --- the whole table again ---------------------------------------------------------------------

BATCH = 2_000


def rebuild(*, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Recompute every aggregate from the settlements; what record_settlement would have built."""
    from niaga.assurance.models import OrderItem, Settlement

    settled = (
        Settlement.objects.filter(order__programme__isnull=False, released_minor__gt=0)
        .select_related("order__exporter", "order__buyer")
        .order_by("settled_at", "id")
    )
    total = settled.count()
    facts: dict[tuple, list[int]] = {}
    firsts: dict[tuple[int, int], tuple] = {}
    recorded: list[int] = []
    rate_cache: dict[tuple[str, date], int | None] = {}
    done = 0
    if progress:
        progress(0, total)
    ids = list(settled.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = list(settled.filter(pk__in=ids[start : start + BATCH]))
        items: dict[int, list] = defaultdict(list)
        for order_id, *item in OrderItem.objects.filter(
            order_id__in=[s.order_id for s in chunk]
        ).values_list("order_id", "hs_code", "quantity", "unit_price_minor"):
            items[order_id].append(tuple(item))
        for settlement in chunk:
            order = settlement.order
            month = month_of(settlement.settled_at)
            usd = _usd(settlement.released_minor, order.currency, month, rate_cache)
            exporter = order.exporter
            place = (order.programme_id, month, exporter.country, exporter.region)
            for part in contributions(order, items[order.pk], settlement.released_minor, usd):
                sums = facts.setdefault((*place, part.dimension, part.key), [0, 0, 0])
                sums[0] += part.usd_minor
                sums[1] += part.native_minor
                sums[2] += part.orders
            recorded.append(settlement.pk)
            first_key = (order.programme_id, exporter.pk)
            if first_key not in firsts:  # settlements come earliest first
                firsts[first_key] = (exporter, settlement.settled_at)
        done += len(chunk)
        if progress:
            progress(done, total)
    approvals = approval_times({p for p, _e in firsts}, {e for _p, e in firsts})
    with transaction.atomic():
        ExportFact.objects.all().delete()
        ExporterFirstOrder.objects.all().delete()
        RecordedSettlement.objects.all().delete()
        RecordedSettlement.objects.bulk_create(
            (RecordedSettlement(settlement_id=pk) for pk in recorded), batch_size=BATCH
        )
        ExportFact.objects.bulk_create(
            (
                ExportFact(
                    programme_id=programme_id,
                    month=month,
                    country=country,
                    province=province,
                    dimension=dimension,
                    key=key,
                    usd_minor=usd,
                    native_minor=native,
                    orders=orders,
                )
                for (programme_id, month, country, province, dimension, key), (
                    usd,
                    native,
                    orders,
                ) in facts.items()
            ),
            batch_size=BATCH,
        )
        ExporterFirstOrder.objects.bulk_create(
            (
                ExporterFirstOrder(
                    programme_id=programme_id,
                    exporter=exporter,
                    **first_order_values(
                        programme_id,
                        exporter,
                        settled_at,
                        approvals=approvals,
                    ),
                )
                for (programme_id, _id), (exporter, settled_at) in firsts.items()
            ),
            batch_size=BATCH,
        )
    return {"settlements": total, "facts": len(facts), "first orders": len(firsts)}


def _usd(amount: int, currency: str, month: date, cache: dict) -> int:
    if (currency, month) not in cache:
        rate = rates.rate_for(currency, month)
        cache[currency, month] = rate
    rate = cache[currency, month]
    if rate is None:
        return 0
    from niaga.core.money import currency_exponent

    return rates.convert(amount, currency_exponent(currency), rate.usd_per_unit)


# --- national figures --------------------------------------------------------------------------


def may_enter_national_figures(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or permissions.has_role(user, Role.POLICY_ANALYST, Role.ADMIN)


def enter_national_figure(
    *, actor, country: str, year: int, month: int | None, usd_minor: int, source: str
) -> NationalExportFigure:
    """An analyst records a country's exports for a year or a month; a later entry replaces."""
    if not may_enter_national_figures(actor):
        raise PermissionDenied(_("National export figures are entered by policy analysts."))
    code = (country or "").upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise InsightsError(_("Give the country as its ISO 3166-1 code."), field="country")
    if not 1990 <= year <= 2100:
        raise InsightsError(_("The year must fall between 1990 and 2100."), field="year")
    if month is not None and not 1 <= month <= 12:
        raise InsightsError(_("The month is a number from 1 to 12."), field="month")
    if type(usd_minor) is not int or not 0 < usd_minor < 10**18:
        raise InsightsError(_("The exports must be a positive amount."), field="usd_minor")
    if not source.strip():
        raise InsightsError(_("Say where the figure comes from."), field="source")
    with transaction.atomic():
        figure, _created = NationalExportFigure.objects.update_or_create(
            country=code,
            year=year,
            month=month,
            defaults={"usd_minor": usd_minor, "source": source.strip()[:300], "entered_by": actor},
        )
        audit.record(
            actor=actor,
            action="insights.national_figure_entered",
            target=figure,
            changes={"country": code, "year": year, "month": month, "usd_minor": usd_minor},
        )
    return figure
