from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import django_auth

from niaga.core import selectors
from niaga.core.errors import PermissionDenied
from niaga.core.identifiers import IdentifierKind, InvalidIdentifier, validate_identifier
from niaga.core.pagination import MAX_LIMIT, MAX_OFFSET
from niaga.core.permissions import is_officer
from niaga.core.schemas import Problem, responses

router = Router(tags=["core"])


class Health(Schema):
    status: str
    version: str


class IdentifierCheck(Schema):
    kind: IdentifierKind
    value: str
    valid: bool
    normalised: str | None = None
    reason: str | None = None
    message: str | None = None


class AuditEntryOut(Schema):
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object: str
    changes: dict
    ip_address: str | None = None


@router.get("/health", response=responses({200: Health}), auth=None)
def health(request):
    from importlib.metadata import version

    return {"status": "ok", "version": version("niaga")}


@router.get("/identifiers/check", response=responses({200: IdentifierCheck}), auth=None)
def check_identifier(request, kind: IdentifierKind, value: str = Query(..., max_length=64)):
    """Whether ``value`` is a well-formed identifier of ``kind``, and its normal form."""
    try:
        normalised = validate_identifier(kind, value)
    except InvalidIdentifier as error:
        return {
            "kind": kind,
            "value": value,
            "valid": False,
            "reason": error.reason,
            "message": str(error.message),
        }
    return {"kind": kind, "value": value, "valid": True, "normalised": normalised}


@router.get(
    "/audit",
    response=responses({200: list[AuditEntryOut], 403: Problem}, signed_in=True),
    auth=django_auth,
)
def audit_trail(
    request,
    object_type: str | None = Query(None, max_length=100, pattern=r"^[a-z_]+\.[a-z_]+$"),
    object_id: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The audit trail, newest first; officers only. ``object_type`` is ``app_label.model``."""
    if not is_officer(request.auth):
        raise PermissionDenied(_("Only officers can read the audit trail."))
    entries = selectors.audit_entries(object_type=object_type, object_id=object_id)
    return [
        {
            "at": entry.at,
            "actor": entry.actor_label,
            "action": entry.action,
            "object_type": f"{entry.target_type.app_label}.{entry.target_type.model}",
            "object_id": entry.target_id,
            "object": entry.target_repr,
            "changes": entry.changes,
            "ip_address": entry.ip_address,
        }
        for entry in entries[offset : offset + limit]
    ]
