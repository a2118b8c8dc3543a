import pytest
from django.urls import reverse

from niaga.accounts import selectors
from niaga.accounts.models import Organisation
from niaga.core.errors import NotFound
from tests.factories import buyer, exporter, officer

pytestmark = pytest.mark.django_db


def own_organisation(user) -> Organisation:
    return user.memberships.get().organisation


def test_a_member_sees_only_their_own_organisations():
    alice, bob = exporter(), exporter()
    assert list(selectors.organisations_for(alice)) == [own_organisation(alice)]
    with pytest.raises(NotFound):
        selectors.organisation_for(alice, own_organisation(bob).pk)


def test_an_officer_sees_every_organisation():
    alice, bob, ministry_officer = exporter(), buyer(), officer()
    visible = set(selectors.organisations_for(ministry_officer))
    assert {own_organisation(alice), own_organisation(bob)} <= visible


def test_an_anonymous_visitor_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    exporter()
    assert not selectors.organisations_for(AnonymousUser()).exists()


def test_another_members_organisation_page_is_not_found(client):
    alice, bob = exporter(), exporter()
    client.force_login(alice)
    assert (
        client.get(reverse("accounts:organisation", args=[own_organisation(alice).pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("accounts:organisation", args=[own_organisation(bob).pk])).status_code
        == 404
    )


def test_an_officer_sees_the_history_on_the_organisation_page(client):
    from niaga.accounts import services

    ministry_officer = officer()
    organisation = services.create_organisation(
        actor=ministry_officer, name="CV Batik Cahaya Mulia", kind="exporter", country="ID"
    )
    client.force_login(ministry_officer)
    page = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "accounts.organisation_created" in page


def test_members_do_not_see_the_history(client):
    alice = exporter()
    client.force_login(alice)
    page = client.get(reverse("accounts:organisation", args=[own_organisation(alice).pk]))
    assert "accounts.organisation_created" not in page.content.decode()
    assert page.context["history"] is None


def test_a_role_must_fit_the_organisation_kind():
    from niaga.accounts import services
    from niaga.accounts.errors import RoleNotAllowed
    from niaga.core.roles import Role

    alice = exporter()
    with pytest.raises(RoleNotAllowed):
        services.add_member(
            actor=None, organisation=own_organisation(alice), user=alice, role=Role.FINANCE_OFFICER
        )


def test_an_officer_membership_opens_the_admin(client):
    from niaga.accounts import services
    from niaga.core.roles import OrganisationKind, Role
    from tests.factories import OrganisationFactory, UserFactory

    person = UserFactory()
    ministry = OrganisationFactory(kind=OrganisationKind.MINISTRY, country="IN")
    services.add_member(actor=None, organisation=ministry, user=person, role=Role.POLICY_ANALYST)
    client.force_login(person)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_organisation_changelist")).status_code == 200


def test_a_buyer_cannot_open_the_admin(client):
    client.force_login(buyer())
    assert client.get(reverse("admin:index")).status_code == 302
