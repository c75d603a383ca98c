"""Lending on the home page: a resident's loans and wait lists, and the desk's overdue loans
and wait lists held up."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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
from .models import WaitStatus


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


def _wait_note(entry) -> str:
    if entry.status == WaitStatus.OFFERED:
        return gettext("a unit is held until %(until)s") % {
            "until": f"{timezone.localtime(entry.hold_until):%m-%d %H:%M}"
        }
    return gettext("number %(position)s") % {"position": entry.queue_position}


def _my_waits(request) -> list[dict]:
    """The resident's places on wait lists: units held for them first, soonest lapsing."""
    waits = selectors.wait_list(user=request.user, mine=True, open_only=True).order_by(
        F("hold_until").asc(nulls_last=True), "joined_at", "id"
    )
    return [
        {
            "text": entry.item.display_name,
            "url": reverse("lending:wait-detail", args=[entry.pk]),
            "note": _wait_note(entry),
        }
        for entry in waits[:OPEN_ITEMS_SHOWN]
    ]


def _waits_held_up(request):
    if not request.user.has_perm("lending.manage_loan"):
        return None
    return selectors.waits_held_up(user=request.user).count()


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
    register_open_items(OpenItems("waits", _("My wait lists"), 31, "lending:loan-list", _my_waits))
    register_work_count(
        WorkCount(
            "loans-overdue",
            _("Loans overdue"),
            30,
            _overdue,
            lambda request: reverse("lending:overdue-list"),
        )
    )
    register_work_count(
        WorkCount(
            "waits-held-up",
            _("Wait lists held up"),
            31,
            _waits_held_up,
            lambda request: reverse("lending:wait-held-up"),
        )
    )
