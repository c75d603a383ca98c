"""Background work of the lending desk: the reminders of loans due tomorrow or overdue, and
the staff's daily digest of overdue loans (``notify.loans_remind``, acting as SYSTEM); the
wait list's holds that lapse, and telling a waiter that a unit is held for them."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


# Hourly, so that the day's reminders go out soon after the daytime hours begin; each loan is
# reminded and each member of staff sent a digest at most once a day.
@periodic(every=timedelta(hours=1))
@task()
def loans_remind_task() -> int:
    from .notify import loans_remind

    result = loans_remind()
    return result.borrowers + result.digests


# A unit is held for a waiter for a day or two: a quarter of an hour late is soon enough.
@periodic(every=timedelta(minutes=15))
@task()
def holds_expire_task() -> int:
    from .services import holds_expire

    return holds_expire()


@task()
def notify_wait_event_task(event_id: int) -> int:
    from .notify import notify_wait_event

    return notify_wait_event(event_id)
