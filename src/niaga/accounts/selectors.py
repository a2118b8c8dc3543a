"""Reads of people and organisations, scoped to who asks."""

from django.db.models import QuerySet

from niaga.accounts.models import Membership, Organisation
from niaga.core.permissions import get_for_user, scope


def organisations_for(user) -> QuerySet[Organisation]:
    return scope(Organisation.objects.all(), user, via="pk")


def organisation_for(user, organisation_id: int) -> Organisation:
    return get_for_user(Organisation.objects.all(), user, via="pk", pk=organisation_id)


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__full_name")


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def organisation_counts() -> dict[str, int]:
    """How many organisations of each kind; for officers' home pages."""
    from django.db.models import Count

    rows = Organisation.objects.values("kind").annotate(total=Count("id")).order_by("kind")
    return {row["kind"]: row["total"] for row in rows}


def recent_activity(*, limit: int):
    from niaga.core.models import AuditEntry

    return AuditEntry.objects.select_related("target_type")[:limit]
