"""Background work of the service desk: the deadline reminders of its cases
(``notify.cases_remind``, acting as SYSTEM)."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


# Hourly, so that the day's reminders go out soon after the daytime hours begin; each case
# is reminded once before its due date and once when overdue.
@periodic(every=timedelta(hours=1))
@task()
def cases_remind_task() -> int:
    from .notify import cases_remind

    return cases_remind()
