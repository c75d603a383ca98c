"""Background work of mediation: the daily reminder of agreements' deadlines for judicial
confirmation (``notify.confirmations_remind``, acting as SYSTEM)."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


# Each agreement is reminded once; a few hours late is soon enough.
@periodic(every=timedelta(hours=6))
@task()
def confirmations_remind_task() -> int:
    from .notify import confirmations_remind

    return confirmations_remind()
