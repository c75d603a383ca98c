"""The iCalendar (RFC 5545) feed of one organiser's events (a community's, a street's, a
partner organisation's), for the calendar on a phone. Calendar apps cannot sign in, so the
URL carries the user's private calendar token (the one of the bookings' and shifts' feeds)
and the feed holds only the events that user may see."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from linli.bookings import feed_selectors
from linli.bookings import ical as bookings_ical
from linli.bookings import services as bookings_services

from . import selectors
from .models import EventStatus

PRODID = "-//Linli//Events//ZH"
WINDOW_BACK = timedelta(days=90)


def organiser_key(event) -> str:
    return f"o{event.organisation_id}" if event.organisation_id else f"p{event.place_id}"


def organiser_events(*, user, key: str, now: datetime):
    qs = selectors.event_list(user=user).filter(end__gte=now - WINDOW_BACK)
    if key.startswith("o") and key[1:].isdigit():
        return qs.filter(organisation_id=int(key[1:]))
    if key.startswith("p") and key[1:].isdigit():
        return qs.filter(organisation__isnull=True, place_id=int(key[1:]))
    return qs.none()


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(timezone.get_default_timezone()))
    calendar.add("refresh-interval", bookings_ical.REFRESH, parameters={"VALUE": "DURATION"})
    return calendar


def series_calendar(*, series, now: datetime | None = None) -> Calendar:
    """The sessions of a series (make-up sessions marked)."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    calendar = _calendar(series.title)
    sessions = list(series.sessions.select_related("room").order_by("start", "id"))
    for session in sessions:
        item = VEvent()
        item.add("uid", f"event-{session.pk}@{bookings_ical.uid_domain()}")
        item.add("dtstamp", now.astimezone(UTC))
        item.add("dtstart", timezone.localtime(session.start, tz))
        item.add("dtend", timezone.localtime(session.end, tz))
        title = session.title + (f" ({_('make-up session')})" if session.is_makeup else "")
        item.add("summary", title)
        item.add("location", session.room.name if session.room_id else session.venue)
        item.add("status", "CANCELLED" if session.status == EventStatus.CANCELLED else "CONFIRMED")
        item.add("last-modified", session.updated_at.astimezone(UTC))
        calendar.add_component(item)
    if sessions:
        calendar.add_missing_timezones(
            first_date=timezone.localtime(sessions[0].start, tz).date() - timedelta(days=1),
            last_date=timezone.localtime(sessions[-1].end, tz).date() + timedelta(days=1),
        )
    return calendar


def organiser_calendar(*, user, key: str, now: datetime | None = None) -> Calendar | None:
    """None when the user sees no event of that organiser (the view answers 404)."""
    now = now or timezone.now()
    events = list(organiser_events(user=user, key=key, now=now)[:500])
    if not events:
        return None
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("Events of %(organiser)s") % {"organiser": events[0].organiser_name}
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(tz))
    calendar.add("refresh-interval", bookings_ical.REFRESH, parameters={"VALUE": "DURATION"})
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@{bookings_ical.uid_domain()}")
        item.add("dtstamp", now.astimezone(UTC))
        item.add("dtstart", timezone.localtime(event.start, tz))
        item.add("dtend", timezone.localtime(event.end, tz))
        item.add("summary", event.title)
        item.add("location", event.room.name if event.room_id else event.venue)
        item.add("description", f"{event.get_kind_display()} · {event.organiser_name}")
        item.add(
            "status",
            "CANCELLED"
            if event.status == EventStatus.CANCELLED
            else ("TENTATIVE" if event.status == EventStatus.DRAFT else "CONFIRMED"),
        )
        item.add("last-modified", event.updated_at.astimezone(UTC))
        calendar.add_component(item)
    calendar.add_missing_timezones(
        first_date=timezone.localtime(events[0].start, tz).date() - timedelta(days=1),
        last_date=timezone.localtime(events[-1].end, tz).date() + timedelta(days=1),
    )
    return calendar


def series_feed_url(user, series, request=None) -> str:
    feed = feed_selectors.calendar_feed_of(user=user)
    if feed is None:
        try:
            feed = bookings_services.calendar_feed_create(user=user)
        except IntegrityError:
            feed = feed_selectors.calendar_feed_of(user=user)
    path = reverse("events:feed-series", kwargs={"token": feed.token, "pk": series.pk})
    return request.build_absolute_uri(path) if request is not None else path


def feed_url(user, event, request=None) -> str:
    feed = feed_selectors.calendar_feed_of(user=user)
    if feed is None:
        try:
            feed = bookings_services.calendar_feed_create(user=user)
        except IntegrityError:
            feed = feed_selectors.calendar_feed_of(user=user)
    path = reverse(
        "events:feed-organiser", kwargs={"token": feed.token, "organiser": organiser_key(event)}
    )
    return request.build_absolute_uri(path) if request is not None else path
