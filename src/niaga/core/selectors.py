from django.db.models import QuerySet

from niaga.core.models import AuditEntry


def audit_entries(*, object_type: str | None = None, object_id: str | None = None) -> QuerySet:
    """Audit entries, optionally of one kind of object (``app_label.model``) or one object."""
    entries = AuditEntry.objects.select_related("target_type")
    if object_type:
        app_label, _, model = object_type.partition(".")
        entries = entries.filter(target_type__app_label=app_label, target_type__model=model)
    if object_id:
        entries = entries.filter(target_id=object_id)
    return entries
