"""Admin for the shelf: items (changed through the services, so that every change is
checked and audited), and their donations and loans (read-only: donations are recorded and
loans change only through their steps, on the pages or the API)."""

from django.contrib import admin

from linli.core.admin import ReadOnlyInline, ScopedAdmin, ServiceSavedAdmin, TimelineInline

from . import selectors
from .models import Donation, Item, ItemPhoto, Loan, LoanEvent
from .services import ITEM_EDITABLE, item_create, item_update


class PhotoInline(ReadOnlyInline):
    model = ItemPhoto
    fields = ["caption", "content_type", "width", "height", "uploaded_at"]
    readonly_fields = fields


class DonationInline(ReadOnlyInline):
    model = Donation
    fields = ["donated_on", "quantity", "donor_name", "anonymous", "note"]
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(ServiceSavedAdmin):
    selector = selectors.item_list
    view_perm = "lending.view_item"
    change_perm = "lending.manage_item"
    editable = ITEM_EDITABLE

    list_display = ["name", "place", "category", "quantity", "units_out", "condition", "is_active"]
    list_filter = ["category", "condition", "is_active"]
    search_fields = ["name", "name_en"]
    list_select_related = ["place"]
    raw_id_fields = ["donor_user"]
    autocomplete_fields = ["place"]  # a searchable choice (a raw id field showed empty)
    readonly_fields = ["units_out"]
    inlines = [PhotoInline, DonationInline]

    def get_readonly_fields(self, request, obj=None):
        return ["place", "units_out"] if obj is not None else ["units_out"]

    def create(self, request, obj, fields):
        return item_create(
            actor=request.user, place=obj.place, name=obj.name, request=request, **fields
        )

    def update(self, request, obj, fields):
        return item_update(actor=request.user, item=obj, request=request, **fields)


class LoanEventInline(TimelineInline):
    model = LoanEvent


@admin.register(Loan)
class LoanAdmin(ScopedAdmin):
    """Read-only, within the user's scope: the same selector and rules as the pages."""

    selector = selectors.loan_list
    module_perm = "lending.oversee_loans"
    view_perm = "lending.view_loan"

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


@admin.register(Donation)
class DonationAdmin(ScopedAdmin):
    selector = selectors.donations_in_scope
    view_perm = "lending.oversee_loans"

    list_display = ["item", "quantity", "donor_name", "anonymous", "donated_on"]
    list_select_related = ["item"]
    fields = ["item", "quantity", "donor_name", "donor_user", "anonymous", "donated_on", "note"]
    readonly_fields = fields
