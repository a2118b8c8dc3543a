"""Forms of the programme pages: they parse what a person typed; services decide the rest."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from niaga.core.sectors import Sector
from niaga.programs import readiness, states
from niaga.programs.models import ApplicationState

S = ApplicationState

# What the queue's bulk action may move many applications to at once.
BULK_TARGETS = (S.SCREENED, S.MENTORING, S.READY, S.REJECTED)

# A credential is a few kilobytes; anything far larger is not one.
MAX_CREDENTIAL_BYTES = 64 * 1024


class ApplyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Apply as"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RulesForm(forms.Form):
    rules = forms.CharField(
        max_length=100_000,
        label=_("Rules (JSON)"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"}),
        help_text=_(
            'A list of rules, each with a "kind" and its values, for example '
            '[{"kind": "sector_in", "sectors": ["food"]}]. An empty list [] is open to all.'
        ),
        strip=False,
    )
    note = forms.CharField(label=_("Why it changes"), max_length=300, required=False)

    def clean_rules(self):
        text = self.cleaned_data["rules"]
        try:
            return json.loads(text)
        except RecursionError as error:
            raise forms.ValidationError(_("The rules are nested too deeply to read.")) from error
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s): %(problem)s"),
                params={
                    "line": getattr(error, "lineno", "?"),
                    "column": getattr(error, "colno", "?"),
                    "problem": getattr(error, "msg", str(error)),
                },
            ) from None


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *S.choices]
    )
    province = forms.CharField(label=_("Province or state code"), required=False, max_length=8)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any")), *Sector.choices]
    )
    q = forms.CharField(label=_("Business name"), required=False, max_length=200)
    awaiting = forms.BooleanField(label=_("Awaiting approval only"), required=False)


class BulkActionForm(forms.Form):
    applications = forms.TypedMultipleChoiceField(
        label=_("Applications"),
        coerce=int,
        choices=(),
        error_messages={"required": _("Choose at least one application.")},
    )
    to = forms.ChoiceField(
        label=_("Move to"),
        choices=[(state.value, state.label) for state in BULK_TARGETS],
    )
    reason = forms.CharField(
        label=_("Reason (needed to reject)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, application_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(pk, pk) for pk in application_ids]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") in states.NEEDS_REASON and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why; every business chosen will read it."))
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Business name"), required=False, max_length=200)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=S.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class OnboardForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Onboarding partner"),
        queryset=None,
        required=False,
        empty_label=_("— none: the programme onboarded it —"),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why revoke it"), max_length=2000)


def questionnaire_form_class():
    """One radio group per question of the readiness questionnaire, in its order.

    Every answer is optional here: the readiness service says which one is missing, so a page
    and the API give the same message.
    """
    fields = {
        question.code: forms.ChoiceField(
            label=question.text,
            choices=[(choice.code, choice.label) for choice in question.choices],
            widget=forms.RadioSelect,
            required=False,
        )
        for question in readiness.questions()
    }
    return type("QuestionnaireForm", (forms.Form,), fields)


class ScheduleSessionForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=None)
    organisation = forms.ModelChoiceField(label=_("Run by"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Seats"), required=False, min_value=1)

    def __init__(self, *args, modules, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["organisation"].queryset = organisations


class AttendanceForm(forms.Form):
    businesses = forms.ModelMultipleChoiceField(
        label=_("Who completed the session"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one business.")},
    )

    def __init__(self, *args, mentees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["businesses"].queryset = mentees


class VerifyForm(forms.Form):
    document = forms.CharField(
        label=_("Paste the credential (JSON)"),
        required=False,
        max_length=MAX_CREDENTIAL_BYTES,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(label=_("Or upload the credential file"), required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s KB; a credential is far smaller."),
                params={"limit": MAX_CREDENTIAL_BYTES // 1024},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, text = cleaned.get("file"), cleaned.get("document", "")
        if upload:
            raw = upload.read(MAX_CREDENTIAL_BYTES + 1)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text, so it is not a credential.")
                ) from None
        if not text.strip():
            raise forms.ValidationError(_("Paste a credential or choose its file."))
        try:
            json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _(
                    "This is not JSON, so it is not a credential "
                    "(line %(line)s, column %(column)s)."
                ),
                params={
                    "line": getattr(error, "lineno", "?"),
                    "column": getattr(error, "colno", "?"),
                },
            ) from None
        except RecursionError:
            raise forms.ValidationError(
                _("This is not a credential: it nests too deeply.")
            ) from None
        cleaned["text"] = text
        return cleaned
