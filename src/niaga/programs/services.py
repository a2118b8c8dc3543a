"""Every write to programmes: rules, applications and their transitions, readiness, mentoring,
approval by two officers, credentials, and what onboarding partners are owed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.core import audit, permissions
from niaga.core.errors import NiagaError, PermissionDenied
from niaga.core.money import currency_exponent
from niaga.core.roles import OrganisationKind, Role
from niaga.insights import funnel
from niaga.programs import credentials, eligibility, readiness, selectors, states
from niaga.programs.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Attendance,
    CommissionEntry,
    CommissionKind,
    Credential,
    Marketplace,
    MentoringModule,
    MentoringSession,
    Programme,
    ReadinessAssessment,
    RuleVersion,
)
from niaga.registry.models import Business

S = ApplicationState
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,79}")


class ProgrammeError(NiagaError):
    code = "programme_invalid"


class IllegalTransition(ProgrammeError):
    code = "illegal_transition"
    status = 409


class NotEligible(ProgrammeError):
    code = "not_eligible"
    status = 409


class MakerChecker(ProgrammeError):
    code = "maker_checker"
    status = 409


class AlreadyApplied(ProgrammeError):
    code = "already_applied"
    status = 409


class ProgrammeClosed(ProgrammeError):
    code = "programme_closed"
    status = 409


class CredentialState(ProgrammeError):
    code = "credential_state"
    status = 409


# --- programmes and their rules ------------------------------------------------------------


def create_programme(
    *,
    actor,
    slug: str,
    name: str,
    operator,
    capacity: int,
    opens_on: date,
    closes_on: date,
    rules: object = None,
    description: str = "",
    ministries: Iterable = (),
    onboarding_partners: Iterable = (),
    partner_marketplaces: Iterable[str] = (),
    max_share_per_province: int | None = None,
    max_share_per_sector: int | None = None,
    commission_minor: int = 0,
    commission_currency: str = "",
    commission_window_days: int = 90,
) -> Programme:
    _require_admin_or_operator(actor, operator)
    slug, name = (slug or "").strip(), (name or "").strip()
    if not SLUG.fullmatch(slug):
        raise ProgrammeError(
            _("The short name uses lower-case letters, digits and hyphens, 2 to 80 of them."),
            field="slug",
        )
    if not name or len(name) > 200:
        raise ProgrammeError(
            _("Give the programme a name of at most 200 characters."), field="name"
        )
    parsed = eligibility.parse_rules([] if rules is None else rules)
    _check_programme_values(
        capacity=capacity,
        opens_on=opens_on,
        closes_on=closes_on,
        partner_marketplaces=partner_marketplaces,
        shares=(max_share_per_province, max_share_per_sector),
        commission_minor=commission_minor,
        commission_currency=commission_currency,
    )
    if operator.kind not in (OrganisationKind.OPERATOR, OrganisationKind.MINISTRY):
        raise ProgrammeError(
            _("The operator must be a ministry, an agency or a programme operator."),
            field="operator",
        )
    with transaction.atomic(durable=True):
        if Programme.objects.filter(slug=slug).exists():
            raise ProgrammeError(
                _("A programme with the short name %(slug)s exists already.") % {"slug": slug},
                code="programme_exists",
                field="slug",
            )
        programme = Programme.objects.create(
            slug=slug,
            name=name,
            description=description,
            operator=operator,
            capacity=capacity,
            opens_on=opens_on,
            closes_on=closes_on,
            partner_marketplaces=sorted(set(partner_marketplaces)),
            max_share_per_province=max_share_per_province,
            max_share_per_sector=max_share_per_sector,
            commission_minor=commission_minor,
            commission_currency=commission_currency.upper(),
            commission_window_days=commission_window_days,
        )
        programme.ministries.set(list(ministries))
        partners = list(onboarding_partners)
        for partner in partners:
            if partner.kind != OrganisationKind.PARTNER:
                raise ProgrammeError(
                    _("%(name)s is not an onboarding partner.") % {"name": partner.name},
                    field="onboarding_partners",
                )
        programme.onboarding_partners.set(partners)
        version = RuleVersion.objects.create(
            programme=programme,
            number=1,
            rules=eligibility.rules_document(parsed),
            note=_("First rules"),
            created_by=_person(actor),
        )
        audit.record(
            actor=actor,
            action="programmes.created",
            target=programme,
            changes={"rules_version": version.number, "capacity": capacity},
        )
    return programme


def change_rules(*, actor, programme: Programme, rules: object, note: str = "") -> RuleVersion:
    """A new version of the rules; decisions made under earlier versions keep theirs."""
    _require_programme_officer(actor, programme)
    parsed = eligibility.parse_rules(rules)
    document = eligibility.rules_document(parsed)
    with transaction.atomic(durable=True):
        # Lock the programme so two changes cannot take the same number.
        Programme.objects.select_for_update().get(pk=programme.pk)
        current = selectors.current_rules(programme)
        if current is not None and current.rules == document:
            raise ProgrammeError(
                _("These rules are the same as version %(number)s; nothing changed.")
                % {"number": current.number},
                code="rules_unchanged",
                field="rules",
            )
        version = RuleVersion.objects.create(
            programme=programme,
            number=(current.number if current else 0) + 1,
            rules=document,
            note=note[:300],
            created_by=_person(actor),
        )
        audit.record(
            actor=actor,
            action="programmes.rules_changed",
            target=programme,
            changes={"version": version.number, "rules": document, "note": note[:300]},
        )
    return version


def _check_programme_values(
    *,
    capacity,
    opens_on,
    closes_on,
    partner_marketplaces,
    shares,
    commission_minor,
    commission_currency,
) -> None:
    if type(capacity) is not int or capacity < 1 or capacity > 1_000_000:
        raise ProgrammeError(
            _("Capacity must be a whole number from 1 to 1,000,000."), field="capacity"
        )
    if closes_on < opens_on:
        raise ProgrammeError(
            _("The programme closes on %(closes)s, before it opens on %(opens)s.")
            % {"closes": closes_on.isoformat(), "opens": opens_on.isoformat()},
            field="closes_on",
        )
    known = set(Marketplace.values)
    for marketplace in partner_marketplaces:
        if marketplace not in known:
            raise ProgrammeError(
                _("%(marketplace)s is not a partner marketplace Niaga knows (%(known)s).")
                % {"marketplace": marketplace, "known": ", ".join(sorted(known))},
                field="partner_marketplaces",
            )
    for share in shares:
        if share is not None and not 1 <= share <= 100:
            raise ProgrammeError(
                _("A share of the cohort is a whole percent from 1 to 100."),
                field="max_share_per_province",
            )
    if commission_minor < 0:
        raise ProgrammeError(_("A commission cannot be negative."), field="commission_minor")
    if commission_minor:
        currency_exponent(commission_currency.upper())


# --- applications ----------------------------------------------------------------------------


def apply(*, actor, programme: Programme, organisation) -> Application:
    """An exporter applies for itself; its registry record is found or made from its profile."""
    own = permissions.organisation_ids(actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF)
    if organisation.pk not in own:
        raise PermissionDenied(_("Only the business's own people can apply for it."))
    if not programme.is_open():
        raise ProgrammeClosed(
            _("%(programme)s takes applications from %(opens)s to %(closes)s.")
            % {
                "programme": programme.name,
                "opens": programme.opens_on.isoformat(),
                "closes": programme.closes_on.isoformat(),
            }
        )
    from niaga.registry import services as registry

    with transaction.atomic(durable=True):
        business = registry.record_for_organisation(actor=actor, organisation=organisation)
        return _open_application(
            actor=actor, programme=programme, business=business, state=S.APPLIED
        )


def nominate(*, actor, programme: Programme, business: Business) -> Application:
    """An officer puts a business from the registry forward."""
    _require_programme_officer(actor, programme)
    if business.merged_into_id is not None:
        raise ProgrammeError(
            _("%(business)s was merged into another record; nominate that one.")
            % {"business": business.name},
            field="business",
        )
    with transaction.atomic(durable=True):
        return _open_application(
            actor=actor, programme=programme, business=business, state=S.NOMINATED
        )


def _open_application(*, actor, programme, business, state) -> Application:
    if Application.objects.filter(programme=programme, business=business).exists():
        raise AlreadyApplied(
            _("%(business)s already has an application to %(programme)s.")
            % {"business": business.name, "programme": programme.name}
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                programme=programme,
                business=business,
                state=state,
                nominated_by=_person(actor) if state == S.NOMINATED else None,
            )
    except IntegrityError as error:
        raise AlreadyApplied(
            _("%(business)s already has an application to %(programme)s.")
            % {"business": business.name, "programme": programme.name}
        ) from error
    _event(application, actor=actor, from_state="", to_state=state, reason="")
    audit.record(
        actor=actor,
        action=f"programmes.application_{state}",
        target=application,
        changes={"programme": programme.slug, "business": business.pk},
    )
    return application


def transition(*, actor, application: Application, to: str, reason: str = "") -> Application:
    """Move an application one step; the table in states.py decides what is allowed."""
    if to == S.APPROVED:
        return approve(actor=actor, application=application)
    if to == S.ONBOARDED:
        return onboard(actor=actor, application=application)
    if to == S.WITHDRAWN:
        return withdraw(actor=actor, application=application, reason=reason)
    _require_programme_officer(actor, application.programme)
    if to == S.ACTIVE and application.state == S.ONBOARDED:
        # Active means trading: it goes through the first order, which settles the commission.
        record_first_order(business=application.business, ordered_at=timezone.now())
        application.refresh_from_db()
        return application
    with transaction.atomic(durable=True):
        application = _locked(application)
        return _move(actor=actor, application=application, to=to, reason=reason)


def transition_many(
    *, actor, applications: Iterable[Application], to: str, reason: str = ""
) -> list[tuple[Application, NiagaError | None]]:
    """The bulk action: each application moves on its own, so one refusal stops no other."""
    results: list[tuple[Application, NiagaError | None]] = []
    for application in applications:
        try:
            results.append(
                (transition(actor=actor, application=application, to=to, reason=reason), None)
            )
        except NiagaError as error:
            results.append((application, error))
    return results


def withdraw(*, actor, application: Application, reason: str) -> Application:
    """The business or a programme officer takes the application out; a credential is revoked."""
    own = application.business.organisation_id in permissions.organisation_ids(
        actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF
    )
    if not own:
        _require_programme_officer(actor, application.programme)
    with transaction.atomic(durable=True):
        application = _locked(application)
        application = _move(actor=actor, application=application, to=S.WITHDRAWN, reason=reason)
        for credential in application.credentials.filter(revoked_at=None):
            _revoke(credential, actor=actor, reason=_("The application was withdrawn."))
        return application


def request_approval(*, actor, application: Application) -> Application:
    """The maker's half of approval: a second officer must then approve."""
    _require_programme_officer(actor, application.programme)
    with transaction.atomic(durable=True):
        application = _locked(application)
        if application.state != S.READY:
            raise IllegalTransition(
                _("Only a ready application can be put up for approval; this one is %(state)s.")
                % {"state": application.get_state_display()}
            )
        _require_eligible(application, kinds=None)
        application.approval_requested_by = _person(actor)
        application.approval_requested_at = timezone.now()
        application.updated_at = timezone.now()
        application.save(
            update_fields=["approval_requested_by", "approval_requested_at", "updated_at"]
        )
        audit.record(actor=actor, action="programmes.approval_requested", target=application)
        return application


def approve(*, actor, application: Application) -> Application:
    """The checker's half: a different officer approves, and the credential is issued."""
    _require_programme_officer(actor, application.programme)
    with transaction.atomic(durable=True):
        application = _locked(application)
        if application.state == S.READY and application.approval_requested_by_id is None:
            raise MakerChecker(
                _(
                    "Approval needs two officers: one puts the application up for approval, "
                    "another approves it. Nobody has put it up yet."
                )
            )
        if application.approval_requested_by_id == actor.pk:
            raise MakerChecker(
                _("You put this application up for approval; another officer must approve it.")
            )
        # Two approvals at once must not both take the last place.
        Programme.objects.select_for_update().get(pk=application.programme_id)
        application.approved_by = _person(actor)
        application = _move(actor=actor, application=application, to=S.APPROVED, reason="")
        issue_credential(application=application, actor=actor)
        return application


def onboard(*, actor, application: Application, partner=None) -> Application:
    """The business goes live on the partner marketplaces; a partner who did it is owed.

    A partner of the programme onboards in its own name; an officer may credit one of them.
    """
    programme = application.programme
    acting_for = permissions.organisation_ids(actor, Role.PARTNER)
    if not selectors.works_programme(actor, programme):
        allowed = set(
            programme.onboarding_partners.filter(pk__in=acting_for).values_list("pk", flat=True)
        )
        if not allowed:
            raise PermissionDenied(
                _("Only officers and onboarding partners of %(programme)s may do this.")
                % {"programme": programme.name}
            )
        if partner is not None and partner.pk not in allowed:
            raise PermissionDenied(_("A partner onboards in its own name only."))
        if partner is None:
            from niaga.accounts.models import Organisation

            partner = Organisation.objects.get(pk=min(allowed))
    if partner is not None and not programme.onboarding_partners.filter(pk=partner.pk).exists():
        raise ProgrammeError(
            _("%(name)s is not an onboarding partner of %(programme)s.")
            % {"name": partner.name, "programme": programme.name},
            field="partner",
        )
    with transaction.atomic(durable=True):
        application = _locked(application)
        if partner is not None:
            application.partner = partner
        application = _move(actor=actor, application=application, to=S.ONBOARDED, reason="")
        if partner is not None:
            _accrue_commission(application, partner)
        return application


def record_first_order(*, business: Business, ordered_at: datetime) -> list[Application]:
    """Trade assurance calls this on a business's first order: onboarded becomes active, and a
    partner's commission inside its window is confirmed."""
    activated = []
    with transaction.atomic(durable=True):
        for application in Application.objects.select_for_update().filter(
            business=business, state=S.ONBOARDED
        ):
            activated.append(
                _move(actor=None, application=application, to=S.ACTIVE, reason=_("First order"))
            )
            accrued = application.commission_entries.filter(kind=CommissionKind.ACCRUED).first()
            settled = application.commission_entries.exclude(kind=CommissionKind.ACCRUED).exists()
            if accrued and not settled and ordered_at.date() <= accrued.window_ends_on:
                CommissionEntry.objects.create(
                    application=application,
                    partner=accrued.partner,
                    kind=CommissionKind.CONFIRMED,
                    amount_minor=0,
                    currency=accrued.currency,
                    window_ends_on=accrued.window_ends_on,
                )
                audit.record(
                    actor=None, action="programmes.commission_confirmed", target=application
                )
    return activated


def close_commission_windows(*, today: date | None = None) -> int:
    """Claw back every commission whose window closed with no first order; returns how many."""
    today = today or timezone.localdate()
    clawed = 0
    with transaction.atomic(durable=True):
        lapsed = (
            CommissionEntry.objects.select_for_update()
            .filter(kind=CommissionKind.ACCRUED, window_ends_on__lt=today)
            .exclude(
                application__commission_entries__kind__in=[
                    CommissionKind.CONFIRMED,
                    CommissionKind.CLAWED_BACK,
                ]
            )
        )
        for accrued in lapsed:
            CommissionEntry.objects.create(
                application_id=accrued.application_id,
                partner_id=accrued.partner_id,
                kind=CommissionKind.CLAWED_BACK,
                amount_minor=-accrued.amount_minor,
                currency=accrued.currency,
                window_ends_on=accrued.window_ends_on,
            )
            audit.record(
                actor=None,
                action="programmes.commission_clawed_back",
                target=accrued.application,
                changes={"amount_minor": accrued.amount_minor, "currency": accrued.currency},
            )
            clawed += 1
    return clawed


def _accrue_commission(application: Application, partner) -> None:
    programme = application.programme
    if not programme.commission_minor or application.commission_entries.exists():
        return
    CommissionEntry.objects.create(
        application=application,
        partner=partner,
        kind=CommissionKind.ACCRUED,
        amount_minor=programme.commission_minor,
        currency=programme.commission_currency,
        window_ends_on=timezone.localdate() + timedelta(days=programme.commission_window_days),
    )
    audit.record(
        actor=None,
        action="programmes.commission_accrued",
        target=application,
        changes={
            "partner": partner.pk,
            "amount_minor": programme.commission_minor,
            "currency": programme.commission_currency,
        },
    )


def _move(*, actor, application: Application, to: str, reason: str) -> Application:
    """The one place a state changes: checked against the table, the rules, then recorded."""
    if to not in S.values:
        raise IllegalTransition(
            _("%(state)s is not an application state.") % {"state": to}, field="to"
        )
    if not states.allowed(application.state, to):
        allowed = ", ".join(str(S(s).label) for s in sorted(states.next_states(application.state)))
        raise IllegalTransition(
            _("An application that is %(state)s cannot become %(to)s. It can become: %(allowed)s.")
            % {
                "state": application.get_state_display(),
                "to": S(to).label,
                "allowed": allowed or _("nothing: it is closed"),
            }
        )
    reason = (reason or "").strip()
    if to in states.NEEDS_REASON and not reason:
        raise ProgrammeError(
            _("Say why the application is %(to)s; the business will read it.")
            % {"to": S(to).label},
            code="reason_required",
            field="reason",
        )
    version, outcomes = None, []
    if to == S.SCREENED:
        version, outcomes = _require_eligible(application, kinds=eligibility.SCREENING_KINDS)
    elif to == S.ASSESSED and application.readiness is None:
        raise NotEligible(_("Record a readiness assessment first."))
    elif to in (S.READY, S.APPROVED):
        version, outcomes = _require_eligible(application, kinds=None)
    if version is None:
        # Every decision names the rules in force when it was taken, even one that checks none.
        version = selectors.current_rules(application.programme)
    if (
        to == S.APPROVED
        and application.programme.applications.filter(state__in=states.IN_COHORT).count()
        >= application.programme.capacity
    ):
        raise NotEligible(
            _("The programme is full: all %(capacity)s places are taken.")
            % {"capacity": application.programme.capacity}
        )
    previous = application.state
    application.state = to
    application.reason = reason if to in states.NEEDS_REASON else application.reason
    application.updated_at = timezone.now()
    application.save()
    _event(
        application,
        actor=actor,
        from_state=previous,
        to_state=to,
        reason=reason,
        version=version,
        outcomes=outcomes,
    )
    audit.record(
        actor=actor,
        action=f"programmes.application_{to}",
        target=application,
        changes={
            "from": previous,
            "to": to,
            "reason": reason,
            "rules_version": version.number if version else None,
        },
    )
    return application


def _require_eligible(application: Application, *, kinds):
    version = selectors.current_rules(application.programme)
    rules = eligibility.parse_rules(version.rules if version else [])
    facts = selectors.facts_for([application.business_id])[application.business_id]
    outcomes = eligibility.evaluate(
        rules, facts, kinds=kinds, organisation_names=selectors.organisation_names(rules)
    )
    if not eligibility.is_eligible(outcomes):
        unmet = "; ".join(outcome.explanation for outcome in outcomes if not outcome.passed)
        raise NotEligible(
            _("%(business)s does not meet the rules of version %(version)s: %(unmet)s")
            % {"business": application.business.name, "version": version.number, "unmet": unmet}
        )
    return version, [
        {"rule": rule_doc, "passed": outcome.passed}
        for rule_doc, outcome in zip(
            eligibility.rules_document([o.rule for o in outcomes]), outcomes, strict=True
        )
    ]


def _event(application, *, actor, from_state, to_state, reason, version=None, outcomes=()):
    event = ApplicationEvent.objects.create(
        application=application,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor=_person(actor),
        rule_version=version,
        outcomes=list(outcomes),
    )
    # In the same transaction, so the programme's funnel moves with the application.
    funnel.record_event(event)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("programme", "business")
        .get(pk=application.pk)
    )


# --- readiness -------------------------------------------------------------------------------


def record_assessment(
    *, actor, application: Application, answers: Mapping[str, str]
) -> ReadinessAssessment:
    """Score a filled questionnaire; a screened application becomes assessed."""
    own = application.business.organisation_id in permissions.organisation_ids(
        actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF
    )
    officer = selectors.works_programme(actor, application.programme)
    if not own and not officer:
        _require_programme_officer(actor, application.programme)
    if not officer and application.state not in states.SELF_ASSESSABLE:
        raise IllegalTransition(
            _("Your application is %(state)s: from now on the programme's officers assess it.")
            % {"state": application.get_state_display()}
        )
    if application.state in states.TERMINAL:
        raise IllegalTransition(
            _("This application is %(state)s; it takes no more assessments.")
            % {"state": application.get_state_display()}
        )
    result = readiness.score(answers)
    with transaction.atomic(durable=True):
        application = _locked(application)
        assessment = ReadinessAssessment.objects.create(
            business=application.business,
            application=application,
            answers=dict(answers),
            total=result.total,
            result=result.to_dict(),
            assessed_by=_person(actor),
        )
        application.readiness = result.total
        application.updated_at = timezone.now()
        application.save(update_fields=["readiness", "updated_at"])
        audit.record(
            actor=actor,
            action="programmes.assessed",
            target=application,
            changes={"assessment": assessment.pk, "total": result.total},
        )
        if application.state == S.SCREENED:
            _move(actor=actor, application=application, to=S.ASSESSED, reason="")
    return assessment


# --- mentoring -------------------------------------------------------------------------------


def create_module(*, actor, code: str, title: str, description: str = "") -> MentoringModule:
    if not permissions.is_officer(actor):
        raise PermissionDenied(_("Only officers add mentoring modules."))
    with transaction.atomic(durable=True):
        module, created = MentoringModule.objects.get_or_create(
            code=code, defaults={"title": title, "description": description}
        )
        if created:
            audit.record(actor=actor, action="programmes.module_created", target=module)
    return module


def schedule_session(
    *,
    actor,
    module: MentoringModule,
    organisation,
    starts_at: datetime,
    location: str = "",
    capacity: int | None = None,
) -> MentoringSession:
    """A ministry or agency schedules a session; its own officers do, or an administrator."""
    _require_officer_of(actor, organisation)
    if organisation.kind not in (OrganisationKind.MINISTRY, OrganisationKind.OPERATOR):
        raise ProgrammeError(
            _("Mentoring sessions are run by ministries and agencies."), field="organisation"
        )
    if capacity is not None and capacity < 1:
        raise ProgrammeError(_("A session has at least one seat."), field="capacity")
    with transaction.atomic(durable=True):
        session = MentoringSession.objects.create(
            module=module,
            organisation=organisation,
            starts_at=starts_at,
            location=location,
            capacity=capacity,
            created_by=_person(actor),
        )
        audit.record(actor=actor, action="programmes.session_scheduled", target=session)
    return session


def record_attendance(
    *, actor, session: MentoringSession, businesses: Iterable[Business], completed: bool = True
) -> int:
    """Who came and finished; completion is what eligibility's mentoring rule reads."""
    _require_officer_of(actor, session.organisation)
    businesses = list(businesses)
    if session.capacity is not None:
        already = set(session.attendances.values_list("business_id", flat=True))
        if len(already | {b.pk for b in businesses}) > session.capacity:
            raise ProgrammeError(
                _("The session has %(seats)s seats; that is more people than seats.")
                % {"seats": session.capacity},
                field="businesses",
            )
    with transaction.atomic(durable=True):
        for business in businesses:
            Attendance.objects.update_or_create(
                session=session,
                business=business,
                defaults={
                    "completed": completed,
                    "recorded_by": _person(actor),
                    "recorded_at": timezone.now(),
                },
            )
        audit.record(
            actor=actor,
            action="programmes.attendance_recorded",
            target=session,
            changes={"businesses": sorted(b.pk for b in businesses), "completed": completed},
        )
    return len(businesses)


# --- credentials -----------------------------------------------------------------------------


def issue_credential(*, application: Application, actor) -> Credential:
    """Sign what the programme vouches for; runs inside approve's transaction."""
    programme, business = application.programme, application.business
    issued_at = timezone.now().replace(microsecond=0)
    expires_at = issued_at + timedelta(days=settings.NIAGA_CREDENTIAL_VALID_DAYS)
    public_id = uuid.uuid4()
    mentors = selectors.mentoring_organisations(business)
    claims = {
        "type": "NiagaCurationCredential",
        "version": 1,
        "id": str(public_id),
        "issuer": {"name": settings.NIAGA_CREDENTIAL_ISSUER, "url": settings.NIAGA_PUBLIC_URL},
        "subject": {
            "business_id": business.pk,
            "name": business.name,
            "country": business.country,
            "identifiers": selectors.identifiers_of(business),
        },
        "programme": {
            "slug": programme.slug,
            "name": programme.name,
            "operator": programme.operator.name,
        },
        "mentored_by": [{"id": org.pk, "name": org.name} for org in mentors],
        "approved_on": issued_at.date().isoformat(),
        "issued_at": issued_at.isoformat(),
        "expires_at": expires_at.isoformat(),
        "verify_url": f"{settings.NIAGA_PUBLIC_URL}/credentials/{public_id}/",
    }
    document = credentials.sign(claims)
    credential = Credential.objects.create(
        public_id=public_id,
        application=application,
        key_id=document["proof"]["kid"],
        document=document,
        issued_at=issued_at,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action="programmes.credential_issued",
        target=credential,
        changes={"application": application.pk, "kid": credential.key_id},
    )
    return credential


def revoke_credential(*, actor, credential: Credential, reason: str) -> Credential:
    _require_programme_officer(actor, credential.application.programme)
    if not (reason or "").strip():
        raise ProgrammeError(
            _("Say why the credential is revoked."), code="reason_required", field="reason"
        )
    with transaction.atomic(durable=True):
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            raise CredentialState(_("This credential was revoked already."))
        return _revoke(credential, actor=actor, reason=reason.strip())


def _revoke(credential: Credential, *, actor, reason: str) -> Credential:
    credential.revoked_at = timezone.now()
    credential.revocation_reason = reason
    credential.revoked_by = _person(actor)
    credential.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit.record(
        actor=actor,
        action="programmes.credential_revoked",
        target=credential,
        changes={"reason": reason},
    )
    return credential


# --- who may act -------------------------------------------------------------------------------


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _require_programme_officer(actor, programme: Programme) -> None:
    if not selectors.works_programme(actor, programme):
        raise PermissionDenied(
            _("Only officers of %(programme)s may do this.") % {"programme": programme.name}
        )


def _require_officer_of(actor, organisation) -> None:
    if selectors.is_programme_admin(actor):
        return
    from niaga.core.roles import OFFICER_ROLES

    if organisation.pk not in permissions.organisation_ids(actor, *OFFICER_ROLES):
        raise PermissionDenied(
            _("Only officers of %(organisation)s may do this.")
            % {"organisation": organisation.name}
        )


def _require_admin_or_operator(actor, operator) -> None:
    if selectors.is_programme_admin(actor):
        return
    _require_officer_of(actor, operator)
