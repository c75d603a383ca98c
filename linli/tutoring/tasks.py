"""Background work of summer tutoring, acting as SYSTEM: telling the guardian who collected
their child when it was not them, flagging the coming sessions below the tutor-to-child
ratio to the coordinators, and the alert for a child not collected 15 minutes after the
session's end."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


@task()
def pickup_notify_task(event_id: int) -> int:
    from .notify import pickup_notify

    return pickup_notify(event_id)


# Each session is flagged once; twice a day is soon enough two days ahead.
@periodic(every=timedelta(hours=6))
@task()
def ratio_notify_task() -> int:
    from .notify import ratio_notify

    return ratio_notify()


# Every few minutes: a child waiting is not something to learn about an hour later.
@periodic(every=timedelta(minutes=5))
@task()
def uncollected_alert_task() -> int:
    from .notify import uncollected_alert

    return uncollected_alert()
