"""Exchange rates and which programmes publish open data are set by administrators here;
the aggregate tables are a window only. A changed rate applies to settled orders once
``rebuild_insights`` has run."""

from django.contrib import admin

from niaga.core.admin import AuditedAdmin, ReadOnlyAdmin
from niaga.insights.models import ExchangeRate, ExportFact, NationalExportFigure, OpenProgramme


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ("currency", "month", "usd_per_unit", "source")
    list_filter = ("currency",)


@admin.register(OpenProgramme)
class OpenProgrammeAdmin(AuditedAdmin):
    list_display = ("programme", "published_at")


@admin.register(NationalExportFigure)
class NationalExportFigureAdmin(ReadOnlyAdmin):
    list_display = ("country", "year", "month", "usd_minor", "source", "entered_by")


@admin.register(ExportFact)
class ExportFactAdmin(ReadOnlyAdmin):
    list_display = ("programme", "month", "province", "dimension", "key", "usd_minor", "orders")
    list_filter = ("dimension",)
