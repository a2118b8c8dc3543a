"""Reads of programmes, scoped to who asks.

A programme is worked by the officers of its operator agency and of the ministries that take
part in it; administrators see every programme. An officer of one programme sees nothing of
another. Exporters see the programmes open for applications and their own applications;
onboarding partners see the applications they onboarded and what they are owed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from niaga.accounts.models import Organisation
from niaga.core import permissions
from niaga.core.roles import OFFICER_ROLES, Role
from niaga.programs import cohort, eligibility, states
from niaga.programs.models import (
    Application,
    ApplicationState,
    Attendance,
    CommissionEntry,
    Credential,
    MentoringModule,
    MentoringSession,
    Programme,
    ReadinessAssessment,
    RuleVersion,
)
from niaga.registry.models import Business

IDENTIFIER_FIELDS = ("nib", "npwp", "udyam", "gstin", "pan", "iec")
EXPORTER_ROLES = (Role.EXPORTER_OWNER, Role.EXPORTER_STAFF)


# --- who works which programme ---------------------------------------------------------------


def is_programme_admin(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or permissions.has_role(user, Role.ADMIN)


def worked_programmes(user) -> QuerySet[Programme]:
    """The programmes this officer works: every one for an administrator."""
    if is_programme_admin(user):
        return Programme.objects.all()
    mine = permissions.organisation_ids(user, *OFFICER_ROLES)
    if not mine:
        return Programme.objects.none()
    return Programme.objects.filter(
        pk__in=Programme.objects.filter(Q(operator__in=mine) | Q(ministries__in=mine)).values("pk")
    )


def works_programme(user, programme: Programme) -> bool:
    return worked_programmes(user).filter(pk=programme.pk).exists()


def is_exporter(user) -> bool:
    return permissions.has_role(user, *EXPORTER_ROLES)


def open_programmes(*, today=None) -> QuerySet[Programme]:
    today = today or timezone.localdate()
    return Programme.objects.filter(opens_on__lte=today, closes_on__gte=today)


def programmes_for(user) -> QuerySet[Programme]:
    """What the user may open: worked programmes for officers; open or applied-to for exporters."""
    if not user or not user.is_authenticated:
        return Programme.objects.none()
    worked = worked_programmes(user)
    if not is_exporter(user) and not permissions.has_role(user, Role.PARTNER):
        return (
            worked.select_related("operator")
            .prefetch_related("rule_versions", "ministries")
            .order_by("-opens_on", "name")
        )
    today = timezone.localdate()
    visible = Q(pk__in=worked.values("pk")) | Q(opens_on__lte=today, closes_on__gte=today)
    visible |= Q(pk__in=applications_for(user).values("programme"))
    return (
        Programme.objects.filter(visible)
        .select_related("operator")
        .prefetch_related("rule_versions", "ministries")
        .order_by("-opens_on", "name")
    )


def programme_for(user, slug: str) -> Programme:
    return permissions.one_or_not_found(programmes_for(user), slug=slug)


def worked_programme_for(user, slug: str) -> Programme:
    return permissions.one_or_not_found(worked_programmes(user), slug=slug)


def current_rules(programme: Programme) -> RuleVersion | None:
    prefetched = getattr(programme, "_prefetched_objects_cache", {}).get("rule_versions")
    if prefetched is not None:
        return max(prefetched, key=lambda version: version.number, default=None)
    return programme.rule_versions.order_by("-number").first()


def rule_versions(programme: Programme) -> QuerySet[RuleVersion]:
    return programme.rule_versions.select_related("created_by").order_by("-number")


def described_rules(version: RuleVersion | None) -> list[str]:
    """The rules in plain words in the active language."""
    if version is None:
        return []
    rules = eligibility.parse_rules(version.rules)
    names = organisation_names(rules, known=_loaded_organisations(version))
    return [eligibility.describe(rule, organisation_names=names) for rule in rules]


def organisation_names(rules, *, known: dict[int, str] | None = None) -> dict[int, str]:
    """Names of the organisations the rules mention; asks the database only for unknown ones."""
    ids = {
        ministry
        for rule in eligibility.rules_document(rules)
        for ministry in rule.get("ministries", ())
    }
    names = {pk: name for pk, name in (known or {}).items() if pk in ids}
    missing = ids - names.keys()
    if missing:
        names.update(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def _loaded_organisations(version: RuleVersion) -> dict[int, str]:
    """The programme's operator and ministries when a list already loaded them."""
    programme = version._state.fields_cache.get("programme")
    if programme is None:
        return {}
    known = {}
    if "operator" in programme._state.fields_cache:
        known[programme.operator.pk] = programme.operator.name
    for ministry in getattr(programme, "_prefetched_objects_cache", {}).get("ministries", ()):
        known[ministry.pk] = ministry.name
    return known


# --- applications --------------------------------------------------------------------------


def applications_for(user) -> QuerySet[Application]:
    """Officers: their programmes' applications; partners: what they onboarded; exporters: own."""
    if not user or not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    visible = Q(programme__in=worked_programmes(user).values("pk"))
    partner_of = permissions.organisation_ids(user, Role.PARTNER)
    if partner_of:
        # What they onboarded, and approved businesses of their programmes waiting for it.
        visible |= Q(partner__in=partner_of) | Q(
            state=ApplicationState.APPROVED,
            partner=None,
            programme__in=Programme.objects.filter(onboarding_partners__in=partner_of).values("pk"),
        )
    exporter_of = permissions.organisation_ids(user, *EXPORTER_ROLES)
    if exporter_of:
        visible |= Q(business__organisation__in=exporter_of)
    return Application.objects.filter(visible).select_related(
        "programme", "business", "partner", "approval_requested_by"
    )


def application_for(user, application_id: int) -> Application:
    return permissions.one_or_not_found(applications_for(user), pk=application_id)


def queue(
    programme: Programme,
    *,
    state: str = "",
    province: str = "",
    sector: str = "",
    search: str = "",
    awaiting_approval: bool = False,
) -> QuerySet[Application]:
    """One programme's applications, filtered; the caller has checked the programme is theirs."""
    applications = programme.applications.select_related(
        "business", "partner", "approval_requested_by"
    ).order_by("-updated_at", "-id")
    if state:
        applications = applications.filter(state=state)
    if province:
        applications = applications.filter(business__province=province)
    if sector:
        applications = applications.filter(business__sector=sector)
    if search:
        applications = applications.filter(business__name__icontains=search)
    if awaiting_approval:
        applications = applications.filter(
            state=ApplicationState.READY, approval_requested_by__isnull=False
        )
    return applications


def state_counts(programme: Programme) -> dict[str, int]:
    counts = dict(programme.applications.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in ApplicationState.values}


def history_of(application: Application):
    return application.events.select_related("actor", "rule_version").order_by("created_at", "id")


def assessments_of(application: Application) -> QuerySet[ReadinessAssessment]:
    """The assessments made for this application: another programme's stay with it."""
    return application.assessments.select_related("assessed_by").order_by("-created_at", "-id")


def nominable_businesses(programme: Programme, *, search: str = "") -> QuerySet[Business]:
    """Registry records not yet in this programme, for an officer to nominate."""
    businesses = Business.objects.filter(merged_into=None).exclude(
        pk__in=programme.applications.values("business")
    )
    if search:
        businesses = businesses.filter(name__icontains=search)
    return businesses.order_by("name", "id")


def onboarding_partners(programme: Programme) -> QuerySet[Organisation]:
    return programme.onboarding_partners.filter(is_active=True).order_by("name")


def exporter_organisations(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=permissions.organisation_ids(user, *EXPORTER_ROLES), is_active=True
    ).order_by("name")


# --- what the rules read --------------------------------------------------------------------


def identifiers_of(business: Business) -> dict[str, str]:
    return {
        field: getattr(business, field) for field in IDENTIFIER_FIELDS if getattr(business, field)
    }


def facts_for(business_ids: Iterable[int]) -> dict[int, eligibility.Facts]:
    """What eligibility reads about each business, in a fixed number of queries."""
    ids = set(business_ids)
    mentored: dict[int, set[int]] = defaultdict(set)
    for business_id, organisation_id in Attendance.objects.filter(
        business_id__in=ids, completed=True
    ).values_list("business_id", "session__organisation_id"):
        mentored[business_id].add(organisation_id)
    latest: dict[int, int] = {}
    for business_id, total in (
        ReadinessAssessment.objects.filter(business_id__in=ids)
        .order_by("business_id", "-created_at", "-id")
        .values_list("business_id", "total")
    ):
        latest.setdefault(business_id, total)
    facts = {}
    for business in Business.objects.filter(pk__in=ids):
        facts[business.pk] = eligibility.Facts(
            country=business.country,
            province=business.province,
            sector=business.sector,
            turnover_minor=business.annual_turnover_minor,
            turnover_currency=business.turnover_currency,
            identifiers=frozenset(identifiers_of(business)),
            mentored_by=frozenset(mentored[business.pk]),
            readiness=latest.get(business.pk),
        )
    return facts


def still_missing(applications: Iterable[Application]) -> list[tuple[Application, list[str]]]:
    """Each application with what it still lacks: unmet rules, and a readiness assessment.

    One look-up of facts for all of them, and each programme's rules parsed once.
    """
    applications = list(applications)
    facts = facts_for(a.business_id for a in applications)
    rules_of: dict[int, tuple[list, dict[int, str]]] = {}
    result = []
    for application in applications:
        if application.programme_id not in rules_of:
            version = current_rules(application.programme)
            rules = eligibility.parse_rules(version.rules if version else [])
            rules_of[application.programme_id] = (rules, organisation_names(rules))
        rules, names = rules_of[application.programme_id]
        outcomes = eligibility.evaluate(
            rules, facts[application.business_id], organisation_names=names
        )
        missing = [outcome.explanation for outcome in outcomes if not outcome.passed]
        if application.readiness is None:
            missing.append(gettext("A readiness assessment"))
        result.append((application, missing))
    return result


def worked_programmes_with_counts(user) -> QuerySet[Programme]:
    """The officer's programmes with how many applications each has at each stage."""
    return (
        worked_programmes(user)
        .select_related("operator")
        .annotate(
            total=Count("applications"),
            selecting=Count("applications", filter=Q(applications__state__in=states.IN_SELECTION)),
            in_cohort=Count("applications", filter=Q(applications__state__in=states.IN_COHORT)),
            awaiting=Count(
                "applications",
                filter=Q(
                    applications__state=ApplicationState.READY,
                    applications__approval_requested_by__isnull=False,
                ),
            ),
        )
        .order_by("-opens_on", "name")
    )


def eligibility_of(application: Application) -> list[eligibility.Outcome]:
    version = current_rules(application.programme)
    rules = eligibility.parse_rules(version.rules if version else [])
    facts = facts_for([application.business_id])[application.business_id]
    return eligibility.evaluate(rules, facts, organisation_names=organisation_names(rules))


def mentoring_organisations(business: Business) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            pk__in=Attendance.objects.filter(business=business, completed=True).values(
                "session__organisation"
            )
        ).order_by("name")
    )


def completed_modules(business: Business) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(business=business, completed=True)
        .select_related("session__module", "session__organisation")
        .order_by("-session__starts_at")
    )


# --- cohort ---------------------------------------------------------------------------------


def shortlist(programme: Programme) -> tuple[cohort.Selection, dict[int, Application], int]:
    """Rank the applicants who meet every rule but mentoring (still under way) by readiness.

    Returns the selection, the applications by id, and the places left.
    """
    taken = programme.applications.filter(state__in=states.IN_COHORT).count()
    places = max(programme.capacity - taken, 0)
    applications = {
        application.pk: application
        for application in programme.applications.filter(
            state__in=states.IN_SELECTION - {ApplicationState.NOMINATED, ApplicationState.APPLIED},
            readiness__isnull=False,
        ).select_related("business")
    }
    version = current_rules(programme)
    rules = eligibility.parse_rules(version.rules if version else [])
    kinds = {rule_doc["kind"] for rule_doc in eligibility.rules_document(rules)} - {
        "mentoring_completed"
    }
    facts = facts_for(a.business_id for a in applications.values())
    candidates = []
    for application in applications.values():
        outcomes = eligibility.evaluate(rules, facts[application.business_id], kinds=kinds)
        if eligibility.is_eligible(outcomes):
            candidates.append(
                cohort.Candidate(
                    key=application.pk,
                    readiness=application.readiness,
                    province=application.business.province,
                    sector=application.business.sector,
                    applied_at=application.created_at,
                )
            )
    if not places:
        # A full programme shortlists nobody; everyone waits, best first, for a place to free up.
        ranked = cohort.select_cohort(candidates, capacity=max(len(candidates), 1)).selected
        waiting = tuple(
            cohort.Ranked(
                entry.rank,
                entry.candidate,
                reason=cohort.CAPACITY_REACHED,
                message=cohort.capacity_reached_message(programme.capacity),
            )
            for entry in ranked
        )
        return cohort.Selection((), waiting, 0, None, None), applications, 0
    members = programme.applications.filter(state__in=states.IN_COHORT).values_list(
        "business__province", "business__sector"
    )
    selection = cohort.select_cohort(
        candidates,
        capacity=places,
        members=list(members),
        max_share_per_province=programme.max_share_per_province,
        max_share_per_sector=programme.max_share_per_sector,
    )
    return selection, applications, places


# --- mentoring ------------------------------------------------------------------------------


def modules() -> QuerySet[MentoringModule]:
    return MentoringModule.objects.filter(is_active=True).order_by("title")


def sessions_for(user) -> QuerySet[MentoringSession]:
    """Officers see the sessions their ministries run; administrators see all."""
    sessions = (
        MentoringSession.objects.select_related("module", "organisation")
        .annotate(attended=Count("attendances", filter=Q(attendances__completed=True)))
        .order_by("-starts_at", "id")
    )
    if is_programme_admin(user):
        return sessions
    mine = permissions.organisation_ids(user, *OFFICER_ROLES)
    return sessions.filter(organisation__in=mine) if mine else sessions.none()


def session_for(user, session_id: int) -> MentoringSession:
    return permissions.one_or_not_found(sessions_for(user), pk=session_id)


def attendances_of(session: MentoringSession) -> QuerySet[Attendance]:
    return session.attendances.select_related("business").order_by("business__name")


def mentees_for(user) -> QuerySet[Business]:
    """Businesses an officer may mark as attending: those in the programmes they work."""
    return Business.objects.filter(
        pk__in=Application.objects.filter(
            programme__in=worked_programmes(user).values("pk")
        ).values("business")
    ).order_by("name")


# --- credentials and commissions ------------------------------------------------------------


def credential_by_public_id(public_id) -> Credential:
    """Anyone may look a credential up by its id: that is what verification is for."""
    return permissions.one_or_not_found(
        Credential.objects.select_related("application__programme", "application__business"),
        public_id=public_id,
    )


def credentials_of(application: Application) -> QuerySet[Credential]:
    return application.credentials.order_by("-issued_at")


def credentials_for(user) -> QuerySet[Credential]:
    return Credential.objects.filter(application__in=applications_for(user).values("pk"))


def revoked_credential_ids() -> frozenset[str]:
    return frozenset(
        str(public_id)
        for public_id in Credential.objects.filter(revoked_at__isnull=False).values_list(
            "public_id", flat=True
        )
    )


def revoked_ids_for(document: object) -> frozenset[str]:
    """The credential's own id if it is revoked: one keyed lookup, not the whole list."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            return frozenset()
    claims = document.get("credential") if isinstance(document, dict) else None
    public_id = claims.get("id") if isinstance(claims, dict) else None
    if not isinstance(public_id, str):
        return frozenset()
    try:
        revoked = Credential.objects.filter(public_id=public_id, revoked_at__isnull=False).exists()
    except (ValueError, ValidationError):
        return frozenset()
    return frozenset({public_id}) if revoked else frozenset()


def revocations() -> list[tuple[str, object]]:
    return [
        (str(public_id), revoked_at)
        for public_id, revoked_at in Credential.objects.filter(revoked_at__isnull=False)
        .order_by("public_id")
        .values_list("public_id", "revoked_at")
    ]


def current_badges(business_ids: Iterable[int]) -> dict[int, list[Credential]]:
    """Unrevoked, unexpired credentials per business, for the badge buyers see."""
    badges: dict[int, list[Credential]] = defaultdict(list)
    for credential in Credential.objects.filter(
        application__business_id__in=set(business_ids),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("application__programme"):
        badges[credential.application.business_id].append(credential)
    return badges


def public_programme(slug: str) -> Programme:
    """A programme by its short name for public pages: its name and its curated suppliers."""
    return permissions.one_or_not_found(Programme.objects.all(), slug=slug)


def curated_suppliers(programme: Programme) -> QuerySet[Application]:
    """The approved businesses of a programme: the public list buyers browse."""
    return (
        programme.applications.filter(state__in=states.IN_COHORT)
        .select_related("business")
        .order_by("business__name")
    )


def commissions_for(user) -> QuerySet[CommissionEntry]:
    entries = CommissionEntry.objects.select_related("application__business", "partner")
    if is_programme_admin(user):
        return entries
    visible = Q(application__programme__in=worked_programmes(user).values("pk"))
    partner_of = permissions.organisation_ids(user, Role.PARTNER)
    if partner_of:
        visible |= Q(partner__in=partner_of)
    return entries.filter(visible)


def commission_totals(entries: QuerySet[CommissionEntry]) -> list[dict]:
    """What is owed, per partner and currency: the sum of every entry."""
    return list(
        entries.values("partner__name", "currency")
        .annotate(owed_minor=Sum("amount_minor"), onboarded=Count("application", distinct=True))
        .order_by("partner__name", "currency")
    )
