"""Forms of the desk's cases (办件): opening one, ticking a material, taking a step."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CaseChannel, CaseRating
from .selectors import MAX_QUERY
from .services import CASE_STEPS


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a resident"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("name, pinyin, ID or mobile number"),
                "aria-label": _("Find a resident"),
            }
        ),
    )


class CaseOpenForm(forms.Form):
    resident = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    matter = forms.CharField(max_length=40, widget=forms.HiddenInput)
    situation = forms.TypedChoiceField(
        label=_("situation"), required=False, coerce=int, empty_value=None, choices=()
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=CaseChannel.choices, initial=CaseChannel.COUNTER
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept encrypted; seen by the desk and the resident."),
    )
    would_call_12345 = forms.BooleanField(
        label=_("would otherwise have called 12345"), required=False
    )

    def __init__(self, *args, situations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].choices = [
            ("", _("none of these")),
            *((s.pk, s.name) for s in situations),
        ]


class MaterialMarkForm(forms.Form):
    received = forms.TypedChoiceField(
        choices=(("1", "1"), ("0", "0")), coerce=lambda value: value == "1"
    )
    note = forms.CharField(required=False, max_length=500)


class CaseStepForm(forms.Form):
    step = forms.ChoiceField(choices=[(name, name) for name in CASE_STEPS])
    department = forms.CharField(label=_("receiving department"), required=False, max_length=120)
    reason = forms.CharField(label=_("reason"), required=False, max_length=1000)
    answer = forms.CharField(label=_("the department's answer"), required=False, max_length=2000)


class CaseRatingForm(forms.Form):
    """The resident's 好差评: five levels; a dissatisfied one says why (the service checks)."""

    rating = forms.ChoiceField(
        label=_("How satisfied are you with how this was handled?"),
        choices=CaseRating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What went well, or what went wrong"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
