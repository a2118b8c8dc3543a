from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext as _

from niaga.core.audit import client_address


def request_address(request) -> str | None:
    """The client's address; a forwarded one is believed only behind a proxy we were told of."""
    if getattr(settings, "NIAGA_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with client_address(request_address(request)):
            return self.get_response(request)


class RefuseMalformedRequestsMiddleware:
    """Refuse, with one clear 400, input that would otherwise fail deep inside a view.

    - A NUL character in text is never meaningful, and PostgreSQL cannot store it. Uploaded
      files are left alone: binary files carry NUL bytes legitimately.
    - A multipart body without a valid boundary cannot be parsed at all.
    """

    JSON_NUL = (b"\\u0000", b"\\U0000")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return self._refusal(
                request,
                "nul_character",
                _("The request contains a NUL character, which Niaga does not accept."),
            )
        if self._has_broken_multipart(request):
            return self._refusal(
                request,
                "malformed_body",
                _("The request body is declared as multipart but has no valid boundary."),
            )
        return self.get_response(request)

    @staticmethod
    def _has_broken_multipart(request) -> bool:
        if request.content_type != "multipart/form-data":
            return False
        boundary = request.content_params.get("boundary", "")
        return not (boundary and MultiPartParser.boundary_re.fullmatch(boundary))

    def _has_nul(self, request) -> bool:
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, value in request.GET.items()
        ):
            return True
        content_type = request.content_type or ""
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return False
        try:
            if content_type == "application/json":
                body = request.body
                return b"\x00" in body or any(marker in body for marker in self.JSON_NUL)
            if content_type == "application/x-www-form-urlencoded":
                return any("\x00" in k or "\x00" in v for k, v in request.POST.items())
        except (RequestDataTooBig, TooManyFieldsSent):
            return False  # the view answers these with its own message
        return False

    @staticmethod
    def _refusal(request, code: str, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "message": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
