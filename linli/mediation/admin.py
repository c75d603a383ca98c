"""Admin for dispute mediation: read-only, within the user's scope — the same selectors and
named permissions as the pages (the desk's staff of the compound and the mediators; 404 for
everyone else) — since mediations change only through their steps. No list and no page here
shows an encrypted field (the facts, the agreement, the referral and follow-up notes, the
sessions' notes) and the parties' phones only masked: the content is read on the
mediation's own page. Opening a mediation here is audited as a read, as there."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linli.core.admin import ReadOnlyInline, ScopedAdmin, TimelineInline
from linli.core.audit import audit_record

from . import selectors
from .models import Mediation, MediationEvent, MediationParty, MediationSession

VIEW = "mediation.view_mediation"


class MaskedPhone:
    """The party's mobile number, masked (the full number is never shown here)."""

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj):
        return obj.phone_masked or "—"


@admin.display(description=_("mediation"))
def mediation_number(obj):
    return obj.mediation.number


class ScopedInline(ReadOnlyInline):
    """Shown to whoever may see the mediation (the named permission, not Django's model
    permissions)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW, obj)


class PartyInline(MaskedPhone, ScopedInline):
    model = MediationParty
    fields = ["side", "name", "resident", "details", "address", "masked_phone"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resident")


class SessionInline(ScopedInline):
    model = MediationSession
    fields = ["held_at", "venue", "attendees", "recorded_by"]  # not the notes
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class EventInline(TimelineInline):
    model = MediationEvent

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Mediation)
class MediationAdmin(ScopedAdmin):
    """Read-only: the mediation's record without its encrypted content."""

    selector = selectors.mediation_list
    view_perm = VIEW

    list_display = [
        "number",
        "subject",
        "kind",
        "place",
        "status",
        "created_at",
        "agreed_on",
        "failed_on",
    ]
    list_display_links = ["number", "subject"]
    list_filter = ["status", "kind", "referral"]
    search_fields = ["subject"]
    list_select_related = ["place"]
    fields = [
        "place",
        "kind",
        "subject",
        "status",
        "mediators",
        "source_order",
        "created_at",
        "created_by",
        "agreed_on",
        "performance_due",
        "confirmation_last_day",
        "confirmation_reminded_at",
        "failed_on",
        "end_reason",
        "referral",
        "followed_up_on",
        "carried_out",
    ]
    readonly_fields = fields
    inlines = [PartyInline, SessionInline, EventInline]

    @admin.display(description=_("number"), ordering="id")
    def number(self, obj):
        return obj.number

    @admin.display(description=_("last day for judicial confirmation"))
    def confirmation_last_day(self, obj):
        return obj.confirmation_last_day or "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and original is not None:
            audit_record(actor=request.user, action="mediation.read", obj=original, request=request)
        return response


@admin.register(MediationParty)
class MediationPartyAdmin(MaskedPhone, ScopedAdmin):
    """The parties, their phones masked."""

    selector = selectors.parties_in_scope
    view_perm = VIEW

    list_display = ["name", mediation_number, "side", "resident", "address", "masked_phone"]
    list_filter = ["side"]
    search_fields = ["name"]
    fields = ["mediation", "side", "name", "resident", "details", "address", "masked_phone"]
    readonly_fields = fields


@admin.register(MediationSession)
class MediationSessionAdmin(ScopedAdmin):
    """The sessions held, without the mediators' notes."""

    selector = selectors.sessions_in_scope
    view_perm = VIEW

    list_display = ["held_at", mediation_number, "venue", "attendees", "recorded_by"]
    fields = ["mediation", "held_at", "venue", "attendees", "recorded_by", "recorded_at"]
    readonly_fields = fields
