"""Forms of the order pages: they parse what a person typed; services decide the rest.

Money typed in major units ("1,250.50") is read exactly by :func:`niaga.core.money.parse_amount`
into integer minor units; nothing here ever holds an amount as a float.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation
from niaga.assurance import references
from niaga.assurance.models import (
    DisputeReason,
    DocumentKind,
    Incoterm,
    MilestoneDue,
    OrderState,
)
from niaga.assurance.services import ItemIn, MilestoneIn
from niaga.core.errors import NiagaError
from niaga.core.money import currency_exponent, parse_amount
from niaga.core.roles import OrganisationKind

ITEM_ROWS = 5
EXPORTER_CHOICES = 200

# A service names a field the way the API does ("items[2].quantity"); the page names it so.
_ITEM_FIELD = re.compile(r"items\[(\d+)\]\.(\w+)")
_ITEM_PARTS = {
    "description": "description",
    "quantity": "quantity",
    "unit": "unit",
    "unit_price_minor": "unit_price",
}

SPLITS: dict[str, tuple[str, list[tuple[str, str, int]]]] = {
    "before_shipment": (
        _("100% before shipment"),
        [(_("Full payment before shipment"), MilestoneDue.BEFORE_SHIPMENT, 10_000)],
    ),
    "deposit_before_shipment": (
        _("30% deposit + 70% before shipment"),
        [
            (_("Deposit (30%)"), MilestoneDue.ON_ORDER, 3_000),
            (_("Balance before shipment (70%)"), MilestoneDue.BEFORE_SHIPMENT, 7_000),
        ],
    ),
    "deposit_on_delivery": (
        # xgettext:no-python-format
        _("30% deposit + 70% on delivery"),
        [
            (_("Deposit (30%)"), MilestoneDue.ON_ORDER, 3_000),
            (_("Balance on delivery (70%)"), MilestoneDue.ON_DELIVERY, 7_000),
        ],
    ),
}


def exporter_organisations():
    """Exporter organisations a buyer may order from.

    There is no selector for this directory yet; it belongs in a selector once one exists.
    """
    return Organisation.objects.filter(kind=OrganisationKind.EXPORTER, is_active=True).order_by(
        "name", "id"
    )


def add_service_error(form: forms.Form, error: NiagaError, aliases: dict[str, str] | None = None):
    """Show a service's refusal next to the field it names, or above the form."""
    field = (aliases or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


class NewOrderForm(forms.Form):
    buyer = forms.ModelChoiceField(label=_("Ordering as"), queryset=None, empty_label=None)
    exporter = forms.ModelChoiceField(
        label=_("Exporter"),
        queryset=None,
        required=False,
        empty_label=_("— choose the exporter —"),
    )
    exporter_number = forms.IntegerField(
        label=_("Or the exporter's number"),
        required=False,
        min_value=1,
        help_text=_("If the exporter is not in the list, its number from its Niaga page."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=8,
        initial="USD",
        help_text=_("ISO 4217 code, e.g. USD, EUR, IDR, INR."),
    )
    incoterm = forms.ChoiceField(label=_("Incoterm (2020)"), choices=Incoterm.choices)
    named_place = forms.CharField(
        label=_("Named place"),
        max_length=120,
        required=False,
        help_text=_("The port or place the Incoterm refers to, e.g. Tanjung Priok."),
    )
    shipping_deadline = forms.DateField(
        label=_("Ship by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    inspection_required = forms.BooleanField(label=_("Inspection before shipment"), required=False)
    split = forms.ChoiceField(
        label=_("Payment milestones"),
        choices=[(key, label) for key, (label, _parts) in SPLITS.items()],
        widget=forms.RadioSelect,
        initial="deposit_before_shipment",
    )

    def __init__(self, *args, buyers, exporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers
        self.fields["exporter"].queryset = exporters
        # Any exporter is accepted; the list shows the first ones by name.
        self.fields["exporter"].widget.choices = [
            ("", self.fields["exporter"].empty_label),
            *((org.pk, org.name) for org in exporters[:EXPORTER_CHOICES]),
        ]
        for row in range(ITEM_ROWS):
            self.fields[f"item_{row}_description"] = forms.CharField(
                label=_("Description"), max_length=300, required=False
            )
            self.fields[f"item_{row}_quantity"] = forms.IntegerField(
                label=_("Quantity"), required=False
            )
            self.fields[f"item_{row}_unit"] = forms.CharField(
                label=_("Unit"), max_length=20, required=False
            )
            self.fields[f"item_{row}_unit_price"] = forms.CharField(
                label=_("Unit price"), max_length=40, required=False
            )

    # -- what the template lays out ---------------------------------------------------------

    def terms_fields(self):
        names = ("currency", "incoterm", "named_place", "shipping_deadline", "inspection_required")
        return [self[name] for name in names]

    def item_rows(self):
        parts = ("description", "quantity", "unit", "unit_price")
        return [
            (row + 1, [self[f"item_{row}_{part}"] for part in parts]) for row in range(ITEM_ROWS)
        ]

    # -- parsing -----------------------------------------------------------------------------

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        try:
            currency_exponent(code)
        except NiagaError as error:
            raise forms.ValidationError(error.message) from None
        return code

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("exporter_number")
        if number is not None:
            chosen = self.fields["exporter"].queryset.filter(pk=number).first()
            if chosen is None:
                self.add_error("exporter_number", _("No exporter has this number."))
            cleaned["exporter"] = chosen
        elif not cleaned.get("exporter") and "exporter" not in self.errors:
            self.add_error("exporter", _("Choose the exporter."))
        cleaned["items"], cleaned["item_rows"] = self._items(cleaned)
        cleaned["milestones"] = [
            MilestoneIn(str(label), due, share)
            for label, due, share in SPLITS.get(cleaned.get("split", ""), ("", []))[1]
        ]
        return cleaned

    def _items(self, cleaned) -> tuple[list[ItemIn], list[int]]:
        currency = cleaned.get("currency")
        items, rows = [], []
        for row in range(ITEM_ROWS):
            name = f"item_{row}_"
            description = cleaned.get(name + "description", "")
            quantity = cleaned.get(name + "quantity")
            unit = cleaned.get(name + "unit", "")
            price_text = cleaned.get(name + "unit_price", "")
            typed = description or unit or price_text.strip() or quantity is not None
            if not typed and name + "quantity" not in self.errors:
                continue  # an empty row
            if not unit.strip():
                self.add_error(name + "unit", _("Give the unit (kg, pieces, cartons…)."))
            price_minor = 0
            if not price_text.strip():
                self.add_error(name + "unit_price", _("Give the unit price."))
            elif currency:
                try:
                    price_minor = parse_amount(price_text, currency).amount
                except NiagaError as error:
                    self.add_error(name + "unit_price", error.message)
            items.append(
                ItemIn(
                    description=description,
                    quantity=quantity if quantity is not None else 0,
                    unit=unit,
                    unit_price_minor=price_minor,
                )
            )
            rows.append(row)
        return items, rows

    def order_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "buyer": data["buyer"],
            "exporter": data["exporter"],
            "currency": data["currency"],
            "items": data["items"],
            "milestones": data["milestones"],
            "incoterm": data["incoterm"],
            "named_place": data.get("named_place", ""),
            "shipping_deadline": data["shipping_deadline"],
            "inspection_required": data["inspection_required"],
        }

    def add_service_error(self, error: NiagaError) -> None:
        field = error.field or ""
        match = _ITEM_FIELD.fullmatch(field)
        rows = self.cleaned_data.get("item_rows") or [0]
        if match and int(match[1]) < len(rows) and match[2] in _ITEM_PARTS:
            field = f"item_{rows[int(match[1])]}_{_ITEM_PARTS[match[2]]}"
        elif field == "items":
            field = f"item_{rows[0]}_description"
        elif field.startswith("milestones"):
            field = "split"
        self.add_error(field if field in self.fields else None, error.message)


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *OrderState.choices]
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=120)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DisputeReason.choices)
    statement = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecideForm(forms.Form):
    refund = forms.CharField(
        label=_("Refund to the buyer"),
        max_length=40,
        help_text=_(
            "In the order's currency, e.g. 1,250.00; 0 releases everything to the exporter."
        ),
    )
    decision = forms.CharField(
        label=_("Decision and the evidence it rests on"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_refund(self):
        try:
            return parse_amount(self.cleaned_data["refund"], self.currency).amount
        except NiagaError as error:
            raise forms.ValidationError(error.message) from None


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement (CSV or camt.053 XML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xml,text/csv,application/xml"}),
    )


class ApplyPaymentForm(forms.Form):
    reference = forms.CharField(
        label=_("Milestone payment reference"),
        max_length=60,
        help_text=_("As printed on the order, e.g. RF35 NGA0 0012 34M2."),
    )

    def clean_reference(self):
        try:
            return references.parse_reference(self.cleaned_data["reference"])
        except NiagaError as error:
            raise forms.ValidationError(error.message) from None
