"""Admin for health help: superusers only, read-only, and no list shows an encrypted field
(conditions, medications, allergies, notes, outcomes, advice). Changes go through the
services, which check, audit and keep the card's history."""

from django.contrib import admin

from .models import (
    Alert,
    CardEvent,
    CheckIn,
    ClinicEvent,
    Consent,
    Device,
    FollowUp,
    HealthCard,
    Reading,
    Registration,
)


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """Visible to superusers only; nothing added, changed or deleted here. The detail view
    leaves out the encrypted fields as well (``exclude``), so the admin never decrypts."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthCard)
class HealthCardAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "place", "care_level", "is_active", "last_contact_at", "created_at"]
    list_filter = ["care_level", "is_active"]
    list_select_related = ["place"]
    exclude = ["conditions", "medications", "allergies", "notes", "emergency_phone"]
    raw_id_fields = ["resident", "family_doctor", "responsible_worker", "created_by"]


@admin.register(Consent)
class ConsentAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "organisation", "scope", "given_at", "withdrawn_at"]
    list_filter = ["scope"]
    list_select_related = ["organisation"]


@admin.register(Reading)
class ReadingAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "kind", "level", "source", "taken_at"]
    list_filter = ["kind", "level", "source"]


@admin.register(FollowUp)
class FollowUpAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "reason", "due_on", "status", "assignee"]
    list_filter = ["status", "reason"]
    exclude = ["outcome"]


@admin.register(Alert)
class AlertAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "kind", "raised_at", "acknowledged_at"]
    list_filter = ["kind"]
    exclude = ["note"]


@admin.register(Device)
class DeviceAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "kind", "name", "token_hint", "last_seen_at", "revoked_at"]
    list_filter = ["kind"]


@admin.register(CheckIn)
class CheckInAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "at", "source"]


@admin.register(ClinicEvent)
class ClinicEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["title", "organisation", "place", "specialty", "start", "status"]
    list_filter = ["specialty", "status"]
    list_select_related = ["organisation", "place"]


@admin.register(Registration)
class RegistrationAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "event", "card", "slot_start", "status"]
    list_filter = ["status"]
    exclude = ["complaint", "advice"]


@admin.register(CardEvent)
class CardEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "card", "kind", "at", "actor"]
    list_filter = ["kind"]
