"""The dashboard's forms: the filters (GET) and a national export figure (analysts)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _


class FilterForm(forms.Form):
    # A select, but checked by the selector: a programme one may not see is a 404, not a typo.
    programme = forms.CharField(label=_("Programme"), required=False, widget=forms.Select)
    month_from = forms.CharField(
        label=_("From month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    month_to = forms.CharField(
        label=_("To month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )
    region = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=8,
        help_text=_("A country (ID) or a province or state (ID-JI)."),
    )

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].widget.choices = [("", _("Every programme I work"))] + [
            (programme.slug, programme.name) for programme in programmes
        ]


class NationalFigureForm(forms.Form):
    country = forms.CharField(label=_("Country"), max_length=2, help_text=_("ISO 3166-1 code"))
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    month = forms.IntegerField(
        label=_("Month"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("Leave empty for the whole year."),
    )
    usd = forms.CharField(label=_("National exports (USD)"), max_length=24)
    source = forms.CharField(label=_("Source"), max_length=300)

    def clean_usd(self) -> int:
        """Whole US cents from a decimal amount in dollars; no floats on the way."""
        text = self.cleaned_data["usd"].replace(",", "").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise forms.ValidationError(_("Give the amount in US dollars.")) from error
        cents = amount * 100
        if not amount.is_finite() or cents != cents.to_integral_value() or cents <= 0:
            raise forms.ValidationError(_("Give a positive amount with at most two decimals."))
        return int(cents)

    def cleaned_data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "country": data["country"],
            "year": data["year"],
            "month": data.get("month"),
            "usd_minor": data["usd"],
            "source": data["source"],
        }
