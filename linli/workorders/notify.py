"""Who hears of which step: the reporter of every step that matters to them, the handling
organisation of dispatches, reopenings and chases, the community of returns and extension
requests."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.models import User
from linli.accounts.roles import MANAGE_ORDERS
from linli.accounts.selectors import users_with_roles_over
from linli.core.notifications import Message, notify

from .models import EventKind, WorkOrderEvent

TO_REPORTER = {
    EventKind.ACCEPTED, EventKind.REJECTED, EventKind.DISPATCHED, EventKind.SIGNED,
    EventKind.RESOLVED, EventKind.REOPENED, EventKind.CLOSED, EventKind.MERGED,
    EventKind.REFERRED,
}  # fmt: skip
TO_HANDLER = {EventKind.DISPATCHED, EventKind.REOPENED, EventKind.CHASED,
              EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED}  # fmt: skip
TO_MANAGERS = {EventKind.RETURNED, EventKind.EXTENSION_REQUESTED, EventKind.CHASED}


def _managers_of(order) -> list[User]:
    return users_with_roles_over(order.place.path, MANAGE_ORDERS)


def recipients(event: WorkOrderEvent) -> list[User]:
    order = event.order
    users: list[User] = []
    if event.kind in TO_REPORTER and order.reporter_id:
        users.append(order.reporter)
    if event.kind in TO_HANDLER and order.organisation_id:
        users.extend(order.organisation.members.filter(is_active=True))
    if event.kind in TO_MANAGERS:
        users.extend(_managers_of(order))
    return [u for u in users if u.pk != event.actor_id]


def notify_event(event_id: int) -> int:
    event = (
        WorkOrderEvent.objects.select_related(
            "order__place", "order__reporter", "order__organisation"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    order = event.order
    with override("zh-hans"):  # messages go out in the users' default language
        message = Message(
            kind=f"workorder.{event.kind}",
            title=_("Order %(number)s: %(step)s")
            % {"number": order.number, "step": EventKind(event.kind).label},
            body=f"{order.title}\n{event.note}".strip(),
            url=reverse("workorders:order-detail", args=[order.pk]),
        )
    return notify(recipients(event), message)
