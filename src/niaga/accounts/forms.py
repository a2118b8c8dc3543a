import pycountry
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from niaga.core.roles import OrganisationKind


def country_choices() -> list[tuple[str, str]]:
    return [("", "—")] + sorted(
        ((country.alpha_2, country.name) for country in pycountry.countries), key=lambda c: c[1]
    )


class SignUpForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I am"),
        choices=[
            (OrganisationKind.BUYER.value, _("a buyer looking for suppliers")),
            (OrganisationKind.EXPORTER.value, _("an exporter in India or Indonesia")),
        ],
        widget=forms.RadioSelect,
        initial=OrganisationKind.BUYER.value,
    )
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    organisation_name = forms.CharField(label=_("Company name"), max_length=255)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    gstin = forms.CharField(
        label="GSTIN", max_length=20, required=False, help_text=_("Exporters in India")
    )
    nib = forms.CharField(
        label="NIB", max_length=20, required=False, help_text=_("Exporters in Indonesia")
    )


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
