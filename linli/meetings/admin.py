"""Admin for meeting series (configuration: recurrence, room, quorum, proposal deadline),
saved through the services so that each change is audited. Meetings, topics and decisions
change only through their steps on the pages and the API, so they are read-only here."""

from django.contrib import admin

from . import services
from .models import Decision, Meeting, MeetingSeries, Participant

SERIES_FIELDS = [
    "place",
    "name",
    "venue",
    "recurrence",
    "day_of_month",
    "start_time",
    "duration_minutes",
    "proposal_close_days",
    "quorum_percent",
    "pass_rule",
    "chair",
    "is_active",
]


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["role", "organisation", "user", "name", "left_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "venue", "day_of_month", "chair", "is_active"]
    list_filter = ["is_active", "recurrence"]
    fields = SERIES_FIELDS
    raw_id_fields = ["chair"]
    autocomplete_fields = ["place"]  # a searchable choice (a raw id field showed empty)
    inlines = [ParticipantInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name] for name in SERIES_FIELDS if name in form.cleaned_data
        }
        if change:
            values.pop("place", None)
            saved = services.series_update(actor=request.user, series=obj, **values)
        else:
            place, venue = values.pop("place"), values.pop("venue")
            saved = services.series_create(actor=request.user, place=place, venue=venue, **values)
        obj.pk = saved.pk


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "place", "start", "status", "extra"]
    list_filter = ["status", "extra"]
    date_hierarchy = "start"


@admin.register(Decision)
class DecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["text", "meeting", "status", "vote_result", "due_date"]
    list_filter = ["status", "vote_result"]
