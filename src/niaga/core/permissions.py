"""Who may see what.

Every queryset a page or an API handler shows goes through :func:`scope`, and every single
object through :func:`get_for_user`; nobody writes ``Model.objects.get(pk=...)`` at an edge.
Officers of a ministry, agency or programme operator see across organisations; everyone else
sees what belongs to the organisations they are members of.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from niaga.core.errors import NotFound
from niaga.core.roles import HOME_PRECEDENCE, OFFICER_ROLES

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_niaga_memberships"


def memberships(user) -> list[tuple[int, str, str]]:
    """(organisation id, organisation kind, role) for each of the user's active memberships."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            user.memberships.filter(organisation__is_active=True).values_list(
                "organisation_id", "organisation__kind", "role"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the per-request cache after a membership changes."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles(user) -> frozenset[str]:
    return frozenset(role for _, _, role in memberships(user))


def organisation_ids(user, *roles_wanted: str) -> frozenset[int]:
    return frozenset(
        org_id for org_id, _, role in memberships(user) if not roles_wanted or role in roles_wanted
    )


def has_role(user, *roles_wanted: str) -> bool:
    held = roles(user)
    return any(role in held for role in roles_wanted)


def is_officer(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles(user) & OFFICER_ROLES)


def primary_role(user) -> str | None:
    """The role whose home page the user lands on."""
    held = roles(user)
    for role in HOME_PRECEDENCE:
        if role in held:
            return role
    if user.is_authenticated and user.is_superuser:
        return "admin"
    return None


def scope(queryset: models.QuerySet[M], user, *, via: str = "organisation") -> models.QuerySet[M]:
    """Narrow ``queryset`` to the rows ``user`` may see.

    ``via`` is the lookup path from the model to its owning organisation ("pk" when the model is
    the organisation itself, "organisation", "order__buyer" and so on).
    """
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if is_officer(user):
        return queryset
    lookup = "pk__in" if via == "pk" else f"{via}__in"
    return queryset.filter(**{lookup: organisation_ids(user)})


def get_for_user(queryset: models.QuerySet[M], user, *, via: str = "organisation", **lookup) -> M:
    """One object the user may see, or :class:`NotFound`; a hidden object looks missing."""
    return one_or_not_found(scope(queryset, user, via=via), **lookup)


def one_or_not_found(queryset: models.QuerySet[M], **lookup) -> M:
    """One object of an already scoped queryset, or :class:`NotFound`."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_not_found_message(queryset.model)) from error


def _not_found_message(model: type[models.Model]) -> str:
    from django.utils.translation import gettext

    return gettext("No such %(object)s.") % {"object": model._meta.verbose_name}
