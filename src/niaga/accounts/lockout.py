"""What a person sees when repeated failed sign-ins have paused their account."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKOUT_STATUS = 429


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "signin_throttled",
                "message": _("Too many failed sign-ins. Try again in a few minutes."),
            },
            status=LOCKOUT_STATUS,
        )
    return render(request, "accounts/locked_out.html", status=LOCKOUT_STATUS)
