"""The admin's pieces every app uses: a model admin that reads through the app's scoped
selector and asks the app's named permissions (the same layer as pages and API), records
that change only through their services or lifecycle steps, and read-only inlines (a
record's timeline, its photos)."""

from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """``selector(user=…)`` gives the rows the user may see; ``view_perm`` lets them see
    one; ``change_perm`` (None: read-only) lets them add and change through
    ``save_model``, which the subclass writes with its services. Nothing is deleted here:
    other records keep pointing at these, which are made inactive instead."""

    selector = None
    view_perm: str = ""
    module_perm: str | None = None  # who sees the entry in the index (default: view_perm)
    change_perm: str | None = None

    def get_queryset(self, request):
        return type(self).selector(user=request.user)

    def has_module_permission(self, request):
        return request.user.has_perm(self.module_perm or self.view_perm, None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.view_perm, obj)

    def has_add_permission(self, request):
        return self.change_perm is not None and request.user.has_perm(self.change_perm, None)

    def has_change_permission(self, request, obj=None):
        return self.change_perm is not None and request.user.has_perm(self.change_perm, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceSavedAdmin(ScopedAdmin):
    """Configuration changed through the app's services, so that every change is checked
    and audited: ``create(request, obj, fields)`` and ``update(request, obj, fields)`` get
    the ``editable`` fields typed (on a change, only those changed; ``create_fields`` are
    read from ``obj`` by ``create`` itself)."""

    editable: frozenset = frozenset()
    create_fields: tuple = ("name",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name in self.editable}
            saved = self.update(request, obj, fields)
        else:
            fields = {
                name: data[name]
                for name in data
                if name in self.editable and name not in self.create_fields
            }
            saved = self.create(request, obj, fields)
        obj.pk = saved.pk

    def create(self, request, obj, fields):
        raise NotImplementedError

    def update(self, request, obj, fields):
        raise NotImplementedError


class SuperuserOnly:
    """Installation-wide configuration (categories, keys): the superuser's alone."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # other records keep pointing at it; it is revoked or made inactive


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TimelineInline(ReadOnlyInline):
    """A record's timeline events (``core.models.TimelineEvent``); set ``model``."""

    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
