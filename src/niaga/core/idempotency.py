"""`Idempotency-Key` for API writes: a replay returns the first response.

A key is scoped to its user, method and path, so the same key sent to another endpoint is a
different request (and a method the endpoint does not take still answers 405).

Clients that move money retry on time-outs; the key makes a retry safe. The first request with
a key is recorded before it runs (so a concurrent twin is told to wait), and its response is
stored after. The same key with a different method, path or body is refused, as is a key
whose first request is still running. Responses of 5xx are not kept, so a retry runs again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.core.models import IdempotentRequest

HEADER = "Idempotency-Key"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY = 128
ABANDONED_AFTER = timedelta(minutes=5)


def _problem(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": HEADER}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY or not key.isprintable():
            return _problem(
                400,
                "idempotency_key_invalid",
                _("An Idempotency-Key is 1 to %(max)s printable characters.") % {"max": MAX_KEY},
            )
        user = (
            request.user
            if getattr(request, "user", None) and request.user.is_authenticated
            else None
        )
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    key=key,
                    user=user,
                    method=request.method,
                    path=request.path[:300],
                    request_sha256=digest,
                )
        except IntegrityError:
            return self._replay(key, user, request.method, request.path[:300], digest)
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
        return response

    def _replay(self, key: str, user, method: str, path: str, digest: str) -> HttpResponse:
        first = IdempotentRequest.objects.filter(
            key=key, user=user, method=method, path=path
        ).first()
        if first is None:
            return _problem(
                409, "idempotency_key_busy", _("A request with this Idempotency-Key is running.")
            )
        if first.request_sha256 != digest:
            return _problem(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
            )
        if first.status_code is None:
            if timezone.now() - first.created_at > ABANDONED_AFTER:
                # Its process died mid-request: free the key for the client's next try.
                first.delete()
            return _problem(
                409, "idempotency_key_busy", _("A request with this Idempotency-Key is running.")
            )
        response = HttpResponse(
            bytes(first.body), status=first.status_code, content_type=first.content_type or None
        )
        response["Idempotent-Replayed"] = "true"
        return response
