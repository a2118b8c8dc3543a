"""Pages of programmes: each parses a form, calls one service or selector, and renders.

Every object comes through a scoped selector, so an officer of one programme finds nothing of
another (404). A refused action (a NiagaError from a service) is shown as its message.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from niaga.accounts import selectors as accounts
from niaga.core import permissions
from niaga.core.csv_export import write_csv
from niaga.core.errors import NiagaError
from niaga.core.money import Money
from niaga.core.pages import public, signed_in
from niaga.core.roles import OFFICER_ROLES, OrganisationKind, Role
from niaga.programs import credentials, readiness, selectors, services, states
from niaga.programs.forms import (
    ApplyForm,
    AttendanceForm,
    BulkActionForm,
    OnboardForm,
    QueueFilterForm,
    RevokeForm,
    RulesForm,
    ScheduleSessionForm,
    SearchForm,
    TransitionForm,
    VerifyForm,
    questionnaire_form_class,
)
from niaga.programs.models import ApplicationState

S = ApplicationState
PAGE_SIZE = 50

# States reached through their own buttons (approval, onboarding) rather than a plain move.
OWN_BUTTONS = frozenset({S.APPROVED, S.ONBOARDED})


def _officer_only(user) -> None:
    if not permissions.is_officer(user):
        raise Http404(_("Only officers have this page."))


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit()][: PAGE_SIZE * 4]


# --- programmes ------------------------------------------------------------------------------


@signed_in
def programme_list(request):
    user = request.user
    worked = selectors.worked_programmes_with_counts(user)
    mine = []
    if selectors.is_exporter(user):
        mine = selectors.still_missing(
            selectors.applications_for(user).filter(
                business__organisation__in=selectors.exporter_organisations(user)
            )
        )
    return render(
        request,
        "programs/programme_list.html",
        {
            "worked": worked,
            "is_exporter": selectors.is_exporter(user),
            "open": selectors.open_programmes().select_related("operator"),
            "mine": mine,
        },
    )


@signed_in
def programme_detail(request, slug: str):
    programme = selectors.programme_for(request.user, slug)
    version = selectors.current_rules(programme)
    organisations = selectors.exporter_organisations(request.user)
    context = {
        "programme": programme,
        "version": version,
        "rules": selectors.described_rules(version),
        "works": selectors.works_programme(request.user, programme),
        "is_open": programme.is_open(),
        "apply_form": ApplyForm(organisations=organisations) if organisations else None,
        "my_applications": selectors.applications_for(request.user).filter(
            programme=programme, business__organisation__in=organisations
        ),
    }
    return render(request, "programs/programme_detail.html", context)


@require_POST
@signed_in
def apply(request, slug: str):
    programme = selectors.programme_for(request.user, slug)
    form = ApplyForm(request.POST, organisations=selectors.exporter_organisations(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the business to apply as."))
        return redirect("programs:detail", programme.slug)
    try:
        application = services.apply(
            actor=request.user, programme=programme, organisation=form.cleaned_data["organisation"]
        )
    except NiagaError as error:
        messages.error(request, error.message)
        return redirect("programs:detail", programme.slug)
    messages.success(request, _("Your application is in."))
    return redirect("programs:application", application.pk)


@signed_in
def edit_rules(request, slug: str):
    programme = selectors.worked_programme_for(request.user, slug)
    current = selectors.current_rules(programme)
    initial = json.dumps(current.rules if current else [], indent=2, ensure_ascii=False)
    form = RulesForm(request.POST or None, initial={"rules": initial})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.change_rules(
                actor=request.user,
                programme=programme,
                rules=form.cleaned_data["rules"],
                note=form.cleaned_data["note"],
            )
        except NiagaError as error:
            form.add_error("rules", error.message)
            if error.field:
                form.add_error("rules", _("Where: %(path)s") % {"path": error.field})
        else:
            messages.success(
                request, _("The rules are now version %(number)s.") % {"number": version.number}
            )
            return redirect("programs:detail", programme.slug)
    return render(
        request,
        "programs/rules_edit.html",
        {"programme": programme, "version": current, "form": form},
        status=400 if form.errors else 200,
    )


@signed_in
def rule_versions(request, slug: str):
    programme = selectors.programme_for(request.user, slug)
    versions = [
        (version, selectors.described_rules(version))
        for version in selectors.rule_versions(programme)
    ]
    return render(
        request, "programs/rule_versions.html", {"programme": programme, "versions": versions}
    )


# --- the queue and its bulk action -----------------------------------------------------------


@signed_in
def queue(request, slug: str):
    programme = selectors.worked_programme_for(request.user, slug)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.queue(
        programme,
        state=filters.get("state", ""),
        province=filters.get("province", "").strip().upper(),
        sector=filters.get("sector", ""),
        search=filters.get("q", "").strip(),
        awaiting_approval=filters.get("awaiting", False),
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/queue.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "counts": [
                (state, S(state).label, count)
                for state, count in selectors.state_counts(programme).items()
            ],
            "bulk_form": BulkActionForm(),
        },
    )


@require_POST
@signed_in
def bulk_action(request, slug: str):
    """Step one shows what would change; only a second, confirmed POST changes anything."""
    programme = selectors.worked_programme_for(request.user, slug)
    chosen = selectors.queue(programme).filter(pk__in=_ids(request.POST.getlist("applications")))
    form = BulkActionForm(request.POST, application_ids=[a.pk for a in chosen])
    if not chosen:
        messages.error(request, _("Choose at least one application."))
        return redirect("programs:queue", programme.slug)
    if form.is_valid() and request.POST.get("confirmed") == "yes":
        results = services.transition_many(
            actor=request.user,
            applications=list(chosen),
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
        )
        return render(
            request,
            "programs/bulk_results.html",
            {
                "programme": programme,
                "results": results,
                "to": S(form.cleaned_data["to"]),
                "moved": sum(1 for _application, error in results if error is None),
            },
        )
    return render(
        request,
        "programs/bulk_confirm.html",
        {
            "programme": programme,
            "form": form,
            "chosen": chosen,
            "to": S(form.cleaned_data["to"]) if form.is_valid() else None,
        },
        status=200 if form.is_valid() else 400,
    )


# --- nominating ------------------------------------------------------------------------------


@signed_in
def nominate(request, slug: str):
    programme = selectors.worked_programme_for(request.user, slug)
    if request.method == "POST":
        business = permissions.one_or_not_found(
            selectors.nominable_businesses(programme), pk=request.POST.get("business", "")
        )
        try:
            application = services.nominate(
                actor=request.user, programme=programme, business=business
            )
        except NiagaError as error:
            messages.error(request, error.message)
            return redirect("programs:nominate", programme.slug)
        messages.success(request, _("%(business)s is nominated.") % {"business": business.name})
        return redirect("programs:application", application.pk)
    form = SearchForm(request.GET or None)
    search = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    page = Paginator(selectors.nominable_businesses(programme, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "programs/nominate.html", {"programme": programme, "form": form, "page": page}
    )


# --- the shortlist ---------------------------------------------------------------------------


@signed_in
def shortlist(request, slug: str):
    programme = selectors.worked_programme_for(request.user, slug)
    selection, applications, places = selectors.shortlist(programme)
    return render(
        request,
        "programs/shortlist.html",
        {
            "programme": programme,
            "selected": [(r, applications[r.candidate.key]) for r in selection.selected],
            "waitlisted": [(r, applications[r.candidate.key]) for r in selection.waitlisted],
            "places": places,
            "selection": selection,
        },
    )


@signed_in
def shortlist_csv(request, slug: str):
    programme = selectors.worked_programme_for(request.user, slug)
    selection, applications, _places = selectors.shortlist(programme)
    headers = [
        _("List"),
        _("Rank"),
        _("Application"),
        _("Business"),
        _("Province or state"),
        _("Sector"),
        _("Readiness"),
        _("State"),
        _("Why waiting"),
    ]
    rows = [
        [
            label,
            ranked.rank,
            application.pk,
            application.business.name,
            application.business.province,
            application.business.sector,
            application.readiness,
            application.get_state_display(),
            ranked.message,
        ]
        for label, group in (
            (_("selected"), selection.selected),
            (_("waiting"), selection.waitlisted),
        )
        for ranked in group
        for application in [applications[ranked.candidate.key]]
    ]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="shortlist-{programme.slug}-{stamp}.csv"'
    )
    write_csv(response, headers, rows)
    return response


# --- one application -------------------------------------------------------------------------


def _latest_assessment(assessments):
    latest = assessments[0] if assessments else None
    if latest is None:
        return None
    try:
        return readiness.assessment_from_dict(latest.result)
    except ValueError:
        return None


@signed_in
def application_detail(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    works = selectors.works_programme(request.user, application.programme)
    assessments = list(selectors.assessments_of(application)[:20])
    next_states = [S(state) for state in sorted(states.next_states(application.state))]
    own = application.business.organisation_id in permissions.organisation_ids(
        request.user, *selectors.EXPORTER_ROLES
    )
    moves = [state for state in next_states if state not in OWN_BUTTONS]
    if not works:  # the business itself may only withdraw; the services check the same
        moves = [state for state in moves if own and state == S.WITHDRAWN]
    partners = selectors.onboarding_partners(application.programme)
    if not works:  # a partner onboards in its own name
        partners = partners.filter(pk__in=permissions.organisation_ids(request.user, Role.PARTNER))
    context = {
        "may_onboard_as_partner": not works and partners.exists(),
        "application": application,
        "business": application.business,
        "works": works,
        "own": own,
        "outcomes": selectors.eligibility_of(application),
        "assessments": assessments,
        "assessment": _latest_assessment(assessments),
        "moves": moves,
        "needs_reason": states.NEEDS_REASON,
        "may_approve": S.APPROVED in next_states,
        "may_onboard": S.ONBOARDED in next_states,
        "onboard_form": OnboardForm(partners=partners),
        "history": selectors.history_of(application),
        "credentials": selectors.credentials_of(application),
        "revoke_form": RevokeForm(),
    }
    return render(request, "programs/application_detail.html", context)


@require_POST
@signed_in
def transition(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the application goes."))
        return redirect("programs:application", application.pk)
    try:
        application = services.transition(
            actor=request.user,
            application=application,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
        )
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The application is now %(state)s.") % {"state": application.get_state_display()},
        )
    return redirect("programs:application", application.pk)


@require_POST
@signed_in
def request_approval(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    try:
        services.request_approval(actor=request.user, application=application)
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("It is up for approval; another officer must approve it."))
    return redirect("programs:application", application.pk)


@require_POST
@signed_in
def approve(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    try:
        services.approve(actor=request.user, application=application)
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved; the curation credential is issued."))
    return redirect("programs:application", application.pk)


@require_POST
@signed_in
def onboard(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    partners = selectors.onboarding_partners(application.programme)
    form = OnboardForm(request.POST, partners=partners)
    if not form.is_valid():
        messages.error(request, _("Choose a partner from the list, or none."))
        return redirect("programs:application", application.pk)
    try:
        services.onboard(
            actor=request.user, application=application, partner=form.cleaned_data["partner"]
        )
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The business is onboarded."))
    return redirect("programs:application", application.pk)


@require_POST
@signed_in
def revoke(request, application_id: int, public_id):
    application = selectors.application_for(request.user, application_id)
    credential = permissions.one_or_not_found(
        selectors.credentials_of(application), public_id=public_id
    )
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the credential is revoked."))
        return redirect("programs:application", application.pk)
    try:
        services.revoke_credential(
            actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
        )
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The credential is revoked."))
    return redirect("programs:application", application.pk)


@signed_in
def questionnaire(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    Form = questionnaire_form_class()
    form = Form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = {code: choice for code, choice in form.cleaned_data.items() if choice}
        try:
            assessment = services.record_assessment(
                actor=request.user, application=application, answers=answers
            )
        except NiagaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Readiness score: %(total)s out of 100.") % {"total": assessment.total},
            )
            return redirect("programs:application", application.pk)
    sections = [
        (dimension, [form[question.code] for question in dimension.questions])
        for dimension in readiness.QUESTIONNAIRE
    ]
    return render(
        request,
        "programs/questionnaire.html",
        {"application": application, "form": form, "sections": sections},
        status=400 if form.errors else 200,
    )


# --- mentoring -------------------------------------------------------------------------------


def _running_organisations(user):
    return accounts.organisations_for(user).filter(
        pk__in=permissions.organisation_ids(user, *OFFICER_ROLES),
        kind__in=[OrganisationKind.MINISTRY, OrganisationKind.OPERATOR],
        is_active=True,
    )


@signed_in
def mentoring(request):
    _officer_only(request.user)
    form = ScheduleSessionForm(
        request.POST or None,
        modules=selectors.modules(),
        organisations=_running_organisations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_session(actor=request.user, **form.cleaned_data)
        except NiagaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect("programs:session", session.pk)
    sessions = selectors.sessions_for(request.user).order_by("-starts_at", "id")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/mentoring.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@signed_in
def session_detail(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    form = AttendanceForm(request.POST or None, mentees=selectors.mentees_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            count = services.record_attendance(
                actor=request.user, session=session, businesses=form.cleaned_data["businesses"]
            )
        except NiagaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Attendance recorded for %(count)s businesses.") % {"count": count}
            )
            return redirect("programs:session", session.pk)
    return render(
        request,
        "programs/session_detail.html",
        {"session": session, "form": form, "attendances": selectors.attendances_of(session)},
        status=400 if form.errors else 200,
    )


# --- partners --------------------------------------------------------------------------------


@signed_in
def commissions(request):
    user = request.user
    if not (permissions.is_officer(user) or permissions.has_role(user, Role.PARTNER)):
        raise Http404(_("Only partners and officers have this page."))
    entries = selectors.commissions_for(user)
    language = get_language() or "en"
    totals = [
        {**row, "owed": Money(row["owed_minor"], row["currency"]).format(language)}
        for row in selectors.commission_totals(entries)
    ]
    page = Paginator(entries.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(entry, Money(entry.amount_minor, entry.currency).format(language)) for entry in page]
    return render(
        request, "programs/commissions.html", {"totals": totals, "page": page, "rows": rows}
    )


# --- public: suppliers and credentials ------------------------------------------------------


VERDICT_LABELS = {
    credentials.Verdict.VALID: gettext_lazy("Valid"),
    credentials.Verdict.REVOKED: gettext_lazy("Revoked"),
    credentials.Verdict.EXPIRED: gettext_lazy("Expired"),
    credentials.Verdict.TAMPERED: gettext_lazy("Tampered or unreadable"),
}


def _verify(document):
    keys = {key.kid: key.public_key for key in credentials.published_keys()}
    return credentials.verify(document, keys=keys, revoked=selectors.revoked_ids_for(document))


def _verdict_label(verification) -> str:
    return str(VERDICT_LABELS.get(verification.verdict, verification.verdict))


@public
def suppliers(request, slug: str):
    # Approved suppliers are public: a buyer needs no account to see who a programme curated.
    programme = selectors.public_programme(slug)
    page = Paginator(selectors.curated_suppliers(programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    badges = selectors.current_badges(a.business_id for a in page.object_list)
    return render(
        request,
        "programs/suppliers.html",
        {
            "programme": programme,
            "page": page,
            "suppliers": [(a, badges.get(a.business_id, [])) for a in page.object_list],
        },
    )


@public
def credential_page(request, public_id):
    credential = selectors.credential_by_public_id(public_id)
    verification = _verify(credential.document)
    claims = verification.claims or credential.document.get("credential", {})
    return render(
        request,
        "programs/credential.html",
        {
            "credential": credential,
            "verification": verification,
            "verdict": _verdict_label(verification),
            "claims": claims,
        },
    )


@public
def credential_download(request, public_id):
    credential = selectors.credential_by_public_id(public_id)
    response = JsonResponse(
        credential.document, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="niaga-credential-{credential.public_id}.json"'
    )
    return response


@public
def verify(request):
    form = VerifyForm(request.POST or None, request.FILES or None)
    verification = None
    if request.method == "POST" and form.is_valid():
        verification = _verify(form.cleaned_data["text"])
    return render(
        request,
        "programs/verify.html",
        {
            "form": form,
            "verification": verification,
            "verdict": _verdict_label(verification) if verification else "",
            "claims": verification.claims if verification else None,
        },
        status=400 if form.errors else 200,
    )
