"""Forms of the tutoring pages; every choice list comes from the child's own collectors."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.forms import DateInput

from .models import CollectorRelation

RELATIONS = [c for c in CollectorRelation.choices if c[0] != CollectorRelation.GUARDIAN]
EXTRA_COLLECTORS = 2


class EnrolForm(forms.Form):
    """A guardian enrols their child; the consent is its own box, never pre-ticked."""

    name = forms.CharField(label=_("child's name"), max_length=50)
    birth_date = forms.DateField(label=_("birth date"), widget=DateInput())
    allergies = forms.CharField(
        label=_("allergies"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    medical_notes = forms.CharField(
        label=_("medical notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the handling of my child's data as written above."), required=True
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, at_desk=False, **kwargs):
        super().__init__(*args, **kwargs)
        if at_desk:
            self.fields["guardian_mobile"] = forms.CharField(
                label=_("the guardian's mobile number (their account)"), max_length=20
            )
        for n in range(1, EXTRA_COLLECTORS + 1):
            self.fields[f"collector{n}_name"] = forms.CharField(
                label=_("another collector's name"), max_length=50, required=False
            )
            self.fields[f"collector{n}_relation"] = forms.ChoiceField(
                label=_("relation to the child"),
                choices=[("", "—"), *RELATIONS],
                required=False,
            )
            self.fields[f"collector{n}_phone"] = forms.CharField(
                label=_("mobile number"), max_length=20, required=False
            )

    def collector_rows(self) -> list[dict]:
        rows = []
        for n in range(1, EXTRA_COLLECTORS + 1):
            row = {
                k: self.cleaned_data.get(f"collector{n}_{k}", "")
                for k in ("name", "relation", "phone")
            }
            if any(row.values()):
                rows.append(row)
        return rows


class CollectorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    relation = forms.ChoiceField(label=_("relation to the child"), choices=RELATIONS)
    phone = forms.CharField(label=_("mobile number"), max_length=20)
    photo = forms.FileField(label=_("photo (to recognise them at the door)"), required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"))


class PickUpForm(forms.Form):
    code = forms.CharField(label=pgettext_lazy("tutoring", "code"), max_length=8)
    collector = forms.TypedChoiceField(label=_("collected by"), coerce=int)

    def __init__(self, *args, collectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [(c.pk, str(c)) for c in collectors]


class LogForm(forms.Form):
    text = forms.CharField(label=_("log"), max_length=4000, widget=forms.Textarea({"rows": 4}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)
