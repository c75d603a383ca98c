"""Admin for rooms (changed through the services, so that every change is checked and
audited) with their blackout periods shown, and bookings (read-only: they change only
through their steps)."""

from django.contrib import admin

from . import selectors
from .models import Blackout, Booking, BookingEvent, RecurringBlackout, Room
from .services import ROOM_EDITABLE, room_create, room_update


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BlackoutInline(ReadOnlyInline):
    model = Blackout
    fields = ["start", "end", "reason"]
    readonly_fields = fields


class RecurringBlackoutInline(ReadOnlyInline):
    model = RecurringBlackout
    fields = ["repeat", "day_of_month", "weekday", "start_time", "end_time", "reason"]
    readonly_fields = fields


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "kind", "capacity", "approval_required", "is_active"]
    list_filter = ["kind", "is_active", "approval_required"]
    search_fields = ["name", "name_en"]
    list_select_related = ["place"]
    raw_id_fields = ["place"]
    inlines = [BlackoutInline, RecurringBlackoutInline]

    def get_queryset(self, request):
        return selectors.room_list(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["place"] if obj is not None else []

    def has_module_permission(self, request):
        return request.user.has_perm("bookings.view_room", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("bookings.view_room", obj)

    def has_add_permission(self, request):
        return request.user.has_perm("bookings.manage_room", None)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("bookings.manage_room", obj)

    def has_delete_permission(self, request, obj=None):
        return False  # bookings keep pointing at rooms; a room is made inactive instead

    def save_model(self, request, obj, form, change):
        if change:
            fields = {
                name: form.cleaned_data[name] for name in form.changed_data if name in ROOM_EDITABLE
            }
            saved = room_update(actor=request.user, room=obj, request=request, **fields)
        else:
            fields = {
                name: form.cleaned_data[name]
                for name in form.cleaned_data
                if name in ROOM_EDITABLE and name not in ("name", "kind")
            }
            saved = room_create(
                actor=request.user,
                place=obj.place,
                name=obj.name,
                kind=obj.kind,
                request=request,
                **fields,
            )
        obj.pk = saved.pk


class BookingEventInline(ReadOnlyInline):
    model = BookingEvent
    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only, within the user's scope: the same selector and rules as the pages."""

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

    def get_queryset(self, request):
        return selectors.booking_list(user=request.user)

    def has_module_permission(self, request):
        return request.user.has_perm("bookings.view_booking", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("bookings.view_booking", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
