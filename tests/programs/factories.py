"""Rows the programme tests need, made through the services wherever a service makes them."""

from datetime import timedelta

from django.utils import timezone

from niaga.accounts.models import Organisation, User
from niaga.core.roles import OrganisationKind, Role
from niaga.programs import readiness, services
from niaga.programs.models import Application, Programme
from niaga.programs.models import ApplicationState as S
from niaga.registry.models import Business
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member


def ministry(name: str = "Kemenperin", kind: str = OrganisationKind.MINISTRY) -> Organisation:
    return OrganisationFactory(name=name, kind=kind, country="ID")


def officer_of(organisation: Organisation, role: str = Role.PROGRAMME_OFFICER) -> User:
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=role)
    return person


def administrator() -> User:
    return member(Role.ADMIN, OrganisationKind.OPERATOR)


def exporter_with_business(name: str = "CV Kopi Sari") -> tuple[User, Organisation]:
    organisation = OrganisationFactory(
        name=name, kind=OrganisationKind.EXPORTER, country="ID", region="ID-JB", sector="food"
    )
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=Role.EXPORTER_OWNER)
    return person, organisation


def partner() -> Organisation:
    return OrganisationFactory(kind=OrganisationKind.PARTNER, country="ID")


def programme(operator: Organisation, *, rules=(), **fields) -> Programme:
    today = timezone.localdate()
    values = {
        "slug": f"programme-{operator.pk}",
        "name": f"Export programme {operator.pk}",
        "capacity": 10,
        "opens_on": today - timedelta(days=1),
        "closes_on": today + timedelta(days=60),
        **fields,
    }
    return services.create_programme(
        actor=administrator(), operator=operator, rules=list(rules), **values
    )


def business(**fields) -> Business:
    values = {
        "name": "Batik Sari",
        "country": "ID",
        "province": "ID-JB",
        "sector": "batik_handloom",
        "nib": "8120012345678",
        **fields,
    }
    return Business.objects.create(**values)


def best_answers() -> dict[str, str]:
    return {
        question.code: max(question.choices, key=lambda choice: choice.points).code
        for question in readiness.questions()
    }


def nominated(programme: Programme, officer: User, **business_fields) -> Application:
    return services.nominate(
        actor=officer, programme=programme, business=business(**business_fields)
    )


def ready(programme: Programme, officer: User, **business_fields) -> Application:
    """An application walked to ready: screened, assessed with the best answers, ready."""
    application = nominated(programme, officer, **business_fields)
    application = services.transition(actor=officer, application=application, to=S.SCREENED)
    services.record_assessment(actor=officer, application=application, answers=best_answers())
    application.refresh_from_db()
    return services.transition(actor=officer, application=application, to=S.READY)
