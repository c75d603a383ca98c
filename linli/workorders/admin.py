"""Admin for categories (configuration, with their change history from the audit log), work
orders (read-only: they change only through their lifecycle steps) and Open311 API keys
(issued here or with ``linli open311-key``; the secret is shown once)."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from linli.core.admin import ScopedAdmin, SuperuserOnly, TimelineInline
from linli.core.models import AuditEvent
from linli.open311.services import open311_key_create, open311_key_revoke

from . import selectors
from .models import Category, Open311Key, WorkOrder, WorkOrderEvent
from .services import category_save


@admin.register(Category)
class CategoryAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["code", "name", "parent", "organisation", "appeal_kind", "urgent", "is_active"]
    list_filter = ["is_active", "appeal_kind", "urgent"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent", "organisation"]
    autocomplete_fields = ["parent", "organisation"]
    readonly_fields = ["change_history"]

    def save_model(self, request, obj, form, change):
        category_save(
            actor=request.user, category=obj, changed=list(form.changed_data), request=request
        )

    @admin.display(description=_("audit log"))
    def change_history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        events = AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-at", "-id")[:100]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{e.at:%Y-%m-%d %H:%M}", e.actor_name, e.action, ", ".join(e.details))
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("when"),
            _("who"),
            _("what"),
            _("details"),
            rows,
        )


class WorkOrderEventInline(TimelineInline):
    model = WorkOrderEvent


@admin.register(WorkOrder)
class WorkOrderAdmin(ScopedAdmin):
    """Read-only, within the user's scope: the same selector and rules as the pages."""

    selector = selectors.order_list
    view_perm = "workorders.view_order"

    list_display = ["id", "title", "category", "status", "channel", "organisation", "created_at"]
    list_filter = ["status", "channel", "overdue"]
    search_fields = ["title"]
    list_select_related = ["category__parent", "organisation"]
    fields = [
        "title",
        "description",
        "category",
        "appeal_kind",
        "channel",
        "external_ticket",
        "place",
        "address_string",
        "lat",
        "long",
        "reporter_name",
        "reporter_phone_masked",
        "organisation",
        "source_organisation",
        "status",
        "urgent",
        "created_at",
        "signed_at",
        "due_at",
        "resolved_at",
        "closed_at",
        "satisfaction",
        "overdue",
        "merged_into",
        "supporter_count",
    ]
    readonly_fields = fields
    inlines = [WorkOrderEventInline]


@admin.register(Open311Key)
class Open311KeyAdmin(SuperuserOnly, admin.ModelAdmin):
    """Adding a key issues one for the chosen organisation; the secret is shown once, in a
    message, and only its hash is stored."""

    list_display = ["hint", "organisation", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["organisation"]
    search_fields = ["hint", "organisation__name"]
    fields = ["organisation", "hint", "created_at", "revoked_at"]
    autocomplete_fields = ["organisation"]
    actions = ["issue_new_key", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["hint", "created_at", "revoked_at"] + (["organisation"] if obj else [])

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and obj is None  # the list, never a key itself

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = self._issue(request, obj.organisation)
        obj.pk, obj.key_hash, obj.hint, obj.created_at = (
            key.pk,
            key.key_hash,
            key.hint,
            key.created_at,
        )

    def _issue(self, request, organisation) -> Open311Key:
        key, secret = open311_key_create(
            actor=request.user, organisation=organisation, request=request
        )
        messages.warning(
            request,
            _("New Open311 API key for %(organisation)s, shown only this once: %(key)s")
            % {"organisation": organisation.name, "key": secret},
        )
        return key

    @admin.action(description=_("Issue a new key for the organisations of the selected keys"))
    def issue_new_key(self, request, queryset):
        organisations = {key.organisation_id: key.organisation for key in queryset}
        for organisation in organisations.values():
            self._issue(request, organisation)

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            open311_key_revoke(actor=request.user, key=key, request=request)
