"""Reads of the registry, scoped to who asks.

Rosters hold what one ministry sent: its officers see their own ministry's rosters, and the
programme operator's officers and administrators see all of them. Business records are the
registry every programme works from: every officer sees them; an exporter sees its own.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from niaga.core import permissions
from niaga.core.roles import OFFICER_ROLES, OrganisationKind, Role
from niaga.registry.linkage.normalise import normalise_business_name
from niaga.registry.models import (
    Business,
    FieldValue,
    MatchPair,
    MergeEvent,
    PairStatus,
    RosterRow,
    RosterSource,
    RosterUpload,
    RowProblem,
    RowStatus,
)


def sees_every_roster(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser or permissions.has_role(user, Role.ADMIN):
        return True
    return any(
        kind == OrganisationKind.OPERATOR and role in OFFICER_ROLES
        for _, kind, role in permissions.memberships(user)
    )


def may_use_registry(user) -> bool:
    return permissions.is_officer(user)


def sources_for(user) -> QuerySet[RosterSource]:
    if not may_use_registry(user):
        return RosterSource.objects.none()
    if sees_every_roster(user):
        return RosterSource.objects.all()
    mine = permissions.organisation_ids(user, *OFFICER_ROLES)
    return RosterSource.objects.filter(Q(organisation__in=mine) | Q(organisation=None))


def uploads_for(user) -> QuerySet[RosterUpload]:
    if not may_use_registry(user):
        return RosterUpload.objects.none()
    uploads = RosterUpload.objects.select_related("source", "uploaded_by")
    if sees_every_roster(user):
        return uploads
    mine = permissions.organisation_ids(user, *OFFICER_ROLES)
    return uploads.filter(Q(source__organisation__in=mine) | Q(uploaded_by=user))


def upload_for(user, upload_id: int) -> RosterUpload:
    return permissions.one_or_not_found(uploads_for(user), pk=upload_id)


def row_for(user, row_id: int) -> RosterRow:
    rows = RosterRow.objects.select_related("upload", "source").filter(upload__in=uploads_for(user))
    return permissions.one_or_not_found(rows, pk=row_id)


def problems_of(upload: RosterUpload) -> QuerySet[RowProblem]:
    return RowProblem.objects.filter(row__upload=upload).select_related("row")


def quarantined_rows(upload: RosterUpload) -> QuerySet[RosterRow]:
    return upload.rows.filter(status=RowStatus.QUARANTINED).prefetch_related("problems")


def businesses_for(user) -> QuerySet[Business]:
    current = Business.objects.filter(merged_into=None).exclude(name="")
    if may_use_registry(user):
        return current
    if not user or not user.is_authenticated:
        return current.none()
    return current.filter(organisation__in=permissions.organisation_ids(user))


def business_for(user, business_id: int) -> Business:
    """A business the user may see; a merged-away record is found through its survivor."""
    scope = Business.objects.all() if may_use_registry(user) else businesses_for(user)
    return permissions.one_or_not_found(scope, pk=business_id)


def search_businesses(
    user,
    *,
    query: str = "",
    country: str = "",
    province: str = "",
    sector: str = "",
    identifier: str = "",
) -> QuerySet[Business]:
    businesses = businesses_for(user)
    if query:
        normalised = normalise_business_name(query)
        businesses = businesses.filter(
            Q(normalised_name__contains=normalised) | Q(name__icontains=query.strip())
        )
    if country:
        businesses = businesses.filter(country=country.upper())
    if province:
        businesses = businesses.filter(province=province.upper())
    if sector:
        businesses = businesses.filter(sector=sector)
    if identifier:
        value = identifier.strip().upper().replace(" ", "")
        businesses = businesses.filter(
            Q(nib=value)
            | Q(npwp=value)
            | Q(udyam=value)
            | Q(gstin=value)
            | Q(pan=value)
            | Q(iec=value)
        )
    return businesses.order_by("name", "id")


def cluster_ids(business: Business) -> set[int]:
    return cluster_member_ids(business.pk)


def cluster_roots(business_ids: set[int]) -> dict[int, int]:
    """The root each business is merged into, following merges up (each step one query)."""
    roots = {pk: pk for pk in business_ids}
    while True:
        parents = dict(
            Business.objects.filter(pk__in=set(roots.values()))
            .exclude(merged_into=None)
            .values_list("pk", "merged_into")
        )
        if not parents:
            return roots
        roots = {pk: parents.get(root, root) for pk, root in roots.items()}


def cluster_members(roots: set[int]) -> dict[int, set[int]]:
    """Each root with every record merged into it, directly or through another."""
    members = {root: {root} for root in roots}
    owner = {root: root for root in roots}
    frontier = set(roots)
    while frontier:
        children = list(
            Business.objects.filter(merged_into__in=frontier).values_list("pk", "merged_into")
        )
        frontier = set()
        for child, parent in children:
            if child in owner:
                continue
            owner[child] = owner[parent]
            members[owner[parent]].add(child)
            frontier.add(child)
    return members


def cluster_root(business_id: int) -> int:
    return cluster_roots({business_id})[business_id]


def cluster_member_ids(root_id: int) -> set[int]:
    return cluster_members({root_id})[root_id]


def provenance_of(business: Business) -> dict[str, list[FieldValue]]:
    """Every value each source gave for each field, for the business and what merged into it."""
    by_field: dict[str, list[FieldValue]] = defaultdict(list)
    values = (
        FieldValue.objects.filter(business_id__in=cluster_ids(business))
        .select_related("source", "row", "row__upload")
        .order_by("field", "source__priority", "-observed_at", "-row__number")
    )
    for value in values:
        by_field[value.field].append(value)
    return dict(by_field)


def merge_history(business: Business) -> QuerySet[MergeEvent]:
    members = cluster_ids(business)
    return MergeEvent.objects.filter(
        Q(survivor_id__in=members) | Q(absorbed_id__in=members)
    ).select_related("actor", "undone_by", "absorbed", "survivor", "pair")


def review_queue(user) -> QuerySet[MatchPair]:
    if not may_use_registry(user):
        return MatchPair.objects.none()
    return MatchPair.objects.filter(status=PairStatus.PENDING).select_related("left", "right")


def pair_for(user, pair_id: int) -> MatchPair:
    pairs = MatchPair.objects.select_related("left", "right")
    return permissions.one_or_not_found(
        pairs if may_use_registry(user) else pairs.none(), pk=pair_id
    )


def merge_for(user, event_id: int) -> MergeEvent:
    events = MergeEvent.objects.all() if may_use_registry(user) else MergeEvent.objects.none()
    return permissions.one_or_not_found(events, pk=event_id)


def registry_counts() -> dict[str, int]:
    return {
        "businesses": Business.objects.filter(merged_into=None).exclude(name="").count(),
        "pending_pairs": MatchPair.objects.filter(status=PairStatus.PENDING).count(),
        "quarantined_rows": RosterRow.objects.filter(status=RowStatus.QUARANTINED).count(),
    }


def last_linkage():
    from niaga.registry.models import LinkageRun

    return LinkageRun.objects.first()


def upload_summary(upload: RosterUpload) -> dict[str, int]:
    return dict(
        upload.rows.values_list("status").annotate(total=Count("id")).values_list("status", "total")
    )


def home_organisation(user):
    """The ministry or agency an officer acts for, for rosters they send."""
    from niaga.accounts.models import Organisation

    mine = permissions.organisation_ids(user, *OFFICER_ROLES)
    return Organisation.objects.filter(pk__in=mine).order_by("pk").first()
