"""Admin for rooms (changed through the services, so that every change is checked and
audited) with their blackout periods shown, and bookings (read-only: they change only
through their steps)."""

from django.contrib import admin

from linli.core.admin import ReadOnlyInline, ScopedAdmin, ServiceSavedAdmin, TimelineInline

from . import selectors
from .models import Blackout, Booking, BookingEvent, RecurringBlackout, Room
from .services import ROOM_EDITABLE, room_create, room_update


class BlackoutInline(ReadOnlyInline):
    model = Blackout
    fields = ["start", "end", "reason"]
    readonly_fields = fields


class RecurringBlackoutInline(ReadOnlyInline):
    model = RecurringBlackout
    fields = ["repeat", "day_of_month", "weekday", "start_time", "end_time", "reason"]
    readonly_fields = fields


@admin.register(Room)
class RoomAdmin(ServiceSavedAdmin):
    selector = selectors.room_list
    view_perm = "bookings.view_room"
    change_perm = "bookings.manage_room"
    editable = ROOM_EDITABLE
    create_fields = ("name", "kind")

    list_display = ["name", "place", "kind", "capacity", "approval_required", "is_active"]
    list_filter = ["kind", "is_active", "approval_required"]
    search_fields = ["name", "name_en"]
    list_select_related = ["place"]
    autocomplete_fields = ["place"]  # a searchable choice (a raw id field showed empty)
    inlines = [BlackoutInline, RecurringBlackoutInline]

    def get_readonly_fields(self, request, obj=None):
        return ["place"] if obj is not None else []

    def create(self, request, obj, fields):
        return room_create(
            actor=request.user,
            place=obj.place,
            name=obj.name,
            kind=obj.kind,
            request=request,
            **fields,
        )

    def update(self, request, obj, fields):
        return room_update(actor=request.user, room=obj, request=request, **fields)


class BookingEventInline(TimelineInline):
    model = BookingEvent


@admin.register(Booking)
class BookingAdmin(ScopedAdmin):
    """Read-only, within the user's scope: the same selector and rules as the pages."""

    selector = selectors.booking_list
    view_perm = "bookings.view_booking"

    list_display = ["id", "room", "start", "end", "status", "purpose"]
    list_filter = ["status", "purpose"]
    list_select_related = ["room__place"]
    fields = [
        "room",
        "start",
        "end",
        "status",
        "purpose",
        "title",
        "attendees",
        "booked_by",
        "household",
        "series",
        "decided_by",
        "decided_at",
        "decline_reason",
        "cancel_reason",
        "checked_in_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [BookingEventInline]
