import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from niaga.accounts import services
from niaga.core import audit
from niaga.core.models import AppendOnlyError, AuditEntry
from tests.factories import OrganisationFactory, buyer, officer

pytestmark = pytest.mark.django_db


def test_an_entry_records_who_what_which_and_from_where():
    person = officer()
    organisation = OrganisationFactory(name="Hanse Import GmbH")
    with audit.client_address("203.0.113.7"):
        entry = audit.record(
            actor=person, action="test.touched", target=organisation, changes={"a": 1}
        )
    assert entry.actor == person
    assert entry.actor_label == person.email
    assert entry.target_repr == "Hanse Import GmbH"
    assert entry.ip_address == "203.0.113.7"
    assert list(audit.entries_for(organisation)) == [entry]


def test_the_request_address_reaches_the_trail(client):
    client.post(
        reverse("accounts:sign_up"),
        {
            "kind": "buyer",
            "full_name": "Lena Hoffmann",
            "email": "lena@example.de",
            "password": "spice-route-harbour-42",
            "organisation_name": "Hanse Import GmbH",
            "country": "DE",
        },
        REMOTE_ADDR="198.51.100.23",
    )
    assert set(AuditEntry.objects.values_list("ip_address", flat=True)) == {"198.51.100.23"}


def test_the_model_refuses_changes_and_deletes():
    entry = audit.record(actor=None, action="test.x", target=OrganisationFactory())
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_changes_that_bypass_the_model():
    entry = audit.record(actor=None, action="test.x", target=OrganisationFactory())
    table = AuditEntry._meta.db_table
    for statement in (
        f"UPDATE {table} SET action = 'forged' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.x"


def test_a_failed_action_leaves_no_entry():
    organisation = OrganisationFactory(kind="exporter")
    person = buyer()
    with pytest.raises(services.RoleNotAllowed):
        services.add_member(actor=None, organisation=organisation, user=person, role="buyer")
    assert not audit.entries_for(organisation).exists()
