"""Admin for summer tutoring: read-only, within the user's scope — the same selectors and
named permissions as the pages — since programmes, children and attendance change through
their services and steps. No list and no page here shows an encrypted field (allergies,
medical notes, collectors' phones, codes, the log) nor a collector's photo: they are read
on the child's own page, with an audited reveal."""

from django.contrib import admin

from linli.core.admin import ReadOnlyInline, ScopedAdmin, TimelineInline

from . import selectors
from .models import (
    TutoringChild,
    TutoringChildEvent,
    TutoringConsent,
    TutoringProgramme,
    TutoringSession,
)


class SessionInline(ReadOnlyInline):
    model = TutoringSession
    fields = ["start", "end", "booking", "shift", "ratio_notified_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return obj is not None and request.user.has_perm("tutoring.view_programme", obj)


@admin.register(TutoringProgramme)
class TutoringProgrammeAdmin(ScopedAdmin):
    selector = selectors.programme_list
    view_perm = "tutoring.view_programme"
    module_perm = "volunteers.coordinate"

    list_display = ["name", "group", "room", "starts_on", "ends_on", "ratio"]
    list_select_related = ["group", "room"]
    fields = ["name", "group", "shift_type", "room", "starts_on", "ends_on", "ratio", "description"]
    readonly_fields = fields
    inlines = [SessionInline]

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm(self.module_perm)
        return request.user.has_perm(self.view_perm, obj)


class ConsentInline(ReadOnlyInline):
    model = TutoringConsent
    fields = ["version", "given_by", "recorded_by", "given_at", "withdrawn_at", "withdrawn_by"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return obj is not None and request.user.has_perm("tutoring.view_child", obj)


class ChildEventInline(TimelineInline):
    model = TutoringChildEvent

    def has_view_permission(self, request, obj=None):
        return obj is not None and request.user.has_perm("tutoring.view_child", obj)


@admin.register(TutoringChild)
class TutoringChildAdmin(ScopedAdmin):
    """The enrolments without the child's sensitive data."""

    selector = selectors.children_in_scope
    view_perm = "tutoring.view_child"
    module_perm = "volunteers.coordinate"

    list_display = ["name", "programme", "guardian", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["programme", "guardian"]
    fields = ["name", "programme", "guardian", "status", "created_at", "erased_at"]
    readonly_fields = fields
    inlines = [ConsentInline, ChildEventInline]

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm(self.module_perm)
        return request.user.has_perm(self.view_perm, obj)
