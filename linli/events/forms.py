"""Forms of the organisers' pages; every choice comes from a scoped selector."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import EventType


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=EventType.choices)
    organiser = forms.ChoiceField(label=_("organiser"))
    venue = forms.CharField(label=_("where"), max_length=200, required=False)
    room = forms.ChoiceField(label=_("room"), required=False)
    start = forms.DateTimeField(label=_("starts"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("ends"), widget=DateTimeInput())
    capacity = forms.IntegerField(
        label=pgettext_lazy("event capacity", "places"), min_value=1, max_value=10000
    )
    audience = forms.MultipleChoiceField(label=_("audience"))
    age_min = forms.IntegerField(
        label=_("youngest age"), min_value=0, max_value=120, required=False
    )
    age_max = forms.IntegerField(label=_("oldest age"), min_value=0, max_value=120, required=False)
    with_guardian = forms.BooleanField(label=_("children come with a guardian"), required=False)
    registration_opens = forms.DateTimeField(label=_("registration opens"), widget=DateTimeInput())
    registration_closes = forms.DateTimeField(
        label=_("registration closes"), widget=DateTimeInput()
    )
    cancel_until = forms.DateTimeField(
        label=_("cancelling allowed until"), widget=DateTimeInput(), required=False
    )
    offer_hours = forms.IntegerField(
        label=_("hours to take an offered place"), min_value=1, max_value=240, initial=24
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, organisers, rooms, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisers = organisers  # {"p<id>" | "o<id>": object}
        self.rooms = {str(r.pk): r for r in rooms}
        self.places = {str(p.pk): p for p in places}
        self.fields["organiser"].choices = [(k, str(v)) for k, v in organisers.items()]
        self.fields["room"].choices = [("", "—")] + [
            (k, f"{r.name} · {r.place.name}") for k, r in self.rooms.items()
        ]
        self.fields["audience"].choices = [(k, p.name) for k, p in self.places.items()]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        organiser = self.organisers[data["organiser"]]
        from linli.places.models import Organisation

        return {
            "title": data["title"],
            "kind": data["kind"],
            "place": organiser if not isinstance(organiser, Organisation) else None,
            "organisation": organiser if isinstance(organiser, Organisation) else None,
            "venue": data["venue"],
            "room": self.rooms.get(data["room"] or ""),
            "start": data["start"],
            "end": data["end"],
            "capacity": data["capacity"],
            "audience": [self.places[k] for k in data["audience"]],
            "age_min": data["age_min"],
            "age_max": data["age_max"],
            "with_guardian": data["with_guardian"],
            "registration_opens": data["registration_opens"],
            "registration_closes": data["registration_closes"],
            "cancel_until": data["cancel_until"],
            "offer_hours": data["offer_hours"],
            "description": data["description"],
        }


class EventEditForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    venue = forms.CharField(label=_("where"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=pgettext_lazy("event capacity", "places"), min_value=1, max_value=10000
    )
    registration_closes = forms.DateTimeField(
        label=_("registration closes"), widget=DateTimeInput()
    )
    cancel_until = forms.DateTimeField(label=_("cancelling allowed until"), widget=DateTimeInput())
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
