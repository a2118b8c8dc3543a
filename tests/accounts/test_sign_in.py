import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, buyer, officer

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_a_person_signs_in_and_out(client):
    person = buyer(email="lena@example.de")
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_a_wrong_password_is_a_form_error(client):
    person = buyer()
    response = sign_in(client, person.email, "wrong-password")
    assert response.status_code == 200
    assert "correct" in response.content.decode()


def test_repeated_failures_are_throttled_with_a_clear_message(client, settings):
    person = buyer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, person.email, "wrong-password").status_code == 200
    locked = sign_in(client, person.email, "wrong-password")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused until the cool-off ends.
    assert sign_in(client, person.email, PASSWORD).status_code == 429


def test_a_lockout_of_one_account_leaves_another_alone(client, settings):
    target, bystander = buyer(), buyer()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, target.email, "wrong-password")
    assert sign_in(client, bystander.email, PASSWORD).status_code == 302


def test_a_password_is_reset_through_an_e_mailed_link(client):
    person = buyer(email="lena@example.de")
    client.post(reverse("accounts:password_reset"), {"email": "lena@example.de"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-harbour-77"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new_password)


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("make", "template"),
    [
        (buyer, "accounts/home/buyer.html"),
        (officer, "accounts/home/officer.html"),
    ],
)
def test_each_role_lands_on_its_own_home(client, make, template):
    client.force_login(make())
    response = client.get(reverse("accounts:home"))
    assert response.templates[0].name == template


def test_the_pages_stylesheet_and_scripts_are_served(client):
    page = client.get(reverse("accounts:login")).content.decode()
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        response = client.get(asset)
        assert response.status_code == 200, asset
    assert "/static/niaga/app.css" in page
