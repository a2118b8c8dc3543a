from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from niaga.core import audit
from niaga.core.errors import NiagaError, NotFound
from niaga.core.identifiers import is_valid_identifier
from niaga.registry import provenance, reports, selectors, services
from niaga.registry.forms import (
    BusinessSearchForm,
    RosterUploadForm,
    correction_form,
    mapping_form,
)
from niaga.registry.mapping import STANDARD_FIELDS
from niaga.registry.models import UploadStatus


def officer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_use_registry(request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapped


@officer_required
def registry_home(request):
    form = BusinessSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    businesses = selectors.search_businesses(
        request.user,
        query=filters.get("q", ""),
        country=filters.get("country", ""),
        province=filters.get("province", ""),
        sector=filters.get("sector", ""),
        identifier=filters.get("identifier", ""),
    )
    page = Paginator(businesses, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/home.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.registry_counts(),
            "linkage": selectors.last_linkage(),
        },
    )


@officer_required
def rosters(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.create_source(
                actor=request.user,
                name=form.cleaned_data["source"],
                organisation=selectors.home_organisation(request.user),
            )
            upload_file = form.cleaned_data["file"]
            upload, created = services.receive_roster(
                actor=request.user,
                source=source,
                fileobj=upload_file,
                original_name=upload_file.name,
            )
        except NiagaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if not created:
                messages.info(request, _("This file was sent before; here is that upload."))
            return redirect("registry:roster", upload.pk)
    page = Paginator(selectors.uploads_for(request.user), 25).get_page(request.GET.get("page"))
    status = 400 if form.errors else 200
    return render(request, "registry/rosters.html", {"form": form, "page": page}, status=status)


@officer_required
def roster_detail(request, upload_id: int):
    upload = selectors.upload_for(request.user, upload_id)
    context = {"upload": upload}
    if upload.status == UploadStatus.MAPPING_NEEDED:
        fields = [(field.name, field.label) for field in STANDARD_FIELDS]
        Form = mapping_form(upload.headers, fields, upload.mapping)
        form = Form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            mapping = {
                header: form.cleaned_data[f"column_{index}"] or None
                for index, header in enumerate(upload.headers)
            }
            try:
                services.set_mapping(actor=request.user, upload=upload, mapping=mapping)
            except NiagaError as error:
                form.add_error(None, error.message)
            else:
                return redirect("registry:roster", upload.pk)
        context["mapping_form"] = form
    if request.htmx and request.GET.get("fragment") == "progress":
        if upload.status in {UploadStatus.QUEUED, UploadStatus.IMPORTING}:
            return render(request, "registry/_progress.html", context)
        return HttpResponseClientRefresh()  # finished: show the whole report
    context["problems"] = selectors.problems_of(upload)[:200]
    context["quarantined"] = selectors.quarantined_rows(upload)[:100]
    context["history"] = audit.entries_for(upload)[:20]
    return render(request, "registry/roster_detail.html", context)


@officer_required
def roster_problems_csv(request, upload_id: int):
    upload = selectors.upload_for(request.user, upload_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{upload.pk}-problems.csv"'
    reports.write_problems_csv(response, selectors.problems_of(upload))
    return response


@officer_required
def correct_row(request, row_id: int):
    row = selectors.row_for(request.user, row_id)
    Form = correction_form(row.raw)
    form = Form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.correct_row(actor=request.user, row=row, values=form.cleaned_data)
        except NiagaError as error:
            form.add_error(None, error.message)
        else:
            if row.status == "imported":
                messages.success(request, _("Row %(number)s is imported.") % {"number": row.number})
                return redirect("registry:roster", row.upload_id)
            messages.error(request, _("The row still has problems; see below."))
            Form = correction_form(row.raw)
            form = Form()
    return render(
        request,
        "registry/correct_row.html",
        {"row": row, "form": form, "problems": row.problems.all()},
    )


@officer_required
def business_detail(request, business_id: int):
    business = selectors.business_for(request.user, business_id)
    if business.merged_into_id:
        return redirect("registry:business", selectors.cluster_root(business.pk))
    labels = {field.name: field.label for field in STANDARD_FIELDS}
    labels["country"] = _("Country")
    sources = {
        labels.get(field, field): values
        for field, values in selectors.provenance_of(business).items()
    }
    identifiers = [
        (kind, value, is_valid_identifier(kind, value))
        for kind in provenance.IDENTIFIER_FIELDS
        if (value := getattr(business, kind))
    ]
    return render(
        request,
        "registry/business_detail.html",
        {
            "business": business,
            "identifiers": identifiers,
            "sources": sources,
            "rule": provenance.CURRENT_VALUE_RULE,
            "merges": selectors.merge_history(business),
            "history": audit.entries_for(business)[:30],
        },
    )


@officer_required
def review_queue(request):
    page = Paginator(selectors.review_queue(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "registry/review_queue.html", {"page": page})


@require_POST
@officer_required
def decide_pair(request, pair_id: int, decision: str):
    pair = selectors.pair_for(request.user, pair_id)
    try:
        if decision == "merge":
            services.merge_pair(actor=request.user, pair=pair)
            messages.success(request, _("Merged."))
        else:
            services.separate_pair(actor=request.user, pair=pair)
            messages.success(request, _("Kept apart."))
    except NiagaError as error:
        messages.error(request, error.message)
    return redirect("registry:review")


@require_POST
@officer_required
def undo_merge(request, merge_id: int):
    event = selectors.merge_for(request.user, merge_id)
    try:
        services.undo_merge(actor=request.user, event=event)
        messages.success(request, _("The merge is undone."))
    except NiagaError as error:
        messages.error(request, error.message)
    return redirect("registry:business", event.survivor_id)
