from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from niaga.accounts import selectors, services
from niaga.accounts.errors import InvalidInput
from niaga.accounts.forms import SignInForm, SignUpForm
from niaga.core import audit
from niaga.core.errors import NotFound
from niaga.core.permissions import is_officer, primary_role

HOME_TEMPLATES = {
    "exporter_owner": "accounts/home/exporter.html",
    "exporter_staff": "accounts/home/exporter.html",
    "buyer": "accounts/home/buyer.html",
    "programme_officer": "accounts/home/officer.html",
    "finance_officer": "accounts/home/finance.html",
    "policy_analyst": "accounts/home/analyst.html",
    "partner": "accounts/home/partner.html",
    "admin": "accounts/home/admin.html",
}


def landing(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    return render(request, "landing.html")


@login_required
def home(request):
    role = primary_role(request.user)
    context = {"memberships": selectors.memberships_of(request.user), "role": role}
    if is_officer(request.user):
        context["organisation_counts"] = selectors.organisation_counts()
        context["recent_activity"] = selectors.recent_activity(limit=10)
    return render(request, HOME_TEMPLATES.get(role, "accounts/home/none.html"), context)


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                **form.cleaned_data, language=getattr(request, "LANGUAGE_CODE", "en")
            )
        except InvalidInput as error:
            for field, field_messages in error.field_errors.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Niaga, %(name)s.") % {"name": user})
            return _with_language(redirect("accounts:home"), user.preferred_language)
    status = 400 if form.errors else 200
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return _with_language(response, form.get_user().preferred_language)


@login_required
def organisation_detail(request, organisation_id: int):
    try:
        organisation = selectors.organisation_for(request.user, organisation_id)
    except NotFound as error:
        raise Http404(error.message) from error
    context = {
        "organisation": organisation,
        "members": selectors.members_of(organisation),
        "history": audit.entries_for(organisation)[:50] if is_officer(request.user) else None,
    }
    return render(request, "accounts/organisation_detail.html", context)


@require_POST
def switch_language(request):
    """Remember the choice on the account too, so it follows the person to another device."""
    if request.user.is_authenticated:
        services.set_preferred_language(user=request.user, language=request.POST.get("language"))
    return set_language(request)


def _with_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
