"""Admin for volunteers and their shifts: read-only, within the user's scope — the same
selectors and named permissions as the pages — since groups, memberships, shifts,
assignments and hours change through their services and steps (the set-up pages at
/volunteers/groups/ make groups, shift types and weekly rules). No list or page here shows
a volunteer's ID or phone number: the profile page shows them masked."""

from django.contrib import admin

from linli.core.admin import ReadOnlyInline, ScopedAdmin, TimelineInline

from . import selectors
from .models import (
    Assignment,
    AssignmentEvent,
    HoursEntry,
    Membership,
    ShiftRule,
    ShiftType,
    Volunteer,
    VolunteerGroup,
    VolunteerRecord,
)


def _group_shifts(*, user):
    return ShiftType.objects.filter(
        group__in=selectors.group_list(user=user).values("pk")
    ).select_related("group", "place", "room")


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["volunteer", "status", "is_coordinator", "note", "created_at"]
    readonly_fields = fields


class ShiftTypeInline(ReadOnlyInline):
    model = ShiftType
    fields = ["name", "kind", "place", "room", "needed", "rota", "is_active"]
    readonly_fields = fields


@admin.register(VolunteerGroup)
class VolunteerGroupAdmin(ScopedAdmin):
    selector = selectors.group_list
    view_perm = "volunteers.manage_shifts"
    module_perm = "volunteers.coordinate"

    list_display = ["name", "kind", "place", "organisation", "max_consecutive"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["place", "organisation"]
    fields = [
        "name",
        "kind",
        "place",
        "organisation",
        "max_consecutive",
        "swap_needs_approval",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [MembershipInline, ShiftTypeInline]


class RuleInline(ReadOnlyInline):
    model = ShiftRule
    fields = ["weekday", "start_time", "end_time", "from_date", "until_date"]
    readonly_fields = fields


@admin.register(ShiftType)
class ShiftTypeAdmin(ScopedAdmin):
    selector = _group_shifts
    view_perm = "volunteers.manage_shifts"
    module_perm = "volunteers.coordinate"

    list_display = ["name", "group", "kind", "needed", "rota", "is_active"]
    list_filter = ["kind", "rota", "is_active"]
    list_select_related = ["group"]
    fields = ["name", "group", "kind", "place", "room", "needed", "skills", "rota", "is_active"]
    readonly_fields = fields
    inlines = [RuleInline]


class VolunteerMembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["group", "status", "is_coordinator", "created_at"]
    readonly_fields = fields


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    """Names, schools and skills; never the numbers."""

    selector = selectors.volunteer_list
    view_perm = "volunteers.view_volunteer"
    module_perm = "volunteers.coordinate"

    list_display = ["name", "school", "team", "created_at"]
    search_fields = ["name", "school", "team"]
    fields = ["name", "resident", "school", "team", "skills", "availability", "created_at"]
    readonly_fields = fields
    inlines = [VolunteerMembershipInline]


class AssignmentEventInline(TimelineInline):
    model = AssignmentEvent


def _assignments(*, user):
    return selectors.assignment_list(user=user).select_related("shift__shift_type", "volunteer")


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    selector = _assignments
    view_perm = "volunteers.cancel_assignment"
    module_perm = "volunteers.coordinate"

    list_display = ["volunteer", "shift", "status", "by_coordinator", "by_rota", "created_at"]
    list_filter = ["status", "by_coordinator", "by_rota"]
    fields = [
        "volunteer", "shift", "status", "by_coordinator", "by_rota", "created_at",
        "signed_in_at", "signed_out_at", "minutes_late", "hours_confirmed_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [AssignmentEventInline]


# -- hours ledger -- append-only: the ledger's entries and the issued records, read only.
def _hours(*, user):
    from .selectors_hours import hours_entries

    return hours_entries(user=user)


def _records(*, user):
    from .selectors_hours import records

    return records(user=user)


@admin.register(HoursEntry)
class HoursEntryAdmin(ScopedAdmin):
    selector = _hours
    view_perm = "volunteers.view_hours"
    module_perm = "volunteers.coordinate"

    list_display = ["volunteer", "group", "kind", "hours", "at"]
    list_filter = ["kind"]
    fields = ["volunteer", "group", "assignment", "kind", "hours", "corrects", "reason", "at"]
    readonly_fields = fields


@admin.register(VolunteerRecord)
class VolunteerRecordAdmin(ScopedAdmin):
    """The issued records as issued (the ID number only masked)."""

    selector = _records
    view_perm = "volunteers.view_hours"
    module_perm = "volunteers.coordinate"

    list_display = ["number", "name", "group", "total_hours", "issued_on"]
    search_fields = ["number", "name"]
    fields = [
        "number", "name", "id_number_masked", "group", "issuer", "issuer_place", "service",
        "period_from", "period_until", "total_hours", "issued_on",
    ]  # fmt: skip
    readonly_fields = fields
