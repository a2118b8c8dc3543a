"""The programmes API (/api/v1/programmes/) and the public credential checks (/api/v1/credentials/).

Django matches routes in the order they are declared, and a "{slug}" route would match any
word: so the fixed paths ("applications…", "mentoring…", "readiness…", "commissions") are
declared before the "{slug}" ones, and those words are refused as a programme's short name.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import AfterValidator, AwareDatetime, StringConstraints, field_validator

from niaga.accounts import selectors as account_selectors
from niaga.core import permissions
from niaga.core.errors import NiagaError, NotFound
from niaga.core.pagination import MAX_LIMIT, MAX_OFFSET, Page
from niaga.core.schemas import Problem, StrictSchema, responses
from niaga.programs import credentials, eligibility, readiness, selectors, services, states
from niaga.programs.models import Application, ApplicationState, Marketplace
from niaga.registry import selectors as registry_selectors

router = Router(tags=["programmes"], auth=django_auth)
credentials_router = Router(tags=["credentials"])

# Ids are stored in signed 64-bit columns.
MAX_ID = 2**63 - 1
RESERVED_SLUGS = frozenset({"applications", "commissions", "mentoring", "readiness"})

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Reason = Annotated[str, StringConstraints(max_length=2000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _plausible_moment(value: datetime) -> datetime:
    # Far-off years overflow when the time is moved to UTC for storage.
    if not 1970 <= value.year <= 9000:
        raise ValueError(_("The time must fall between the years 1970 and 9000."))
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]


class UnknownReference(NiagaError):
    """An id in a request body that names nothing the caller may use."""

    code = "unknown_reference"
    status = 422


# --- schemas: programmes and rules ------------------------------------------------------------


def _current_rules(programme):
    """The programme's current rule version, read once per programme per response."""
    if not hasattr(programme, "_api_current_rules"):
        programme._api_current_rules = selectors.current_rules(programme)
    return programme._api_current_rules


class OrganisationBrief(Schema):
    id: int
    name: str


class ProgrammeOut(Schema):
    slug: str
    name: str
    description: str
    operator: str
    operator_id: int
    partner_marketplaces: list[str]
    capacity: int
    opens_on: date
    closes_on: date
    is_open: bool
    rules_version: int | None
    rules_described: list[str]

    @staticmethod
    def resolve_operator(obj) -> str:
        return obj.operator.name

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.is_open()

    @staticmethod
    def resolve_rules_version(obj) -> int | None:
        version = _current_rules(obj)
        return version.number if version else None

    @staticmethod
    def resolve_rules_described(obj) -> list[str]:
        return selectors.described_rules(_current_rules(obj))


class ProgrammeDetailOut(ProgrammeOut):
    ministries: list[OrganisationBrief]
    onboarding_partners: list[OrganisationBrief]
    max_share_per_province: int | None
    max_share_per_sector: int | None
    commission_minor: int
    commission_currency: str
    commission_window_days: int
    state_counts: dict[str, int] | None = Field(
        None, description="Applications per state; only for officers who work the programme."
    )

    @staticmethod
    def resolve_ministries(obj) -> list:
        return list(obj.ministries.order_by("name", "id"))

    @staticmethod
    def resolve_onboarding_partners(obj) -> list:
        return list(obj.onboarding_partners.order_by("name", "id"))

    @staticmethod
    def resolve_state_counts(obj, context) -> dict[str, int] | None:
        if not selectors.works_programme(context["request"].auth, obj):
            return None
        return selectors.state_counts(obj)


class ProgrammeIn(StrictSchema):
    slug: str = Field(
        ...,
        min_length=2,
        max_length=80,
        pattern=r"^[a-z0-9][a-z0-9-]{1,79}$",
        description="Lower-case letters, digits and hyphens.",
    )
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    operator_id: Id
    ministry_ids: list[Id] = Field(default_factory=list, max_length=50)
    onboarding_partner_ids: list[Id] = Field(default_factory=list, max_length=50)
    partner_marketplaces: list[Marketplace] = Field(default_factory=list, max_length=10)
    capacity: int = Field(..., ge=1, le=1_000_000)
    opens_on: date
    closes_on: date
    rules: list[dict[str, Any]] = Field(default_factory=list, max_length=eligibility.MAX_RULES)
    max_share_per_province: int | None = Field(None, ge=1, le=100)
    max_share_per_sector: int | None = Field(None, ge=1, le=100)
    commission_minor: int = Field(0, ge=0, le=MAX_ID)
    commission_currency: str = Field("", pattern=r"^([A-Za-z]{3})?$")
    commission_window_days: int = Field(90, ge=1, le=3650)

    @field_validator("slug")
    @classmethod
    def _not_a_route(cls, slug: str) -> str:
        if slug in RESERVED_SLUGS:
            raise ValueError(
                _("“%(slug)s” is a word the API uses; choose another short name.") % {"slug": slug}
            )
        return slug


class RuleVersionOut(Schema):
    number: int
    rules: list[dict[str, Any]]
    described: list[str]
    note: str
    created_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_described(obj) -> list[str]:
        return selectors.described_rules(obj)

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return str(obj.created_by) if obj.created_by_id else None


class RulesIn(StrictSchema):
    rules: list[dict[str, Any]] = Field(..., max_length=eligibility.MAX_RULES)
    note: str = Field("", max_length=300)


# --- schemas: applications --------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    programme: str = Field(..., description="The programme's short name.")
    state: ApplicationState
    business_id: int
    business_name: str
    province: str
    sector: str
    readiness: int | None
    partner: str | None
    awaiting_approval: bool
    approval_requested_by: str | None = Field(None, description="E-mail of the maker.")
    reason: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_programme(obj) -> str:
        return obj.programme.slug

    @staticmethod
    def resolve_business_name(obj) -> str:
        return obj.business.name

    @staticmethod
    def resolve_province(obj) -> str:
        return obj.business.province

    @staticmethod
    def resolve_sector(obj) -> str:
        return obj.business.sector

    @staticmethod
    def resolve_partner(obj) -> str | None:
        return obj.partner.name if obj.partner_id else None

    @staticmethod
    def resolve_awaiting_approval(obj) -> bool:
        return obj.state == ApplicationState.READY and obj.approval_requested_by_id is not None

    @staticmethod
    def resolve_approval_requested_by(obj) -> str | None:
        return obj.approval_requested_by.email if obj.approval_requested_by_id else None


class BusinessBrief(Schema):
    id: int
    name: str
    country: str
    province: str
    sector: str


class OutcomeOut(Schema):
    kind: str
    rule: str = Field(..., description="The rule in plain words.")
    passed: bool
    explanation: str


class EventOut(Schema):
    from_state: str
    to_state: ApplicationState
    reason: str
    actor: str | None
    rules_version: int | None
    at: datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_rules_version(obj) -> int | None:
        return obj.rule_version.number if obj.rule_version_id else None


class CredentialOut(Schema):
    public_id: UUID
    key_id: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str
    verify_url: str

    @staticmethod
    def resolve_verify_url(obj) -> str:
        claims = obj.document.get("credential") if isinstance(obj.document, dict) else None
        url = claims.get("verify_url") if isinstance(claims, dict) else None
        return (
            url
            if isinstance(url, str)
            else f"{settings.NIAGA_PUBLIC_URL}/credentials/{obj.public_id}/"
        )


class ApplicationDetailOut(ApplicationOut):
    programme_name: str
    business: BusinessBrief
    eligibility: list[OutcomeOut]
    next_states: list[ApplicationState]
    history: list[EventOut]
    credentials: list[CredentialOut]

    @staticmethod
    def resolve_programme_name(obj) -> str:
        return obj.programme.name

    @staticmethod
    def resolve_eligibility(obj) -> list[dict]:
        outcomes = selectors.eligibility_of(obj)
        described = selectors.described_rules(selectors.current_rules(obj.programme))
        return [
            {
                "kind": outcome.rule.kind,
                "rule": words,
                "passed": outcome.passed,
                "explanation": outcome.explanation,
            }
            for outcome, words in zip(outcomes, described, strict=False)
        ]

    @staticmethod
    def resolve_next_states(obj) -> list[str]:
        return sorted(states.next_states(obj.state))

    @staticmethod
    def resolve_history(obj) -> list:
        return list(selectors.history_of(obj))

    @staticmethod
    def resolve_credentials(obj) -> list:
        return list(selectors.credentials_of(obj))


class ApplyIn(StrictSchema):
    organisation_id: Id = Field(..., description="Your exporter organisation.")


class NominateIn(StrictSchema):
    business_id: Id = Field(..., description="A business in the registry.")


class TransitionIn(StrictSchema):
    to: ApplicationState
    reason: Reason = ""


class OnboardIn(StrictSchema):
    partner_id: Id | None = Field(None, description="The onboarding partner, if one did it.")


class WithdrawIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class BulkTransitionIn(StrictSchema):
    application_ids: list[Id] = Field(..., min_length=1, max_length=200)
    to: ApplicationState
    reason: Reason = ""


class BulkResultOut(Schema):
    id: int
    ok: bool
    state: ApplicationState | None = None
    code: str | None = None
    message: str | None = None


class BulkTransitionOut(Schema):
    results: list[BulkResultOut]


class ShortlistEntryOut(Schema):
    rank: int
    application_id: int
    business_name: str
    province: str
    sector: str
    readiness: int
    reason: str | None = None
    message: str = ""


class ShortlistOut(Schema):
    places: int = Field(..., description="Places left in the cohort.")
    province_limit: int | None
    sector_limit: int | None
    selected: list[ShortlistEntryOut]
    waitlisted: list[ShortlistEntryOut]


# --- schemas: readiness -----------------------------------------------------------------------


class ChoiceOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    code: str
    text: str
    choices: list[ChoiceOut]


class DimensionOut(Schema):
    code: str
    label: str
    weight: int
    advice: str
    questions: list[QuestionOut]


class QuestionnaireOut(Schema):
    version: int
    dimensions: list[DimensionOut]


class AnswersIn(StrictSchema):
    answers: dict[Code, Code] = Field(
        ..., max_length=100, description="Question code → choice code."
    )


class DimensionScoreOut(Schema):
    code: str
    label: str
    points: int
    weight: int
    percent: int


class ImprovementOut(Schema):
    code: str
    label: str
    gap: int
    advice: str


class AssessmentOut(Schema):
    id: int
    application_id: int | None
    total: int
    breakdown: list[DimensionScoreOut]
    improvements: list[ImprovementOut]
    assessed_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_breakdown(obj) -> list[dict]:
        return [
            {
                "code": part.code,
                "label": part.label,
                "points": part.points,
                "weight": part.weight,
                "percent": part.percent,
            }
            for part in readiness.assessment_from_dict(obj.result).breakdown
        ]

    @staticmethod
    def resolve_improvements(obj) -> list[dict]:
        return [
            {"code": item.code, "label": item.label, "gap": item.gap, "advice": item.advice}
            for item in readiness.assessment_from_dict(obj.result).improvements
        ]

    @staticmethod
    def resolve_assessed_by(obj) -> str | None:
        return str(obj.assessed_by) if obj.assessed_by_id else None


# --- schemas: mentoring and commissions -------------------------------------------------------


class ModuleOut(Schema):
    id: int
    code: str
    title: str
    description: str


class SessionOut(Schema):
    id: int
    module: ModuleOut
    organisation: OrganisationBrief
    starts_at: datetime
    location: str
    capacity: int | None
    attended: int = Field(0, description="Businesses that completed the session.")

    @staticmethod
    def resolve_attended(obj) -> int:
        return getattr(obj, "attended", 0)


class SessionIn(StrictSchema):
    module_id: Id
    organisation_id: Id = Field(..., description="The ministry or agency that runs it.")
    starts_at: Moment
    location: str = Field("", max_length=200)
    capacity: int | None = Field(None, ge=1, le=100_000)


class AttendanceIn(StrictSchema):
    business_ids: list[Id] = Field(..., min_length=1, max_length=500)
    completed: bool = True


class AttendanceOut(Schema):
    recorded: int


class CommissionEntryOut(Schema):
    id: int
    application_id: int
    business: str
    partner: str
    kind: str
    amount_minor: int
    currency: str
    window_ends_on: date
    created_at: datetime

    @staticmethod
    def resolve_business(obj) -> str:
        return obj.application.business.name

    @staticmethod
    def resolve_partner(obj) -> str:
        return obj.partner.name


class CommissionTotalOut(Schema):
    partner: str = Field(..., alias="partner__name")
    currency: str
    owed_minor: int
    onboarded: int


class CommissionsOut(Schema):
    count: int
    totals: list[CommissionTotalOut]
    items: list[CommissionEntryOut]


# --- schemas: public credential checks ---------------------------------------------------------


class JwkOut(Schema):
    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class KeySetOut(Schema):
    keys: list[JwkOut]


class ProofOut(Schema):
    type: str
    kid: str
    signature: str


class RevokedOut(Schema):
    id: str
    revoked_at: str


class RevocationsOut(Schema):
    type: str
    issued_at: str
    revoked: list[RevokedOut]


class RevocationListOut(Schema):
    revocations: RevocationsOut
    proof: ProofOut


Verdict = Literal["valid", "revoked", "expired", "tampered"]


class CredentialStatusOut(Schema):
    public_id: UUID
    status: Verdict
    detail: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    document: dict[str, Any] = Field(..., description="The signed credential as issued.")


class VerificationOut(Schema):
    verdict: Verdict
    detail: str
    claims: dict[str, Any] | None


class RevocationIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


# --- small edge helpers: ids in bodies, shapes of pure results ---------------------------------


def _organisation(request, organisation_id: int, *, field: str):
    try:
        return account_selectors.organisation_for(request.auth, organisation_id)
    except NotFound:
        raise UnknownReference(
            _("No organisation you may use has the id %(id)s.") % {"id": organisation_id},
            field=field,
        ) from None


def _organisations(request, ids: Iterable[int], *, field: str) -> list:
    wanted = list(dict.fromkeys(ids))
    found = account_selectors.organisations_for(request.auth).in_bulk(wanted)
    missing = _missing(wanted, found)
    if missing:
        raise UnknownReference(
            _("No organisation you may use has the id %(id)s.") % {"id": missing}, field=field
        )
    return [found[pk] for pk in wanted]


def _business(request, business_id: int):
    try:
        return registry_selectors.business_for(request.auth, business_id)
    except NotFound:
        raise UnknownReference(
            _("No business you may use has the id %(id)s.") % {"id": business_id},
            field="business_id",
        ) from None


def _module(module_id: int):
    try:
        return permissions.one_or_not_found(selectors.modules(), pk=module_id)
    except NotFound:
        raise UnknownReference(
            _("No active mentoring module has the id %(id)s.") % {"id": module_id},
            field="module_id",
        ) from None


def _missing(wanted: list[int], found: dict) -> int | None:
    """The first wanted id that was not found, if any."""
    return next((pk for pk in wanted if pk not in found), None)


def _shortlist_out(selection, applications, places) -> dict:
    def entry(ranked) -> dict:
        application = applications[ranked.candidate.key]
        return {
            "rank": ranked.rank,
            "application_id": application.pk,
            "business_name": application.business.name,
            "province": application.business.province,
            "sector": application.business.sector,
            "readiness": ranked.candidate.readiness,
            "reason": ranked.reason,
            "message": ranked.message,
        }

    return {
        "places": places,
        "province_limit": selection.province_limit,
        "sector_limit": selection.sector_limit,
        "selected": [entry(ranked) for ranked in selection.selected],
        "waitlisted": [entry(ranked) for ranked in selection.waitlisted],
    }


def _questionnaire_out() -> dict:
    return {
        "version": readiness.QUESTIONNAIRE_VERSION,
        "dimensions": [
            {
                "code": dimension.code,
                "label": str(dimension.label),
                "weight": dimension.weight,
                "advice": str(dimension.advice),
                "questions": [
                    {
                        "code": question.code,
                        "text": str(question.text),
                        "choices": [
                            {"code": choice.code, "label": str(choice.label)}
                            for choice in question.choices
                        ],
                    }
                    for question in dimension.questions
                ],
            }
            for dimension in readiness.QUESTIONNAIRE
        ],
    }


def _bulk_results(wanted: list[int], outcomes: dict) -> list[dict]:
    not_found = _("No such %(object)s.") % {"object": Application._meta.verbose_name}
    results = []
    for pk in wanted:
        if pk not in outcomes:
            results.append({"id": pk, "ok": False, "code": NotFound.code, "message": not_found})
            continue
        application, error = outcomes[pk]
        results.append(
            {
                "id": pk,
                "ok": error is None,
                "state": application.state,
                "code": error.code if error else None,
                "message": str(error.message) if error else None,
            }
        )
    return results


def _published_keys() -> dict:
    return {key.kid: key.public_key for key in credentials.published_keys()}


# --- fixed paths first: the user's applications, one application, readiness, mentoring --------


@router.get("applications", response=responses({200: list[ApplicationOut]}, signed_in=True))
@paginate(Page)
def list_my_applications(request):
    """Applications you may see: your business's own, your programmes', or those you onboarded."""
    return selectors.applications_for(request.auth)


@router.post(
    "applications/bulk-transitions",
    response=responses({200: BulkTransitionOut}, signed_in=True),
)
def bulk_transition(request, payload: BulkTransitionIn):
    """Move many applications; each succeeds or fails on its own, and each id gets a result."""
    wanted = list(dict.fromkeys(payload.application_ids))
    visible = selectors.applications_for(request.auth).in_bulk(wanted)
    moved = services.transition_many(
        actor=request.auth,
        applications=[visible[pk] for pk in wanted if pk in visible],
        to=payload.to.value,
        reason=payload.reason,
    )
    outcomes = {application.pk: (application, error) for application, error in moved}
    return {"results": _bulk_results(wanted, outcomes)}


@router.get(
    "applications/{application_id}",
    response=responses({200: ApplicationDetailOut, 404: Problem}, signed_in=True),
)
def get_application(request, application_id: int):
    """State, eligibility under the current rules, where it may go next, history, credentials."""
    return selectors.application_for(request.auth, application_id)


@router.post(
    "applications/{application_id}/transitions",
    response=responses({200: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def transition_application(request, application_id: int, payload: TransitionIn):
    """Move the application one step; 409 when the state table or the rules refuse it."""
    return services.transition(
        actor=request.auth,
        application=selectors.application_for(request.auth, application_id),
        to=payload.to.value,
        reason=payload.reason,
    )


@router.post(
    "applications/{application_id}/approval-request",
    response=responses({200: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def request_approval(request, application_id: int):
    """The maker's half of approval: another officer must approve."""
    return services.request_approval(
        actor=request.auth, application=selectors.application_for(request.auth, application_id)
    )


@router.post(
    "applications/{application_id}/approval",
    response=responses({200: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def approve(request, application_id: int):
    """The checker's half: a different officer approves, and a signed credential is issued."""
    return services.approve(
        actor=request.auth, application=selectors.application_for(request.auth, application_id)
    )


@router.post(
    "applications/{application_id}/onboarding",
    response=responses({200: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def onboard(request, application_id: int, payload: OnboardIn):
    application = selectors.application_for(request.auth, application_id)
    partner = (
        _organisation(request, payload.partner_id, field="partner_id")
        if payload.partner_id is not None
        else None
    )
    return services.onboard(actor=request.auth, application=application, partner=partner)


@router.post(
    "applications/{application_id}/withdrawal",
    response=responses({200: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def withdraw(request, application_id: int, payload: WithdrawIn):
    """Take the application out; its credentials are revoked."""
    return services.withdraw(
        actor=request.auth,
        application=selectors.application_for(request.auth, application_id),
        reason=payload.reason,
    )


@router.get(
    "applications/{application_id}/assessments",
    response=responses({200: list[AssessmentOut], 404: Problem}, signed_in=True),
)
@paginate(Page)
def list_assessments(request, application_id: int):
    """Every readiness assessment made for the application, newest first."""
    return selectors.assessments_of(selectors.application_for(request.auth, application_id))


@router.post(
    "applications/{application_id}/assessments",
    response=responses({201: AssessmentOut, 404: Problem, 409: Problem}, signed_in=True),
)
def record_assessment(request, application_id: int, payload: AnswersIn):
    """Score a filled questionnaire: the total, each dimension, and what would help most."""
    assessment = services.record_assessment(
        actor=request.auth,
        application=selectors.application_for(request.auth, application_id),
        answers=payload.answers,
    )
    return Status(201, assessment)


@router.get("readiness/questionnaire", response=responses({200: QuestionnaireOut}, signed_in=True))
def questionnaire(request):
    """The export readiness questionnaire in the request's language; answers are codes."""
    return _questionnaire_out()


@router.get("mentoring/modules", response=responses({200: list[ModuleOut]}, signed_in=True))
@paginate(Page)
def list_modules(request):
    return selectors.modules()


@router.get("mentoring/sessions", response=responses({200: list[SessionOut]}, signed_in=True))
@paginate(Page)
def list_sessions(request):
    """Sessions your ministry or agency runs."""
    return selectors.sessions_for(request.auth)


@router.post(
    "mentoring/sessions",
    response=responses({201: SessionOut}, signed_in=True),
)
def schedule_session(request, payload: SessionIn):
    session = services.schedule_session(
        actor=request.auth,
        module=_module(payload.module_id),
        organisation=_organisation(request, payload.organisation_id, field="organisation_id"),
        starts_at=payload.starts_at,
        location=payload.location,
        capacity=payload.capacity,
    )
    return Status(201, session)


@router.post(
    "mentoring/sessions/{session_id}/attendance",
    response=responses({200: AttendanceOut, 404: Problem}, signed_in=True),
)
def record_attendance(request, session_id: int, payload: AttendanceIn):
    """Who came and finished; completion is what a mentoring rule reads."""
    session = selectors.session_for(request.auth, session_id)
    wanted = list(dict.fromkeys(payload.business_ids))
    mentees = selectors.mentees_for(request.auth).in_bulk(wanted)
    missing = _missing(wanted, mentees)
    if missing:
        raise UnknownReference(
            _("No business in your programmes has the id %(id)s.") % {"id": missing},
            field="business_ids",
        )
    recorded = services.record_attendance(
        actor=request.auth,
        session=session,
        businesses=[mentees[pk] for pk in wanted],
        completed=payload.completed,
    )
    return {"recorded": recorded}


@router.get("commissions", response=responses({200: CommissionsOut}, signed_in=True))
def list_commissions(
    request,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """What programmes owe onboarding partners: totals per partner and currency, then entries."""
    entries = selectors.commissions_for(request.auth)
    return {
        "count": entries.count(),
        "totals": selectors.commission_totals(entries),
        "items": list(entries[offset : offset + limit]),
    }


# --- programmes ---------------------------------------------------------------------------------


@router.get("", response=responses({200: list[ProgrammeOut]}, signed_in=True))
@paginate(Page)
def list_programmes(request):
    """Programmes you may see: those you work, and for exporters those open or applied to."""
    return selectors.programmes_for(request.auth)


@router.post("", response=responses({201: ProgrammeDetailOut}, signed_in=True))
def create_programme(request, payload: ProgrammeIn):
    """A new programme with its first rule version; administrators or the operator's officers."""
    programme = services.create_programme(
        actor=request.auth,
        slug=payload.slug,
        name=payload.name,
        description=payload.description,
        operator=_organisation(request, payload.operator_id, field="operator_id"),
        ministries=_organisations(request, payload.ministry_ids, field="ministry_ids"),
        onboarding_partners=_organisations(
            request, payload.onboarding_partner_ids, field="onboarding_partner_ids"
        ),
        partner_marketplaces=[marketplace.value for marketplace in payload.partner_marketplaces],
        capacity=payload.capacity,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        rules=payload.rules,
        max_share_per_province=payload.max_share_per_province,
        max_share_per_sector=payload.max_share_per_sector,
        commission_minor=payload.commission_minor,
        commission_currency=payload.commission_currency,
        commission_window_days=payload.commission_window_days,
    )
    return Status(201, programme)


@router.get("{slug}", response=responses({200: ProgrammeDetailOut, 404: Problem}, signed_in=True))
def get_programme(request, slug: str):
    return selectors.programme_for(request.auth, slug)


@router.get(
    "{slug}/rules",
    response=responses({200: list[RuleVersionOut], 404: Problem}, signed_in=True),
)
@paginate(Page)
def list_rule_versions(request, slug: str):
    """Every version of the eligibility rules, newest first."""
    return selectors.rule_versions(selectors.programme_for(request.auth, slug))


@router.put(
    "{slug}/rules",
    response=responses({200: RuleVersionOut, 404: Problem}, signed_in=True),
)
def change_rules(request, slug: str, payload: RulesIn):
    """A new version of the rules; decisions made earlier keep the version they were made under."""
    return services.change_rules(
        actor=request.auth,
        programme=selectors.programme_for(request.auth, slug),
        rules=payload.rules,
        note=payload.note,
    )


@router.get(
    "{slug}/applications",
    response=responses({200: list[ApplicationOut], 404: Problem}, signed_in=True),
)
@paginate(Page)
def programme_queue(
    request,
    slug: str,
    state: ApplicationState | None = None,
    province: str = Query("", max_length=8),
    sector: str = Query("", max_length=32),
    q: str = Query("", max_length=200),
    awaiting_approval: bool = False,
):
    """The programme's queue, for its officers: filter by state, place, sector or name."""
    return selectors.queue(
        selectors.worked_programme_for(request.auth, slug),
        state=state.value if state else "",
        province=province,
        sector=sector,
        search=q,
        awaiting_approval=awaiting_approval,
    )


@router.post(
    "{slug}/applications",
    response=responses({201: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def apply(request, slug: str, payload: ApplyIn):
    """Your exporter organisation applies; 409 if it applied already or the programme is closed."""
    application = services.apply(
        actor=request.auth,
        programme=selectors.programme_for(request.auth, slug),
        organisation=_organisation(request, payload.organisation_id, field="organisation_id"),
    )
    return Status(201, application)


@router.post(
    "{slug}/nominations",
    response=responses({201: ApplicationOut, 404: Problem, 409: Problem}, signed_in=True),
)
def nominate(request, slug: str, payload: NominateIn):
    """An officer puts a business from the registry forward."""
    application = services.nominate(
        actor=request.auth,
        programme=selectors.worked_programme_for(request.auth, slug),
        business=_business(request, payload.business_id),
    )
    return Status(201, application)


@router.get(
    "{slug}/shortlist",
    response=responses({200: ShortlistOut, 404: Problem}, signed_in=True),
)
def shortlist(request, slug: str):
    """Eligible applicants ranked by readiness: who fills the places left, and who waits, why."""
    return _shortlist_out(*selectors.shortlist(selectors.worked_programme_for(request.auth, slug)))


# --- public credential checks -----------------------------------------------------------------


@credentials_router.get("keys", response=responses({200: KeySetOut}))
def key_set(request):
    """The published signing keys as a JWK Set (RFC 7517, Ed25519 per RFC 8037)."""
    return credentials.key_set()


@credentials_router.get("revocations", response=responses({200: RevocationListOut}))
def revocation_list(request):
    """Every revoked credential id, signed like a credential, for checkers that work offline."""
    return credentials.sign_revocation_list(
        selectors.revocations(), issued_at=timezone.now().astimezone(UTC)
    )


@credentials_router.post("verify", response=responses({200: VerificationOut}))
def verify(request, document: Body[dict[str, Any]]):
    """Check a credential document: valid, revoked, expired or tampered, and why."""
    result = credentials.verify(
        document, keys=_published_keys(), revoked=selectors.revoked_ids_for(document)
    )
    return {"verdict": result.verdict.value, "detail": result.detail, "claims": result.claims}


@credentials_router.get("{public_id}", response=responses({200: CredentialStatusOut, 404: Problem}))
def credential_status(request, public_id: UUID):
    """A credential as issued, and whether it holds now."""
    credential = selectors.credential_by_public_id(public_id)
    result = credentials.verify(
        credential.document,
        keys=_published_keys(),
        revoked=selectors.revoked_ids_for(credential.document),
    )
    return {
        "public_id": credential.public_id,
        "status": result.verdict.value,
        "detail": result.detail,
        "issued_at": credential.issued_at,
        "expires_at": credential.expires_at,
        "revoked_at": credential.revoked_at,
        "document": credential.document,
    }


@credentials_router.post(
    "{public_id}/revocation",
    response=responses({200: CredentialOut, 404: Problem, 409: Problem}, signed_in=True),
    auth=django_auth,
)
def revoke_credential(request, public_id: UUID, payload: RevocationIn):
    """An officer of the programme withdraws a credential; checkers see it as revoked."""
    return services.revoke_credential(
        actor=request.auth,
        credential=selectors.credential_by_public_id(public_id),
        reason=payload.reason,
    )
