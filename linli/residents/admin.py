"""Admin of the register: read-only lists scoped by the same selectors as the pages. The
register is kept on its own pages, where every change is validated and audited."""

from django.contrib import admin

from linli.core.admin import TimelineInline

from . import selectors
from .models import Household, ImportJob, ImportJobEvent, Resident


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "birth_date", "place", "status"]
    list_filter = ["status", "gender"]
    exclude = ["id_number", "phone"]  # never shown here, not even masked
    search_fields = ["name", "name_initials", "name_pinyin"]

    def get_queryset(self, request):
        return selectors.resident_list(user=request.user, status=None)


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["place", "is_active", "created_at"]

    def get_queryset(self, request):
        return selectors.household_list(user=request.user)


class ImportJobEventInline(TimelineInline):
    model = ImportJobEvent


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "compound", "status", "total_rows", "created_by", "created_at"]
    exclude = ["encrypted_file"]
    inlines = [ImportJobEventInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(created_by=request.user)
