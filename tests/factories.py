"""Factories for rows every app's tests need: people, organisations, memberships."""

import factory

from niaga.accounts.models import Membership, Organisation, User
from niaga.core.roles import OrganisationKind, Role

PASSWORD = "a-long-test-password-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.BUYER
    country = "DE"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.BUYER


def member(role: str, kind: str, country: str = "ID", **user_fields) -> User:
    """A person holding ``role`` at a fresh organisation of ``kind``."""
    organisation = OrganisationFactory(kind=kind, country=country)
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def buyer(**user_fields) -> User:
    return member(Role.BUYER, OrganisationKind.BUYER, "DE", **user_fields)


def exporter(**user_fields) -> User:
    return member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "ID", **user_fields)


def officer(**user_fields) -> User:
    return member(Role.PROGRAMME_OFFICER, OrganisationKind.MINISTRY, "ID", **user_fields)
