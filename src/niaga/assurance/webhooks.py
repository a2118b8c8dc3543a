"""A payment provider's webhook: signed events saying a buyer paid (or was refunded).

The provider signs each request the way Stripe does. The header

    Niaga-Signature: t=1763900000,v1=5257a869e7ec…(64 hex digits)

carries the Unix time of signing and one or more ``v1`` signatures: hex HMAC-SHA256 of
``f"{t}.{raw body}"`` with the shared secret (several while a secret is being rolled over).
Unknown schemes (``v0``) are ignored. A request is accepted only when one ``v1`` matches and
``t`` is within ``tolerance`` seconds of now, either way: a captured request cannot be replayed
later, and a clock far ahead is as suspect as one far behind. The same event arriving twice
inside the window is the service's concern (events carry a unique id).

Pure: the caller passes the raw body, the header, the secret and the current time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError
from niaga.core.money import Money

__all__ = [
    "EVENT_TYPES",
    "HEADER",
    "PaymentEvent",
    "WebhookRejected",
    "sign",
    "verify",
]

HEADER = "Niaga-Signature"
EVENT_TYPES = frozenset({"payment.succeeded", "payment.refunded"})
_MAX_HEADER = 2048
_MAX_BODY = 256 * 1024
_MAX_TEXT = 255
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_LATEST = 253402300799  # 9999-12-31T23:59:59Z: the last second a datetime can hold


class WebhookRejected(NiagaError):
    code = "webhook_rejected"
    status = 400


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str
    type: str
    amount: Money
    reference: str
    payer: str
    occurred_at: datetime


def _signature(body: bytes, secret: str, timestamp: int) -> str:
    if not isinstance(secret, str) or not secret:
        # A configuration mistake, not a request's: never sign or accept with an empty secret.
        raise ValueError("the webhook secret is empty")
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: str, timestamp: int) -> str:
    """The ``Niaga-Signature`` header value for ``body`` signed at ``timestamp``."""
    if type(timestamp) is not int or not 0 <= timestamp <= _LATEST:
        raise ValueError("the timestamp is a Unix time in whole seconds")
    return f"t={timestamp},v1={_signature(bytes(body), secret, timestamp)}"


def _reject(message: str, **params: Any) -> WebhookRejected:
    return WebhookRejected(message, field=params.pop("field", None), params=params)


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if header is None or not isinstance(header, str) or not header.strip():
        raise _reject(
            _("The request has no %(header)s header.") % {"header": HEADER}, field="header"
        )
    if len(header) > _MAX_HEADER:
        raise _reject(_("The %(header)s header is too long.") % {"header": HEADER}, field="header")
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals:
            raise _malformed()
        if key == "t":
            timestamps.append(value.strip())
        elif key == "v1":
            signatures.append(value.strip().lower())
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise _malformed()
    if len(timestamps[0]) > 12:
        raise _malformed()
    if not signatures:
        raise _reject(
            _("The %(header)s header has no v1 signature.") % {"header": HEADER}, field="header"
        )
    return int(timestamps[0]), signatures


def _malformed() -> WebhookRejected:
    return _reject(
        _("The %(header)s header is malformed; it should read t=<unix time>,v1=<signature>.")
        % {"header": HEADER},
        field="header",
    )


def verify(
    body: bytes, header: str | None, *, secret: str, now: int, tolerance: int = 300
) -> PaymentEvent:
    """The event in a webhook request, once its signature and timestamp check out."""
    timestamp, signatures = _parse_header(header)
    if not isinstance(body, bytes | bytearray | memoryview):
        raise _reject(_("The request body is not bytes."), field="body")
    body = bytes(body)
    if len(body) > _MAX_BODY:
        raise _reject(_("The request body is too large."), field="body")
    expected = _signature(body, secret, timestamp)
    if not any(
        _SIGNATURE.fullmatch(candidate) and hmac.compare_digest(expected, candidate)
        for candidate in signatures
    ):
        raise _reject(
            _("The signature does not match: the body was altered or the secret is wrong."),
            field="header",
        )
    if abs(now - timestamp) > tolerance:
        if timestamp < now:
            message = _(
                "The request was signed %(seconds)s seconds ago; at most %(tolerance)s are "
                "allowed, so it may be a replay."
            )
        else:
            message = _(
                "The request was signed %(seconds)s seconds in the future; at most "
                "%(tolerance)s are allowed, so it may be a replay."
            )
        raise _reject(
            message % {"seconds": abs(now - timestamp), "tolerance": tolerance},
            field="header",
            timestamp=timestamp,
        )
    return _event(body)


def _shape_error(path: str, reason: str) -> WebhookRejected:
    return _reject(
        _("The event's %(field)s %(reason)s") % {"field": path, "reason": reason}, field=path
    )


def _text(data: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _shape_error(path, _("must be non-empty text."))
    if len(value) > _MAX_TEXT:
        raise _shape_error(path, _("is longer than %(limit)s characters.") % {"limit": _MAX_TEXT})
    return value.strip()


def _event(body: bytes) -> PaymentEvent:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _reject(_("The request body is not JSON."), field="body") from None
    if not isinstance(data, dict):
        raise _reject(_("The request body is not a JSON object."), field="body")
    event_id = _text(data, "id", "id")
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        raise _shape_error(
            "type",
            _("must be one of %(types)s.") % {"types": ", ".join(sorted(EVENT_TYPES))},
        )
    created = data.get("created")
    if type(created) is not int or not 0 < created <= _LATEST:
        raise _shape_error("created", _("must be a Unix time in whole seconds."))
    payload = data.get("data")
    if not isinstance(payload, dict):
        raise _shape_error("data", _("must be an object."))
    amount_minor = payload.get("amount_minor")
    if type(amount_minor) is not int or amount_minor <= 0:
        raise _shape_error(
            "data.amount_minor", _("must be a positive whole number of minor units.")
        )
    currency = payload.get("currency")
    try:
        if not isinstance(currency, str):
            raise ValueError
        amount = Money(amount_minor, currency)
    except (NiagaError, ValueError):
        raise _shape_error("data.currency", _("must be an ISO 4217 currency code.")) from None
    return PaymentEvent(
        event_id=event_id,
        type=kind,
        amount=amount,
        reference=_text(payload, "reference", "data.reference"),
        payer=_text(payload, "payer", "data.payer", required=False),
        occurred_at=datetime.fromtimestamp(created, tz=UTC),
    )
