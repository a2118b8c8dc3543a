"""The programme pages, through Django's test client: who sees what, and what each form does."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from niaga.programs import services
from niaga.programs.models import Application, ApplicationState, Credential, ReadinessAssessment
from tests.programs.page_helpers import (
    BusinessFactory,
    approved_application,
    best_answers,
    exporter_of,
    ministry,
    officer_of,
    partner_member,
    programme,
    ready_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kemendag():
    return ministry("Kementerian Perdagangan")


@pytest.fixture
def officer_a(kemendag):
    return officer_of(kemendag, full_name="Ayu Lestari")


@pytest.fixture
def officer_b(kemendag):
    return officer_of(kemendag, full_name="Bima Saputra")


@pytest.fixture
def outsider():
    """An officer of another ministry, working another programme."""
    other = ministry("Kementerian Perindustrian")
    person = officer_of(other, full_name="Citra Dewi")
    programme(person, other, slug="industri-2026")
    return person


@pytest.fixture
def ekspor(officer_a, kemendag):
    return programme(
        officer_a,
        kemendag,
        slug="ekspor-2026",
        rules=[{"kind": "country_in", "countries": ["ID"]}],
        commission_minor=150_000_00,
        commission_currency="IDR",
    )


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def text(response) -> str:
    return response.content.decode()


# --- who sees what ---------------------------------------------------------------------------


def test_each_programme_page_renders_for_its_officer_and_is_404_for_another(
    client, officer_a, outsider, ekspor
):
    application = ready_application(officer_a, ekspor)
    urls = [
        reverse("programs:detail", args=[ekspor.slug]),
        reverse("programs:queue", args=[ekspor.slug]),
        reverse("programs:nominate", args=[ekspor.slug]),
        reverse("programs:shortlist", args=[ekspor.slug]),
        reverse("programs:shortlist_csv", args=[ekspor.slug]),
        reverse("programs:rules", args=[ekspor.slug]),
        reverse("programs:rule_versions", args=[ekspor.slug]),
        reverse("programs:application", args=[application.pk]),
        reverse("programs:questionnaire", args=[application.pk]),
    ]
    for url in urls:
        assert page(client, officer_a, url).status_code == 200, url
        assert page(client, outsider, url).status_code == 404, url


def test_the_programme_list_shows_counts_to_officers(client, officer_a, outsider, ekspor):
    ready_application(officer_a, ekspor)
    response = page(client, officer_a, reverse("programs:list"))
    assert response.status_code == 200
    assert ekspor.name in text(response)
    assert ekspor.name not in text(page(client, outsider, reverse("programs:list")))


def test_writes_on_another_programme_are_404_and_change_nothing(
    client, officer_a, outsider, ekspor
):
    application = ready_application(officer_a, ekspor)
    client.force_login(outsider)
    for url in (
        reverse("programs:transition", args=[application.pk]),
        reverse("programs:request_approval", args=[application.pk]),
        reverse("programs:approve", args=[application.pk]),
    ):
        assert client.post(url, {"to": "rejected", "reason": "x"}).status_code == 404
    business = BusinessFactory()
    nominate = reverse("programs:nominate", args=[ekspor.slug])
    assert client.post(nominate, {"business": business.pk}).status_code == 404
    application.refresh_from_db()
    assert application.state == ApplicationState.READY
    assert application.approval_requested_by is None


def test_an_exporter_sees_open_programmes_applies_and_sees_what_is_missing(
    client, officer_a, ekspor
):
    person, _organisation = exporter_of("CV Kopi Sari Jaya")
    response = page(client, person, reverse("programs:list"))
    assert ekspor.name in text(response)
    detail = page(client, person, reverse("programs:detail", args=[ekspor.slug]))
    assert "Country is one of: Indonesia" in text(detail)
    assert "version 1" in text(detail)
    applied = client.post(
        reverse("programs:apply", args=[ekspor.slug]), {"organisation": _organisation.pk}
    )
    application = Application.objects.get()
    assert applied.status_code == 302
    assert applied.url == reverse("programs:application", args=[application.pk])
    assert application.state == ApplicationState.APPLIED
    listing = text(page(client, person, reverse("programs:list")))
    assert "A readiness assessment" in listing
    assert "Applied" in listing
    # An exporter does not work the programme: its queue is not theirs.
    assert page(client, person, reverse("programs:queue", args=[ekspor.slug])).status_code == 404
    own = page(client, person, reverse("programs:application", args=[application.pk]))
    assert own.status_code == 200
    assert "Move to Screened" not in text(own)


def test_an_exporter_cannot_open_another_businesss_application(client, officer_a, ekspor):
    application = ready_application(officer_a, ekspor)
    person, _organisation = exporter_of("CV Lain")
    url = reverse("programs:application", args=[application.pk])
    assert page(client, person, url).status_code == 404


def test_a_refused_application_shows_the_message_not_a_500(client, officer_a, kemendag):
    closed = programme(
        officer_a,
        kemendag,
        slug="tutup",
        opens_on=timezone.localdate().replace(year=2020),
        closes_on=timezone.localdate().replace(year=2020),
    )
    person, organisation = exporter_of()
    client.force_login(person)
    # A closed programme is not visible to an exporter at all.
    response = client.post(
        reverse("programs:apply", args=[closed.slug]), {"organisation": organisation.pk}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


# --- the queue's bulk action -----------------------------------------------------------------


def test_the_bulk_action_changes_nothing_until_confirmed(client, officer_a, ekspor):
    first = services.nominate(actor=officer_a, programme=ekspor, business=BusinessFactory())
    second = services.nominate(actor=officer_a, programme=ekspor, business=BusinessFactory())
    client.force_login(officer_a)
    queue = text(client.get(reverse("programs:queue", args=[ekspor.slug])))
    assert first.business.name in queue and second.business.name in queue
    url = reverse("programs:bulk", args=[ekspor.slug])
    chosen = {"applications": [first.pk, second.pk], "to": "screened"}
    confirm = client.post(url, chosen)
    assert confirm.status_code == 200
    assert "Confirm the change" in text(confirm)
    assert first.business.name in text(confirm)
    assert set(Application.objects.values_list("state", flat=True)) == {"nominated"}

    done = client.post(url, chosen | {"confirmed": "yes"})
    assert done.status_code == 200
    assert "2 of 2 moved to Screened" in text(done)
    assert set(Application.objects.values_list("state", flat=True)) == {"screened"}


def test_a_bulk_rejection_needs_a_reason_and_reports_each_application(client, officer_a, ekspor):
    nominated = services.nominate(actor=officer_a, programme=ekspor, business=BusinessFactory())
    ready = ready_application(officer_a, ekspor)
    client.force_login(officer_a)
    url = reverse("programs:bulk", args=[ekspor.slug])
    no_reason = client.post(
        url, {"applications": [nominated.pk], "to": "rejected", "confirmed": "yes"}
    )
    assert no_reason.status_code == 400
    assert 'data-field="reason"' in text(no_reason)
    nominated.refresh_from_db()
    assert nominated.state == "nominated"

    # Ready cannot become mentoring: that one is refused, the other moves.
    results = client.post(
        url, {"applications": [nominated.pk, ready.pk], "to": "mentoring", "confirmed": "yes"}
    )
    assert "0 of 2 moved to Mentoring" in text(results)
    assert "cannot become Mentoring" in text(results)


def test_the_bulk_action_ignores_applications_of_other_programmes(
    client, officer_a, outsider, ekspor
):
    theirs = services.nominate(
        actor=outsider,
        programme=services.selectors.worked_programme_for(outsider, "industri-2026"),
        business=BusinessFactory(),
    )
    client.force_login(officer_a)
    response = client.post(
        reverse("programs:bulk", args=[ekspor.slug]),
        {"applications": [theirs.pk], "to": "screened", "confirmed": "yes"},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.state == "nominated"


# --- rules ---------------------------------------------------------------------------------


def test_a_bad_rules_document_shows_the_error_and_keeps_the_text(client, officer_a, ekspor):
    client.force_login(officer_a)
    url = reverse("programs:rules", args=[ekspor.slug])
    typed = '[{"kind": "turnover_below", "amount_minor": 100, "currency": "XYZ"}]'
    response = client.post(url, {"rules": typed, "note": "try"})
    assert response.status_code == 400
    body = text(response)
    assert "is not an ISO 4217 currency code" in body
    assert "rules[0].currency" in body
    assert "XYZ" in body and "turnover_below" in body  # what was typed is still there
    assert ekspor.rule_versions.count() == 1

    broken = client.post(url, {"rules": "[{nope", "note": ""})
    assert broken.status_code == 400
    assert "not valid JSON" in text(broken)
    assert "[{nope" in text(broken)

    good = client.post(url, {"rules": '[{"kind": "sector_in", "sectors": ["food"]}]', "note": "n"})
    assert good.status_code == 302
    assert ekspor.rule_versions.count() == 2
    history = text(client.get(reverse("programs:rule_versions", args=[ekspor.slug])))
    assert "Processed food and beverages" in history


# --- nominating and one application -------------------------------------------------------


def test_an_officer_nominates_from_the_registry(client, officer_a, ekspor):
    business = BusinessFactory(name="UD Rempah Nusantara")
    client.force_login(officer_a)
    url = reverse("programs:nominate", args=[ekspor.slug])
    assert business.name in text(client.get(url, {"q": "rempah"}))
    response = client.post(url, {"business": business.pk})
    application = Application.objects.get(business=business)
    assert response.url == reverse("programs:application", args=[application.pk])
    assert f'name="business" value="{business.pk}"' not in text(client.get(url, {"q": "rempah"}))


def test_an_illegal_move_shows_the_message(client, officer_a, ekspor):
    application = services.nominate(actor=officer_a, programme=ekspor, business=BusinessFactory())
    client.force_login(officer_a)
    response = client.post(
        reverse("programs:transition", args=[application.pk]), {"to": "ready"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot become Ready" in text(response)


def test_the_same_officer_is_told_they_cannot_approve_and_another_approves(
    client, officer_a, officer_b, ekspor
):
    application = ready_application(officer_a, ekspor)
    client.force_login(officer_a)
    url = reverse("programs:application", args=[application.pk])
    client.post(reverse("programs:request_approval", args=[application.pk]))
    mine = text(client.get(url))
    assert "Put up for approval by Ayu Lestari" in mine
    assert "you cannot approve it yourself" in mine
    refused = client.post(reverse("programs:approve", args=[application.pk]), follow=True)
    assert "another officer must approve it" in text(refused)
    application.refresh_from_db()
    assert application.state == ApplicationState.READY

    client.force_login(officer_b)
    theirs = text(client.get(url))
    assert "you cannot approve it yourself" not in theirs
    client.post(reverse("programs:approve", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    detail = text(client.get(url))
    assert "Public verification page" in detail
    assert "Approved" in detail


def test_the_application_page_shows_outcomes_assessment_and_history(client, officer_a, ekspor):
    application = ready_application(officer_a, ekspor)
    body = text(page(client, officer_a, reverse("programs:application", args=[application.pk])))
    assert "Country Indonesia is accepted" in body
    assert "Latest score: 100 out of 100" in body
    assert "Production capacity" in body
    assert "Nominated" in body and "Screened" in body and "Ready" in body
    assert "Move to Rejected" in body


# --- the readiness questionnaire -----------------------------------------------------------


def test_the_questionnaire_keeps_answers_and_names_the_missing_question(client, officer_a, ekspor):
    application = services.nominate(actor=officer_a, programme=ekspor, business=BusinessFactory())
    services.transition(actor=officer_a, application=application, to="screened")
    client.force_login(officer_a)
    url = reverse("programs:questionnaire", args=[application.pk])
    answers = best_answers()
    del answers["export_plan"]
    response = client.post(url, answers)
    assert response.status_code == 400
    body = text(response)
    assert 'data-field="export_plan"' in body
    assert "Please answer" in body
    assert 'value="several_orders" required' not in body
    assert 'name="monthly_output" value="several_orders"' in body
    checked = body.split('value="several_orders"')[1].split(">")[0]
    assert "checked" in checked
    assert not ReadinessAssessment.objects.exists()

    done = client.post(url, best_answers())
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.readiness) == ("assessed", 100)


def test_the_exporter_fills_their_own_questionnaire(client, officer_a, ekspor):
    person, organisation = exporter_of()
    application = services.apply(actor=person, programme=ekspor, organisation=organisation)
    client.force_login(person)
    url = reverse("programs:questionnaire", args=[application.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, best_answers()).status_code == 302
    assert ReadinessAssessment.objects.get().total == 100


# --- shortlist ----------------------------------------------------------------------------


def test_the_shortlist_page_and_its_csv(client, officer_a, ekspor):
    application = ready_application(officer_a, ekspor, BusinessFactory(name="=CMD Risky Name"))
    client.force_login(officer_a)
    body = text(client.get(reverse("programs:shortlist", args=[ekspor.slug])))
    assert "=CMD Risky Name" in body
    response = client.get(reverse("programs:shortlist_csv", args=[ekspor.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["List", "Rank", "Application", "Business"]
    assert rows[1][2] == str(application.pk)
    assert rows[1][3] == "'=CMD Risky Name"


# --- mentoring ----------------------------------------------------------------------------


def test_mentoring_sessions_are_scheduled_and_attendance_recorded(
    client, officer_a, outsider, ekspor, kemendag
):
    module = services.create_module(actor=officer_a, code="export-basics", title="Export basics")
    application = ready_application(officer_a, ekspor)
    client.force_login(officer_a)
    assert client.get(reverse("programs:mentoring")).status_code == 200
    response = client.post(
        reverse("programs:mentoring"),
        {
            "module": module.pk,
            "organisation": kemendag.pk,
            "starts_at": "2026-03-02T09:00",
            "location": "Jakarta",
            "capacity": 20,
        },
    )
    assert response.status_code == 302
    session_url = response.url
    assert "Export basics" in text(client.get(session_url))
    recorded = client.post(session_url, {"businesses": [application.business_id]})
    assert recorded.status_code == 302
    assert application.business.attendances.get().completed

    client.force_login(outsider)
    assert client.get(session_url).status_code == 404
    person, _organisation = exporter_of()
    client.force_login(person)
    assert client.get(reverse("programs:mentoring")).status_code == 404


# --- partners -----------------------------------------------------------------------------


def test_a_partner_sees_the_commission_it_is_owed(client, officer_a, officer_b, ekspor):
    partner, organisation = partner_member("Mitra Digital")
    application = approved_application(officer_a, officer_b, ekspor)
    ekspor.onboarding_partners.add(organisation)
    client.force_login(officer_a)
    client.post(reverse("programs:onboard", args=[application.pk]), {"partner": organisation.pk})
    application.refresh_from_db()
    assert application.state == ApplicationState.ONBOARDED
    body = text(page(client, partner, reverse("programs:commissions")))
    assert "Mitra Digital" in body
    assert "IDR" in body or "Rp" in body
    assert "150,000.00" in body
    person, _organisation = exporter_of()
    assert page(client, person, reverse("programs:commissions")).status_code == 404


# --- public credential pages --------------------------------------------------------------


def test_the_public_credential_page_says_valid_then_revoked(client, officer_a, officer_b, ekspor):
    application = approved_application(officer_a, officer_b, ekspor)
    credential = Credential.objects.get(application=application)
    url = reverse("credentials:detail", args=[credential.public_id])
    first = client.get(url)  # nobody signed in
    assert first.status_code == 200
    assert 'data-verdict="valid"' in text(first)
    assert application.business.name in text(first)
    assert ekspor.name in text(first)
    assert "/api/v1/credentials/keys" in text(first)
    download = client.get(reverse("credentials:download", args=[credential.public_id]))
    assert json.loads(download.content) == credential.document

    client.force_login(officer_a)
    revoke = reverse("programs:revoke", args=[application.pk, credential.public_id])
    client.post(revoke, {"reason": "The business closed."})
    client.logout()
    after = client.get(url)
    assert 'data-verdict="revoked"' in text(after)
    assert 'data-verdict="valid"' not in text(after)


def test_an_unknown_credential_is_404(client):
    url = reverse("credentials:detail", args=["6f0b8a52-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_verify_form_says_tampered_for_a_changed_byte_and_handles_garbage(
    client, officer_a, officer_b, ekspor
):
    application = approved_application(
        officer_a, officer_b, ekspor, BusinessFactory(name="CV Kopi Sari")
    )
    document = Credential.objects.get(application=application).document
    url = reverse("credentials:verify")
    assert client.get(url).status_code == 200

    original = json.dumps(document)
    valid = client.post(url, {"document": original})
    assert 'data-verdict="valid"' in text(valid)

    changed = original.replace("CV Kopi Sari", "CV Kopi Sarj")
    tampered = client.post(url, {"document": changed})
    assert tampered.status_code == 200
    assert 'data-verdict="tampered"' in text(tampered)

    uploaded = client.post(
        url, {"file": SimpleUploadedFile("c.json", changed.encode(), "application/json")}
    )
    assert 'data-verdict="tampered"' in text(uploaded)

    for garbage in ("{not json", "[1, 2", "9" * 5000, "\ufeff{"):
        response = client.post(url, {"document": garbage})
        assert response.status_code == 400, garbage
        assert "not JSON" in text(response)
    assert client.post(url, {"document": "\x00\x01"}).status_code == 400
    not_a_credential = client.post(url, {"document": '{"hello": "world"}'})
    assert 'data-verdict="tampered"' in text(not_a_credential)
    empty = client.post(url, {"document": ""})
    assert empty.status_code == 400

    too_big = client.post(
        url, {"file": SimpleUploadedFile("big.json", b" " * (65 * 1024), "application/json")}
    )
    assert too_big.status_code == 400
    assert "64 KB" in text(too_big)
    binary = client.post(url, {"file": SimpleUploadedFile("c.bin", b"\xff\xfe\x00", "x/y")})
    assert binary.status_code == 400


def test_the_public_supplier_list_shows_a_badge_linking_to_the_credential(
    client, officer_a, officer_b, ekspor
):
    application = approved_application(officer_a, officer_b, ekspor)
    credential = Credential.objects.get(application=application)
    response = client.get(reverse("programs:suppliers", args=[ekspor.slug]))
    assert response.status_code == 200
    body = text(response)
    assert application.business.name in body
    assert f"Curated by {ekspor.name}" in body
    assert reverse("credentials:detail", args=[credential.public_id]) in body
    assert client.get(reverse("programs:suppliers", args=["no-such"])).status_code == 404


def test_pages_that_need_a_sign_in_send_strangers_to_sign_in(client, ekspor):
    response = client.get(reverse("programs:queue", args=[ekspor.slug]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_a_partner_of_the_programme_onboards_an_approved_business_in_its_own_name(
    client, officer_a, officer_b, ekspor
):
    partner, organisation = partner_member("Mitra Ekspor")
    outsider, _other = partner_member("Mitra Lain")
    application = approved_application(officer_a, officer_b, ekspor)
    ekspor.onboarding_partners.add(organisation)
    detail = reverse("programs:application", args=[application.pk])
    assert page(client, outsider, detail).status_code == 404
    assert "Mark as onboarded" in text(page(client, partner, detail))
    client.force_login(partner)
    client.post(reverse("programs:onboard", args=[application.pk]), {"partner": ""})
    application.refresh_from_db()
    assert application.state == ApplicationState.ONBOARDED
    assert application.partner == organisation


def test_a_revoked_credential_pasted_in_the_verify_form_reads_revoked(
    client, officer_a, officer_b, ekspor
):
    application = approved_application(officer_a, officer_b, ekspor)
    credential = Credential.objects.get(application=application)
    services.revoke_credential(actor=officer_a, credential=credential, reason="Licence lapsed")
    response = client.post(
        reverse("credentials:verify"), {"document": json.dumps(credential.document)}
    )
    assert 'data-verdict="revoked"' in text(response)


def test_odd_digits_and_deep_nesting_are_refused_not_crashed(client, officer_a, ekspor):
    client.force_login(officer_a)
    bulk = client.post(
        reverse("programs:bulk", args=[ekspor.slug]), {"applications": ["²", "١"], "to": "screened"}
    )
    assert bulk.status_code < 500
    deep = client.post(reverse("programs:rules", args=[ekspor.slug]), {"rules": "[" * 50_000})
    assert deep.status_code == 400
    assert ekspor.rule_versions.count() == 1
