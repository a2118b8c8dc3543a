"""Rows the programme page tests need, made through the services as a person would make them."""

from datetime import timedelta

import factory
from django.utils import timezone

from niaga.accounts.models import Organisation
from niaga.core.roles import OrganisationKind, Role
from niaga.programs import readiness, services
from niaga.registry.models import Business
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


class BusinessFactory(factory.django.DjangoModelFactory):
    """A registry record, as a roster import would have left it."""

    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"CV Usaha Ekspor {n}")
    normalised_name = factory.LazyAttribute(lambda business: business.name.lower())
    country = "ID"
    province = "ID-JB"
    sector = "food"


def ministry(name: str = "Kementerian Perdagangan") -> Organisation:
    return OrganisationFactory(name=name, kind=OrganisationKind.MINISTRY, country="ID")


def officer_of(organisation: Organisation, **user_fields):
    person = UserFactory(**user_fields)
    MembershipFactory(user=person, organisation=organisation, role=Role.PROGRAMME_OFFICER)
    return person


def exporter_of(name: str = "CV Kopi Sari Jaya", **user_fields):
    """An exporter who signed up; returns the person and their organisation."""
    organisation = OrganisationFactory(
        name=name, kind=OrganisationKind.EXPORTER, country="ID", region="ID-JB", sector="food"
    )
    person = UserFactory(**user_fields)
    MembershipFactory(user=person, organisation=organisation, role=Role.EXPORTER_OWNER)
    return person, organisation


def partner_member(name: str = "Mitra Digital"):
    organisation = OrganisationFactory(name=name, kind=OrganisationKind.PARTNER, country="ID")
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=Role.PARTNER)
    return person, organisation


def programme(actor, operator: Organisation, *, slug: str = "ekspor-2026", rules=(), **values):
    today = timezone.localdate()
    defaults = {
        "name": f"Programme {slug}",
        "capacity": 10,
        "opens_on": today - timedelta(days=10),
        "closes_on": today + timedelta(days=60),
    }
    return services.create_programme(
        actor=actor, slug=slug, operator=operator, rules=list(rules), **(defaults | values)
    )


def best_answers() -> dict[str, str]:
    """The answer that scores most to every question: a score of 100."""
    return {
        question.code: max(question.choices, key=lambda choice: choice.points).code
        for question in readiness.questions()
    }


def ready_application(actor, in_programme, business=None):
    """An application nominated, screened, assessed and ready, all through the services."""
    business = business or BusinessFactory()
    application = services.nominate(actor=actor, programme=in_programme, business=business)
    services.transition(actor=actor, application=application, to="screened")
    services.record_assessment(actor=actor, application=application, answers=best_answers())
    application.refresh_from_db()
    return services.transition(actor=actor, application=application, to="ready")


def approved_application(maker, checker, in_programme, business=None):
    application = ready_application(maker, in_programme, business)
    services.request_approval(actor=maker, application=application)
    return services.approve(actor=checker, application=application)
