"""Background work of the lending desk: the reminders of loans due tomorrow or overdue, and
the staff's daily digest of overdue loans (``notify.loans_remind``, acting as SYSTEM)."""

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
