from django.conf import settings

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
