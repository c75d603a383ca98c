"""Admin for users, grants, tokens and (read-only) the audit log. Non-superusers see only
their scope: querysets come from the same selectors as the pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from linli.core.audit_labels import ACTION_LABELS, action_label
from linli.core.models import AuditEvent

from . import services
from .models import ApiToken, RoleGrant, User
from .selectors import audit_event_list
from .views import describe_events


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "place", "organisation", "valid_until", "revoked_at"]
    readonly_fields = ["revoked_at"]
    autocomplete_fields = ["place", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "mobile", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [RoleGrantInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.none()

    def save_formset(self, request, form, formset, change):
        # Grants are written through the service so that each is validated and audited.
        for obj in formset.deleted_objects:
            services.grant_revoke(actor=request.user, grant=obj, request=request)
        for grant in formset.save(commit=False):
            if grant.pk is None:
                services.grant_create(
                    actor=request.user,
                    user=form.instance,
                    role=grant.role,
                    place=grant.place,
                    organisation=grant.organisation,
                    request=request,
                )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False  # tokens are created with `linli token create`, which shows the secret once

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(actor=request.user, token=token)


class ActionFilter(admin.SimpleListFilter):
    """The actions found in the log the user may read, by their labels (the same registry
    as the site's audit page); an action no one has named yet shows its code."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        )
        return sorted(((code, action_label(code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only. Actions read by their labels, as on the
    site's audit page; the code stays searchable and is shown on an event's own page."""

    list_display = ["at", "actor_text", "action_text", "object_text", "ip_address"]
    list_filter = [ActionFilter]
    search_fields = ["actor_name", "object_repr", "action"]
    fields = [
        "at",
        "actor_name",
        "action_text",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "place_path",
        "ip_address",
        "user_agent",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_text(self, obj):
        return action_label(obj.action)

    @admin.display(description=_("done by"), ordering="actor_name")
    def actor_text(self, obj):
        return getattr(obj, "actor_label", obj.actor_name)

    @admin.display(description=_("object"))
    def object_text(self, obj):
        return getattr(obj, "object_label", obj.object_repr)

    def get_changelist_instance(self, request):
        # The page's events named as on the site's audit page: one query per object type.
        changelist = super().get_changelist_instance(request)
        changelist.result_list = describe_events(list(changelist.result_list))
        return changelist

    def get_search_results(self, request, queryset, search_term):
        # A label typed in the search box ("Health card read") finds its code's events too.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().casefold()
        if term:
            codes = [code for code, label in ACTION_LABELS.items() if term in str(label).casefold()]
            if codes:
                found = found | queryset.filter(action__in=codes)
        return found, may_have_duplicates

    def has_module_permission(self, request):
        return request.user.has_perm("core.view_auditevent")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("core.view_auditevent")

    def get_queryset(self, request):
        return audit_event_list(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
