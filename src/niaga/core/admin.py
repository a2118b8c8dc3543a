from django.contrib import admin

from niaga.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """A window, not a door: the model changes only through its app's services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_repr", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_repr", "target_id")
    date_hierarchy = "at"
    list_select_related = ("target_type",)
    readonly_fields = [field.name for field in AuditEntry._meta.fields]


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin land in the audit trail like any other change."""

    def save_model(self, request, obj, form, change):
        from niaga.core import audit

        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="admin.changed" if change else "admin.created",
            target=obj,
            changes={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        from niaga.core import audit

        audit.record(actor=request.user, action="admin.deleted", target=obj)
        super().delete_model(request, obj)
