"""Forms of work orders. Values are validated by the services; forms shape input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ids import MAX_ID
from linli.places.forms import PlacePicker
from linli.places.models import Place

from .models import Category, Channel, Satisfaction, Status

STAFF_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.COUNTER, Channel.PHONE, Channel.HOTLINE, Channel.PATROL, Channel.INSPECTION)
]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class OrderFileForm(forms.Form):
    category = CategoryChoiceField(label=_("category"), queryset=Category.objects.none())
    place = forms.ModelChoiceField(
        label=_("where"), queryset=Place.objects.none(), widget=PlacePicker
    )
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = forms.FileField(
        label=_("photos"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 10 MB each."),
    )
    # Set when the likely duplicates were shown: the next submission files it anyway.
    file_anyway = forms.BooleanField(
        label=_("File it even if it looks like a duplicate"),
        required=False,
        widget=forms.HiddenInput,
    )
    # The photos sent with an earlier submission of this form, kept while it is shown again.
    kept_photos = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        categories,
        places,
        staff: bool,
        place_choices=(),
        search_url: str = "",
        place_note: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        # the whole scope validates the choice; the widget lists only a searchable few
        place = self.fields["place"]
        place.queryset = places
        place.widget = PlacePicker(search_url=search_url, note=place_note)
        place.widget.choices = [("", place.empty_label), *place_choices]
        if staff:
            self.fields["channel"] = forms.ChoiceField(label=_("channel"), choices=STAFF_CHANNELS)
            self.fields["external_ticket"] = forms.CharField(
                label=_("12345 ticket number"), required=False, max_length=50
            )
            self.fields["reporter_name"] = forms.CharField(
                label=_("reporter's name"), required=False, max_length=100
            )
            self.fields["reporter_phone"] = forms.CharField(
                label=_("reporter's phone"), required=False, max_length=30
            )


class OrderQueueForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("open")), ("all", _("all")), *Status.choices],
    )
    category = forms.ModelChoiceField(
        label=_("category"), required=False, queryset=Category.objects.all(), empty_label=_("all")
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    place = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or ""
        return {
            "status": status if status not in ("", "all") else None,
            "open_only": status == "",
            "category": data["category"].pk if data.get("category") else None,
            "overdue": True if data.get("overdue") else None,
            "place": data.get("place"),
        }


class StepForm(forms.Form):
    step = forms.CharField(max_length=32)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(required=False, max_length=500)
    satisfaction = forms.ChoiceField(required=False, choices=[("", "—"), *Satisfaction.choices])
    extra_days = forms.IntegerField(required=False, min_value=1, max_value=30)
    into = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    organisation = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    approve = forms.ChoiceField(required=False, choices=[("", ""), ("yes", "yes"), ("no", "no")])
