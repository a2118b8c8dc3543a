import random

import pytest

from niaga.accounts.models import Organisation, User
from niaga.core.identifiers import validate_identifier
from niaga.core.roles import OrganisationKind
from niaga.demo import world


def businesses(seed: int, total: int) -> list[tuple]:
    rows = []
    for batch in world._business_batches(random.Random(seed), total):
        rows += [(o.name, o.country, o.region, o.gstin, o.nib, o.npwp, o.udyam) for o in batch]
    return rows


def test_the_same_seed_gives_the_same_world():
    assert businesses(7, 300) == businesses(7, 300)
    assert businesses(7, 300) != businesses(8, 300)


def test_every_generated_identifier_is_valid():
    for batch in world._business_batches(random.Random(3), 400):
        for business in batch:
            for kind in ("gstin", "pan", "iec", "udyam", "nib", "npwp"):
                value = getattr(business, kind)
                if value:
                    assert validate_identifier(kind, value) == value, (kind, value)


@pytest.mark.django_db
def test_seeding_builds_every_role_and_refuses_to_run_twice():
    counts = world.seed(size=40, seed=1)
    assert counts["exporter businesses"] == 40
    assert Organisation.objects.filter(kind=OrganisationKind.EXPORTER).count() == 40
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind)
    assert world.is_seeded()
    admin = User.objects.get(email=world.ADMIN_EMAIL)
    assert admin.check_password("niaga-demo-2026")
    with pytest.raises(world.WorldExists):
        world.seed(size=40, seed=1)


@pytest.mark.django_db
def test_every_demo_sign_in_reaches_its_own_home(client):
    world.seed(size=20, seed=1)
    templates = set()
    for email in User.objects.values_list("email", flat=True):
        client.force_login(User.objects.get(email=email))
        response = client.get("/accounts/home/")
        assert response.status_code == 200, email
        templates.add(response.templates[0].name)
    assert len(templates) == 7  # exporter, buyer, officer, finance, analyst, partner, admin


def test_the_sign_in_sheet_names_each_demo_account():
    sheet = world.sign_in_sheet("http://localhost:8000/")
    assert "http://localhost:8000/" in sheet
    for person in world.PEOPLE:
        assert person.email in sheet


@pytest.mark.django_db
def test_the_demo_orders_reach_every_state_and_the_ledger_check_passes(settings, tmp_path):
    import io

    from django.core.management import call_command
    from django.db.models import F

    from niaga.assurance.models import (
        DisputeState,
        Milestone,
        Order,
        OrderState,
        Payment,
        PaymentStatus,
        Settlement,
        StatementUpload,
    )

    settings.MEDIA_ROOT = tmp_path
    counts = world.seed(size=20, seed=1)
    assert counts["orders"] >= 12
    assert counts["orders"] + counts["settled orders of the past year"] == Order.objects.count()
    assert set(Order.objects.values_list("state", flat=True)) >= {
        OrderState.AWAITING_FUNDING,
        OrderState.FUNDED,
        OrderState.SHIPPED,
        OrderState.RECEIVED,
        OrderState.DISPUTED,
        OrderState.SETTLED,
        OrderState.REFUNDED,
    }
    assert {DisputeState.OPEN, DisputeState.ESCALATED, DisputeState.DECIDED} <= set(
        Order.objects.exclude(dispute=None).values_list("dispute__state", flat=True)
    )
    assert set(Order.objects.values_list("currency", flat=True)) == {"USD", "EUR"}
    assert Milestone.objects.filter(funded_minor__gt=0, funded_minor__lt=F("amount_minor"))
    settlements = Settlement.objects.all()
    assert settlements.filter(released_minor__gt=0, refunded_minor__gt=0).exists()
    assert settlements.filter(waived_minor__gt=0).exists()
    assert settlements.filter(fee_minor__gt=0, waived_minor=0).exists()
    statement = StatementUpload.objects.get()
    assert statement.matched and statement.unmatched
    assert {PaymentStatus.MATCHED, PaymentStatus.UNMATCHED, PaymentStatus.PARTLY_MATCHED} <= set(
        Payment.objects.values_list("status", flat=True)
    )
    out = io.StringIO()
    call_command("ledger_check", stdout=out)  # raises CommandError on any violation
    assert "every invariant holds" in out.getvalue()
