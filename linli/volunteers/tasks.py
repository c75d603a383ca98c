"""Background work of the volunteers' shifts, acting as SYSTEM: generating the coming weeks'
shifts from the weekly rules, and telling coordinators about shifts short of people."""

from datetime import timedelta

from django_tasks import task

from linli.core.periodic import periodic

# The shifts of this many weeks ahead are always there to sign up for.
WEEKS_AHEAD = 4


@periodic(every=timedelta(days=1))
@task()
def shifts_generate_task() -> int:
    from django.utils import timezone

    from linli.core.actors import SYSTEM

    from .models import VolunteerGroup
    from .services import shifts_generate

    today = timezone.localdate()
    made = 0
    for group in VolunteerGroup.objects.select_related("place"):
        made += shifts_generate(
            actor=SYSTEM, group=group, until=today + timedelta(weeks=WEEKS_AHEAD)
        )
    return made


# Each shift is told once; a few hours late is soon enough three days ahead.
@periodic(every=timedelta(hours=6))
@task()
def uncovered_notify_task() -> int:
    from .notify import uncovered_notify

    return uncovered_notify()
