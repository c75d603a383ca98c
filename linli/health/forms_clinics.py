"""Forms of the free clinics' pages. They shape input; the services judge it (an impossible
blood pressure is refused by ``services.reading_record`` with its own message)."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import GlucoseTiming, ReadingKind, Specialty


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among objects read beforehand: cleans to the object itself."""

    def __init__(self, *, objects, label_of=str, empty_label="—", **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        choices = [("", empty_label)] + [(str(o.pk), label_of(o)) for o in objects]
        super().__init__(choices=choices, coerce=self.objects.get, empty_value=None, **kwargs)


def _slot_key(start: datetime) -> str:
    return timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")


def _slot_label(start: datetime, free: int) -> str:
    local = timezone.localtime(start)
    return f"{local:%H:%M} · " + str(_("%(free)s free")) % {"free": free}


class SlotChoiceField(forms.TypedChoiceField):
    """A choice among the clinic's slots that have a free place; empty: the first free."""

    def __init__(self, *, slots, **kwargs):
        self.starts = {_slot_key(start): start for start, _taken, free in slots if free > 0}
        choices = [("", _("the first free slot"))] + [
            (_slot_key(start), _slot_label(start, free)) for start, _taken, free in slots if free
        ]
        super().__init__(
            choices=choices, coerce=self.starts.get, empty_value=None, required=False, **kwargs
        )


class RegisterForm(forms.Form):
    """A resident registers themself."""

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot_start"] = SlotChoiceField(slots=slots, label=_("slot"))
        self.fields["complaint"] = forms.CharField(
            label=_("what you come for"),
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Optional. Only the clinic's staff see it."),
        )


def card_label(card) -> str:
    resident = card.resident
    household = card.place.name_path.split("/")[-3:]
    return f"{resident.name} · {'/'.join(household)}"


class StaffRegisterForm(RegisterForm):
    """The clinic's people register someone with a health card."""

    def __init__(self, *args, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "card": ObjectChoiceField(
                objects=cards,
                label_of=card_label,
                label=_("resident (health card)"),
                help_text=_(
                    "Someone without a card: make their health card first, then register them."
                ),
            ),
            **self.fields,
        }
        self.fields["complaint"].label = _("what they come for")
        self.fields["complaint"].help_text = ""


class ClinicForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("run by"))
    place = forms.TypedChoiceField(label=_("where"))
    venue = forms.CharField(
        label=_("venue"),
        max_length=100,
        required=False,
        help_text=_("E.g. 党支部服务中心·义诊站."),
    )
    title = forms.CharField(label=_("title"), max_length=120)
    specialty = forms.ChoiceField(label=_("specialty"), choices=Specialty.choices)
    day = forms.DateField(label=_("day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("starts"), initial=time(9), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("ends"), initial=time(11, 30), widget=forms.TimeInput(attrs={"type": "time"})
    )
    slot_minutes = forms.IntegerField(
        label=_("minutes per slot"), min_value=5, max_value=240, initial=30
    )
    per_slot = forms.IntegerField(label=_("people per slot"), min_value=1, max_value=100, initial=4)
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_objects = {str(o.pk): o for o in organisations}
        self.place_objects = {str(p.pk): p for p in places}
        self.fields["organisation"].choices = [("", "—")] + [
            (str(o.pk), o.display_name) for o in organisations
        ]
        self.fields["organisation"].coerce = self.organisation_objects.get
        self.fields["place"].choices = [("", "—")] + [(str(p.pk), p.name_path) for p in places]
        self.fields["place"].coerce = self.place_objects.get

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            zone = timezone.get_current_timezone()
            data["start"] = datetime.combine(day, start, tzinfo=zone)
            data["end"] = datetime.combine(day, end, tzinfo=zone)
        return data


NUMBER = {"inputmode": "decimal", "autocomplete": "off", "size": 5}


def _number(label, *, whole=False):
    attrs = dict(NUMBER, inputmode="numeric") if whole else NUMBER
    return forms.CharField(
        label=label, max_length=10, required=False, widget=forms.TextInput(attrs=attrs)
    )


class VisitForm(forms.Form):
    """One person's entry on the clinic day: whatever was measured, and the advice."""

    systolic = _number(_("systolic (mmHg)"), whole=True)
    diastolic = _number(_("diastolic (mmHg)"), whole=True)
    pulse = _number(_("pulse (/min)"), whole=True)
    glucose = _number(_("glucose (mmol/L)"))
    glucose_timing = forms.ChoiceField(
        label=_("when"),
        choices=[("", "—"), *GlucoseTiming.choices],
        required=False,
        initial=GlucoseTiming.FASTING,
    )
    weight_kg = _number(_("weight (kg)"))
    height_cm = _number(_("height (cm)"))
    advice = forms.CharField(
        label=_("advice"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def readings(self) -> list[dict]:
        """The readings entered, heights before weights (the BMI uses the new height)."""
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}
        readings = []
        if data["systolic"] or data["diastolic"] or data["pulse"]:
            readings.append(
                {
                    "kind": ReadingKind.BLOOD_PRESSURE,
                    "systolic": data["systolic"] or None,
                    "diastolic": data["diastolic"] or None,
                    "pulse": data["pulse"] or None,
                }
            )
        if data["glucose"]:
            readings.append(
                {
                    "kind": ReadingKind.GLUCOSE,
                    "glucose": data["glucose"],
                    "glucose_timing": data["glucose_timing"],
                }
            )
        if data["height_cm"]:
            readings.append({"kind": ReadingKind.HEIGHT, "height_cm": data["height_cm"]})
        if data["weight_kg"]:
            readings.append({"kind": ReadingKind.WEIGHT, "weight_kg": data["weight_kg"]})
        return readings
