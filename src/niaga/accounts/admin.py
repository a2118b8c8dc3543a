from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Membership, Organisation, User
from niaga.core.admin import AuditedAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user", "organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "preferred_language", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country", "region", "sector", "gstin", "nib", "is_active")
    list_filter = ("kind", "country", "is_active")
    search_fields = ("name", "gstin", "nib", "pan", "npwp", "udyam", "iec")
    inlines = [MembershipInline]
    show_full_result_count = False  # counting 100k rows on every page is wasted work


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "organisation__name")
    autocomplete_fields = ("user", "organisation")
