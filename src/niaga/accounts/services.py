"""Every write to people, organisations and memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

import pycountry
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from niaga.accounts.errors import InvalidInput, RoleNotAllowed  # noqa: F401  (re-exported)
from niaga.accounts.models import Membership, Organisation, User
from niaga.core import audit
from niaga.core.identifiers import IdentifierKind, InvalidIdentifier, validate_identifier
from niaga.core.permissions import forget_memberships
from niaga.core.roles import OFFICER_ROLES, ROLES_BY_KIND, OrganisationKind, Role

SIGN_UP_KINDS = {OrganisationKind.BUYER: Role.BUYER, OrganisationKind.EXPORTER: Role.EXPORTER_OWNER}
# The programmes Niaga serves mentor Indian and Indonesian businesses; buyers come from anywhere.
EXPORTER_COUNTRIES = {"IN", "ID"}
LANGUAGE_CODES = {"en", "id", "hi"}


@dataclass
class _Errors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(str(message))

    def raise_any(self) -> None:
        if self.by_field:
            raise InvalidInput(self.by_field)


def sign_up(
    *,
    email: str,
    password: str,
    full_name: str,
    organisation_name: str,
    kind: str,
    country: str,
    gstin: str = "",
    nib: str = "",
    language: str = "en",
) -> User:
    """A buyer or an exporter creates an account and the organisation they act for."""
    errors = _Errors()
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    organisation_name = (organisation_name or "").strip()
    country = (country or "").strip().upper()

    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", _("Enter a valid e-mail address."))
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors.add("email", _("An account with this e-mail address already exists."))
    if not full_name:
        errors.add("full_name", _("Enter your full name."))
    if not organisation_name:
        errors.add("organisation_name", _("Enter the name of your company."))
    if kind not in SIGN_UP_KINDS:
        errors.add("kind", _("Choose whether you sign up as a buyer or as an exporter."))
    if pycountry.countries.get(alpha_2=country) is None:
        errors.add("country", _("Choose a country."))
    if language not in LANGUAGE_CODES:
        language = "en"

    identifiers = _exporter_identifiers(kind, country, gstin=gstin, nib=nib, errors=errors)

    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message)
    errors.raise_any()

    with transaction.atomic(durable=True):
        user = User.objects.create_user(
            email, password, full_name=full_name, preferred_language=language
        )
        organisation = Organisation.objects.create(
            name=organisation_name, kind=kind, country=country, **identifiers
        )
        Membership.objects.create(user=user, organisation=organisation, role=SIGN_UP_KINDS[kind])
        audit.record(actor=user, action="accounts.sign_up", target=user, changes={"kind": kind})
        audit.record(
            actor=user,
            action="accounts.organisation_created",
            target=organisation,
            changes={"kind": kind, "country": country, **identifiers},
        )
    return user


def _exporter_identifiers(
    kind: str, country: str, *, gstin: str, nib: str, errors: _Errors
) -> dict[str, str]:
    """An exporter proves who it is: a GSTIN in India, an NIB in Indonesia."""
    gstin, nib = (gstin or "").strip(), (nib or "").strip()
    if kind != OrganisationKind.EXPORTER:
        return {}
    if country and country not in EXPORTER_COUNTRIES:
        errors.add("country", _("Exporters can sign up from India or Indonesia."))
        return {}
    required = {"IN": ("gstin", IdentifierKind.GSTIN), "ID": ("nib", IdentifierKind.NIB)}
    values = {"gstin": gstin, "nib": nib}
    found: dict[str, str] = {}
    for name, identifier_kind in (("gstin", IdentifierKind.GSTIN), ("nib", IdentifierKind.NIB)):
        if not values[name]:
            if required.get(country, ("",))[0] == name:
                errors.add(name, _("Enter your %(identifier)s.") % {"identifier": name.upper()})
            continue
        try:
            found[name] = validate_identifier(identifier_kind, values[name])
        except InvalidIdentifier as error:
            errors.add(name, str(error.message))
    if "gstin" in found:
        found["pan"] = found["gstin"][2:12]
    return found


def create_organisation(*, actor: User, name: str, kind: str, country: str, **details: str):
    """An officer registers a ministry, partner, operator, buyer or exporter organisation."""
    with transaction.atomic(durable=True):
        organisation = Organisation.objects.create(
            name=name, kind=kind, country=country.upper(), **details
        )
        audit.record(
            actor=actor,
            action="accounts.organisation_created",
            target=organisation,
            changes={"kind": kind, "country": country.upper(), **details},
        )
    return organisation


def add_member(*, actor: User | None, organisation: Organisation, user: User, role: str):
    """Give ``user`` a role at ``organisation``; the role must fit the organisation's kind."""
    if role not in ROLES_BY_KIND.get(organisation.kind, frozenset()):
        raise RoleNotAllowed(
            _("%(role)s is not a role at a %(kind)s.")
            % {"role": Role(role).label, "kind": organisation.get_kind_display()},
            field="role",
        )
    with transaction.atomic(durable=True):
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if created and role in OFFICER_ROLES:
            grant_admin_access(user)
        if created:
            audit.record(
                actor=actor,
                action="accounts.member_added",
                target=organisation,
                changes={"user": user.email, "role": role},
            )
    forget_memberships(user)
    return membership


OFFICERS_GROUP = "Officers"


def officers_group():
    """Officers use the admin to look across Niaga: they may view everything and fix records."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=OFFICERS_GROUP)
    if created:
        niaga_apps = [app.label for app in apps.get_app_configs() if app.name.startswith("niaga.")]
        permissions = Permission.objects.filter(content_type__app_label__in=niaga_apps).filter(
            codename__regex=r"^(view|change)_"
        )
        group.permissions.set(permissions)
    return group


def grant_admin_access(user: User) -> None:
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(officers_group())


def set_preferred_language(*, user: User, language: str) -> None:
    if language not in LANGUAGE_CODES or user.preferred_language == language:
        return
    with transaction.atomic(durable=True):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit.record(
            actor=user, action="accounts.language_changed", target=user, changes={"to": language}
        )
