"""Telling a group's coordinators about a shift still short of people, a few days ahead:
each shift is claimed first (``services.shift_uncovered_claim``, as SYSTEM), so that a
second run or a second worker finds it taken and nobody is told twice."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.core.actors import SYSTEM
from linli.core.notifications import Message, notify

# Gaps are shown and told this many days ahead.
UNCOVERED_DAYS = 3


def _message(shift) -> Message:
    start = timezone.localtime(shift.start)
    end = timezone.localtime(shift.end)
    with override("zh-hans"):  # messages go out in the users' default language
        title = _("%(shift)s on %(day)s %(start)s–%(end)s needs %(count)s more") % {
            "shift": shift.shift_type.name,
            "day": f"{start:%Y-%m-%d}",
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "count": shift.needed - shift.taken,
        }
        body = _("%(group)s: assign someone on the board, or ask the members.") % {
            "group": shift.shift_type.group.name
        }
    return Message(
        kind="volunteers.uncovered",
        title=title,
        body=body,
        url=reverse("volunteers:board") + f"?group={shift.shift_type.group_id}",
    )


def uncovered_notify(*, now=None, days: int = UNCOVERED_DAYS) -> int:
    """Tell the coordinators of every shift starting within ``days`` that is short of
    people, once per shift; returns how many shifts were told."""
    from .selectors import coordinators_of, uncovered_shifts
    from .services import shift_uncovered_claim

    now = now or timezone.now()
    told = 0
    for shift in uncovered_shifts(now=now, days=days):
        with transaction.atomic():
            if not shift_uncovered_claim(actor=SYSTEM, shift=shift, now=now):
                continue
        notify(coordinators_of(group=shift.shift_type.group), _message(shift))
        told += 1
    return told


# -- swaps --


def swap_offered_notify(swap_id: int) -> int:
    """Tell the volunteers who could take an offer, and the group's coordinators (run once
    the offer is committed)."""
    from .models import SwapOffer
    from .selectors_swaps import SWAP_RELATED, swap_notify_users

    swap = SwapOffer.objects.select_related(*SWAP_RELATED).filter(pk=swap_id).first()
    if swap is None or swap.status != "offered":
        return 0
    shift = swap.assignment.shift
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    with override("zh-hans"):
        title = _("%(name)s offers %(shift)s on %(day)s %(start)s–%(end)s") % {
            "name": swap.assignment.volunteer.name,
            "shift": shift.shift_type.name,
            "day": f"{start:%Y-%m-%d}",
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
        body = _("%(group)s: take it on the swaps page if you can.") % {
            "group": shift.shift_type.group.name
        }
    message = Message(
        kind="volunteers.swap_offered",
        title=title,
        body=body,
        url=reverse("volunteers:swap-detail", args=[swap.pk]),
    )
    return notify(swap_notify_users(swap), message)
