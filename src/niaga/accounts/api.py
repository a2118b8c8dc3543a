from typing import Literal

from django.contrib.auth import authenticate, login, logout
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from niaga.accounts import selectors, services
from niaga.accounts.lockout import lockout_response
from niaga.core.pagination import Page
from niaga.core.permissions import primary_role
from niaga.core.schemas import Problem, StrictSchema, responses

router = Router(tags=["accounts"])


class SignUpIn(StrictSchema):
    kind: Literal["buyer", "exporter"]
    email: str = Field(..., min_length=3, max_length=254)
    password: str = Field(..., min_length=10, max_length=128)
    full_name: str = Field(..., min_length=1, max_length=200)
    organisation_name: str = Field(..., min_length=1, max_length=255)
    country: str = Field(..., pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")
    gstin: str = Field("", max_length=20)
    nib: str = Field("", max_length=20)
    language: Literal["en", "id", "hi"] | None = None


class SignInIn(StrictSchema):
    email: str = Field(..., min_length=3, max_length=254)
    password: str = Field(..., min_length=1, max_length=128)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    region: str
    sector: str
    gstin: str
    nib: str


class MembershipOut(Schema):
    organisation: OrganisationOut
    role: str


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    preferred_language: str
    home_role: str | None
    memberships: list[MembershipOut]


def _user_out(user) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "home_role": primary_role(user),
        "memberships": list(selectors.memberships_of(user)),
    }


@router.post("/sign-up", response=responses({201: UserOut}), auth=None)
def sign_up(request, payload: SignUpIn):
    """A buyer or an exporter opens an account; an exporter gives a GSTIN or an NIB."""
    data = payload.dict()
    language = data.pop("language") or get_language() or "en"
    user = services.sign_up(**data, language=language)
    return Status(201, _user_out(user))


@router.post("/sign-in", response=responses({200: UserOut, 401: Problem, 429: Problem}), auth=None)
def sign_in(request, payload: SignInIn):
    """Start a session; later calls send its cookie (and the CSRF token for unsafe methods)."""
    user = authenticate(request, username=payload.email.strip().lower(), password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None:
        return Status(
            401,
            {"code": "signin_failed", "message": _("The e-mail address or password is wrong.")},
        )
    login(request, user)
    return _user_out(user)


@router.post(
    "/sign-out", response=responses({204: None, 403: Problem}, signed_in=True), auth=django_auth
)
def sign_out(request):
    logout(request)
    return Status(204, None)


@router.get("/me", response=responses({200: UserOut}, signed_in=True), auth=django_auth)
def me(request):
    return _user_out(request.auth)


@router.get(
    "/organisations",
    response=responses({200: list[OrganisationOut]}, signed_in=True),
    auth=django_auth,
)
@paginate(Page)
def list_organisations(request):
    """Organisations you may see: your own, or all of them for officers."""
    return selectors.organisations_for(request.auth).order_by("name", "id")


@router.get(
    "/organisations/{organisation_id}",
    response=responses({200: OrganisationOut, 404: Problem}, signed_in=True),
    auth=django_auth,
)
def get_organisation(request, organisation_id: int):
    return selectors.organisation_for(request.auth, organisation_id)
