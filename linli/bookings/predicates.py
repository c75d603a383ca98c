"""Who may see rooms and book them, and who runs the bookings, over the user's scope."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import BOOK_ROOMS, MANAGE_BOOKINGS, MANAGE_ROOMS, VIEW_BOOKINGS
from linli.accounts.scope import resident_compounds
from linli.residents.nearby import lives_near


def place_of(obj):
    """The place a room, booking, series or blackout belongs to (or a place itself)."""
    room = getattr(obj, "room", None)
    if room is not None:
        return room.place
    return getattr(obj, "place", obj)


def room_of(obj):
    return getattr(obj, "room", obj)


def _in_scope(name: str, roles) -> rules.Predicate:
    return role_in_scope(name, roles, place_of=place_of)


can_manage_room = _in_scope("can_manage_room", MANAGE_ROOMS)
can_manage_booking = _in_scope("can_manage_booking", MANAGE_BOOKINGS)
can_oversee_booking = _in_scope("can_oversee_booking", VIEW_BOOKINGS)
is_booking_staff = _in_scope("is_booking_staff", BOOK_ROOMS)


@rules.predicate
def is_neighbour(user, obj):
    if obj is None:
        return bool(resident_compounds(user))
    return lives_near(user, place_of(obj))


@rules.predicate
def residents_may_book(user, obj):
    from .models import BookableBy

    return obj is not None and room_of(obj).bookable_by == BookableBy.RESIDENTS


@rules.predicate
def is_booker(user, booking):
    booker = getattr(booking, "booked_by_id", None)
    return booker is not None and booker == user.pk
