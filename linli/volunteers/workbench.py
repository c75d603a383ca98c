"""What the volunteers' module puts on the home pages and in the menu: the menu entries (my
shifts for volunteers, the duty board for coordinators) and, on the staff workbench, the
applications waiting and the places still to fill on the coming days' shifts."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.navigation import NavEntry, WorkCount, register_nav_entry, register_work_count

from . import selectors


def _applications(request):
    if not request.user.has_perm("volunteers.coordinate"):
        return None
    return selectors.applications(user=request.user).count()


def _gaps(request):
    if not request.user.has_perm("volunteers.coordinate"):
        return None
    from .notify import UNCOVERED_DAYS

    now = timezone.now()
    shifts = selectors.coordinated_shifts(
        user=request.user, start=now, end=now + timedelta(days=UNCOVERED_DAYS)
    )
    return sum(max(s.needed - s.taken, 0) for s in shifts)


def register() -> None:
    register_nav_entry(
        NavEntry(
            "volunteers:shift-mine",
            _("Volunteer shifts"),
            _("值班: my shifts, open shifts of my groups, and the duty board."),
            permission="volunteers.see_menu",
        )
    )
    register_work_count(
        WorkCount(
            "volunteer-applications",
            _("Volunteer applications to decide"),
            70,
            _applications,
            lambda request: reverse("volunteers:membership-applications"),
        )
    )
    register_work_count(
        WorkCount(
            "volunteer-gaps",
            _("Places to fill on shifts of the coming days"),
            71,
            _gaps,
            lambda request: reverse("volunteers:board"),
        )
    )
