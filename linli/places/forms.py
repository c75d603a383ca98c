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


# How many places a picker lists before it is searched (a phone's list stays short).
PICKER_LIMIT = 40


class PlacePicker(forms.Select):
    """A place chooser that searches: a search box asks ``search_url`` (htmx) for the
    matching places of the user's scope, which replace the options of a plain ``<select>``
    that lists at most ``PICKER_LIMIT`` of them. Without script, its button sends the form
    (named ``<name>_search``, with the words in ``<name>_q``) for the form's view to show
    again with the matching places (``search_value``: the words, kept in the box). Options
    name places the way people say them, never as full paths."""

    template_name = "places/widgets/place_picker.html"

    def __init__(self, *args, search_url: str = "", note: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.search_url = search_url
        self.note = note
        self.search_value = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        context["widget"]["note"] = self.note
        context["widget"]["search_value"] = self.search_value
        return context


def picker_choices(places, *, selected: Place | None = None, with_compound: bool | None = None):
    """The options of a picker: ``places`` (at most PICKER_LIMIT of them, a queryset or a
    list) named as people say them, with ``selected`` kept among them."""
    from .names import label_of, places_label

    shown = list(places[:PICKER_LIMIT])
    if selected is not None and selected.pk not in {p.pk for p in shown}:
        shown.insert(0, selected)
    places_label(shown, with_compound=with_compound)
    return [(p.pk, label_of(p)) for p in shown]
