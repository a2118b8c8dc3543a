"""Decorators every app's page views share: a hidden object is a plain 404 page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from niaga.core.errors import NotFound


def not_found_is_404(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapped


def signed_in(view):
    """For people who are signed in; a selector's NotFound becomes a 404 page."""
    return login_required(not_found_is_404(view))


def public(view):
    """For anyone; a selector's NotFound becomes a 404 page."""
    return not_found_is_404(view)
