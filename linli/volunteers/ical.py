"""The iCalendar (RFC 5545) feed of a volunteer's own shifts, for the calendar on their
phone. Calendar apps cannot sign in, so the URL carries the user's private calendar token —
the same one that opens their feed of room bookings (``bookings.ical``): one secret per
person, reset in one place, and the old URL of both feeds stops working."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from linli.bookings import feed_selectors
from linli.bookings import ical as bookings_ical
from linli.bookings import services as bookings_services

from . import selectors

PRODID = "-//Linli//Volunteer shifts//ZH"
WINDOW_BACK = timedelta(days=90)


def shift_uid(assignment) -> str:
    return f"volunteer-shift-{assignment.pk}@{bookings_ical.uid_domain()}"


def shifts_calendar(user, *, now: datetime | None = None) -> Calendar:
    """The user's assignments from 90 days back on: the shift's name, place and group."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("My volunteer shifts")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(tz))
    calendar.add("refresh-interval", bookings_ical.REFRESH, parameters={"VALUE": "DURATION"})
    first = last = None
    for assignment in selectors.my_assignments(user=user, since=now - WINDOW_BACK):
        shift = assignment.shift
        shift_type = shift.shift_type
        event = Event()
        event.add("uid", shift_uid(assignment))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", timezone.localtime(shift.start, tz))
        event.add("dtend", timezone.localtime(shift.end, tz))
        event.add("summary", shift_type.name)
        event.add("location", shift_type.room.name if shift_type.room_id else shift_type.place.name)
        event.add(
            "description",
            _("%(kind)s, %(group)s.")
            % {"kind": shift_type.get_kind_display(), "group": shift_type.group.name},
        )
        event.add("status", "CONFIRMED")
        event.add("class", "PRIVATE")
        event.add("last-modified", assignment.updated_at.astimezone(UTC))
        calendar.add_component(event)
        first = first or shift.start
        last = shift.end
    first, last = first or now, last or now
    calendar.add_missing_timezones(
        first_date=timezone.localtime(first, tz).date() - timedelta(days=1),
        last_date=timezone.localtime(last, tz).date() + timedelta(days=1),
    )
    return calendar


def feed_url(user, request=None) -> str:
    """The secret URL of the user's shifts feed (the private calendar token, made on first
    use): absolute when a request is given."""
    feed = feed_selectors.calendar_feed_of(user=user)
    if feed is None:
        try:
            feed = bookings_services.calendar_feed_create(user=user)
        except IntegrityError:
            feed = feed_selectors.calendar_feed_of(user=user)
    path = reverse("volunteers:feed", kwargs={"token": feed.token})
    return request.build_absolute_uri(path) if request is not None else path
