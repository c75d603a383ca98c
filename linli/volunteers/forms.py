"""Forms of the volunteers' pages; every choice list comes from a scoped selector."""

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.forms import DateInput

from .models import RotaMode, ShiftKind, VolunteerGroupKind, VolunteerSkill


class AssignForm(forms.Form):
    volunteer = forms.TypedChoiceField(label=_("volunteer"), coerce=int)

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [(v.pk, v.name) for v in volunteers]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class JoinForm(forms.Form):
    """Signing oneself up as a volunteer and applying to a group."""

    school = forms.CharField(label=_("school or employer"), max_length=100, required=False)
    team = forms.CharField(label=_("team"), max_length=100, required=False)
    skills = forms.MultipleChoiceField(
        label=_("skills"),
        choices=VolunteerSkill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("note to the coordinator"), max_length=200, required=False)


# -- setting up groups, shift types and weekly rules --------------------------------------------


class GroupForm(forms.Form):
    place = forms.TypedChoiceField(label=_("serves at"), coerce=int)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=VolunteerGroupKind.choices)
    max_consecutive = forms.IntegerField(
        label=_("at most consecutive shifts"), min_value=1, max_value=10, initial=2
    )
    swap_needs_approval = forms.BooleanField(
        label=_("swaps need a coordinator's approval"), required=False
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.spoken_name) for p in places]


class ShiftTypeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ShiftKind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    room = forms.TypedChoiceField(label=_("room"), coerce=int, required=False, empty_value=None)
    needed = forms.IntegerField(label=_("people needed"), min_value=1, max_value=50, initial=1)
    skills = forms.MultipleChoiceField(
        label=_("qualifying skills"),
        choices=VolunteerSkill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rota = forms.ChoiceField(label=_("who serves"), choices=RotaMode.choices, required=False)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", "—")] + [(r.pk, r.name) for r in rooms]


class ShiftRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("weekday"), choices=sorted(WEEKDAYS.items()), coerce=int
    )
    start_time = forms.TimeField(
        label=pgettext_lazy("time", "from"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=pgettext_lazy("time", "until"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    from_date = forms.DateField(label=_("first date"), widget=DateInput())
    until_date = forms.DateField(label=_("last date"), widget=DateInput(), required=False)


class ShiftRuleExceptionForm(forms.Form):
    """Skip one date of a rule, or move it (a new start and end on any day)."""

    on_date = forms.DateField(label=_("date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=200)
    moved_start = forms.DateTimeField(
        label=_("moved to start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    moved_end = forms.DateTimeField(
        label=_("moved to end"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class GenerateForm(forms.Form):
    until = forms.DateField(label=_("generate shifts until"), widget=DateInput())
