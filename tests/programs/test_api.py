"""The programmes API and the public credential checks, through the Django test client."""

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from niaga.core.roles import Role
from niaga.programs import credentials, services
from niaga.programs.models import ApplicationState as S
from niaga.programs.models import MentoringModule
from tests.factories import officer as ministry_officer
from tests.programs.factories import (
    administrator,
    best_answers,
    business,
    exporter_with_business,
    ministry,
    nominated,
    officer_of,
    partner,
    programme,
    ready,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/programmes"
CREDENTIALS = "/api/v1/credentials"


def post(client, path, payload=None):
    return client.post(path, json.dumps(payload or {}), content_type="application/json")


def put(client, path, payload):
    return client.put(path, json.dumps(payload), content_type="application/json")


def signed_in(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def world():
    """A ministry with two officers (maker and checker) and an open programme it operates."""
    agency = ministry()
    maker, checker = officer_of(agency), officer_of(agency)
    return programme(agency), agency, maker, checker


def approved_credential(client, world):
    scheme, _agency, maker, checker = world
    application = ready(scheme, maker)
    assert (
        post(
            signed_in(client, maker), f"{API}/applications/{application.pk}/approval-request"
        ).status_code
        == 200
    )
    assert (
        post(
            signed_in(client, checker), f"{API}/applications/{application.pk}/approval"
        ).status_code
        == 200
    )
    detail = client.get(f"{API}/applications/{application.pk}").json()
    return application, detail["credentials"][0]


# --- programmes and their rules ----------------------------------------------------------------


def test_a_programme_is_created_and_listed(client):
    agency, member_of = ministry("Kemendag"), ministry("Kemenkop")
    signed_in(client, administrator())
    today = timezone.localdate()
    payload = {
        "slug": "ekspor-2026",
        "name": "Ekspor 2026",
        "operator_id": agency.pk,
        "ministry_ids": [member_of.pk],
        "partner_marketplaces": ["alibaba", "ondc"],
        "capacity": 25,
        "opens_on": today.isoformat(),
        "closes_on": today.replace(year=today.year + 1).isoformat(),
        "rules": [{"kind": "country_in", "countries": ["ID"]}],
    }
    created = post(client, f"{API}/", payload)
    assert created.status_code == 201, created.content
    assert created.json()["ministries"] == [{"id": member_of.pk, "name": "Kemenkop"}]

    listed = client.get(f"{API}/").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["slug"] == "ekspor-2026"
    assert item["operator"] == "Kemendag"
    assert item["is_open"] is True
    assert item["rules_version"] == 1
    assert item["rules_described"] == ["Country is one of: Indonesia"]
    assert item["partner_marketplaces"] == ["alibaba", "ondc"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"operator_id": 987654321}, "operator_id"),
        ({"ministry_ids": [987654321]}, "ministry_ids"),
    ],
)
def test_an_unknown_organisation_id_is_a_422_naming_the_field(client, change, field):
    agency = ministry()
    signed_in(client, administrator())
    today = timezone.localdate().isoformat()
    payload = {
        "slug": "pp",
        "name": "P",
        "operator_id": agency.pk,
        "capacity": 1,
        "opens_on": today,
        "closes_on": today,
        **change,
    }
    response = post(client, f"{API}/", payload)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_a_short_name_the_api_uses_is_refused(client):
    signed_in(client, administrator())
    today = timezone.localdate().isoformat()
    payload = {
        "slug": "applications",
        "name": "P",
        "operator_id": ministry().pk,
        "capacity": 1,
        "opens_on": today,
        "closes_on": today,
    }
    response = post(client, f"{API}/", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_a_rules_change_makes_version_2_and_an_earlier_decision_keeps_version_1(client):
    agency = ministry()
    scheme = programme(agency, rules=[{"kind": "country_in", "countries": ["ID"]}])
    officer = officer_of(agency)
    application = nominated(scheme, officer)
    signed_in(client, officer)

    screened = post(client, f"{API}/applications/{application.pk}/transitions", {"to": "screened"})
    assert screened.status_code == 200, screened.content
    changed = put(
        client,
        f"{API}/{scheme.slug}/rules",
        {"rules": [{"kind": "country_in", "countries": ["ID", "IN"]}], "note": "India joins"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["number"] == 2
    assessed = post(
        client, f"{API}/applications/{application.pk}/assessments", {"answers": best_answers()}
    )
    assert assessed.status_code == 201, assessed.content
    assert (
        post(
            client, f"{API}/applications/{application.pk}/transitions", {"to": "ready"}
        ).status_code
        == 200
    )

    history = client.get(f"{API}/applications/{application.pk}").json()["history"]
    versions = {event["to_state"]: event["rules_version"] for event in history}
    assert versions["screened"] == 1
    assert versions["ready"] == 2
    listed = client.get(f"{API}/{scheme.slug}/rules").json()["items"]
    assert [version["number"] for version in listed] == [2, 1]
    assert listed[0]["note"] == "India joins"
    assert listed[0]["described"] == ["Country is one of: Indonesia, India"]


def test_a_malformed_rule_is_a_422_that_names_where(client, world):
    scheme, _agency, maker, _checker = world
    signed_in(client, maker)
    response = put(client, f"{API}/{scheme.slug}/rules", {"rules": [{"kind": "moon_phase"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "rules_invalid"
    assert response.json()["field"].startswith("rules[0]")


def test_the_programme_page_shows_state_counts_to_its_officers_only(client, world):
    scheme, _agency, maker, _checker = world
    nominated(scheme, maker)
    assert (
        signed_in(client, maker).get(f"{API}/{scheme.slug}").json()["state_counts"]["nominated"]
        == 1
    )
    exporter, _organisation = exporter_with_business()
    assert signed_in(client, exporter).get(f"{API}/{scheme.slug}").json()["state_counts"] is None


# --- applications ------------------------------------------------------------------------------


def test_an_exporter_applies_and_an_officer_nominates(client, world):
    scheme, _agency, maker, _checker = world
    exporter, organisation = exporter_with_business()
    signed_in(client, exporter)
    applied = post(
        client, f"{API}/{scheme.slug}/applications", {"organisation_id": organisation.pk}
    )
    assert applied.status_code == 201, applied.content
    assert applied.json()["state"] == "applied"
    again = post(client, f"{API}/{scheme.slug}/applications", {"organisation_id": organisation.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "already_applied"

    signed_in(client, maker)
    record = business(name="UD Rotan Jaya")
    nominated_ = post(client, f"{API}/{scheme.slug}/nominations", {"business_id": record.pk})
    assert nominated_.status_code == 201, nominated_.content
    assert nominated_.json()["state"] == "nominated"
    assert nominated_.json()["business_name"] == "UD Rotan Jaya"
    unknown = post(client, f"{API}/{scheme.slug}/nominations", {"business_id": 987654321})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "business_id"

    queue = client.get(f"{API}/{scheme.slug}/applications?state=applied").json()
    assert [item["business_name"] for item in queue["items"]] == ["CV Kopi Sari"]


def test_an_illegal_transition_is_a_409_that_says_why(client, world):
    scheme, _agency, maker, _checker = world
    application = nominated(scheme, maker)
    response = post(
        signed_in(client, maker),
        f"{API}/applications/{application.pk}/transitions",
        {"to": "active"},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert "Nominated" in body["message"] and "Screened" in body["message"]


def test_approval_needs_two_officers_and_issues_a_credential(client, world):
    scheme, _agency, maker, checker = world
    application = ready(scheme, maker)
    signed_in(client, maker)
    requested = post(client, f"{API}/applications/{application.pk}/approval-request")
    assert requested.status_code == 200
    assert requested.json()["awaiting_approval"] is True
    assert requested.json()["approval_requested_by"] == maker.email
    assert (
        client.get(f"{API}/{scheme.slug}/applications?awaiting_approval=true").json()["count"] == 1
    )

    own = post(client, f"{API}/applications/{application.pk}/approval")
    assert own.status_code == 409
    assert own.json()["code"] == "maker_checker"
    assert client.get(f"{API}/applications/{application.pk}").json()["credentials"] == []

    approved = post(signed_in(client, checker), f"{API}/applications/{application.pk}/approval")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    detail = client.get(f"{API}/applications/{application.pk}").json()
    assert len(detail["credentials"]) == 1
    assert detail["credentials"][0]["revoked_at"] is None
    assert detail["next_states"] == ["onboarded", "withdrawn"]
    assert [event["to_state"] for event in detail["history"]][-1] == "approved"


def test_the_application_detail_shows_eligibility_in_plain_words(client):
    agency = ministry()
    scheme = programme(agency, rules=[{"kind": "readiness_at_least", "score": 60}])
    officer = officer_of(agency)
    application = nominated(scheme, officer)
    detail = signed_in(client, officer).get(f"{API}/applications/{application.pk}").json()
    assert detail["eligibility"] == [
        {
            "kind": "readiness_at_least",
            "rule": "Export readiness score of at least 60",
            "passed": False,
            "explanation": detail["eligibility"][0]["explanation"],
        }
    ]
    assert detail["eligibility"][0]["explanation"]
    assert detail["next_states"] == ["rejected", "screened", "withdrawn"]
    assert detail["approval_requested_by"] is None


def test_onboarding_by_a_partner_accrues_a_commission(client):
    agency = ministry()
    scheme = programme(agency, commission_minor=50_000_00, commission_currency="IDR")
    maker, checker = officer_of(agency), officer_of(agency)
    application = ready(scheme, maker)
    services.request_approval(actor=maker, application=application)
    services.approve(actor=checker, application=application)
    agent = partner()
    scheme.onboarding_partners.add(agent)
    signed_in(client, maker)
    onboarded = post(
        client, f"{API}/applications/{application.pk}/onboarding", {"partner_id": agent.pk}
    )
    assert onboarded.status_code == 200, onboarded.content
    assert onboarded.json()["partner"] == agent.name
    owed = client.get(f"{API}/commissions").json()
    assert owed["count"] == 1
    assert owed["totals"] == [
        {"partner": agent.name, "currency": "IDR", "owed_minor": 50_000_00, "onboarded": 1}
    ]
    assert owed["items"][0]["kind"] == "accrued"


def test_a_withdrawal_needs_a_reason_and_revokes_the_credential(client, world):
    application, credential = approved_credential(client, world)
    path = f"{API}/applications/{application.pk}/withdrawal"
    assert post(client, path, {"reason": ""}).status_code == 422
    withdrawn = post(client, path, {"reason": "The business closed."})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "withdrawn"
    assert client.get(f"{CREDENTIALS}/{credential['public_id']}").json()["status"] == "revoked"


def test_bulk_transitions_report_a_result_per_id(client, world):
    scheme, agency, maker, _checker = world
    movable = nominated(scheme, maker, name="A")
    closed = nominated(scheme, maker, name="B")
    services.transition(actor=maker, application=closed, to=S.REJECTED, reason="Not an exporter.")
    elsewhere = nominated(programme(ministry("Other")), administrator(), name="C")
    signed_in(client, maker)
    ids = [movable.pk, closed.pk, elsewhere.pk, 987654321, movable.pk]
    response = post(
        client, f"{API}/applications/bulk-transitions", {"application_ids": ids, "to": "screened"}
    )
    assert response.status_code == 200, response.content
    results = {result["id"]: result for result in response.json()["results"]}
    assert len(response.json()["results"]) == 4  # a repeated id is moved once
    assert results[movable.pk] == {
        "id": movable.pk,
        "ok": True,
        "state": "screened",
        "code": None,
        "message": None,
    }
    assert results[closed.pk]["ok"] is False
    assert results[closed.pk]["code"] == "illegal_transition"
    assert results[closed.pk]["state"] == "rejected"
    for hidden in (elsewhere.pk, 987654321):
        assert results[hidden]["code"] == "not_found"
        assert results[hidden]["state"] is None
    assert (
        post(
            client,
            f"{API}/applications/bulk-transitions",
            {"application_ids": [], "to": "screened"},
        ).status_code
        == 422
    )


def test_the_shortlist_ranks_by_readiness(client, world):
    scheme, _agency, maker, _checker = world
    first = ready(scheme, maker, name="Ready One")
    second = nominated(scheme, maker, name="Still nominated")
    shortlist = signed_in(client, maker).get(f"{API}/{scheme.slug}/shortlist").json()
    assert shortlist["places"] == 10
    assert [entry["application_id"] for entry in shortlist["selected"]] == [first.pk]
    assert shortlist["selected"][0]["rank"] == 1
    assert shortlist["selected"][0]["readiness"] == 100
    assert second.pk not in [entry["application_id"] for entry in shortlist["waitlisted"]]


# --- who sees what -----------------------------------------------------------------------------


def test_an_officer_of_one_programme_gets_404_for_another(client):
    agency_a, agency_b = ministry("A"), ministry("B")
    scheme_a, scheme_b = programme(agency_a), programme(agency_b)
    officer_a, officer_b = officer_of(agency_a), officer_of(agency_b)
    application_b = nominated(scheme_b, officer_b)
    credential_free_paths = [
        f"{API}/{scheme_b.slug}",
        f"{API}/{scheme_b.slug}/applications",
        f"{API}/{scheme_b.slug}/shortlist",
        f"{API}/{scheme_b.slug}/rules",
        f"{API}/applications/{application_b.pk}",
        f"{API}/applications/{application_b.pk}/assessments",
    ]
    signed_in(client, officer_a)
    for path in credential_free_paths:
        assert client.get(path).status_code == 404, path
    moved = post(client, f"{API}/applications/{application_b.pk}/transitions", {"to": "screened"})
    assert moved.status_code == 404
    assert (
        post(
            client, f"{API}/{scheme_b.slug}/nominations", {"business_id": business().pk}
        ).status_code
        == 404
    )
    assert [item["slug"] for item in client.get(f"{API}/").json()["items"]] == [scheme_a.slug]

    signed_in(client, officer_b)
    for path in credential_free_paths:
        assert client.get(path).status_code == 200, path


def test_an_exporter_sees_only_its_own_applications(client, world):
    scheme, _agency, _maker, _checker = world
    alice, alice_org = exporter_with_business("CV Alice")
    bob, bob_org = exporter_with_business("CV Bob")
    mine = services.apply(actor=alice, programme=scheme, organisation=alice_org)
    theirs = services.apply(actor=bob, programme=scheme, organisation=bob_org)

    signed_in(client, alice)
    listed = client.get(f"{API}/applications").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]
    assert client.get(f"{API}/applications/{mine.pk}").status_code == 200
    assert client.get(f"{API}/applications/{theirs.pk}").status_code == 404
    # The queue is for the programme's officers.
    assert client.get(f"{API}/{scheme.slug}/applications").status_code == 404
    # Applying for someone else's business is refused.
    other = post(client, f"{API}/{scheme.slug}/applications", {"organisation_id": bob_org.pk})
    assert other.status_code == 422
    assert other.json()["field"] == "organisation_id"


def test_strangers_are_asked_to_sign_in(client):
    assert client.get(f"{API}/").status_code == 401
    assert client.get(f"{API}/applications/1").status_code == 401


def test_the_application_routes_are_not_shadowed_by_programme_routes(client, world):
    scheme, _agency, maker, _checker = world
    application = nominated(scheme, maker)
    signed_in(client, maker)
    assert client.get(f"{API}/applications/{application.pk}").json()["id"] == application.pk
    assert client.get(f"{API}/applications/{application.pk}/assessments").status_code == 200
    assert client.get(f"{API}/applications").status_code == 200
    assert client.get(f"{API}/commissions").status_code == 200
    assert client.get(f"{API}/readiness/questionnaire").status_code == 200
    assert client.get(f"{API}/applications/not-a-number").status_code == 422
    assert client.get(f"{API}/{scheme.slug}/applications").json()["count"] == 1


@pytest.mark.parametrize("path", ["{api}/{slug}/applications", "{api}/applications"])
def test_an_application_list_costs_the_same_queries_for_1_and_20_rows(client, world, path):
    scheme, _agency, maker, _checker = world
    url = path.format(api=API, slug=scheme.slug) + "?limit=50"
    first = ready(scheme, maker, name="Ready")
    services.request_approval(actor=maker, application=first)
    signed_in(client, maker)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).json()["count"] == 1
    for number in range(19):
        nominated(scheme, maker, name=f"Business {number}")
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url).json()["count"] == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


# --- readiness and mentoring -------------------------------------------------------------------


def test_the_questionnaire_and_an_assessment(client, world):
    scheme, _agency, maker, _checker = world
    application = services.transition(
        actor=maker, application=nominated(scheme, maker), to=S.SCREENED
    )
    signed_in(client, maker)
    questionnaire = client.get(f"{API}/readiness/questionnaire").json()
    assert sum(dimension["weight"] for dimension in questionnaire["dimensions"]) == 100
    assert questionnaire["dimensions"][0]["questions"][0]["choices"][0]["label"]

    path = f"{API}/applications/{application.pk}/assessments"
    answers = best_answers()
    worst = {code: "no-such-choice" for code in answers}
    refused = post(client, path, {"answers": worst})
    assert refused.status_code == 422
    assert refused.json()["code"] == "answers_invalid"
    recorded = post(client, path, {"answers": answers})
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["total"] == 100
    assert recorded.json()["improvements"] == []
    assert client.get(path).json()["count"] == 1
    assert client.get(f"{API}/applications/{application.pk}").json()["state"] == "assessed"


def test_the_questionnaire_speaks_the_requests_language(client):
    signed_in(client, ministry_officer())
    english = client.get(f"{API}/readiness/questionnaire").json()["dimensions"][0]["label"]
    indonesian = client.get(f"{API}/readiness/questionnaire", HTTP_ACCEPT_LANGUAGE="id").json()[
        "dimensions"
    ][0]["label"]
    assert english == "Production capacity"
    assert indonesian  # translated where the catalog has it, English otherwise


def test_a_session_is_scheduled_and_attendance_recorded(client, world):
    scheme, agency, maker, _checker = world
    application = nominated(scheme, maker)
    module = MentoringModule.objects.create(code="export-documents", title="Export documents")
    signed_in(client, maker)
    assert client.get(f"{API}/mentoring/modules").json()["items"][0]["code"] == "export-documents"
    payload = {
        "module_id": module.pk,
        "organisation_id": agency.pk,
        "starts_at": "2026-03-02T09:00:00+07:00",
        "location": "Bandung",
        "capacity": 20,
    }
    scheduled = post(client, f"{API}/mentoring/sessions", payload)
    assert scheduled.status_code == 201, scheduled.content
    session_id = scheduled.json()["id"]
    naive = post(
        client, f"{API}/mentoring/sessions", {**payload, "starts_at": "2026-03-02T09:00:00"}
    )
    assert naive.status_code == 422

    path = f"{API}/mentoring/sessions/{session_id}/attendance"
    attended = post(client, path, {"business_ids": [application.business_id]})
    assert attended.json() == {"recorded": 1}
    unknown = post(client, path, {"business_ids": [business(name="Not in any programme").pk]})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "business_ids"
    sessions = client.get(f"{API}/mentoring/sessions").json()["items"]
    assert sessions[0]["attended"] == 1

    signed_in(client, officer_of(ministry("Elsewhere")))
    assert post(client, path, {"business_ids": [application.business_id]}).status_code == 404


# --- public credential checks ------------------------------------------------------------------


def test_a_credential_verifies_then_is_tampered_then_revoked(client, world):
    _application, issued = approved_credential(client, world)
    _scheme, _agency, maker, _checker = world
    client.logout()  # checking a credential needs no account
    status = client.get(f"{CREDENTIALS}/{issued['public_id']}")
    assert status.status_code == 200
    assert status.json()["status"] == "valid"
    document = status.json()["document"]

    valid = post(client, f"{CREDENTIALS}/verify", document).json()
    assert valid["verdict"] == "valid"
    assert valid["claims"]["id"] == issued["public_id"]

    changed = copy.deepcopy(document)
    name = changed["credential"]["subject"]["name"]
    changed["credential"]["subject"]["name"] = name[:-1] + chr(ord(name[-1]) ^ 1)
    tampered = post(client, f"{CREDENTIALS}/verify", changed).json()
    assert tampered["verdict"] == "tampered"
    assert tampered["claims"] is None
    assert tampered["detail"]

    revocation = f"{CREDENTIALS}/{issued['public_id']}/revocation"
    assert post(client, revocation, {"reason": "Fraud"}).status_code == 401
    signed_in(client, ministry_officer())  # an officer of no programme of this credential
    assert post(client, revocation, {"reason": "Fraud"}).status_code == 403
    signed_in(client, maker)
    revoked = post(client, revocation, {"reason": "The certificate it relied on was forged."})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["revoked_at"]
    assert post(client, revocation, {"reason": "Again"}).status_code == 409
    assert post(client, f"{CREDENTIALS}/verify", document).json()["verdict"] == "revoked"
    assert client.get(f"{CREDENTIALS}/{issued['public_id']}").json()["status"] == "revoked"

    keys = credentials.keys_from_key_set(client.get(f"{CREDENTIALS}/keys").json())
    listed = client.get(f"{CREDENTIALS}/revocations").json()
    assert credentials.revoked_ids_from_list(listed, keys=keys) == {issued["public_id"]}


def test_the_published_key_set_verifies_an_issued_credential(client, world):
    _application, issued = approved_credential(client, world)
    client.logout()
    key_set = client.get(f"{CREDENTIALS}/keys").json()
    assert key_set["keys"][0]["kty"] == "OKP" and key_set["keys"][0]["crv"] == "Ed25519"
    keys = credentials.keys_from_key_set(key_set)
    document = client.get(f"{CREDENTIALS}/{issued['public_id']}").json()["document"]
    assert credentials.verify(document, keys=keys).verdict == credentials.Verdict.VALID


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"credential": [], "proof": 1},
        {
            "credential": {"type": "NiagaCurationCredential"},
            "proof": {"type": "x", "kid": 1, "signature": None},
        },
        {
            "credential": {"a": 1.5},
            "proof": {"type": "Ed25519Signature", "kid": "k", "signature": "!"},
        },
        {"nested": [[[[[[[[[[{"deep": True}]]]]]]]]]]},
    ],
)
def test_any_object_is_a_verdict_never_a_server_error(client, document):
    response = post(client, f"{CREDENTIALS}/verify", document)
    assert response.status_code == 200
    assert response.json()["verdict"] == "tampered"


def test_a_body_that_is_not_an_object_is_refused(client):
    response = client.post(f"{CREDENTIALS}/verify", "[1, 2]", content_type="application/json")
    assert response.status_code == 422
    assert client.get(f"{CREDENTIALS}/not-a-uuid").status_code == 422
    assert client.get(f"{CREDENTIALS}/0b6f1a52-7a43-4ad5-9d11-5a0f0f0c0c0c").status_code == 404


def test_an_officer_role_that_is_not_programme_work_cannot_approve(client, world):
    scheme, agency, maker, _checker = world
    application = ready(scheme, maker)
    services.request_approval(actor=maker, application=application)
    analyst = officer_of(ministry("Statistics"), role=Role.POLICY_ANALYST)
    response = post(signed_in(client, analyst), f"{API}/applications/{application.pk}/approval")
    assert response.status_code == 404


def test_the_shortlist_of_a_full_programme_has_no_places(client):
    agency = ministry()
    scheme = programme(agency, capacity=1)
    maker, checker = officer_of(agency), officer_of(agency)
    taken = ready(scheme, maker, name="Taken")
    services.request_approval(actor=maker, application=taken)
    services.approve(actor=checker, application=taken)
    waiting = ready(scheme, maker, name="Waiting")
    shortlist = signed_in(client, maker).get(f"{API}/{scheme.slug}/shortlist").json()
    assert shortlist["places"] == 0
    assert shortlist["selected"] == []
    assert [entry["application_id"] for entry in shortlist["waitlisted"]] == [waiting.pk]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXPORTER_OWNER])
def test_the_programme_list_costs_the_same_queries_for_one_and_for_six(client, role):
    from niaga.core.roles import OrganisationKind
    from niaga.programs.models import Programme
    from tests.factories import member

    kind = OrganisationKind.OPERATOR if role == Role.ADMIN else OrganisationKind.EXPORTER
    reader = member(role, kind)
    counts = []
    for total in (1, 6):
        while Programme.objects.count() < total:
            agency = ministry()
            programme(
                agency,
                rules=[{"kind": "mentoring_completed", "ministries": [agency.pk]}],
                ministries=[agency],
            )
        signed_in(client, reader)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
