"""Rooms on the home page: a resident's coming bookings, and the desk's requests to approve."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.navigation import (
    OPEN_ITEMS_SHOWN,
    RESIDENT_ROWS,
    RESIDENTS,
    STAFF,
    OpenItems,
    QuickAction,
    ResidentSection,
    Tab,
    WorkCount,
    register_open_items,
    register_quick_action,
    register_resident_section,
    register_tab,
    register_work_count,
)

from . import reports, selectors


def _my_bookings(request) -> list[dict]:
    bookings = selectors.booking_list(
        user=request.user, mine=True, active_only=True, start=timezone.now()
    )
    return [
        {
            "text": f"{booking.room.name} · {timezone.localtime(booking.start):%m-%d %H:%M}",
            "url": reverse("bookings:booking-detail", args=[booking.pk]),
            "note": booking.get_status_display(),
        }
        for booking in bookings[:OPEN_ITEMS_SHOWN]
    ]


def _pending(request):
    if not request.user.has_perm("bookings.manage_booking"):
        return None
    return reports.desk_pending(user=request.user).count()


def _resident_bookings(request, resident):
    """The household's bookings (or the resident's own), as far as the viewer sees."""
    q = Q(household_id=resident.household_id) if resident.household_id else Q(pk__in=[])
    if resident.user_id:
        q |= Q(booked_by_id=resident.user_id)
    bookings = selectors.booking_list(user=request.user).filter(q).order_by("-start", "-id")
    return [
        {
            "text": f"{booking.room.name} · {timezone.localtime(booking.start):%Y-%m-%d %H:%M}",
            "url": reverse("bookings:booking-detail", args=[booking.pk]),
            "note": booking.get_status_display(),
        }
        for booking in bookings[:RESIDENT_ROWS]
    ]


def register() -> None:
    register_resident_section(ResidentSection("bookings", _("Bookings"), 20, _resident_bookings))
    register_tab(Tab("bookings:room-list", pgettext_lazy("tab", "Book"), RESIDENTS, 20))
    register_tab(
        Tab("bookings:desk", pgettext_lazy("tab", "Bookings"), STAFF, 30, "bookings.manage_booking")
    )
    register_quick_action(QuickAction("bookings:room-list", _("Book a room"), 20))
    register_open_items(
        OpenItems("bookings", _("My bookings"), 20, "bookings:my-bookings", _my_bookings)
    )
    register_work_count(
        WorkCount(
            "bookings-pending",
            _("Booking requests to approve"),
            20,
            _pending,
            lambda request: reverse("bookings:desk"),
        )
    )
