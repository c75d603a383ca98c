"""Reads of rooms and bookings within the asking user's scope, and the free slots of a room
(opening hours minus active bookings and blackouts), computed from three bounded queries."""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.roles import VIEW_BOOKINGS
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.places.selectors import within_place
from linli.residents.nearby import nearby_q

from .models import ACTIVE_STATUSES, Booking, Room, RoomPhoto
from .services import opening_window, recurring_span

# The longest range free slots are computed for at once (a month view and a bit).
MAX_SLOT_DAYS = 62


class Slot(NamedTuple):
    start: datetime
    end: datetime


def _room_q(user) -> Q:
    """Rooms the user oversees, and those near where the user lives (a room of their
    compound or of one of its buildings, or of the community above it)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return scope.q(roles=VIEW_BOOKINGS, field="place__path") | nearby_q(user, "place__path")


def room_list(*, user, place: int | None = None, active_only: bool = False) -> QuerySet:
    qs = Room.objects.filter(_room_q(user))
    if place is not None:
        qs = within_place(qs, place, "place__path")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.select_related("place").order_by("place__path", "name", "id")


def room_get(*, user, pk) -> Room:
    return access_by_id(
        Room.objects.select_related("place"), pk=pk, user=user, perm="bookings.view_room"
    )


def _booking_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    own = Q(booked_by_id=user.pk) if user.pk is not None else Q(pk__in=[])
    return own | scope.q(roles=VIEW_BOOKINGS, field="room__place__path")


def booking_list(
    *,
    user,
    room: Room | int | None = None,
    mine: bool = False,
    status: str | None = None,
    active_only: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet:
    """Bookings the user may see (their own; all of the rooms they oversee), optionally
    those overlapping ``start``–``end``."""
    qs = Booking.objects.filter(_booking_q(user))
    if room is not None:
        qs = qs.filter(room_id=getattr(room, "pk", room))
    if mine:
        qs = qs.filter(booked_by_id=user.pk) if user.pk is not None else qs.none()
    if status:
        qs = qs.filter(status=status)
    elif active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if start is not None:
        qs = qs.filter(end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs.select_related("room__place", "booked_by", "household__place").order_by("start", "id")


def booking_get(*, user, pk) -> Booking:
    return access_by_id(
        Booking.objects.select_related("room__place", "booked_by", "household__place", "series"),
        pk=pk,
        user=user,
        perm="bookings.view_booking",
    )


def _subtract(window: Slot, busy: list[Slot]) -> list[Slot]:
    free, cursor = [], window.start
    for b in sorted(busy):
        if b.end <= cursor or b.start >= window.end:
            continue
        if b.start > cursor:
            free.append(Slot(cursor, b.start))
        cursor = max(cursor, b.end)
    if cursor < window.end:
        free.append(Slot(cursor, window.end))
    return free


def free_slots(
    *,
    room: Room,
    start_date: date,
    end_date: date,
    minimum_minutes: int = 30,
    now: datetime | None = None,
) -> list[Slot]:
    """Free intervals of the room from ``start_date`` to ``end_date`` (both included), in
    opening hours, without active bookings (pending ones hold their slot) and blackouts, not
    in the past, each at least ``minimum_minutes`` long. It shows no one's bookings, so it
    may be shown to anyone who may see the room. The booking rules (notice, horizon, length)
    are not applied here: a request is refused with its own message."""
    if end_date < start_date:
        raise ValidationError({"end": _("The end date must not be before the start date.")})
    if (end_date - start_date).days >= MAX_SLOT_DAYS:
        raise ValidationError(
            {"end": _("Ask for at most %(days)s days at once.") % {"days": MAX_SLOT_DAYS}}
        )
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    range_start = datetime.combine(start_date, datetime.min.time(), tzinfo=tz)
    range_end = datetime.combine(end_date + timedelta(days=2), datetime.min.time(), tzinfo=tz)
    busy = [
        Slot(*row)
        for row in Booking.objects.filter(
            room=room, status__in=ACTIVE_STATUSES, start__lt=range_end, end__gt=range_start
        ).values_list("start", "end")
    ]
    busy += [
        Slot(*row)
        for row in room.blackouts.filter(start__lt=range_end, end__gt=range_start).values_list(
            "start", "end"
        )
    ]
    recurring = list(room.recurring_blackouts.all())
    minimum = timedelta(minutes=minimum_minutes)
    slots: list[Slot] = []
    day = start_date
    while day <= end_date:
        window = opening_window(room, day)
        if window is not None:
            opens = max(window[0], now)
            if opens < window[1]:
                day_busy = busy + [
                    Slot(*span) for r in recurring if (span := recurring_span(r, day)) is not None
                ]
                slots += [
                    Slot(timezone.localtime(s.start), timezone.localtime(s.end))
                    for s in _subtract(Slot(opens, window[1]), day_busy)
                    if s.end - s.start >= minimum
                ]
        day += timedelta(days=1)
    return slots


def room_places(*, user) -> QuerySet:
    """The communities, compounds and buildings where the user may add rooms."""
    from linli.accounts.roles import MANAGE_ROOMS
    from linli.places.models import Place

    from .models import ROOM_PLACE_KINDS

    return Place.objects.filter(
        scope_of(user).q(roles=MANAGE_ROOMS, field="path"), kind__in=ROOM_PLACE_KINDS
    ).order_by("path")


def room_photo_list(*, room):
    """The photos of a room the caller has already fetched through ``room_get``."""
    return RoomPhoto.objects.filter(room=room).order_by("uploaded_at", "id")
