"""Lending on the home page: a resident's loans, and the desk's overdue loans."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.navigation import (
    OPEN_ITEMS_SHOWN,
    RESIDENT_ROWS,
    RESIDENTS,
    OpenItems,
    QuickAction,
    ResidentSection,
    Tab,
    WorkCount,
    register_open_items,
    register_quick_action,
    register_resident_section,
    register_tab,
    register_work_count,
)

from . import selectors


def _my_loans(request) -> list[dict]:
    loans = selectors.loan_list(user=request.user, mine=True, active_only=True)
    return [
        {
            "text": loan.item.name,
            "url": reverse("lending:item-detail", args=[loan.item_id]),
            "note": loan.get_status_display() + (f" · {loan.due_on:%m-%d}" if loan.due_on else ""),
        }
        for loan in loans[:OPEN_ITEMS_SHOWN]
    ]


def _overdue(request):
    if not request.user.has_perm("lending.manage_loan"):
        return None
    return selectors.overdue_list(user=request.user).count()


def _resident_loans(request, resident):
    """The resident's and their household's loans, as far as the viewer sees."""
    q = Q(household_id=resident.household_id) if resident.household_id else Q(pk__in=[])
    if resident.user_id:
        q |= Q(borrower_user_id=resident.user_id)
    loans = selectors.loan_list(user=request.user).filter(q)
    return [
        {
            "text": f"{loan.item.name} ×{loan.quantity}",
            "url": reverse("lending:item-detail", args=[loan.item_id]),
            "note": loan.get_status_display()
            + (f" · {loan.due_on:%Y-%m-%d}" if loan.due_on else ""),
        }
        for loan in loans[:RESIDENT_ROWS]
    ]


def register() -> None:
    register_resident_section(ResidentSection("loans", _("Loans"), 30, _resident_loans))
    register_tab(Tab("lending:item-list", pgettext_lazy("tab", "Borrow"), RESIDENTS, 30))
    register_quick_action(QuickAction("lending:item-list", _("Borrow an item"), 30))
    register_open_items(OpenItems("loans", _("My loans"), 30, "lending:loan-list", _my_loans))
    register_work_count(
        WorkCount(
            "loans-overdue",
            _("Loans overdue"),
            30,
            _overdue,
            lambda request: reverse("lending:overdue-list"),
        )
    )
