from datetime import date, datetime
from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import StringConstraints

from niaga.core.errors import PermissionDenied
from niaga.core.pagination import Page
from niaga.core.schemas import Problem, StrictSchema, responses
from niaga.registry import reports, selectors, services

router = Router(tags=["registry"], auth=django_auth)

SourceName = Annotated[str, StringConstraints(min_length=1, max_length=120)]

SourceName = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class UploadOut(Schema):
    id: int
    source: str = Field(..., alias="source.name")
    original_name: str
    size_bytes: int
    sha256: str
    format: str
    status: str
    headers: list[str]
    mapping: dict[str, str | None]
    total_rows: int
    processed_rows: int
    imported_rows: int
    quarantined_rows: int
    repeated_rows: int
    progress_percent: int
    error_code: str
    error_message: str
    created_at: datetime
    finished_at: datetime | None


class ProblemOut(Schema):
    row: int = Field(..., alias="row.number")
    row_id: int
    column: str
    value: str
    reason: str
    message: str


class MappingIn(StrictSchema):
    mapping: dict[str, str | None]


class CorrectionIn(StrictSchema):
    values: dict[str, str]


class RowOut(Schema):
    id: int
    number: int
    status: str
    raw: dict
    business_id: int | None


class BusinessOut(Schema):
    id: int
    name: str
    owner_name: str
    country: str
    province: str
    district: str
    postcode: str
    sector: str
    nib: str
    npwp: str
    udyam: str
    gstin: str
    pan: str
    iec: str
    phone: str
    email: str
    employees: int | None
    annual_turnover_minor: int | None
    turnover_currency: str
    mentoring_programme: str
    mentoring_completed_on: date | None


class PairOut(Schema):
    id: int
    left: BusinessOut
    right: BusinessOut
    match_probability: float
    match_weight: float
    method: str
    explanation: list
    status: str


class MergeOut(Schema):
    id: int
    survivor_id: int
    absorbed_id: int
    automatic: bool
    at: datetime
    undone_at: datetime | None


class LinkageOut(Schema):
    merged: int
    queued: int
    kept: int


def _officer(request):
    if not selectors.may_use_registry(request.auth):
        raise PermissionDenied(_("Only officers can use the registry."))


@router.post(
    "/rosters",
    response=responses({200: UploadOut, 202: UploadOut, 403: Problem}, signed_in=True),
)
def upload_roster(request, source: Form[SourceName], file: File[UploadedFile] = None):
    """Send a roster (CSV or XLSX). 202: queued for import; 200: this file was sent before."""
    _officer(request)
    if file is None:
        raise services.RegistryError(_("Attach the roster file."), field="file")
    roster_source = services.create_source(
        actor=request.auth, name=source, organisation=selectors.home_organisation(request.auth)
    )
    upload, created = services.receive_roster(
        actor=request.auth, source=roster_source, fileobj=file, original_name=file.name or ""
    )
    return Status(202 if created else 200, upload)


@router.get("/rosters", response=responses({200: list[UploadOut]}, signed_in=True))
@paginate(Page)
def list_rosters(request):
    return selectors.uploads_for(request.auth)


@router.get(
    "/rosters/{upload_id}", response=responses({200: UploadOut, 404: Problem}, signed_in=True)
)
def get_roster(request, upload_id: int):
    return selectors.upload_for(request.auth, upload_id)


@router.put(
    "/rosters/{upload_id}/mapping",
    response=responses({200: UploadOut, 404: Problem, 409: Problem}, signed_in=True),
)
def map_columns(request, upload_id: int, payload: MappingIn):
    """Map each header to a standard field (or null to ignore it); remembered for the source."""
    upload = selectors.upload_for(request.auth, upload_id)
    return services.set_mapping(actor=request.auth, upload=upload, mapping=payload.mapping)


@router.get(
    "/rosters/{upload_id}/problems",
    response=responses({200: list[ProblemOut], 404: Problem}, signed_in=True),
)
@paginate(Page)
def roster_problems(request, upload_id: int):
    """Every problem found: row, column, value and reason."""
    return selectors.problems_of(selectors.upload_for(request.auth, upload_id))


@router.get(
    "/rosters/{upload_id}/problems.csv",
    response=responses({200: str, 404: Problem}, signed_in=True),
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def roster_problems_csv(request, upload_id: int):
    upload = selectors.upload_for(request.auth, upload_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{upload.pk}-problems.csv"'
    reports.write_problems_csv(response, selectors.problems_of(upload))
    return response


@router.post(
    "/rows/{row_id}/correction",
    response=responses({200: RowOut, 404: Problem, 409: Problem}, signed_in=True),
)
def correct_row(request, row_id: int, payload: CorrectionIn):
    """Correct a quarantined row and submit it again; it is imported if it now passes."""
    row = selectors.row_for(request.auth, row_id)
    return services.correct_row(actor=request.auth, row=row, values=payload.values)


@router.get("/businesses", response=responses({200: list[BusinessOut]}, signed_in=True))
@paginate(Page)
def list_businesses(
    request,
    q: str = Query("", max_length=200),
    country: str = Query("", max_length=2),
    province: str = Query("", max_length=8),
    sector: str = Query("", max_length=32),
    identifier: str = Query("", max_length=32),
):
    return selectors.search_businesses(
        request.auth,
        query=q,
        country=country,
        province=province,
        sector=sector,
        identifier=identifier,
    )


@router.get(
    "/businesses/{business_id}",
    response=responses({200: BusinessOut, 404: Problem}, signed_in=True),
)
def get_business(request, business_id: int):
    return selectors.business_for(request.auth, business_id)


@router.get("/review-queue", response=responses({200: list[PairOut]}, signed_in=True))
@paginate(Page)
def review_queue(request):
    """Pairs that may be one business, most likely first, waiting for an officer."""
    return selectors.review_queue(request.auth)


@router.post(
    "/review-queue/{pair_id}/merge",
    response=responses({200: MergeOut, 404: Problem, 409: Problem}, signed_in=True),
)
def merge_pair(request, pair_id: int):
    return services.merge_pair(actor=request.auth, pair=selectors.pair_for(request.auth, pair_id))


@router.post(
    "/review-queue/{pair_id}/separate",
    response=responses({200: PairOut, 404: Problem, 409: Problem}, signed_in=True),
)
def separate_pair(request, pair_id: int):
    return services.separate_pair(
        actor=request.auth, pair=selectors.pair_for(request.auth, pair_id)
    )


@router.post(
    "/merges/{merge_id}/undo",
    response=responses({200: MergeOut, 404: Problem, 409: Problem}, signed_in=True),
)
def undo_merge(request, merge_id: int):
    return services.undo_merge(
        actor=request.auth, event=selectors.merge_for(request.auth, merge_id)
    )


@router.post("/linkage", response=responses({202: None, 403: Problem}, signed_in=True))
def run_linkage(request):
    """Queue a linkage run over the whole registry."""
    _officer(request)
    from niaga.registry import tasks

    tasks.link_registry.enqueue()
    return Status(202, None)
