"""Who hears of which booking step: the duty staff of a request waiting for approval, the
booker of every decision someone else took (approved, declined, cancelled by the desk,
marked as a no-show)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.models import User
from linli.accounts.roles import MANAGE_BOOKINGS
from linli.accounts.selectors import users_with_roles_over
from linli.core.notifications import Message, notify

from .models import BookingEvent, BookingEventKind, BookingStatus

TO_BOOKER = {
    BookingEventKind.APPROVED,
    BookingEventKind.DECLINED,
    BookingEventKind.CANCELLED,
    BookingEventKind.NO_SHOW,
}


def recipients(event: BookingEvent) -> list[User]:
    booking = event.booking
    users: list[User] = []
    if event.kind == BookingEventKind.REQUESTED and booking.status == BookingStatus.PENDING:
        users.extend(users_with_roles_over(booking.room.place.path, MANAGE_BOOKINGS))
    if event.kind in TO_BOOKER and booking.booked_by_id:
        users.append(booking.booked_by)
    return [u for u in users if u.pk != event.actor_id]


def notify_booking_event(event_id: int) -> int:
    event = (
        BookingEvent.objects.select_related("booking__room__place", "booking__booked_by")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    booking = event.booking
    start = timezone.localtime(booking.start)
    with override("zh-hans"):  # messages go out in the users' default language
        if event.kind == BookingEventKind.REQUESTED:
            title = _("Booking request for %(room)s on %(start)s")
        else:
            title = _("Your booking of %(room)s on %(start)s: %(step)s")
        message = Message(
            kind=f"bookings.{event.kind}",
            title=title
            % {
                "room": booking.room.name,
                "start": f"{start:%Y-%m-%d %H:%M}",
                "step": BookingEventKind(event.kind).label,
            },
            body=event.note,
            url=reverse("bookings:booking-detail", args=[booking.pk]),
        )
    return notify(recipients(event), message)
