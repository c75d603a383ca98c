"""Work orders on the home page: a resident's open reports, and the staff workbench's
orders to accept, dispatch, start and chase (each count links to the queue filtered alike)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.navigation import (
    OPEN_ITEMS_SHOWN,
    RESIDENT_ROWS,
    RESIDENTS,
    STAFF,
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
from .models import Status


def _my_open_orders(request) -> list[dict]:
    orders = selectors.order_list(user=request.user, mine=True, open_only=True)
    return [
        {
            "text": order.title,
            "url": reverse("workorders:order-detail", args=[order.pk]),
            "note": order.get_status_display(),
        }
        for order in orders[:OPEN_ITEMS_SHOWN]
    ]


def _counts(request) -> dict[str, int]:
    # One query for every status count of the workbench.
    if not hasattr(request, "_workbench_order_counts"):
        request._workbench_order_counts = selectors.order_counts(user=request.user)
    return request._workbench_order_counts


def _status_count(status: str, permission: str | None):
    def count(request):
        if permission and not request.user.has_perm(permission):
            return None
        return _counts(request).get(status, 0)

    return count


def _status_url(status: str):
    return lambda request: f"{reverse('workorders:order-list')}?status={status}"


def _overdue(request):
    return selectors.order_list(user=request.user, open_only=True, overdue=True).count()


def _resident_orders(request, resident):
    """The orders the resident reported (through their account), as far as the viewer sees."""
    if resident.user_id is None:
        return []
    orders = selectors.order_list(user=request.user).filter(reporter_id=resident.user_id)
    return [
        {
            "text": order.title,
            "url": reverse("workorders:order-detail", args=[order.pk]),
            "note": f"{order.get_status_display()} · {order.created_at:%Y-%m-%d}",
        }
        for order in orders[:RESIDENT_ROWS]
    ]


def register() -> None:
    register_resident_section(ResidentSection("orders", _("Reports"), 10, _resident_orders))
    register_tab(Tab("workorders:order-create", pgettext_lazy("tab", "Report"), RESIDENTS, 10))
    register_tab(Tab("workorders:order-list", pgettext_lazy("tab", "Orders"), STAFF, 10))
    register_quick_action(QuickAction("workorders:order-create", _("Report a problem"), 10))
    register_open_items(
        OpenItems("orders", _("My reports"), 10, "workorders:order-mine", _my_open_orders)
    )
    manage = "workorders.manage_order"
    for order, status, label, permission in (
        (10, Status.SUBMITTED, _("New reports to accept"), manage),
        (11, Status.ACCEPTED, _("Accepted, to dispatch"), manage),
        (12, Status.DISPATCHED, _("Dispatched, to start"), None),
        (13, Status.IN_PROGRESS, _("In progress"), None),
    ):
        register_work_count(
            WorkCount(
                f"orders-{status}",
                label,
                order,
                _status_count(status, permission),
                _status_url(status),
            )
        )
    register_work_count(
        WorkCount(
            "orders-overdue",
            _("Overdue, to chase"),
            14,
            _overdue,
            lambda request: f"{reverse('workorders:order-list')}?overdue=on",
        )
    )
