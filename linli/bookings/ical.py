"""iCalendar (RFC 5545) feeds of bookings: a room's public calendar — when the room is taken
or not available, never by whom or for what beyond the purpose — and each user's private
calendar of their own bookings, reached by a secret URL that the user can reset.

A private feed's token is kept as a keyed hash (to find the feed) and encrypted (to show the
URL to its owner again); the URL is the only credential, since calendar apps cannot sign
in."""

import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from linli.core.crypto import lookup_hash

from . import feed_selectors, services
from .models import Booking, BookingStatus, CalendarFeed, Purpose, Repeat, Room
from .services import recurring_span

PRODID = "-//Linli//Room bookings//ZH"
# What a feed covers: recent history (so a calendar app keeps what happened) and a year
# ahead (longer than any room's booking horizon).
WINDOW_BACK = timedelta(days=90)
WINDOW_AHEAD = timedelta(days=366)
# Calendar apps are told to refresh hourly.
REFRESH = timedelta(hours=1)
# A token longer than this is not one of ours; refused before it is even hashed.
MAX_TOKEN_LENGTH = 100
CONTENT_TYPE = "text/calendar; charset=utf-8"


# -- building calendars ---------------------------------------------------------------------


def uid_domain() -> str:
    """The right-hand side of every UID: the site's first configured host name, so that UIDs
    stay the same across requests and restarts (and do not depend on the Host a calendar app
    happens to use)."""
    for host in settings.ALLOWED_HOSTS:
        host = host.strip().lstrip(".")
        if host and "*" not in host:
            return host.strip("[]")
    return "linli.invalid"


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.pk}@{uid_domain()}"


def private_booking_uid(booking: Booking) -> str:
    # Not the room feed's UID: a user who subscribes to both would otherwise have two
    # calendars claiming one event, which some calendar apps resolve by hiding one.
    return f"my-booking-{booking.pk}@{uid_domain()}"


def window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - WINDOW_BACK, now + WINDOW_AHEAD


def _tz():
    return timezone.get_default_timezone()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, _tz())


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(_tz()))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    return calendar


def _finish(calendar: Calendar, start: datetime, end: datetime) -> Calendar:
    """Add the VTIMEZONE of the local time zone every DTSTART/DTEND refers to (by TZID)."""
    calendar.add_missing_timezones(
        first_date=_local(start).date() - timedelta(days=1),
        last_date=_local(end).date() + timedelta(days=366),
    )
    return calendar


def _event(*, uid: str, stamp: datetime, start: datetime, end: datetime, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", _local(start))
    event.add("dtend", _local(end))
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    return event


def _status_phrase(booking: Booking) -> str:
    if booking.status == BookingStatus.PENDING:
        return _("awaiting approval")
    return _("booked")


def _ical_status(booking: Booking) -> str:
    return "TENTATIVE" if booking.status == BookingStatus.PENDING else "CONFIRMED"


def _last_change(booking: Booking) -> datetime:
    times = [booking.created_at, booking.decided_at, booking.checked_in_at]
    return max(t for t in times if t is not None)


def _first_occurrence(blackout, start: datetime, end: datetime):
    """The first time a recurring blackout applies on or after ``start``'s day (None when it
    never does before ``end``)."""
    day, last = _local(start).date(), _local(end).date()
    while day <= last:
        span = recurring_span(blackout, day)
        if span is not None:
            return span
        day += timedelta(days=1)
    return None


def _rrule(blackout) -> dict:
    if blackout.repeat == Repeat.MONTHLY:
        # Like ``applies_on``: a month without that day (the 31st) has no occurrence.
        return {"freq": "monthly", "bymonthday": blackout.day_of_month}
    return {"freq": "weekly", "byday": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][blackout.weekday]}


def room_calendar(room: Room, *, now: datetime | None = None) -> Calendar:
    """The room's public calendar: its active bookings (a pending one as tentative — it holds
    its slot) labelled by purpose only, and the periods it is not available. No booker, no
    household, no title, no attendees."""
    now = now or timezone.now()
    start, end = window(now)
    calendar = _calendar(room.name)
    calendar.add("description", _("When %(room)s is booked or not available.") % {"room": room})
    location = str(room)
    for booking in feed_selectors.room_feed_bookings(room=room, start=start, end=end):
        event = _event(
            uid=booking_uid(booking),
            stamp=now,
            start=booking.start,
            end=booking.end,
            summary=f"{Purpose(booking.purpose).label} · {_status_phrase(booking)}",
        )
        event.add("status", _ical_status(booking))
        event.add("last-modified", _last_change(booking).astimezone(UTC))
        event.add("location", location)
        event.add("class", "PUBLIC")
        calendar.add_component(event)
    for blackout in feed_selectors.room_feed_blackouts(room=room, start=start, end=end):
        event = _event(
            uid=f"blackout-{blackout.pk}@{uid_domain()}",
            stamp=now,
            start=blackout.start,
            end=blackout.end,
            summary=_("Not available: %(reason)s") % {"reason": blackout.reason},
        )
        event.add("status", "CONFIRMED")
        event.add("location", location)
        calendar.add_component(event)
    for recurring in feed_selectors.room_feed_recurring_blackouts(room=room):
        first = _first_occurrence(recurring, start, end)
        if first is None:
            continue
        event = _event(
            uid=f"recurring-blackout-{recurring.pk}@{uid_domain()}",
            stamp=now,
            start=first[0],
            end=first[1],
            summary=_("Not available: %(reason)s") % {"reason": recurring.reason},
        )
        event.add("rrule", _rrule(recurring))
        event.add("status", "CONFIRMED")
        event.add("location", location)
        calendar.add_component(event)
    return _finish(calendar, start, end)


def private_calendar(user, *, now: datetime | None = None) -> Calendar:
    """The user's own active bookings in every room, with their titles: it is theirs."""
    now = now or timezone.now()
    start, end = window(now)
    calendar = _calendar(_("My room bookings"))
    for booking in feed_selectors.user_feed_bookings(user=user, start=start, end=end):
        purpose = Purpose(booking.purpose).label
        event = _event(
            uid=private_booking_uid(booking),
            stamp=now,
            start=booking.start,
            end=booking.end,
            summary=booking.title or f"{purpose} · {booking.room.name}",
        )
        event.add("status", _ical_status(booking))
        event.add("last-modified", _last_change(booking).astimezone(UTC))
        event.add("location", str(booking.room))
        event.add(
            "description",
            _("%(purpose)s, %(status)s. Room: %(room)s.")
            % {"purpose": purpose, "status": booking.get_status_display(), "room": booking.room},
        )
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    return _finish(calendar, start, end)


def calendar_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()


# -- URLs -----------------------------------------------------------------------------------


def _absolute(path: str, request=None) -> str:
    # No setting names the site's public address; without a request the path is returned.
    return request.build_absolute_uri(path) if request is not None else path


def room_feed_url(room: Room, request=None) -> str:
    """The URL of the room's public calendar: absolute when a request is given, else the
    path."""
    return _absolute(reverse("bookings:room-ical", kwargs={"pk": room.pk}), request)


def _feed_url(feed: CalendarFeed, request=None) -> str:
    return _absolute(reverse("bookings:private-ical", kwargs={"token": feed.token}), request)


def private_feed_url(user, request=None) -> str:
    """The secret URL of the user's private calendar, created on first use: absolute when a
    request is given, else the path."""
    feed = feed_selectors.calendar_feed_of(user=user)
    if feed is None:
        try:
            feed = services.calendar_feed_create(user=user)
        except IntegrityError:
            # Created at the same moment by another request of the same user.
            feed = feed_selectors.calendar_feed_of(user=user)
    return _feed_url(feed, request)


def private_feed_reset(user, request=None) -> str:
    """The user gives their private calendar a new secret URL
    (``services.calendar_feed_reset``); returns it (absolute when a request is given)."""
    feed = services.calendar_feed_reset(actor=user, user=user, request=request)
    return _feed_url(feed, request)


def private_feed_user(token: str, *, now: datetime | None = None):
    """The active user whose private feed ``token`` opens, or None; records the use."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = feed_selectors.calendar_feed_by_token_hash(lookup_hash(token))
    # The hash found the row; comparing the tokens themselves in constant time guards
    # against a (theoretical) hash collision without a timing signal.
    if feed is None or not hmac.compare_digest(feed.token.encode(), token.encode()):
        return None
    if not feed.user.is_active:
        return None
    services.calendar_feed_record_use(feed=feed, now=now)
    return feed.user
