"""Matrix spec of the swaps' lifecycle (see lifecycle_matrix): a new group at the demo
compound (its only coordinators the staff over the compound: community worker, branch
secretary), a volunteer without a demo account on a shift two days ahead offering it, and
the demo volunteer (林小雨) an approved member who may take it; the swap in each status made
directly (pending and done with 林小雨 as the taker)."""

from datetime import timedelta

from django.utils import timezone

from linli.volunteers import services, services_swaps
from linli.volunteers.models import SwapOffer, SwapStatus, VolunteerGroup

from .lifecycle_matrix import MatrixSpec, actor_named
from .matrix_volunteers import _group, _volunteer
from .volunteers_helpers import join, make_volunteer


def _swap(status: str) -> SwapOffer:
    secretary = actor_named("secretary")
    group = _group()
    VolunteerGroup.objects.filter(pk=group.pk).update(swap_needs_approval=True)
    lin = _volunteer()
    join(lin, group)
    offerer = make_volunteer(name="换班人")
    join(offerer, group)
    shift_type = services.shift_type_create(
        actor=secretary, group=group, kind="room_duty", name="会客厅值班", needed=1
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    shift = services.shift_create(
        actor=secretary, shift_type=shift_type, start=start, end=start + timedelta(hours=2)
    )
    assignment = services.shift_assign(actor=secretary, shift=shift, volunteer=offerer)
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    if status != SwapStatus.OFFERED:
        SwapOffer.objects.filter(pk=swap.pk).update(status=status, taker=lin)
    return SwapOffer.objects.select_related(*services_swaps.SWAP_SELECT).get(pk=swap.pk)


def _take_swap(step: str, actor, swap: SwapOffer):
    if step in ("take", "take_over"):
        return services_swaps.swap_take(actor=actor, swap=swap)
    if step == "lapse":
        now = swap.assignment.shift.start + timedelta(minutes=1)
        return services_swaps.swap_lapse(actor=actor, swap=swap, now=now)
    return getattr(services_swaps, f"swap_{step}")(actor=actor, swap=swap)


SWAP_SPEC = MatrixSpec(
    lifecycle=services_swaps.SWAP,
    make=_swap,
    take=_take_swap,
    holders={
        # a volunteer who qualifies (the group's approved member), not the offerer
        "volunteers.take_swap": {"volunteer"},
        # the staff over the compound coordinate the new group; never their own swap
        "volunteers.decide_swap": {"community", "secretary"},
        "volunteers.withdraw_swap": {"community", "secretary"},
        "volunteers.lapse_swap": {"SYSTEM"},
    },
)
