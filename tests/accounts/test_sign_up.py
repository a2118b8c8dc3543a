import pytest
from django.urls import reverse

from niaga.accounts import services
from niaga.accounts.errors import InvalidInput
from niaga.accounts.models import Membership, Organisation, User
from niaga.core.models import AuditEntry
from niaga.core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID_GSTIN = "27AAPFU0939F1ZV"
GOOD_PASSWORD = "spice-route-harbour-42"


def sign_up(**overrides):
    fields = {
        "email": "lena@example.de",
        "password": GOOD_PASSWORD,
        "full_name": "Lena Hoffmann",
        "organisation_name": "Hanse Import GmbH",
        "kind": "buyer",
        "country": "DE",
    }
    return services.sign_up(**{**fields, **overrides})


def test_a_buyer_signs_up_with_an_organisation_and_an_audit_entry():
    user = sign_up()
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.BUYER
    assert membership.organisation.name == "Hanse Import GmbH"
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEntry.objects.filter(actor=user, action="accounts.sign_up").count() == 1


def test_an_indian_exporter_signs_up_with_a_gstin_and_gets_its_pan():
    user = sign_up(
        email="rohan@example.in", kind="exporter", country="IN", gstin=" 27aapfu0939f1zv "
    )
    organisation = Membership.objects.get(user=user).organisation
    assert organisation.gstin == VALID_GSTIN
    assert organisation.pan == "AAPFU0939F"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"password": "12345678901234"}, "password"),
        ({"email": "not-an-address"}, "email"),
        ({"kind": "exporter", "country": "IN", "gstin": "27AAPFU0939F1ZX"}, "gstin"),
        ({"kind": "exporter", "country": "IN", "gstin": ""}, "gstin"),
        ({"kind": "exporter", "country": "ID", "nib": "12345"}, "nib"),
        ({"kind": "exporter", "country": "ID", "nib": "12345678901AB"}, "nib"),
        ({"kind": "exporter", "country": "US"}, "country"),
        ({"kind": "officer"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"full_name": "  "}, "full_name"),
    ],
)
def test_bad_sign_ups_name_the_field_and_create_nothing(overrides, field):
    with pytest.raises(InvalidInput) as raised:
        sign_up(**overrides)
    assert field in raised.value.field_errors
    assert not User.objects.exists()
    assert not Organisation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_e_mail_already_taken_is_refused_whatever_its_case():
    UserFactory(email="lena@example.de")
    with pytest.raises(InvalidInput) as raised:
        sign_up(email="LENA@Example.DE")
    assert "already exists" in raised.value.field_errors["email"][0]
    assert User.objects.count() == 1


def test_the_sign_up_page_shows_field_errors_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("accounts:sign_up"),
        {
            "kind": "exporter",
            "full_name": "Siti Rahmawati",
            "email": "siti@example.id",
            "password": GOOD_PASSWORD,
            "organisation_name": "CV Kopi Sinar Jaya",
            "country": "ID",
            "nib": "not-a-nib",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="nib"' in page
    assert "CV Kopi Sinar Jaya" in page
    assert not User.objects.exists()


def test_the_sign_up_page_signs_the_person_in_and_sends_them_home(client):
    response = client.post(
        reverse("accounts:sign_up"),
        {
            "kind": "buyer",
            "full_name": "Lena Hoffmann",
            "email": "lena@example.de",
            "password": GOOD_PASSWORD,
            "organisation_name": "Hanse Import GmbH",
            "country": "DE",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/home/buyer.html"


def test_a_weak_password_on_the_page_is_a_field_error(client):
    response = client.post(
        reverse("accounts:sign_up"),
        {
            "kind": "buyer",
            "full_name": "Lena Hoffmann",
            "email": "lena@example.de",
            "password": "abc",
            "organisation_name": "Hanse Import GmbH",
            "country": "DE",
        },
    )
    assert response.status_code == 400
    assert 'data-field="password"' in response.content.decode()
