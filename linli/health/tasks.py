"""Background work of health help: telling the care team of an alert after it is committed,
and the hourly no-contact watch over residents living alone."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


@task()
def notify_alert_task(alert_id: int) -> int:
    from .notify import notify_alert

    return notify_alert(alert_id)


@periodic(every=timedelta(hours=1))
@task()
def watch_no_contact_task() -> int:
    from .services import watch_no_contact

    return watch_no_contact()
