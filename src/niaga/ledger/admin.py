"""The ledger is read-only everywhere but its services: no one edits a transfer or a balance."""

from django.contrib import admin

from niaga.core.admin import ReadOnlyAdmin
from niaga.ledger.models import Account, Transfer


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "owner", "currency", "debits_posted", "credits_posted")
    list_filter = ("purpose", "currency")
    search_fields = ("reference", "owner__name")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("transfer_id", "kind", "code", "amount", "currency", "timestamp")
    list_filter = ("kind", "code", "currency")
    search_fields = ("transfer_id",)
    list_select_related = ("debit_account", "credit_account")
