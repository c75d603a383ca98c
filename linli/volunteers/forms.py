"""Forms of the volunteers' pages; every choice list comes from a scoped selector."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import VolunteerSkill


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
