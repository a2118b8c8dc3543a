import io

import pytest

from niaga.core.roles import OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

STANDARD_HEADER = (
    "record_id,source,business_name,owner_name,nib,npwp,udyam,gstin,pan,iec,address,province,"
    "district,postcode,phone,email,sector,annual_turnover,turnover_currency"
)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def ministry_officer(name: str = "Kemenperin", role: str = Role.PROGRAMME_OFFICER):
    ministry = OrganisationFactory(name=name, kind=OrganisationKind.MINISTRY, country="ID")
    person = UserFactory()
    MembershipFactory(user=person, organisation=ministry, role=role)
    return person


@pytest.fixture
def officer(db):
    return ministry_officer()


def roster(*lines: str, header: str = STANDARD_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send a roster through the service and run what it queues, as a worker would."""
    from niaga.registry import selectors, services

    def send(person, content: bytes, *, name: str = "roster.csv", source: str = "kemenperin"):
        roster_source = services.create_source(
            actor=person, name=source, organisation=selectors.home_organisation(person)
        )
        with django_capture_on_commit_callbacks(execute=True):
            upload, created = services.receive_roster(
                actor=person, source=roster_source, fileobj=io.BytesIO(content), original_name=name
            )
        upload.refresh_from_db()
        return upload, created

    return send
