from django import forms
from django.utils.translation import gettext_lazy as _

from niaga.core.sectors import Sector


class RosterUploadForm(forms.Form):
    source = forms.CharField(
        label=_("Source"),
        max_length=120,
        help_text=_("Who sent it, e.g. kemenperin-ikm-2026; its column mapping is remembered."),
    )
    file = forms.FileField(label=_("Roster file (CSV or XLSX)"))


class BusinessSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    identifier = forms.CharField(label=_("Identifier"), required=False, max_length=32)
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[("", _("Any")), ("ID", _("Indonesia")), ("IN", _("India"))],
    )
    province = forms.CharField(label=_("Province or state code"), required=False, max_length=8)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any")), *Sector.choices]
    )


def mapping_form(headers: list[str], fields: list[tuple[str, str]], initial: dict):
    """One select per header of the roster, offering the standard fields."""
    choices = [("", _("— ignore this column —")), *fields]
    attrs = {
        f"column_{index}": forms.ChoiceField(
            label=header or f"#{index + 1}",
            choices=choices,
            required=False,
            initial=initial.get(header) or "",
        )
        for index, header in enumerate(headers)
    }
    return type("MappingForm", (forms.Form,), attrs)


def correction_form(raw: dict[str, str]):
    attrs = {
        field: forms.CharField(label=field, required=False, initial=value, max_length=1000)
        for field, value in raw.items()
    }
    return type("CorrectionForm", (forms.Form,), attrs)
