"""Forms of the register. Validation of values is the services' (``resident_clean``); forms
only shape input and show the services' messages next to the right field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DateInput
from linli.core.ids import MAX_ID
from linli.places.models import Place

from .models import Gender, Relation, ResidentStatus, Tag
from .selectors import AGE_BANDS


class ResidentFilterForm(forms.Form):
    """The filters of the resident list, shared by the page, the export and the API."""

    q = forms.CharField(
        label=_("search"),
        required=False,
        max_length=50,
        help_text=_("Name, pinyin initials (zxm), full ID or mobile number"),
    )
    place = forms.IntegerField(label=_("place"), required=False, min_value=1, max_value=MAX_ID)
    tag = forms.ChoiceField(
        label=_("tag"), required=False, choices=[("", _("any tag")), *Tag.choices]
    )
    age_band = forms.ChoiceField(
        label=_("age"), required=False, choices=[("", _("any age")), *[(b, b) for b in AGE_BANDS]]
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("", _("living here")),
            ("all", _("everyone, with history")),
            *ResidentStatus.choices[1:],
        ],
    )

    def cleaned_filters(self) -> dict:
        """Keyword arguments for ``selectors.resident_list``; invalid filters are dropped
        (the form shows why)."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        status = data.get("status") or ResidentStatus.LIVING
        return {
            "q": data.get("q") or None,
            "place": data.get("place"),
            "tag": data.get("tag") or None,
            "age_band": data.get("age_band") or None,
            "status": None if status == "all" else status,
        }


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    gender = forms.ChoiceField(
        label=_("gender"), required=False, choices=[("", _("from the ID number")), *Gender.choices]
    )
    birth_date = forms.DateField(
        label=_("birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("Left empty, it is taken from the ID number."),
    )
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=30)
    phone = forms.CharField(label=_("mobile number"), required=False, max_length=30)
    relation = forms.ChoiceField(label=_("relation to the head"), choices=Relation.choices)
    lives_alone = forms.BooleanField(label=Tag.LIVES_ALONE.label, required=False)
    low_income = forms.BooleanField(label=Tag.LOW_INCOME.label, required=False)
    disabled = forms.BooleanField(label=Tag.DISABLED.label, required=False)
    party_member = forms.BooleanField(label=Tag.PARTY_MEMBER.label, required=False)
    volunteer = forms.BooleanField(label=Tag.VOLUNTEER.label, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["gender"] = data.get("gender") or None
        return data


class ResidentMoveForm(forms.Form):
    household = forms.IntegerField(
        label=_("new household (place id)"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Leave empty when the resident moves away from the area."),
    )
    relation = forms.ChoiceField(
        label=_("relation to the head"), choices=Relation.choices, initial=Relation.OTHER
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ImportUploadForm(forms.Form):
    compound = forms.ModelChoiceField(
        label=_("compound"),
        queryset=Place.objects.none(),
        empty_label=None,
        help_text=_("The buildings, units and doors in the file are in this compound."),
    )
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            "An Excel workbook (.xlsx) or a CSV file laid out like the template, at most 20 MB."
        ),
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Place.objects.filter(
            pk__in=[place.pk for place in compounds]
        ).order_by("path")
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
