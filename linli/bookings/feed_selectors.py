"""Reads for the iCalendar feeds, which are fetched by calendar apps that cannot sign in: a
room's public calendar (when it is taken, never by whom) and a user's own bookings."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from linli.core.ids import is_valid_id

from .models import ACTIVE_STATUSES, Blackout, Booking, CalendarFeed, RecurringBlackout, Room


def public_room_get(*, pk) -> Room:
    """A room that takes bookings, for anyone: its calendar holds no personal data, so its
    existence is no secret. An inactive or unknown room answers as missing."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    room = Room.objects.select_related("place").filter(pk=pk, is_active=True).first()
    if room is None:
        raise Http404("Not found.")
    return room


def room_feed_bookings(*, room: Room, start: datetime, end: datetime) -> QuerySet:
    """The room's active bookings overlapping ``start``–``end``, with only the columns a
    public calendar may show (no booker, household, title or attendees are even read)."""
    return (
        Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
        .only(
            "id",
            "room_id",
            "start",
            "end",
            "status",
            "purpose",
            "created_at",
            "decided_at",
            "checked_in_at",
        )
        .order_by("start", "id")
    )


def room_feed_blackouts(*, room: Room, start: datetime, end: datetime) -> QuerySet:
    return Blackout.objects.filter(room=room, start__lt=end, end__gt=start).order_by("start", "id")


def room_feed_recurring_blackouts(*, room: Room) -> QuerySet:
    return RecurringBlackout.objects.filter(room=room).order_by("id")


def user_feed_bookings(*, user, start: datetime, end: datetime) -> QuerySet:
    """The user's own active bookings (booked by them, in any room) overlapping the window."""
    return (
        Booking.objects.filter(
            booked_by_id=user.pk, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
        )
        .select_related("room__place")
        .order_by("start", "id")
    )


def calendar_feed_of(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token_hash(token_hash: str) -> CalendarFeed | None:
    """The feed a token's hash finds (the caller compares the tokens themselves)."""
    return CalendarFeed.objects.select_related("user").filter(token_hash=token_hash).first()
