"""Writing and reading the audit trail.

Services call :func:`record` inside their own transaction, so an action and its entry are
committed together or not at all. The request's address reaches them through a context
variable set by :class:`niaga.core.middleware.AuditContextMiddleware`, so that no service has
to thread it through its arguments.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from niaga.core.models import AuditEntry

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

_client_address: ContextVar[str | None] = ContextVar("niaga_client_address", default=None)


@contextmanager
def client_address(address: str | None) -> Iterator[None]:
    token = _client_address.set(address)
    try:
        yield
    finally:
        _client_address.reset(token)


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; ``actor`` None or anonymous means the system itself acted."""
    person = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor=person,
        actor_label=_label(person),
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes=changes or {},
        ip_address=_client_address.get(),
    )


def entries_for(target: models.Model) -> models.QuerySet[AuditEntry]:
    """The history of one object, newest first."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
    ).select_related("actor")


def _label(person: AbstractBaseUser | None) -> str:
    if person is None:
        return "system"
    return person.get_username()
