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


# -- sign-in -- a shift over with someone never signed in: a no-show, recorded by SYSTEM.
@periodic(every=timedelta(hours=1))
@task()
def no_show_task() -> int:
    return no_show_sweep()


def no_show_sweep(*, now=None) -> int:
    """Record a no-show for every assignment whose shift ended (within the last two weeks)
    without a sign-in; returns how many."""
    from django.db import transaction
    from django.utils import timezone

    from linli.core.actors import SYSTEM
    from linli.core.errors import LinliError

    from .models import Assignment, AssignmentStatus
    from .services import assignment_no_show_auto

    now = now or timezone.now()
    rows = Assignment.objects.filter(
        status=AssignmentStatus.ASSIGNED,
        shift__end__lte=now,
        shift__end__gt=now - timedelta(days=14),
    ).select_related("shift__shift_type__group__place", "volunteer")
    done = 0
    for assignment in rows[:2000]:
        try:
            with transaction.atomic():
                assignment_no_show_auto(actor=SYSTEM, assignment=assignment, now=now)
        except LinliError:
            continue
        done += 1
    return done


# -- swaps --: an offer still open when its shift begins lapses (within the hour is soon enough)
@periodic(every=timedelta(hours=1))
@task()
def swaps_lapse_task() -> int:
    from linli.core.actors import SYSTEM

    from .services_swaps import swaps_lapse

    return swaps_lapse(actor=SYSTEM)


# -- rota --: every week the rotas fill their coming two weeks, fairly (as SYSTEM)
ROTA_WEEKS_AHEAD = 2


@periodic(every=timedelta(days=7))
@task()
def rota_fill_task() -> int:
    from django.utils import timezone

    from linli.core.actors import SYSTEM

    from .services_rota import rota_fill_all

    return rota_fill_all(
        actor=SYSTEM, until=timezone.localdate() + timedelta(weeks=ROTA_WEEKS_AHEAD)
    )
