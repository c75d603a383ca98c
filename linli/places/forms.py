from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind, Place, PlaceKind


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = ["name", "name_en", "code", "address", "sort_key"]


class ChildFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all kinds")), *PlaceKind.choices]
    )


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all kinds")), *OrganisationKind.choices]
    )
