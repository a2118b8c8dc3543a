"""Programme services: transitions, maker–checker, rule versions, scoping, credentials, money."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from niaga.core.errors import NotFound, PermissionDenied
from niaga.core.models import AuditEntry
from niaga.core.roles import OrganisationKind, Role
from niaga.programs import credentials, readiness, selectors, services
from niaga.programs.models import Application, CommissionKind
from niaga.programs.models import ApplicationState as S
from niaga.registry.models import Business
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def officer_of(organisation):
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=Role.PROGRAMME_OFFICER)
    return person


def make_world(rules=None, **programme_fields):
    ministry = OrganisationFactory(kind=OrganisationKind.MINISTRY, country="ID")
    maker, checker = officer_of(ministry), officer_of(ministry)
    admin = member(Role.ADMIN, OrganisationKind.OPERATOR)
    today = timezone.localdate()
    programme = services.create_programme(
        actor=admin,
        slug=f"programme-{ministry.pk}",
        name=f"Programme {ministry.pk}",
        operator=ministry,
        capacity=programme_fields.pop("capacity", 10),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        rules=rules
        if rules is not None
        else [
            {"kind": "country_in", "countries": ["ID"]},
            {"kind": "mentoring_completed", "ministries": [ministry.pk]},
            {"kind": "readiness_at_least", "score": 50},
        ],
        **programme_fields,
    )
    return programme, ministry, maker, checker


def business(**fields):
    values = {"name": "Batik Sari", "country": "ID", "province": "ID-JB", "nib": "8120012345678"}
    values.update(fields)
    return Business.objects.create(**values)


def best_answers():
    return {
        question.code: max(question.choices, key=lambda choice: choice.points).code
        for question in readiness.questions()
    }


def mentor(officer, ministry, *businesses):
    module = services.create_module(
        actor=officer, code="export-documents", title="Export documents"
    )
    session = services.schedule_session(
        actor=officer, module=module, organisation=ministry, starts_at=timezone.now()
    )
    services.record_attendance(actor=officer, session=session, businesses=list(businesses))


def to_ready(programme, ministry, officer, record=None):
    record = record or business()
    application = services.nominate(actor=officer, programme=programme, business=record)
    services.transition(actor=officer, application=application, to=S.SCREENED)
    services.record_assessment(actor=officer, application=application, answers=best_answers())
    application.refresh_from_db()
    services.transition(actor=officer, application=application, to=S.MENTORING)
    mentor(officer, ministry, record)
    application.refresh_from_db()
    return services.transition(actor=officer, application=application, to=S.READY)


# --- transitions -----------------------------------------------------------------------------


def test_a_business_walks_from_nomination_to_active_with_every_step_audited():
    programme, ministry, maker, checker = make_world()
    application = to_ready(programme, ministry, maker)
    services.request_approval(actor=maker, application=application)
    application = services.approve(actor=checker, application=application)
    application = services.onboard(actor=maker, application=application)
    services.record_first_order(business=application.business, ordered_at=timezone.now())
    application.refresh_from_db()

    assert application.state == S.ACTIVE
    path = [event.to_state for event in selectors.history_of(application)]
    assert path == [S.NOMINATED, S.SCREENED, S.ASSESSED, S.MENTORING, S.READY, S.APPROVED,
                    S.ONBOARDED, S.ACTIVE]  # fmt: skip
    actions = set(
        AuditEntry.objects.filter(target_id=str(application.pk)).values_list("action", flat=True)
    )
    assert {
        "programmes.application_screened",
        "programmes.application_approved",
        "programmes.approval_requested",
        "programmes.application_active",
    } <= actions


@pytest.mark.parametrize(
    ("start_at", "to"),
    [
        (S.NOMINATED, S.APPROVED),
        (S.NOMINATED, S.READY),
        (S.NOMINATED, S.ACTIVE),
        (S.SCREENED, S.ONBOARDED),
        (S.SCREENED, S.NOMINATED),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(start_at, to):
    programme, _ministry, maker, _checker = make_world(rules=[])
    application = services.nominate(actor=maker, programme=programme, business=business())
    if start_at == S.SCREENED:
        application = services.transition(actor=maker, application=application, to=S.SCREENED)
    before = application.state
    with pytest.raises(services.ProgrammeError) as refused:
        services.transition(actor=maker, application=application, to=to)
    assert refused.value.code in {"illegal_transition", "maker_checker"}
    assert str(refused.value.message)
    application.refresh_from_db()
    assert application.state == before


def test_a_closed_application_goes_nowhere():
    programme, _ministry, maker, _checker = make_world(rules=[])
    application = services.nominate(actor=maker, programme=programme, business=business())
    services.transition(actor=maker, application=application, to=S.REJECTED, reason="Duplicate")
    with pytest.raises(services.IllegalTransition, match="cannot become"):
        services.transition(actor=maker, application=application, to=S.SCREENED)


def test_rejecting_and_withdrawing_need_a_reason():
    programme, _ministry, maker, _checker = make_world(rules=[])
    application = services.nominate(actor=maker, programme=programme, business=business())
    with pytest.raises(services.ProgrammeError) as refused:
        services.transition(actor=maker, application=application, to=S.REJECTED, reason="  ")
    assert refused.value.code == "reason_required"


def test_screening_refuses_a_business_the_rules_exclude():
    programme, _ministry, maker, _checker = make_world()
    indian = business(name="Kerala Spices", country="IN", province="IN-KL", nib="")
    application = services.nominate(actor=maker, programme=programme, business=indian)
    with pytest.raises(services.NotEligible, match="version 1"):
        services.transition(actor=maker, application=application, to=S.SCREENED)


def test_ready_needs_mentoring_with_a_named_ministry():
    programme, ministry, maker, _checker = make_world()
    record = business()
    application = services.nominate(actor=maker, programme=programme, business=record)
    services.transition(actor=maker, application=application, to=S.SCREENED)
    services.record_assessment(actor=maker, application=application, answers=best_answers())
    application.refresh_from_db()
    assert application.state == S.ASSESSED
    with pytest.raises(services.NotEligible):
        services.transition(actor=maker, application=application, to=S.READY)
    other_ministry = OrganisationFactory(kind=OrganisationKind.MINISTRY)
    mentor(officer_of(other_ministry), other_ministry, record)  # mentoring elsewhere counts not
    with pytest.raises(services.NotEligible):
        services.transition(actor=maker, application=application, to=S.READY)
    mentor(maker, ministry, record)
    assert services.transition(actor=maker, application=application, to=S.READY).state == S.READY


# --- maker–checker ---------------------------------------------------------------------------


def test_one_officer_cannot_approve_alone():
    programme, ministry, maker, checker = make_world()
    application = to_ready(programme, ministry, maker)
    with pytest.raises(services.MakerChecker):
        services.approve(actor=maker, application=application)
    services.request_approval(actor=maker, application=application)
    with pytest.raises(services.MakerChecker):
        services.approve(actor=maker, application=application)
    application.refresh_from_db()
    assert application.state == S.READY and not application.credentials.exists()
    approved = services.approve(actor=checker, application=application)
    assert approved.state == S.APPROVED
    assert approved.approved_by == checker and approved.approval_requested_by == maker


def test_the_database_itself_refuses_one_officer_as_maker_and_checker():
    programme, ministry, maker, _checker = make_world()
    application = to_ready(programme, ministry, maker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            approval_requested_by=maker, approved_by=maker
        )


def test_an_officer_of_another_programme_cannot_approve():
    programme, ministry, maker, _checker = make_world()
    _other, _other_ministry, stranger, _ = make_world()
    application = to_ready(programme, ministry, maker)
    services.request_approval(actor=maker, application=application)
    with pytest.raises(PermissionDenied):
        services.approve(actor=stranger, application=application)


# --- rule versions ---------------------------------------------------------------------------


def test_a_rule_change_makes_a_new_version_and_past_decisions_keep_theirs():
    programme, _ministry, maker, _checker = make_world(
        rules=[{"kind": "country_in", "countries": ["ID"]}]
    )
    first = services.nominate(actor=maker, programme=programme, business=business())
    services.transition(actor=maker, application=first, to=S.SCREENED)

    version = services.change_rules(
        actor=maker,
        programme=programme,
        rules=[{"kind": "country_in", "countries": ["IN"]}],
        note="India only from now on",
    )
    assert version.number == 2
    assert list(selectors.rule_versions(programme).values_list("number", flat=True)) == [2, 1]

    decided = selectors.history_of(first).get(to_state=S.SCREENED)
    assert decided.rule_version.number == 1
    assert decided.rule_version.rules == [{"kind": "country_in", "countries": ["ID"]}]

    second = services.nominate(actor=maker, programme=programme, business=business(name="Other"))
    with pytest.raises(services.NotEligible, match="version 2"):
        services.transition(actor=maker, application=second, to=S.SCREENED)


def test_unchanged_or_invalid_rules_make_no_version():
    programme, _ministry, maker, _checker = make_world(rules=[])
    with pytest.raises(services.ProgrammeError):
        services.change_rules(actor=maker, programme=programme, rules=[])
    with pytest.raises(services.eligibility.RulesInvalid) as invalid:
        services.change_rules(
            actor=maker, programme=programme, rules=[{"kind": "readiness_at_least", "score": 101}]
        )
    assert invalid.value.field.startswith("rules[0]")
    assert programme.rule_versions.count() == 1


# --- who sees what -----------------------------------------------------------------------------


def test_an_officer_of_programme_a_sees_nothing_of_programme_b():
    programme_a, ministry_a, officer_a, _ = make_world()
    programme_b, _ministry_b, officer_b, _ = make_world()
    application_b = services.nominate(actor=officer_b, programme=programme_b, business=business())

    assert list(selectors.worked_programmes(officer_a)) == [programme_a]
    assert list(selectors.programmes_for(officer_a)) == [programme_a]
    with pytest.raises(NotFound):
        selectors.programme_for(officer_a, programme_b.slug)
    with pytest.raises(NotFound):
        selectors.application_for(officer_a, application_b.pk)
    assert not selectors.applications_for(officer_a).exists()
    with pytest.raises(PermissionDenied):
        services.nominate(actor=officer_a, programme=programme_b, business=business(name="X"))
    with pytest.raises(PermissionDenied):
        services.transition(actor=officer_a, application=application_b, to=S.SCREENED)
    assert selectors.application_for(officer_b, application_b.pk) == application_b


def test_an_exporter_applies_for_itself_and_sees_only_its_own_applications():
    programme, _ministry, maker, _checker = make_world(rules=[])
    owner = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER)
    organisation = owner.memberships.get().organisation
    other = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER)
    mine = services.apply(actor=owner, programme=programme, organisation=organisation)
    services.nominate(actor=maker, programme=programme, business=business())

    assert mine.state == S.APPLIED and mine.business.organisation == organisation
    assert list(selectors.applications_for(owner)) == [mine]
    assert not selectors.applications_for(other).exists()
    with pytest.raises(PermissionDenied):
        services.apply(actor=other, programme=programme, organisation=organisation)
    with pytest.raises(services.AlreadyApplied):
        services.apply(actor=owner, programme=programme, organisation=organisation)


def test_applications_are_taken_only_while_the_programme_is_open():
    programme, _ministry, _maker, _checker = make_world(rules=[])
    programme.closes_on = timezone.localdate() - timedelta(days=1)
    programme.opens_on = programme.closes_on - timedelta(days=10)
    programme.save()
    owner = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER)
    with pytest.raises(services.ProgrammeClosed):
        services.apply(
            actor=owner, programme=programme, organisation=owner.memberships.get().organisation
        )


# --- credentials -----------------------------------------------------------------------------


def approved(programme, ministry, maker, checker):
    application = to_ready(programme, ministry, maker)
    services.request_approval(actor=maker, application=application)
    return services.approve(actor=checker, application=application)


def test_approval_issues_a_signed_credential_naming_the_mentors():
    programme, ministry, maker, checker = make_world()
    application = approved(programme, ministry, maker, checker)
    credential = application.credentials.get()
    claims = credential.document["credential"]
    assert claims["programme"]["slug"] == programme.slug
    assert claims["mentored_by"] == [{"id": ministry.pk, "name": ministry.name}]
    keys = {key.kid: key.public_key for key in credentials.published_keys()}
    assert credentials.verify(credential.document, keys=keys).verdict == "valid"


def test_withdrawal_revokes_the_credential():
    programme, ministry, maker, checker = make_world()
    application = approved(programme, ministry, maker, checker)
    services.withdraw(actor=maker, application=application, reason="Ceased trading")
    credential = application.credentials.get()
    keys = {key.kid: key.public_key for key in credentials.published_keys()}
    verdict = credentials.verify(
        credential.document, keys=keys, revoked=selectors.revoked_credential_ids()
    )
    assert verdict.verdict == "revoked"
    with pytest.raises(services.CredentialState):
        services.revoke_credential(actor=maker, credential=credential, reason="again")


def test_approval_stops_at_capacity():
    programme, ministry, maker, checker = make_world(capacity=1)
    approved(programme, ministry, maker, checker)
    second = to_ready(programme, ministry, maker, business(name="Second"))
    services.request_approval(actor=maker, application=second)
    with pytest.raises(services.NotEligible, match="full"):
        services.approve(actor=checker, application=second)


# --- partners --------------------------------------------------------------------------------


def test_a_partner_is_owed_on_onboarding_confirmed_by_a_first_order_or_clawed_back():
    programme, ministry, maker, checker = make_world(
        commission_minor=50_000, commission_currency="INR", commission_window_days=30
    )
    partner_person = member(Role.PARTNER, OrganisationKind.PARTNER)
    partner = partner_person.memberships.get().organisation
    programme.onboarding_partners.add(partner)
    quick = approved(programme, ministry, maker, checker)
    slow = to_ready(programme, ministry, maker, business(name="Slow Exports"))
    services.request_approval(actor=maker, application=slow)
    slow = services.approve(actor=checker, application=slow)

    services.onboard(actor=partner_person, application=quick)
    services.onboard(actor=partner_person, application=slow)
    quick.refresh_from_db()
    assert quick.partner == partner
    owed = selectors.commission_totals(selectors.commissions_for(partner_person))
    assert owed == [
        {"partner__name": partner.name, "currency": "INR", "owed_minor": 100_000, "onboarded": 2}
    ]

    services.record_first_order(business=quick.business, ordered_at=timezone.now())
    later = timezone.localdate() + timedelta(days=31)
    assert services.close_commission_windows(today=later) == 1
    assert services.close_commission_windows(today=later) == 0  # once only

    kinds = dict(
        selectors.commissions_for(partner_person)
        .exclude(kind=CommissionKind.ACCRUED)
        .values_list("application_id", "kind")
    )
    assert kinds == {quick.pk: CommissionKind.CONFIRMED, slow.pk: CommissionKind.CLAWED_BACK}
    owed = selectors.commission_totals(selectors.commissions_for(partner_person))
    assert owed[0]["owed_minor"] == 50_000
    outsider = member(Role.PARTNER, OrganisationKind.PARTNER)
    assert not selectors.commissions_for(outsider).exists()


# --- cohort ----------------------------------------------------------------------------------


def test_the_shortlist_ranks_by_readiness_and_respects_the_province_share():
    programme, _ministry, maker, _checker = make_world(
        rules=[{"kind": "readiness_at_least", "score": 10}], capacity=4, max_share_per_province=50
    )
    scores = {}
    for index, province in enumerate(["ID-JB", "ID-JB", "ID-JB", "ID-BA", "ID-JT"]):
        record = business(name=f"Business {index}", province=province)
        application = services.nominate(actor=maker, programme=programme, business=record)
        services.transition(actor=maker, application=application, to=S.SCREENED)
        answers = best_answers()
        if index:
            worst = min(list(readiness.questions())[index].choices, key=lambda c: c.points)
            answers[list(readiness.questions())[index].code] = worst.code
        services.record_assessment(actor=maker, application=application, answers=answers)
        application.refresh_from_db()
        scores[application.pk] = (application.readiness, province)

    selection, applications, places = selectors.shortlist(programme)
    assert places == 4
    chosen = [ranked.candidate.key for ranked in selection.selected]
    assert len(chosen) == 4
    assert sum(1 for key in chosen if scores[key][1] == "ID-JB") == 2
    readiness_order = [scores[key][0] for key in chosen]
    assert readiness_order == sorted(readiness_order, reverse=True)
    assert set(applications) == set(scores)


def test_the_cli_checks_a_credential_against_this_installation(tmp_path, capsys):
    import json

    from niaga.programs import credential_cli

    programme, ministry, maker, checker = make_world()
    credential = approved(programme, ministry, maker, checker).credentials.get()
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential.document), encoding="utf-8")

    assert credential_cli.verify_file(str(path)) == 0
    assert capsys.readouterr().out.splitlines()[0] == "valid"
    services.revoke_credential(actor=maker, credential=credential, reason="Licence withdrawn")
    assert credential_cli.verify_file(str(path)) == 1
    assert capsys.readouterr().out.splitlines()[0] == "revoked"


def test_assessments_stay_with_the_programme_they_were_made_for():
    programme_a, _ministry_a, officer_a, _ = make_world(rules=[])
    programme_b, _ministry_b, officer_b, _ = make_world(rules=[])
    record = business()
    in_a = services.nominate(actor=officer_a, programme=programme_a, business=record)
    in_b = services.nominate(actor=officer_b, programme=programme_b, business=record)
    services.record_assessment(actor=officer_a, application=in_a, answers=best_answers())
    assert selectors.assessments_of(in_a).count() == 1
    assert not selectors.assessments_of(in_b).exists()


def test_the_business_assesses_itself_only_until_officers_take_over():
    programme, _ministry, maker, _checker = make_world(rules=[])
    owner = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER)
    application = services.apply(
        actor=owner, programme=programme, organisation=owner.memberships.get().organisation
    )
    services.record_assessment(actor=owner, application=application, answers=best_answers())
    services.transition(actor=maker, application=application, to=S.SCREENED)
    services.record_assessment(actor=maker, application=application, answers=best_answers())
    application.refresh_from_db()
    assert application.state == S.ASSESSED
    with pytest.raises(services.IllegalTransition):
        services.record_assessment(actor=owner, application=application, answers=best_answers())


def test_every_decision_names_its_rule_version_and_active_comes_with_a_first_order():
    programme, ministry, maker, checker = make_world(
        commission_minor=10_000, commission_currency="INR"
    )
    rejected = services.nominate(actor=maker, programme=programme, business=business())
    services.transition(actor=maker, application=rejected, to=S.REJECTED, reason="Not exporting")
    assert selectors.history_of(rejected).get(to_state=S.REJECTED).rule_version.number == 1

    partner_person = member(Role.PARTNER, OrganisationKind.PARTNER)
    partner = partner_person.memberships.get().organisation
    programme.onboarding_partners.add(partner)
    application = services.onboard(
        actor=maker,
        application=approved(programme, ministry, maker, checker),
        partner=partner,
    )
    application = services.transition(actor=maker, application=application, to=S.ACTIVE)
    assert application.state == S.ACTIVE
    assert application.commission_entries.filter(kind=CommissionKind.CONFIRMED).exists()


def test_only_the_programmes_partners_onboard():
    programme, ministry, maker, checker = make_world()
    stranger = member(Role.PARTNER, OrganisationKind.PARTNER)
    application = approved(programme, ministry, maker, checker)
    with pytest.raises(NotFound):
        selectors.application_for(stranger, application.pk)
    with pytest.raises(PermissionDenied):
        services.onboard(actor=stranger, application=application)
    with pytest.raises(services.ProgrammeError):
        services.onboard(
            actor=maker, application=application, partner=stranger.memberships.get().organisation
        )
