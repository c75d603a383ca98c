"""Forms of the health pages. They shape input; the services judge it — a value that cannot
be real comes back with the service's message next to the field, and what was typed stays."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    CareLevel,
    ConsentScope,
    DeviceKind,
    GlucoseTiming,
    Level,
    ReadingKind,
    Source,
)


def _blank(choices, label="—"):
    return [("", label), *choices]


class UserChoiceField(forms.TypedChoiceField):
    """A choice among users read beforehand: cleans to the user itself."""

    def __init__(self, *, users, **kwargs):
        self.users = {str(u.pk): u for u in users}
        choices = [("", "—")] + [(str(u.pk), u.display_name) for u in users]
        super().__init__(choices=choices, coerce=self.users.get, empty_value=None, **kwargs)


class CardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("name or pinyin"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("name or pinyin"), "type": "search"}),
    )
    level = forms.ChoiceField(
        label=_("latest level"), choices=_blank(Level.choices, _("any level")), required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data["q"].strip() or None,
            "level": self.cleaned_data["level"] or None,
        }


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("find the resident"),
        max_length=50,
        required=False,
        help_text=_("Name, pinyin or its initials."),
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin or its initials.")}),
    )


def _text(label, rows=2, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CardForm(forms.Form):
    """The card's content; the people who may be named are read by the view (clinic staff
    and community workers of the resident's area)."""

    care_level = forms.ChoiceField(label=_("care level"), choices=CareLevel.choices)
    conditions = _text(_("conditions"), help_text=_("E.g. high blood pressure since 2015."))
    medications = _text(_("medications"))
    allergies = _text(_("allergies"), rows=1)
    notes = _text(_("notes"))
    family_doctor_name = forms.CharField(
        label=_("family doctor (name, when not in the list)"), max_length=100, required=False
    )
    emergency_name = forms.CharField(label=_("emergency contact"), max_length=50, required=False)
    emergency_relation = forms.CharField(label=_("relation"), max_length=20, required=False)
    emergency_phone = forms.CharField(
        label=_("emergency contact's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    watch_days = forms.IntegerField(
        label=_("alert after days without contact"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("For a resident living alone; empty: the usual number of days."),
    )

    FIELDS = (
        "care_level",
        "conditions",
        "medications",
        "allergies",
        "notes",
        "family_doctor",
        "family_doctor_name",
        "responsible_worker",
        "emergency_name",
        "emergency_relation",
        "emergency_phone",
        "watch_days",
    )

    def __init__(self, *args, doctors=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_doctor"] = UserChoiceField(
            label=_("family doctor"), users=list(doctors), required=False
        )
        self.fields["responsible_worker"] = UserChoiceField(
            label=_("responsible worker"), users=list(workers), required=False
        )
        self.order_fields(self.FIELDS)

    @classmethod
    def initial_of(cls, card) -> dict:
        initial = {name: getattr(card, name) for name in cls.FIELDS}
        initial["family_doctor"] = card.family_doctor_id
        initial["responsible_worker"] = card.responsible_worker_id
        return initial

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    def changes(self, card) -> dict:
        return {
            name: value
            for name, value in self.values().items()
            if value != getattr(card, name)
            and not (value in (None, "") and not getattr(card, name))
        }


# -- readings ---------------------------------------------------------------------------------

# The sources a person records on the card's page (devices and free clinics record elsewhere).
PAGE_SOURCES = [(s.value, s.label) for s in (Source.CLINIC, Source.VISIT)]


def _number(label, mode="numeric", required=False):
    # Text, not a number field: the service judges the value and says what is wrong with it,
    # and the form gives back exactly what was typed.
    return forms.CharField(
        label=label,
        required=required,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "size": 6}),
    )


class ReadingForm(forms.Form):
    KIND = ""
    VALUES: tuple = ()

    source = forms.ChoiceField(label=_("where"), choices=PAGE_SOURCES, initial=Source.CLINIC)
    taken_at = forms.DateTimeField(
        label=_("taken (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.KIND}_%s")
        super().__init__(*args, **kwargs)
        self.order_fields([*self.VALUES, "source", "taken_at"])

    def clean_taken_at(self):
        value = self.cleaned_data["taken_at"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": self.KIND,
            "source": data["source"],
            "taken_at": data["taken_at"],
            **{name: (data[name] or None) for name in self.VALUES if name != "glucose_timing"},
            **(
                {"glucose_timing": data["glucose_timing"]}
                if "glucose_timing" in self.VALUES
                else {}
            ),
        }


class BloodPressureForm(ReadingForm):
    KIND = ReadingKind.BLOOD_PRESSURE
    VALUES = ("systolic", "diastolic", "pulse")
    systolic = _number(_("systolic (mmHg)"), required=True)
    diastolic = _number(_("diastolic (mmHg)"), required=True)
    pulse = _number(_("pulse (/min)"))


class GlucoseForm(ReadingForm):
    KIND = ReadingKind.GLUCOSE
    VALUES = ("glucose", "glucose_timing")
    glucose = _number(_("glucose (mmol/L)"), mode="decimal", required=True)
    glucose_timing = forms.ChoiceField(
        label=_("when"), choices=GlucoseTiming.choices, initial=GlucoseTiming.FASTING
    )


class WeightForm(ReadingForm):
    KIND = ReadingKind.WEIGHT
    VALUES = ("weight_kg",)
    weight_kg = _number(_("weight (kg)"), mode="decimal", required=True)


class HeightForm(ReadingForm):
    KIND = ReadingKind.HEIGHT
    VALUES = ("height_cm",)
    height_cm = _number(_("height (cm)"), mode="decimal", required=True)


READING_FORMS = {
    form.KIND: form for form in (BloodPressureForm, GlucoseForm, WeightForm, HeightForm)
}


# -- consents, devices, follow-ups, alerts ----------------------------------------------------


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("what is shared"), choices=ConsentScope.choices)
    note = forms.CharField(
        label=_("how it was given"),
        max_length=200,
        required=False,
        help_text=_("E.g. signed by the resident on paper, kept at the station."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["organisation"] = forms.TypedChoiceField(
            label=_("shared with"),
            choices=[(str(o.pk), o.name) for o in organisations],
            coerce=self.organisations.get,
        )
        self.order_fields(["organisation", "scope", "note"])


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DeviceKind.choices)
    name = forms.CharField(
        label=_("name"), max_length=100, help_text=_("E.g. the brand and where it is kept.")
    )


class FollowUpDoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("what the follow-up found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("what was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
