"""Admin for the shelf: items (changed through the services, so that every change is
checked and audited), and their donations and loans (read-only: donations are recorded and
loans change only through their steps, on the pages or the API)."""

from django.contrib import admin

from . import selectors
from .models import Donation, Item, ItemPhoto, Loan, LoanEvent
from .services import ITEM_EDITABLE, item_create, item_update


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PhotoInline(ReadOnlyInline):
    model = ItemPhoto
    fields = ["caption", "content_type", "width", "height", "uploaded_at"]
    readonly_fields = fields


class DonationInline(ReadOnlyInline):
    model = Donation
    fields = ["donated_on", "quantity", "donor_name", "anonymous", "note"]
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "category", "quantity", "units_out", "condition", "is_active"]
    list_filter = ["category", "condition", "is_active"]
    search_fields = ["name", "name_en"]
    list_select_related = ["place"]
    raw_id_fields = ["place", "donor_user"]
    readonly_fields = ["units_out"]
    inlines = [PhotoInline, DonationInline]

    def get_queryset(self, request):
        return selectors.item_list(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["place", "units_out"] if obj is not None else ["units_out"]

    def has_module_permission(self, request):
        return request.user.has_perm("lending.view_item", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("lending.view_item", obj)

    def has_add_permission(self, request):
        return request.user.has_perm("lending.manage_item", None)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("lending.manage_item", obj)

    def has_delete_permission(self, request, obj=None):
        return False  # loans keep pointing at items; an item is made inactive instead

    def save_model(self, request, obj, form, change):
        if change:
            fields = {
                name: form.cleaned_data[name] for name in form.changed_data if name in ITEM_EDITABLE
            }
            saved = item_update(actor=request.user, item=obj, request=request, **fields)
        else:
            fields = {
                name: form.cleaned_data[name]
                for name in form.cleaned_data
                if name in ITEM_EDITABLE and name != "name"
            }
            saved = item_create(
                actor=request.user, place=obj.place, name=obj.name, request=request, **fields
            )
        obj.pk = saved.pk


class LoanEventInline(ReadOnlyInline):
    model = LoanEvent
    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Read-only, within the user's scope: the same selector and rules as the pages."""

    list_display = ["id", "item", "borrower_name", "quantity", "status", "due_on"]
    list_filter = ["status"]
    list_select_related = ["item"]
    fields = [
        "item",
        "quantity",
        "status",
        "borrower_name",
        "borrower_user",
        "household",
        "note",
        "requested_at",
        "lent_at",
        "lent_by",
        "due_on",
        "renewals",
        "returned_at",
        "returned_to",
        "return_condition",
        "return_note",
        "cancel_reason",
        "last_reminded_at",
    ]
    readonly_fields = fields
    inlines = [LoanEventInline]

    def get_queryset(self, request):
        return selectors.loan_list(user=request.user)

    def has_module_permission(self, request):
        return request.user.has_perm("lending.oversee_loans", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("lending.view_loan", obj)


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["item", "quantity", "donor_name", "anonymous", "donated_on"]
    list_select_related = ["item"]
    fields = ["item", "quantity", "donor_name", "donor_user", "anonymous", "donated_on", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        items = selectors.item_list(user=request.user)
        return Donation.objects.filter(item__in=items).select_related("item")

    def has_module_permission(self, request):
        return request.user.has_perm("lending.oversee_loans", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("lending.oversee_loans", obj)
