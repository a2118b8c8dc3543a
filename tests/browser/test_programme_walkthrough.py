"""One business walked from nomination to an approved, verifiable credential in a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from niaga.programs import readiness, services
from niaga.programs.models import Application
from tests.factories import PASSWORD
from tests.programs.page_helpers import BusinessFactory, ministry, officer_of, programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")


def state_is(page, label):
    page.get_by_test_id("state").filter(has_text=label).wait_for()


def test_a_business_goes_from_nomination_to_a_valid_credential(live_server, page):
    kemendag = ministry("Kementerian Perdagangan")
    ayu = officer_of(kemendag, email="ayu@kemendag.example", full_name="Ayu Lestari")
    officer_of(kemendag, email="bima@kemendag.example", full_name="Bima Saputra")
    ekspor = programme(
        ayu,
        kemendag,
        slug="ekspor-2026",
        name="Ekspor Naik Kelas 2026",
        rules=[
            {"kind": "country_in", "countries": ["ID"]},
            {"kind": "readiness_at_least", "score": 60},
            {"kind": "mentoring_completed", "ministries": [kemendag.pk]},
        ],
    )
    module = services.create_module(actor=ayu, code="export-basics", title="Export basics")
    services.schedule_session(
        actor=ayu,
        module=module,
        organisation=kemendag,
        starts_at=timezone.now() - timedelta(days=1),
        location="Jakarta",
    )
    BusinessFactory(name="CV Kopi Sari Jaya")

    # Officer A nominates the business from the registry.
    sign_in(page, live_server, "ayu@kemendag.example")
    page.get_by_role("link", name="Programmes").first.click()
    page.get_by_role("link", name="Ekspor Naik Kelas 2026").click()
    page.get_by_role("heading", name="Who may take part (rules, version 1)").wait_for()
    page.get_by_role("link", name="Nominate businesses from the registry").click()
    page.get_by_label("Business name").fill("kopi sari")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Nominate CV Kopi Sari Jaya").click()
    page.get_by_role("heading", name="CV Kopi Sari Jaya").wait_for()
    state_is(page, "Nominated")
    application_url = page.url

    # Screen it, then fill the readiness questionnaire with the best answers.
    page.get_by_role("button", name="Move to Screened").click()
    state_is(page, "Screened")
    page.get_by_role("link", name="Fill the readiness questionnaire").click()
    for question in readiness.questions():
        best = max(question.choices, key=lambda choice: choice.points)
        page.locator(f'input[name="{question.code}"][value="{best.code}"]').check()
    page.get_by_role("button", name="Score it").click()
    page.get_by_text("Readiness score: 100 out of 100.").wait_for()
    state_is(page, "Assessed")

    # Mentoring: move it along and record that it completed the ministry's session.
    page.get_by_role("button", name="Move to Mentoring").click()
    state_is(page, "Mentoring")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    page.get_by_role("link", name="Export basics").click()
    page.get_by_label("CV Kopi Sari Jaya").check()
    page.get_by_role("button", name="Record attendance").click()
    page.get_by_role("cell", name="CV Kopi Sari Jaya").wait_for()

    # Ready, and put up for approval: officer A may not approve it too.
    page.goto(application_url)
    page.get_by_role("button", name="Move to Ready").click()
    state_is(page, "Ready")
    page.get_by_role("button", name="Put up for approval").click()
    page.get_by_text("you cannot approve it yourself").wait_for()
    assert page.get_by_role("button", name="Approve", exact=True).count() == 0
    page.get_by_role("button", name="Sign out").click()

    # Officer B approves; the credential is issued and verifies.
    sign_in(page, live_server, "bima@kemendag.example")
    page.goto(f"{live_server.url}/programmes/ekspor-2026/queue/?awaiting=on")
    page.get_by_role("link", name="CV Kopi Sari Jaya").click()
    page.get_by_text("Put up for approval by Ayu Lestari").wait_for()
    page.get_by_role("button", name="Approve", exact=True).click()
    state_is(page, "Approved")
    page.get_by_role("link", name="Public verification page").click()
    page.get_by_role("heading", name="This credential is: Valid").wait_for()
    assert page.locator('[data-verdict="valid"]').is_visible()
    assert page.get_by_text("Kementerian Perdagangan").first.is_visible()
    assert Application.objects.get(programme=ekspor).state == "approved"
