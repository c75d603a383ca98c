"""Admin for the place tree and organisations: scoped by the same selectors and rules as the
pages, and every save goes through the services (paths stay consistent, changes audited)."""

from django.contrib import admin
from django.db.models import Q, Value
from django.db.models.functions import Replace

from . import selectors, services
from .models import Membership, Organisation, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "name_path"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "code", "name_path"]
    fields = ["kind", "name", "name_en", "parent", "code", "address", "sort_key"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def get_queryset(self, request):
        return selectors.place_list(user=request.user)

    def get_search_results(self, request, queryset, search_term):
        """Also find a place by its name as people say it ("6号楼1单元", without the path's
        slashes) — what the autocomplete of every place field asks."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = search_term.split()[:5]
        if not words:
            return results, may_have_duplicates
        spoken = queryset.annotate(spoken=Replace("name_path", Value("/"), Value("")))
        for word in words:
            spoken = spoken.filter(spoken__icontains=word)
        combined = queryset.filter(Q(pk__in=results.values("pk")) | Q(pk__in=spoken.values("pk")))
        return combined, may_have_duplicates

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("places.view_place", obj) if obj else True

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("places.change_place", obj)

    def has_add_permission(self, request):
        return request.user.has_perm("places.add_place", None)

    def has_delete_permission(self, request, obj=None):
        return False  # places are never deleted by hand: records keep pointing at them

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.place_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                parent=data["parent"],
                code=data.get("code", ""),
                name_en=data.get("name_en", ""),
                address=data.get("address", ""),
                sort_key=data.get("sort_key") or 0,
                request=request,
            )
            obj.pk = created.pk
            return
        services.place_update(
            actor=request.user,
            place=obj,
            name=data["name"],
            name_en=data["name_en"],
            code=data["code"],
            address=data["address"],
            sort_key=data["sort_key"],
            request=request,
        )
        if "parent" in form.changed_data and data["parent"] is not None:
            services.place_move(
                actor=request.user, place=obj, new_parent=data["parent"], request=request
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en"]
    autocomplete_fields = ["place", "parent"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return selectors.organisation_list(user=request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm("places.change_place", None)
        return request.user.has_perm("places.change_place", obj.place)

    def has_add_permission(self, request):
        return request.user.has_perm("places.add_place", None)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {
            f: form.cleaned_data[f] for f in services.ORGANISATION_FIELDS if f in form.cleaned_data
        }
        if not change:
            created = services.organisation_create(
                actor=request.user,
                request=request,
                **{k: v for k, v in data.items() if k != "is_active"},
            )
            obj.pk = created.pk
            return
        services.organisation_update(actor=request.user, organisation=obj, request=request, **data)

    def save_formset(self, request, form, formset, change):
        for obj in formset.deleted_objects:
            obj.delete()
        for membership in formset.save(commit=False):
            services.membership_add(
                actor=request.user,
                user=membership.user,
                organisation=form.instance,
                title=membership.title,
                request=request,
            )
