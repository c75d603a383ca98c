"""Named permissions of rooms and bookings."""

import rules

from .predicates import (
    can_manage_booking,
    can_manage_room,
    can_oversee_booking,
    is_booker,
    is_booking_staff,
    is_neighbour,
    residents_may_book,
)

# Rooms are seen by the staff who oversee them and the residents who live nearby.
rules.add_perm("bookings.view_room", can_oversee_booking | is_neighbour)
rules.add_perm("bookings.manage_room", can_manage_room)
rules.add_perm("bookings.book_room", is_booking_staff | (is_neighbour & residents_may_book))
# Approve, decline, check in, mark no-show, cancel anyone's booking.
rules.add_perm("bookings.manage_booking", can_manage_booking)
rules.add_perm("bookings.view_booking", is_booker | can_oversee_booking)
rules.add_perm("bookings.cancel_booking", is_booker | can_manage_booking)
