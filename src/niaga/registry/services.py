"""Every write to the registry: receiving rosters, importing rows, correcting, linking, merging."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.core import audit
from niaga.core.errors import NiagaError
from niaga.registry import linkage_bridge, provenance, tasks
from niaga.registry.errors import RosterFileError
from niaga.registry.mapping import (
    apply_mapping,
    is_standard,
    standard_mapping,
    suggest_mapping,
    validate_mapping,
)
from niaga.registry.models import (
    Business,
    FieldValue,
    LinkageRun,
    MatchPair,
    MergeEvent,
    PairStatus,
    RosterRow,
    RosterSource,
    RosterUpload,
    RowProblem,
    RowStatus,
    UploadStatus,
)
from niaga.registry.parsing import max_roster_bytes, read_roster
from niaga.registry.selectors import (
    cluster_members,
    cluster_root,
    cluster_roots,
)
from niaga.registry.validation import validate_row

BATCH_ROWS = 500
Progress = Callable[[int, int], None]


class RegistryError(NiagaError):
    code = "registry_invalid"


class MappingInvalid(RegistryError):
    code = "mapping_invalid"
    status = 422

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems), field="mapping")
        self.problems = problems


class RosterTooLarge(RegistryError):
    code = "too_large"
    status = 413


class WrongState(RegistryError):
    code = "wrong_state"
    status = 409


# --- sources and uploads -------------------------------------------------------------------


def create_source(*, actor, name: str, organisation=None, priority: int = 100) -> RosterSource:
    from django.utils.text import slugify

    slug = slugify(name)[:120]
    if not slug:
        raise RegistryError(_("Give the source a name."), field="source")
    with transaction.atomic(durable=True):
        source, created = RosterSource.objects.get_or_create(
            name=slug, defaults={"organisation": organisation, "priority": priority}
        )
        if created:
            audit.record(actor=actor, action="registry.source_created", target=source)
    return source


def record_for_organisation(*, actor, organisation) -> Business:
    """The registry record of an exporter that signed up itself; made from its profile if none.

    Must run inside the caller's transaction (a programme application, usually).
    """
    from niaga.registry.linkage.normalise import normalise_business_name

    existing = (
        Business.objects.filter(organisation=organisation, merged_into=None).order_by("id").first()
    )
    if existing is not None:
        return existing
    business = Business.objects.create(
        name=organisation.name,
        normalised_name=normalise_business_name(organisation.name)[:255],
        country=organisation.country,
        province=organisation.region,
        sector=organisation.sector,
        nib=organisation.nib,
        npwp=organisation.npwp,
        udyam=organisation.udyam,
        gstin=organisation.gstin,
        pan=organisation.pan,
        iec=organisation.iec,
        organisation=organisation,
    )
    audit.record(
        actor=actor,
        action="registry.business_from_organisation",
        target=business,
        changes={"organisation": organisation.pk},
    )
    return business


ACCEPTED_SUFFIXES = (".csv", ".xlsx")
RESUMABLE = {UploadStatus.QUEUED, UploadStatus.IMPORTING}


def receive_roster(
    *, actor, source: RosterSource, fileobj: BinaryIO, original_name: str
) -> tuple[RosterUpload, bool]:
    """Keep the raw file and queue its import; the same file twice is the same upload."""
    name = Path(original_name or "roster").name[:255]
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise RegistryError(
            _("%(name)s is not a roster: send a .csv or .xlsx file.") % {"name": name},
            code="wrong_extension",
            field="file",
        )
    with tempfile.TemporaryDirectory() as scratch:
        spooled = Path(scratch) / "roster"
        digest, size = _spool(fileobj, spooled)
        if size == 0:
            raise RegistryError(
                _("%(name)s is empty.") % {"name": name}, code="file_empty", field="file"
            )
        existing = RosterUpload.objects.filter(source=source, sha256=digest).first()
        if existing is not None:
            if existing.status in RESUMABLE:
                # Sending it again resumes an import that stopped; rows already in are skipped.
                tasks.import_roster.enqueue(existing.pk)
            return existing, False
        with transaction.atomic(durable=True):
            upload = RosterUpload(
                source=source,
                uploaded_by=actor if actor and actor.is_authenticated else None,
                original_name=name,
                size_bytes=size,
                sha256=digest,
                status=UploadStatus.QUEUED,
            )
            with spooled.open("rb") as handle:
                upload.file.save(name, File(handle), save=False)
            upload.save()
            audit.record(
                actor=actor,
                action="registry.roster_received",
                target=upload,
                changes={"file": name, "bytes": size, "sha256": digest},
            )
            transaction.on_commit(lambda: tasks.import_roster.enqueue(upload.pk))
    return upload, True


def _spool(fileobj: BinaryIO, destination: Path) -> tuple[str, int]:
    """Copy to disk while hashing, refusing past the size limit without reading it all."""
    sha, size, limit = hashlib.sha256(), 0, max_roster_bytes()
    with destination.open("wb") as out:
        while chunk := fileobj.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise RosterTooLarge(
                    _("The file is larger than %(limit)s MB.") % {"limit": limit // 1_000_000},
                    field="file",
                )
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest(), size


def set_mapping(*, actor, upload: RosterUpload, mapping: dict[str, str | None]) -> RosterUpload:
    """The officer's column mapping, remembered for the source, and the import queued again."""
    if upload.status not in {UploadStatus.MAPPING_NEEDED, UploadStatus.FAILED}:
        raise WrongState(_("This roster's columns are already mapped."))
    problems = validate_mapping(upload.headers, mapping)
    if problems:
        raise MappingInvalid(problems)
    with transaction.atomic(durable=True):
        upload.mapping = mapping
        upload.status = UploadStatus.QUEUED
        upload.save(update_fields=["mapping", "status"])
        source = upload.source
        source.column_mapping = {**source.column_mapping, **mapping}
        source.save(update_fields=["column_mapping"])
        audit.record(
            actor=actor, action="registry.mapping_set", target=upload, changes={"mapping": mapping}
        )
        transaction.on_commit(lambda: tasks.import_roster.enqueue(upload.pk))
    return upload


def import_upload(*, upload_id: int, progress: Progress | None = None) -> RosterUpload:
    """Read, validate and import a roster, in batches; running it again resumes, never repeats."""
    upload = RosterUpload.objects.select_related("source").get(pk=upload_id)
    if upload.status == UploadStatus.IMPORTED:
        return upload
    try:
        parsed = read_roster(Path(upload.file.path), upload.original_name)
    except RosterFileError as error:
        return _fail(upload, error.code, str(error.message))

    mapping = _mapping_for(upload, parsed.headers)
    if mapping is None:
        upload.headers = parsed.headers
        upload.mapping = suggest_mapping(parsed.headers)
        upload.status = UploadStatus.MAPPING_NEEDED
        upload.format, upload.encoding = parsed.format, parsed.encoding or ""
        upload.save(update_fields=["headers", "mapping", "status", "format", "encoding"])
        return upload

    upload.headers, upload.mapping = parsed.headers, mapping
    upload.format, upload.encoding = parsed.format, parsed.encoding or ""
    upload.status = UploadStatus.IMPORTING
    upload.total_rows = len(parsed.rows)
    upload.save(update_fields=["headers", "mapping", "format", "encoding", "status", "total_rows"])
    for start in range(0, len(parsed.rows), BATCH_ROWS):
        _import_batch(upload, parsed.headers, mapping, parsed.rows[start : start + BATCH_ROWS])
        if progress:
            progress(upload.processed_rows, upload.total_rows)
    with transaction.atomic(durable=True):
        upload.status = UploadStatus.IMPORTED
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "finished_at"])
        audit.record(
            actor=None,
            action="registry.roster_imported",
            target=upload,
            changes={
                "rows": upload.total_rows,
                "imported": upload.imported_rows,
                "quarantined": upload.quarantined_rows,
                "repeated": upload.repeated_rows,
            },
        )
        transaction.on_commit(lambda: tasks.link_registry.enqueue())
    return upload


def _mapping_for(upload: RosterUpload, headers: list[str]) -> dict[str, str | None] | None:
    """The standard mapping, the officer's for this upload, or the one remembered for its source."""
    if is_standard(headers):
        return standard_mapping(headers)
    for candidate in (upload.mapping, upload.source.column_mapping):
        mapping = {header: candidate.get(header) for header in headers}
        covers_every_header = bool(candidate) and all(header in candidate for header in headers)
        if covers_every_header and not validate_mapping(headers, mapping):
            return mapping
    return None


def _fail(upload: RosterUpload, code: str, message: str) -> RosterUpload:
    with transaction.atomic(durable=True):
        upload.status = UploadStatus.FAILED
        upload.error_code, upload.error_message = code, message
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "error_code", "error_message", "finished_at"])
        audit.record(
            actor=None, action="registry.roster_failed", target=upload, changes={"code": code}
        )
    return upload


def _import_batch(upload: RosterUpload, headers, mapping, raw_rows) -> None:
    """Validate and store one batch; a few queries per batch, not per row."""
    with transaction.atomic(durable=True):
        checked = []
        for raw_row in raw_rows:
            values = apply_mapping(headers, raw_row.cells, mapping)
            result = validate_row(values)
            record_key = (values.get("record_id") or "").strip()[:128] or _digest_text(values)
            fingerprint = _digest_text(result.values if result.ok else values)
            checked.append((raw_row, values, result, record_key, fingerprint))
        seen = set(
            RosterRow.objects.filter(
                source=upload.source, record_key__in=[item[3] for item in checked]
            ).values_list("record_key", "fingerprint")
        )
        new_rows, problems_by_row = [], {}
        for raw_row, values, result, record_key, fingerprint in checked:
            upload.processed_rows += 1
            if (record_key, fingerprint) in seen:
                upload.repeated_rows += 1
                continue
            seen.add((record_key, fingerprint))
            problems = [*getattr(raw_row, "problems", []), *result.problems]
            row = RosterRow(
                upload=upload,
                source=upload.source,
                number=raw_row.number,
                record_key=record_key,
                fingerprint=fingerprint,
                raw=values,
                values=result.values,
                status=RowStatus.QUARANTINED if problems else RowStatus.IMPORTED,
            )
            new_rows.append(row)
            if problems:
                problems_by_row[id(row)] = problems
        RosterRow.objects.bulk_create(new_rows)
        _record_problems(
            (row, problem) for row in new_rows for problem in problems_by_row.get(id(row), [])
        )
        imported = [row for row in new_rows if row.status == RowStatus.IMPORTED]
        upload.quarantined_rows += len(new_rows) - len(imported)
        upload.imported_rows += len(imported)
        upload.save(
            update_fields=["processed_rows", "repeated_rows", "imported_rows", "quarantined_rows"]
        )
        refresh_current_values(_attach(imported, upload))


def _record_problems(problems) -> None:
    RowProblem.objects.bulk_create(
        RowProblem(
            row=row,
            column=problem.column[:100],
            value=str(problem.value),
            reason=problem.reason[:40],
            message=str(problem.message),
        )
        for row, problem in problems
    )


def _attach(rows: list[RosterRow], upload: RosterUpload) -> set[int]:
    """Give each row its business: the same source's earlier version of it, or a new one.

    Records from different sources are joined by linkage, never here, so that every join is a
    merge that can be explained and undone. Returns the existing businesses whose current
    values need recomputing.
    """
    if not rows:
        return set()
    earlier: dict[str, int] = {}
    for record_key, business_id in (
        RosterRow.objects.filter(
            source=upload.source, record_key__in=[row.record_key for row in rows]
        )
        .exclude(business=None)
        .order_by("created_at", "id")
        .values_list("record_key", "business_id")
    ):
        earlier[record_key] = business_id  # the latest version wins
    updated = {earlier[row.record_key] for row in rows if row.record_key in earlier}
    fresh = [row for row in rows if row.record_key not in earlier]
    # A new business's current values are simply its one row's; no need to recompute later.
    created = Business.objects.bulk_create(
        Business(**provenance.business_attributes(provenance.observations_from(row.values)))
        for row in fresh
    )
    for row, business in zip(fresh, created, strict=True):
        earlier.setdefault(row.record_key, business.pk)
    for row in rows:
        row.business_id = earlier[row.record_key]
    RosterRow.objects.bulk_update(rows, ["business"])
    FieldValue.objects.bulk_create(
        FieldValue(
            business_id=row.business_id,
            field=field,
            value=value,
            source=upload.source,
            row=row,
            observed_at=upload.created_at,
        )
        for row in rows
        for field, value in provenance.observations_from(row.values).items()
    )
    return updated


def refresh_current_values(business_ids: set[int]) -> None:
    """Recompute the current values of these businesses' clusters under the provenance rule."""
    if not business_ids:
        return
    roots = cluster_roots(business_ids)
    members = cluster_members(set(roots.values()))
    root_of_member = {member: root for root, group in members.items() for member in group}
    observations: dict[int, list[provenance.Observation]] = {root: [] for root in members}
    values = FieldValue.objects.filter(business_id__in=root_of_member).values_list(
        "business_id", "field", "value", "observed_at", "source__priority", "row__number"
    )
    for business_id, field, value, observed_at, priority, row_number in values.iterator(
        chunk_size=5000
    ):
        observations[root_of_member[business_id]].append(
            provenance.Observation(
                field=field,
                value=value,
                priority=priority,
                observed_at=observed_at,
                row_number=row_number,
            )
        )
    now = timezone.now()
    for root, found in observations.items():
        # One plain UPDATE each: bulk_update's CASE expressions cost far more to build.
        Business.objects.filter(pk=root).update(
            **provenance.business_attributes(provenance.current_values(found)), updated_at=now
        )


# --- corrections ---------------------------------------------------------------------------


def correct_row(*, actor, row: RosterRow, values: dict[str, str]) -> RosterRow:
    """An officer fixes a quarantined row; it is imported if it now passes, else re-reported."""
    if row.status != RowStatus.QUARANTINED:
        raise WrongState(_("Only quarantined rows can be corrected."))
    merged = {**row.raw, **{key: value for key, value in values.items() if key in row.raw}}
    result = validate_row(merged)
    with transaction.atomic(durable=True):
        row.raw = merged
        row.values = result.values
        row.corrected_by = actor
        row.problems.all().delete()
        upload = row.upload
        if result.ok:
            row.status = RowStatus.IMPORTED
            row.save(update_fields=["raw", "values", "status", "corrected_by"])
            touched = _attach([row], upload)
            upload.quarantined_rows -= 1
            upload.imported_rows += 1
            upload.save(update_fields=["quarantined_rows", "imported_rows"])
            refresh_current_values(touched)
            transaction.on_commit(lambda: tasks.link_registry.enqueue())
        else:
            row.save(update_fields=["raw", "values", "corrected_by"])
            _record_problems((row, problem) for problem in result.problems)
        audit.record(
            actor=actor,
            action="registry.row_corrected",
            target=row,
            changes={"imported": result.ok, "fields": sorted(values)},
        )
    return row


# --- linkage and merging -------------------------------------------------------------------


def run_linkage(
    *, actor, progress: Callable[[str], None] | None = None, force: bool = False
) -> dict[str, int]:
    """Link every current record; merge the sure pairs, queue the uncertain ones for review.

    Decisions officers made (merged, kept apart) are never revisited by a rerun. When nothing
    changed since the last run finished, there is nothing to do: several imports in a row
    queue several runs, and only the first of them works.
    """
    last = LinkageRun.objects.exclude(finished_at=None).first()
    changed = Business.objects.filter(updated_at__gte=last.started_at) if last else None
    if not force and last is not None and not changed.exists():
        return {"merged": 0, "queued": 0, "kept": 0}
    run = LinkageRun.objects.create()
    proposals = linkage_bridge.propose_pairs(progress=progress)
    decided = set(
        MatchPair.objects.exclude(status=PairStatus.PENDING).values_list("left_id", "right_id")
    )
    counts = {"merged": 0, "queued": 0, "kept": 0}
    for proposal in proposals:
        left_root, right_root = cluster_root(proposal.left), cluster_root(proposal.right)
        if left_root == right_root:
            continue
        left, right = sorted((left_root, right_root))
        if (left, right) in decided or (proposal.left, proposal.right) in decided:
            counts["kept"] += 1
            continue
        with transaction.atomic(durable=True):
            pair, _created = MatchPair.objects.update_or_create(
                left_id=left,
                right_id=right,
                defaults={
                    "match_probability": proposal.probability,
                    "match_weight": proposal.weight,
                    "method": proposal.method,
                    "explanation": proposal.explanation,
                    "status": PairStatus.PENDING,
                },
            )
            if proposal.sure:
                _merge(pair, actor=actor, automatic=True)
                counts["merged"] += 1
            else:
                counts["queued"] += 1
    run.finished_at = timezone.now()
    run.records = linkage_bridge.current_record_count()
    run.merged, run.queued, run.kept = counts["merged"], counts["queued"], counts["kept"]
    run.save()
    return counts


def merge_pair(*, actor, pair: MatchPair) -> MergeEvent:
    if pair.status != PairStatus.PENDING:
        raise WrongState(_("This pair was decided already."))
    with transaction.atomic(durable=True):
        return _merge(pair, actor=actor, automatic=False)


def separate_pair(*, actor, pair: MatchPair) -> MatchPair:
    if pair.status != PairStatus.PENDING:
        raise WrongState(_("This pair was decided already."))
    with transaction.atomic(durable=True):
        pair.status = PairStatus.SEPARATED
        pair.decided_by, pair.decided_at = actor, timezone.now()
        pair.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor=actor, action="registry.pair_separated", target=pair)
    return pair


def _merge(pair: MatchPair, *, actor, automatic: bool) -> MergeEvent:
    survivor_id, absorbed_id = sorted((cluster_root(pair.left_id), cluster_root(pair.right_id)))
    Business.objects.filter(pk=absorbed_id).update(merged_into_id=survivor_id)
    pair.status = PairStatus.MERGED
    pair.decided_by = None if automatic else actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    event = MergeEvent.objects.create(
        survivor_id=survivor_id,
        absorbed_id=absorbed_id,
        pair=pair,
        automatic=automatic,
        actor=None if automatic else actor,
    )
    refresh_current_values({survivor_id})
    audit.record(
        actor=None if automatic else actor,
        action="registry.merged",
        target=event.survivor,
        changes={
            "absorbed": absorbed_id,
            "automatic": automatic,
            "probability": round(pair.match_probability, 4),
            "method": pair.method,
        },
    )
    return event


def undo_merge(*, actor, event: MergeEvent) -> MergeEvent:
    """Split a merged record out again; the pair is then kept apart so a rerun leaves it."""
    if event.undone_at is not None:
        raise WrongState(_("This merge was undone already."))
    with transaction.atomic(durable=True):
        Business.objects.filter(pk=event.absorbed_id).update(merged_into=None)
        event.undone_at, event.undone_by = timezone.now(), actor
        event.save(update_fields=["undone_at", "undone_by"])
        if event.pair_id:
            MatchPair.objects.filter(pk=event.pair_id).update(
                status=PairStatus.SEPARATED, decided_by=actor, decided_at=timezone.now()
            )
        refresh_current_values({event.survivor_id, event.absorbed_id})
        audit.record(
            actor=actor,
            action="registry.merge_undone",
            target=event.survivor,
            changes={"absorbed": event.absorbed_id},
        )
    return event


# --- helpers -------------------------------------------------------------------------------


def _digest_text(values: dict) -> str:
    import json

    return hashlib.sha256(
        json.dumps(values, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
