"""Named permissions of rooms and bookings."""

import rules

from linli.core.actors import system_may

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
# Approve, decline, mark a no-show; those who hold it also check in and cancel any booking.
rules.add_perm("bookings.manage_booking", can_manage_booking)
rules.add_perm("bookings.view_booking", is_booker | can_oversee_booking)
rules.add_perm("bookings.cancel_booking", is_booker | can_manage_booking)
rules.add_perm("bookings.check_in_booking", can_manage_booking)
# Only the system holds a room, booked by no one (a deliberation meeting in its hall).
rules.add_perm("bookings.hold_room", rules.always_deny)
# The system holds a meeting's hall, checks the hold in when the meeting takes place and
# frees it when the meeting is cancelled (meetings.services, as SYSTEM). It is not given
# ``manage_booking``: it never approves, declines or marks anyone's booking.
system_may("bookings.hold_room", "bookings.check_in_booking", "bookings.cancel_booking")
