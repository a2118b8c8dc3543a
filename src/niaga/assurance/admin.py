"""Orders and payments change only through the trade-assurance services; the admin reads."""

from django.contrib import admin

from niaga.assurance.models import Dispute, FeeRule, Order, Payment, Settlement, StatementUpload
from niaga.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "buyer", "exporter", "state", "total_minor", "currency")
    list_filter = ("state", "currency")
    list_select_related = ("buyer", "exporter")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "amount_minor", "currency", "status", "received_on")
    list_filter = ("status", "channel")


@admin.register(StatementUpload)
class StatementUploadAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "format", "lines", "matched", "unmatched", "created_at")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("order", "reason", "state", "opened_at")


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("order", "released_minor", "refunded_minor", "fee_minor", "waived_minor")


@admin.register(FeeRule)
class FeeRuleAdmin(AuditedAdmin):
    list_display = ("__str__", "programme", "currency", "minimum_minor", "cap_minor")
