"""Background work of the meeting: telling participants of the agenda, scheduling the next
regular meetings, and the hourly check that marks decisions done when their work closed."""

from datetime import timedelta

from django_tasks import task

from linli.core.actors import SYSTEM
from linli.core.periodic import periodic


@task()
def notify_agenda_task(meeting_id: int, actor_id: int | None = None) -> int:
    from .notify import notify_agenda

    return notify_agenda(meeting_id, actor_id=actor_id)


@periodic(every=timedelta(days=1))
@task()
def schedule_meetings_task() -> int:
    from .models import MeetingSeries
    from .services import meetings_schedule

    return sum(
        len(meetings_schedule(actor=SYSTEM, series=series))
        for series in MeetingSeries.objects.filter(is_active=True)
    )


@periodic(every=timedelta(hours=1))
@task()
def decisions_refresh_task() -> int:
    from .services import decisions_refresh

    return decisions_refresh(actor=SYSTEM)
