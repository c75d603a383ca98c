"""Who may see rooms and book them, and who runs the bookings, over the user's scope."""

import rules

from linli.accounts.roles import BOOK_ROOMS, MANAGE_BOOKINGS, MANAGE_ROOMS, VIEW_BOOKINGS
from linli.accounts.scope import scope_of
from linli.places import tree
from linli.workorders.predicates import resident_compounds


def place_of(obj):
    """The place a room, booking, series or blackout belongs to (or a place itself)."""
    room = getattr(obj, "room", None)
    if room is not None:
        return room.place
    return getattr(obj, "place", obj)


def room_of(obj):
    return getattr(obj, "room", obj)


def _in_scope(name: str, roles) -> rules.Predicate:
    def check(user, obj=None):
        scope = scope_of(user)
        if obj is None:
            return scope.has_role(roles)
        return scope.covers(place_of(obj).path, roles=roles)

    return rules.Predicate(check, name=name)


can_manage_room = _in_scope("can_manage_room", MANAGE_ROOMS)
can_manage_booking = _in_scope("can_manage_booking", MANAGE_BOOKINGS)
can_oversee_booking = _in_scope("can_oversee_booking", VIEW_BOOKINGS)
is_booking_staff = _in_scope("is_booking_staff", BOOK_ROOMS)


def lives_near(user, place) -> bool:
    """Lives in the compound of ``place`` (a room in a compound or one of its buildings), or
    in a compound under it (a room of the community)."""
    return any(
        tree.in_subtree(place.path, c) or tree.in_subtree(c, place.path)
        for c in resident_compounds(user)
    )


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
