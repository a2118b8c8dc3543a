"""The JSON API at /api/v1/: one NinjaAPI, each app's router, and one way to say what went wrong."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from niaga.accounts.api import router as accounts_router
from niaga.accounts.errors import InvalidInput
from niaga.assurance.api import router as assurance_router
from niaga.assurance.api import webhook_router as assurance_webhook_router
from niaga.core.api import router as core_router
from niaga.core.errors import NiagaError
from niaga.insights.api import router as insights_router
from niaga.insights.policy.api import router as policy_router
from niaga.programs.api import credentials_router
from niaga.programs.api import router as programmes_router
from niaga.registry.api import router as registry_router

api = NinjaAPI(
    title="Niaga API",
    version="1",
    description="The open export mediator: registry, programmes, catalog, sourcing and trade "
    "assurance. Session sign-in; unsafe methods need the CSRF token.",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/", core_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/registry/", registry_router)
api.add_router("/programmes/", programmes_router)
api.add_router("/credentials/", credentials_router)
api.add_router("/assurance/webhooks/", assurance_webhook_router)
api.add_router("/assurance/", assurance_router)
api.add_router("/insights/", insights_router)
api.add_router("/policy/", policy_router)


def _problem(request: HttpRequest, status: int, code: str, message: str, **extra):
    return api.create_response(
        request, {"code": code, "message": str(message), **extra}, status=status
    )


@api.exception_handler(InvalidInput)
def on_invalid_input(request, error: InvalidInput):
    return _problem(request, error.status, error.code, error.message, errors=error.field_errors)


@api.exception_handler(NiagaError)
def on_niaga_error(request, error: NiagaError):
    extra = {"field": error.field} if error.field else {}
    return _problem(request, error.status, error.code, error.message, **extra)


@api.exception_handler(ValidationError)
def on_validation_error(request, error: ValidationError):
    return _problem(
        request,
        422,
        "invalid_request",
        _("The request does not match the schema."),
        detail=error.errors,
    )


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request, error):
    return _problem(request, 413, "body_too_large", _("The request body is too large."))


@api.exception_handler(TooManyFieldsSent)
def on_too_many_fields(request, error):
    return _problem(request, 413, "too_many_fields", _("The request has too many fields."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, error):
    return _problem(request, 401, "unauthenticated", _("Sign in first."))


@api.exception_handler(HttpError)
def on_http_error(request, error: HttpError):
    return _problem(request, error.status_code, "http_error", str(error))
