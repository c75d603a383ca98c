"""Background work of events, acting as SYSTEM: offers not taken in time lapse and pass to
the next party on the wait list."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic


@periodic(every=timedelta(minutes=15))
@task()
def offers_expire_task() -> int:
    from .services import offers_expire

    return offers_expire()
