"""The funnel from roster to active exporter, and the time from approval to a first order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from niaga.insights import funnel, selectors, services
from niaga.insights.selectors import Filters
from niaga.programs.models import Application, ApplicationEvent
from niaga.programs.models import ApplicationState as S
from niaga.registry.models import Business
from tests.insights.dashboard.helpers import settle

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=100)


def application(programme, path: list[tuple[str, int]], **business_fields):
    """An application that moved along ``path``: (state, days after it was made)."""
    business = Business.objects.create(
        name="Business", country="ID", province=business_fields.pop("province", "ID-JB")
    )
    made = Application.objects.create(
        programme=programme, business=business, state=path[-1][0] if path else S.NOMINATED
    )
    Application.objects.filter(pk=made.pk).update(created_at=START)
    before = S.NOMINATED
    for state, days in path:
        event = ApplicationEvent.objects.create(application=made, from_state=before, to_state=state)
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=START + timedelta(days=days))
        before = state
    return made


def rows(programme, filters=None):
    # The applications above were written straight to the tables, past the services' hook.
    funnel.rebuild()
    figure = selectors.funnel([programme.pk], filters or Filters())
    return {row["step"]: row for row in figure.rows}


def test_the_funnel_counts_each_step_with_conversion_and_median_days(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    programme = world.programme_a
    for _ in range(4):
        application(programme, [])
    application(programme, [(S.SCREENED, 2)])
    application(programme, [(S.SCREENED, 4), (S.ASSESSED, 6), (S.REJECTED, 7)])
    # Mentoring is skipped by this one: ready straight after the assessment.
    application(programme, [(S.SCREENED, 6), (S.ASSESSED, 8), (S.READY, 18), (S.APPROVED, 20)])
    funnel = rows(programme)
    assert funnel["applied"]["businesses"] == 7
    assert funnel["screened"]["businesses"] == 3
    assert funnel["screened"]["conversion_percent"] == Decimal("42.9")
    assert funnel["screened"]["median_days"] == 4  # 2, 4 and 6 days
    assert funnel["assessed"]["businesses"] == 2
    assert funnel["ready"]["businesses"] == 1
    assert funnel["ready"]["median_days"] == 10
    assert funnel["approved"]["businesses"] == 1
    assert funnel["active"]["businesses"] == 0
    assert rows(world.programme_b)["applied"]["businesses"] == 0


def test_small_steps_of_the_funnel_are_suppressed(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 3
    for _ in range(3):
        application(world.programme_a, [(S.SCREENED, 1)])
    application(world.programme_a, [(S.SCREENED, 1), (S.ASSESSED, 3)])
    funnel = rows(world.programme_a)
    assert funnel["screened"]["businesses"] == 4
    assert funnel["assessed"]["suppressed"] and funnel["assessed"]["businesses"] is None
    assert funnel["ready"]["businesses"] == 0  # nothing is not a small cell


def test_the_region_filter_reaches_the_funnel(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    application(world.programme_a, [], province="ID-JB")
    application(world.programme_a, [], province="ID-JI")
    assert rows(world.programme_a, Filters(region="ID-JI"))["applied"]["businesses"] == 1


def test_days_from_approval_to_the_first_settled_order(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    _person, exporter = world.exporters[0]
    business = Business.objects.create(name="Exporter 0", country="ID", organisation=exporter)
    made = Application.objects.create(
        programme=world.programme_a, business=business, state=S.APPROVED
    )
    approved = ApplicationEvent.objects.create(
        application=made, from_state=S.READY, to_state=S.APPROVED
    )
    ApplicationEvent.objects.filter(pk=approved.pk).update(
        created_at=timezone.now() - timedelta(days=12, hours=1)
    )
    settle(world, exporter=0)
    settle(world, exporter=1)  # never approved: no time to count
    figure = selectors.first_orders([world.programme_a.pk], Filters())
    assert figure.summary["exporters"] == 2
    assert figure.summary["timed"] == 1
    assert figure.summary["median_days"] == 12
    before = list(services.ExporterFirstOrder.objects.values_list("days_to_first_order"))
    services.rebuild()
    assert list(services.ExporterFirstOrder.objects.values_list("days_to_first_order")) == before


def test_the_roster_counts_businesses_the_programmes_agencies_sent(world, settings):
    from niaga.registry.models import RosterRow, RosterSource, RosterUpload

    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    ministry_a = world.programme_a.operator
    sources = {
        "mine": RosterSource.objects.create(name="kemendag", organisation=ministry_a),
        "theirs": RosterSource.objects.create(
            name="kemenperin", organisation=world.programme_b.operator
        ),
        "unnamed": RosterSource.objects.create(name="unnamed"),
    }
    for number, (key, country) in enumerate(
        [("mine", "ID"), ("mine", "ID"), ("theirs", "ID"), ("unnamed", "ID"), ("unnamed", "IN")]
    ):
        source = sources[key]
        upload = RosterUpload.objects.create(
            source=source, file="r.csv", original_name="r.csv", size_bytes=1, sha256=str(number)
        )
        business = Business.objects.create(name=f"B{number}", country=country, province="ID-JB")
        RosterRow.objects.create(
            upload=upload,
            source=source,
            number=number,
            record_key=str(number),
            fingerprint=str(number),
            status="imported",
            business=business,
        )
    # Two sent by programme A's ministry, one with no agency named in its country (ID).
    assert rows(world.programme_a)["roster"]["businesses"] == 3


def test_the_services_keep_the_funnel_as_applications_move(world, settings):
    from niaga.insights.models import FunnelProgress
    from niaga.programs import services as programmes

    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    person = world.officer_a
    business = Business.objects.create(name="Kopi Gayo", country="ID", province="ID-AC")
    made = programmes.nominate(actor=person, programme=world.programme_a, business=business)
    programmes.transition(actor=person, application=made, to=S.SCREENED)
    kept = list(FunnelProgress.objects.values_list("application_id", "province", "screened"))
    assert kept[0][:2] == (made.pk, "ID-AC") and kept[0][2] is not None
    assert rows(world.programme_a)["screened"]["businesses"] == 1  # rebuilt: the same row
    assert list(FunnelProgress.objects.values_list("application_id", "province", "screened")) == (
        kept
    )
