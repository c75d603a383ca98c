"""Matrix spec of a room's booking (see lifecycle_matrix): a booking of the demo resident in
a room of the demo compound's party service centre, tomorrow afternoon; each step is taken
at a moment its time rule allows (before the start, on the day, after the start)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from linli.bookings import services
from linli.bookings.models import Booking, BookingStatus, Purpose
from linli.places.models import Place
from linli.residents.nearby import resident_household

from .lifecycle_matrix import MatrixSpec, actor_named

CENTRE = "平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"
S = BookingStatus


def _booking(status: str) -> Booking:
    room = services.room_create(
        actor=actor_named("secretary"),
        place=Place.objects.get(name_path=CENTRE),
        name="矩阵测试室",
        kind="recreation",
        opens=time(0),
        closes=time(0),
        open_weekdays=list(range(7)),
    )
    resident = actor_named("resident")
    day = timezone.localdate() + timedelta(days=1)
    start = datetime.combine(day, time(14), tzinfo=timezone.get_default_timezone())
    booking = Booking.objects.create(
        room=room,
        start=start,
        end=start + timedelta(hours=2),
        purpose=Purpose.FAMILY_GATHERING,
        booked_by=resident,
        household=resident_household(resident, room.place),
        status=status,
    )
    return Booking.objects.select_related("room__place").get(pk=booking.pk)


def _moment(step: str, booking: Booking):
    if step == "check_in":
        return booking.start - timedelta(hours=1)  # the same day, before it ends
    if step == "mark_no_show":
        return booking.start + timedelta(minutes=30)
    return booking.start - timedelta(days=1)  # approve, decline, cancel: before it begins


def _take(step: str, actor, booking: Booking):
    now = _moment(step, booking)
    if step == "approve":
        return services.booking_approve(actor=actor, booking=booking, now=now)
    if step == "decline":
        return services.booking_decline(actor=actor, booking=booking, reason="矩阵测试", now=now)
    if step == "cancel":
        return services.booking_cancel(actor=actor, booking=booking, reason="矩阵测试", now=now)
    if step == "check_in":
        return services.booking_check_in(actor=actor, booking=booking, now=now)
    return services.booking_mark_no_show(actor=actor, booking=booking, now=now)


# Those who run the compound's rooms: its community worker, branch secretary and volunteer.
MANAGERS = {"community", "secretary", "volunteer"}
BOOKING_SPEC = MatrixSpec(
    lifecycle=services.BOOKING,
    make=_booking,
    take=_take,
    holders={
        "bookings.manage_booking": MANAGERS,
        # SYSTEM checks in and frees a meeting's hall hold.
        "bookings.check_in_booking": MANAGERS | {"SYSTEM"},
        "bookings.cancel_booking": MANAGERS | {"resident", "SYSTEM"},
    },
)
SPECS = [BOOKING_SPEC]
