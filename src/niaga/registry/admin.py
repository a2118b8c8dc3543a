from django.contrib import admin

from niaga.core.admin import AuditedAdmin
from niaga.registry.models import (
    Business,
    MatchPair,
    MergeEvent,
    RosterRow,
    RosterSource,
    RosterUpload,
)


@admin.register(RosterSource)
class RosterSourceAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "priority", "created_at")
    search_fields = ("name",)


@admin.register(RosterUpload)
class RosterUploadAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "source",
        "status",
        "total_rows",
        "imported_rows",
        "quarantined_rows",
        "created_at",
    )
    list_filter = ("status", "source")
    readonly_fields = [field.name for field in RosterUpload._meta.fields]

    def has_add_permission(self, request):
        return False  # rosters arrive through the upload page, the API or the CLI


@admin.register(RosterRow)
class RosterRowAdmin(admin.ModelAdmin):
    list_display = ("upload", "number", "status", "business")
    list_filter = ("status",)
    raw_id_fields = ("upload", "business")
    show_full_result_count = False


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "province", "sector", "gstin", "nib", "merged_into")
    list_filter = ("country", "sector")
    search_fields = ("name", "normalised_name", "gstin", "nib", "npwp", "pan", "udyam", "iec")
    raw_id_fields = ("merged_into", "organisation")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # current values follow the provenance rule; edit a source row instead


@admin.register(MatchPair)
class MatchPairAdmin(admin.ModelAdmin):
    list_display = ("left", "right", "match_probability", "method", "status")
    list_filter = ("status", "method")
    raw_id_fields = ("left", "right")


@admin.register(MergeEvent)
class MergeEventAdmin(admin.ModelAdmin):
    list_display = ("survivor", "absorbed", "automatic", "actor", "at", "undone_at")
    raw_id_fields = ("survivor", "absorbed", "pair")
