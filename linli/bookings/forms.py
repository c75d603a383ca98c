"""Forms of the rooms and bookings pages. They shape input (dates and times into aware
datetimes, the room's purposes as choices); the services judge it against the room's
rules."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.forms import DateInput

from .models import Purpose, Repeat, Room, Weekday


def _date_input():
    return DateInput()


def _time_input():
    return forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def aware(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


def span_of(day, start: time, end: time) -> tuple[datetime, datetime]:
    """The booking's start and end; an end at 00:00 is midnight, the end of the day."""
    end_day = day + timedelta(days=1) if end == time(0) and start != time(0) else day
    return aware(day, start), aware(end_day, end)


def purpose_choices(room: Room) -> list[tuple[str, str]]:
    allowed = room.purposes or Purpose.values
    return [(value, label) for value, label in Purpose.choices if value in allowed]


class BookingForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=_date_input())
    start_time = forms.TimeField(label=pgettext_lazy("time", "from"), widget=_time_input())
    end_time = forms.TimeField(label=pgettext_lazy("time", "until"), widget=_time_input())
    purpose = forms.ChoiceField(label=_("purpose"))
    title = forms.CharField(
        label=_("what for (seen only by you and the staff)"), max_length=120, required=False
    )
    attendees = forms.IntegerField(
        label=_("expected attendees"), min_value=1, max_value=10000, required=False
    )

    def __init__(self, *args, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purpose_choices(room)
        self.fields["attendees"].widget.attrs["max"] = room.capacity or 10000

    def span(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return span_of(data["date"], data["start_time"], data["end_time"])


class SeriesForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("weekday"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=pgettext_lazy("time", "from"), widget=_time_input())
    end_time = forms.TimeField(label=pgettext_lazy("time", "until"), widget=_time_input())
    from_date = forms.DateField(label=_("first date"), widget=_date_input())
    until_date = forms.DateField(label=_("last date"), widget=_date_input())
    purpose = forms.ChoiceField(label=_("purpose"))
    title = forms.CharField(label=_("title"), max_length=120, required=False)
    skip_dates = forms.CharField(
        label=_("dates to skip"),
        required=False,
        max_length=2000,
        help_text=_("Holidays and the like, as YYYY-MM-DD, separated by spaces or commas."),
    )

    def __init__(self, *args, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purpose_choices(room)

    def clean_skip_dates(self):
        days = []
        for token in self.cleaned_data["skip_dates"].replace("，", ",").replace(",", " ").split():
            try:
                days.append(datetime.strptime(token, "%Y-%m-%d").date())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(token)s” is not a date like 2025-07-15.") % {"token": token}
                ) from exc
        return days


class SkipForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=_date_input())
    reason = forms.CharField(label=_("reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class RoomForm(forms.Form):
    """The room's description and rules, as ``services.room_update`` takes them."""

    name = forms.CharField(label=_("name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Room._meta.get_field("kind").choices)
    capacity = forms.IntegerField(label=_("capacity (people)"), min_value=0, max_value=100000)
    facilities = forms.CharField(
        label=_("facilities"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outdoor = forms.BooleanField(label=_("outdoor"), required=False)
    opens = forms.TimeField(label=_("opens at"), widget=_time_input())
    closes = forms.TimeField(
        label=_("closes at"),
        widget=_time_input(),
        help_text=_("00:00 means midnight, the end of the day."),
    )
    open_weekdays = forms.TypedMultipleChoiceField(
        label=_("open on"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    bookable_by = forms.ChoiceField(
        label=_("who may book"), choices=Room._meta.get_field("bookable_by").choices
    )
    purposes = forms.MultipleChoiceField(
        label=_("allowed purposes"),
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any purpose."),
    )
    max_days_ahead = forms.IntegerField(
        label=_("bookable up to (days ahead)"), min_value=1, max_value=366
    )
    min_notice_hours = forms.IntegerField(
        label=_("shortest notice (hours)"), min_value=0, max_value=24 * 60
    )
    max_hours = forms.IntegerField(label=_("longest booking (hours)"), min_value=1, max_value=24)
    max_active_per_household = forms.IntegerField(
        label=_("active bookings per household at once"), min_value=1, max_value=50
    )
    approval_required = forms.BooleanField(label=_("a worker must approve"), required=False)
    is_active = forms.BooleanField(label=_("taking bookings"), required=False)

    @classmethod
    def for_room(cls, room: Room, data=None):
        initial = {name: getattr(room, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class RoomCreateForm(RoomForm):
    """A new room: where it is, then the same description and rules as when editing."""

    place = forms.ModelChoiceField(label=_("where"), queryset=None)

    field_order = ["place"]

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda place: place.name_path
        self.order_fields(["place", *RoomForm.base_fields])

    @classmethod
    def with_defaults(cls, data=None, *, places, place=None):
        """The model's defaults as the starting values (open 08:00–21:00 every day, …)."""
        room = Room()
        initial = {name: getattr(room, name) for name in RoomForm.base_fields}
        initial["place"] = place
        return cls(data, initial=initial, places=places)


class BlackoutForm(forms.Form):
    start = forms.DateTimeField(
        label=pgettext_lazy("time", "from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = forms.DateTimeField(
        label=pgettext_lazy("time", "until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)


class RecurringBlackoutForm(forms.Form):
    repeat = forms.ChoiceField(label=_("repeats"), choices=Repeat.choices)
    day_of_month = forms.IntegerField(
        label=_("day of the month"), min_value=1, max_value=31, required=False
    )
    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start_time = forms.TimeField(label=pgettext_lazy("time", "from"), widget=_time_input())
    end_time = forms.TimeField(label=pgettext_lazy("time", "until"), widget=_time_input())
    reason = forms.CharField(label=_("reason"), max_length=200)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"))
    caption = forms.CharField(label=_("caption"), max_length=120, required=False)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=_date_input())
    end = forms.DateField(label=_("until"), widget=_date_input())

    def clean(self):
        from .reports import MAX_REPORT_DAYS

        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            if (end - start).days >= MAX_REPORT_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)s days.") % {"days": MAX_REPORT_DAYS}
                )
        return data
