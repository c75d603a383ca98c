"""Background work of work orders: notifications after each step, and the overdue check
that flags and chases (催办) orders past their deadline."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from linli.core.actors import SYSTEM
from linli.core.periodic import periodic

from .models import Status, WorkOrder

CHASE_AGAIN_AFTER = timedelta(days=1)


@task()
def notify_event_task(event_id: int) -> int:
    from .notify import notify_event

    return notify_event(event_id)


def overdue_check(*, now=None) -> int:
    """Flag orders past their deadline and chase them: once when they become overdue, then
    once a day while they stay so. Each chase is a timeline event, which notifies the
    handler and the community."""
    from .services import order_chase

    now = now or timezone.now()
    candidates = WorkOrder.objects.filter(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS], due_at__lt=now
    ).filter(last_chased_at__isnull=True) | WorkOrder.objects.filter(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
        due_at__lt=now,
        last_chased_at__lt=now - CHASE_AGAIN_AFTER,
    )
    chased = 0
    for order_id in candidates.values_list("pk", flat=True).order_by("due_at")[:5000]:
        with transaction.atomic():
            order = WorkOrder.objects.select_for_update().filter(pk=order_id).first()
            if order is None or order.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
                continue
            if order.last_chased_at and order.last_chased_at >= now - CHASE_AGAIN_AFTER:
                continue
            order_chase(actor=SYSTEM, order=order, now=now)
            chased += 1
    return chased


@periodic(every=timedelta(minutes=15))
@task()
def overdue_check_task() -> int:
    return overdue_check()
