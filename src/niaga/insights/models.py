"""The programme dashboard's pre-aggregated tables, the exchange rates they are converted with,
and the national export figures analysts enter.

Grouping a million orders on every request is too slow, so each settlement is folded into small
tables when it settles (services.record_settlement) and can be recomputed from the settlements
at any time (``rebuild_insights``). Only orders placed under a programme are counted: the
dashboard is a programme's, and every figure is scoped to the programmes a person works.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation


class Dimension(models.TextChoices):
    TOTAL = "total", _("Total")
    SECTOR = "sector", _("Sector")
    DESTINATION = "destination", _("Destination country")
    HS_CHAPTER = "hs_chapter", _("HS chapter")
    HS_HEADING = "hs_heading", _("HS heading")
    CURRENCY = "currency", _("Original currency")


class ExportFact(models.Model):
    """Settled export value of one programme, month and exporter province, along one dimension.

    Value is what escrow released to the exporter (the exporter's payable plus the fee),
    converted to USD minor units order by order. For HS chapters and headings an order's value
    is split across its items by their amounts, so values add up to the total while ``orders``
    counts the orders that contain the product (an order with two chapters counts in both).
    """

    programme = models.ForeignKey(
        "programs.Programme", on_delete=models.CASCADE, related_name="export_facts"
    )
    month = models.DateField()  # first day of the month the escrow settled in
    country = models.CharField(max_length=2)  # the exporter's
    province = models.CharField(max_length=8, blank=True)  # the exporter's, ISO 3166-2
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=32, blank=True)
    usd_minor = models.BigIntegerField(default=0)
    # Only for the currency dimension: the amount in that currency's own minor units.
    native_minor = models.BigIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "month", "country", "province", "dimension", "key"],
                name="export_fact_once",
            )
        ]
        indexes = [
            models.Index(fields=["dimension", "programme", "month"], name="export_fact_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.month:%Y-%m} {self.dimension}={self.key}"


class ExporterFirstOrder(models.Model):
    """When each exporter's first order under a programme settled: distinct exporters are not
    additive across cells, so they are counted here, one row per programme and exporter."""

    programme = models.ForeignKey(
        "programs.Programme", on_delete=models.CASCADE, related_name="first_orders"
    )
    exporter = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2)
    province = models.CharField(max_length=8, blank=True)
    sector = models.CharField(max_length=32, blank=True)
    month = models.DateField()
    first_settled_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    # Whole days from the programme's approval to the first settlement; unknown without one.
    days_to_first_order = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "exporter"], name="first_order_once")
        ]
        indexes = [
            # Covers the dashboard's one read: filters, then month × days grouped.
            models.Index(
                fields=["programme", "month", "country", "province", "days_to_first_order"],
                name="first_order_read_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.exporter_id}"


class ExchangeRate(models.Model):
    """USD per one unit of a currency, for a month or (no month) for any month without one."""

    currency = models.CharField(_("currency"), max_length=3)
    month = models.DateField(_("month"), null=True, blank=True)
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=24, decimal_places=12)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "month"],
                condition=Q(month__isnull=False),
                name="rate_once_per_month",
            ),
            models.UniqueConstraint(
                fields=["currency"], condition=Q(month__isnull=True), name="one_fixed_rate"
            ),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.usd_per_unit}"


class NationalExportFigure(models.Model):
    """A country's total exports for a year (or one month of it), as an analyst entered it."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    usd_minor = models.BigIntegerField(_("exports (USD cents)"))
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("national export figure")
        verbose_name_plural = _("national export figures")
        ordering = ["country", "year", "month"]
        constraints = [
            models.CheckConstraint(condition=Q(usd_minor__gt=0), name="national_figure_positive"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="national_figure_month_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year}"


class OpenProgramme(models.Model):
    """A programme whose open data (suppressed aggregates only) anyone may download."""

    programme = models.OneToOneField(
        "programs.Programme", on_delete=models.CASCADE, related_name="open_data"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme with public open data")
        verbose_name_plural = _("programmes with public open data")

    def __str__(self) -> str:
        return str(self.programme)


class RecordedSettlement(models.Model):
    """A settlement already folded into the tables: recording it twice changes nothing."""

    settlement = models.OneToOneField(
        "assurance.Settlement", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.settlement_id)


class FunnelProgress(models.Model):
    """Where one application has got to, and when: the funnel reads this table alone.

    Moments are day numbers (days since 1970-01-01 UTC, with the fraction), so a programme's
    tens of thousands of rows come back as plain numbers; only differences between them matter.
    """

    application = models.OneToOneField(
        "programs.Application", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    programme = models.ForeignKey("programs.Programme", on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True)
    province = models.CharField(max_length=8, blank=True)
    applied_on = models.DateField()
    applied = models.FloatField()
    screened = models.FloatField(null=True)
    assessed = models.FloatField(null=True)
    ready = models.FloatField(null=True)
    approved = models.FloatField(null=True)
    onboarded = models.FloatField(null=True)
    active = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["programme", "applied_on"], name="funnel_programme_idx")]

    def __str__(self) -> str:
        return f"funnel of application {self.application_id}"
