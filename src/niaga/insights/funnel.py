"""The funnel's table: one row per application, kept as the application moves.

Every move of an application is an ApplicationEvent, written in one place
(``niaga.programs.services._event``), which calls :func:`record_event` in the same transaction.
:func:`rebuild` recomputes the table from the events.
"""

from __future__ import annotations

from datetime import UTC, datetime

from niaga.insights.models import FunnelProgress

# The funnel's steps after "applied", in order; each is an application state and a column.
STEPS = ("screened", "assessed", "ready", "approved", "onboarded", "active")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 2_000


def day_number(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86_400


def record_event(event) -> None:
    """Note what one move of an application means for the funnel."""
    if not event.from_state:
        _progress_of(event.application, events=[])
        return
    if event.to_state not in STEPS:
        return
    progress = FunnelProgress.objects.filter(application_id=event.application_id).first()
    if progress is None:  # an application older than this table
        _progress_of(event.application, events=None)
        return
    reached = day_number(event.created_at)
    earlier = getattr(progress, event.to_state)
    if earlier is None or reached < earlier:
        setattr(progress, event.to_state, reached)
        progress.save(update_fields=[event.to_state])


def _progress_of(application, *, events) -> FunnelProgress:
    from niaga.programs.models import ApplicationEvent

    if events is None:
        events = ApplicationEvent.objects.filter(application=application).values_list(
            "to_state", "created_at"
        )
    progress = _row(application, events)
    FunnelProgress.objects.update_or_create(
        application_id=application.pk,
        defaults={
            field.name: getattr(progress, field.name)
            for field in FunnelProgress._meta.concrete_fields
            if not field.primary_key
        },
    )
    return progress


def _row(application, events) -> FunnelProgress:
    business = application.business
    progress = FunnelProgress(
        application_id=application.pk,
        programme_id=application.programme_id,
        country=business.country,
        province=business.province,
        applied_on=application.created_at.date(),
        applied=day_number(application.created_at),
    )
    for state, at in events:
        if state in STEPS:
            reached = day_number(at)
            earlier = getattr(progress, state)
            if earlier is None or reached < earlier:
                setattr(progress, state, reached)
    return progress


def rebuild(progress=None) -> int:
    """Recompute the table from every application and its events; returns the rows written."""
    from django.db import transaction

    from niaga.programs.models import Application, ApplicationEvent

    total = Application.objects.count()
    written = 0
    with transaction.atomic():
        FunnelProgress.objects.all().delete()
        applications = Application.objects.select_related("business").order_by("pk")
        batch = []
        for application in applications.iterator(chunk_size=BATCH):
            batch.append(application)
            if len(batch) >= BATCH:
                written += _write(batch, ApplicationEvent)
                batch = []
                if progress:
                    progress(written, total)
        if batch:
            written += _write(batch, ApplicationEvent)
        if progress:
            progress(written, total)
    return written


def _write(applications, event_model) -> int:
    events: dict[int, list] = {application.pk: [] for application in applications}
    for application_id, state, at in event_model.objects.filter(
        application_id__in=list(events), to_state__in=STEPS
    ).values_list("application_id", "to_state", "created_at"):
        events[application_id].append((state, at))
    FunnelProgress.objects.bulk_create(
        [_row(application, events[application.pk]) for application in applications]
    )
    return len(applications)
