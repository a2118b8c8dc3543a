"""Read-only windows on programmes: every change goes through the services and their pages,
so that transitions are checked and audited."""

from django.contrib import admin

from niaga.core.admin import AuditedAdmin, ReadOnlyAdmin
from niaga.programs.models import (
    Application,
    ApplicationEvent,
    CommissionEntry,
    Credential,
    MentoringModule,
    MentoringSession,
    Programme,
    RuleVersion,
)


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "operator", "capacity", "opens_on", "closes_on")
    search_fields = ("name", "slug")


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ("programme", "number", "note", "created_by", "created_at")
    list_filter = ("programme",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("business", "programme", "state", "readiness", "partner", "updated_at")
    list_filter = ("programme", "state")
    search_fields = ("business__name",)
    list_select_related = ("business", "programme", "partner")


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ("application", "from_state", "to_state", "actor", "rule_version", "created_at")
    list_select_related = (
        "application__business",
        "application__programme",
        "actor",
        "rule_version",
    )


@admin.register(MentoringModule)
class MentoringModuleAdmin(AuditedAdmin):
    list_display = ("title", "code", "is_active")


@admin.register(MentoringSession)
class MentoringSessionAdmin(ReadOnlyAdmin):
    list_display = ("module", "organisation", "starts_at", "location", "capacity")


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "application", "issued_at", "expires_at", "revoked_at")


@admin.register(CommissionEntry)
class CommissionEntryAdmin(ReadOnlyAdmin):
    list_display = ("partner", "application", "kind", "amount_minor", "currency", "window_ends_on")
