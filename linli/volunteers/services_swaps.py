"""Swaps and cover (换班): a volunteer offers their place on a coming shift; an eligible
volunteer takes it — qualified under the same checks as signing up (a member of a group the
shift is for, a qualifying skill, no overlap, the group's limit of shifts in a row), under
the same locks (the volunteer's row, then the shift's). Where the group asks for it
(``swap_needs_approval``) the take waits for a coordinator's approval; otherwise it is done
at once. Done: in one transaction the offered assignment is handed over and the taker gets
a new one, so that the shift never holds more people than it needs. The offerer (or a
coordinator) withdraws an open offer; a coordinator declines a pending one; the job lapses
(as SYSTEM) the offers still open once their shift has started.

One ``core.lifecycle`` table, ``SWAP``: ``offered`` → ``pending`` (taken, awaiting the
coordinator) → ``done``; ``offered`` → ``done`` (no approval needed); ``offered`` or
``pending`` → ``withdrawn``, ``lapsed``; ``pending`` → ``declined``. Every step is an event
on the swap's timeline; the hand-over and the take-over are on the two assignments'."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.locking import lock_row

from . import services
from .models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentEventKind,
    AssignmentStatus,
    SwapEvent,
    SwapEventKind,
    SwapOffer,
    SwapStatus,
    Volunteer,
)

W = SwapStatus
E = SwapEventKind
SWAP_SELECT = ("assignment__shift__shift_type__group__place", "assignment__volunteer", "taker")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _swap_guard(name: str, swap: SwapOffer, *, now=None, **context) -> None:
    start = swap.assignment.shift.start
    if name == "lapse":
        # the shift has begun, or the offered place was given up meanwhile (cancelled)
        if start > _now(now) and swap.assignment.status == AssignmentStatus.ASSIGNED:
            raise ConflictError(
                _("The shift has not started; the offer is still open."), code="not_started"
            )
    elif name in ("take", "take_over", "approve") and start <= _now(now):
        raise ConflictError(_("This shift has already started."), code="shift_started")


SWAP = Lifecycle(
    name="volunteers.swap",
    model=SwapOffer,
    event_model=SwapEvent,
    subject="swap",
    event_kinds=SwapEventKind,
    illegal_message=gettext_lazy("This swap is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("This step of the swap is not yours to take."),
    select_related=SWAP_SELECT,
    # the swap's row under the project's lock (on SQLite too: two takers at once)
    lock=lambda swap: lock_row(SwapOffer, swap.pk, select_related=SWAP_SELECT),
    guard=_swap_guard,
    audit_prefix="volunteers.swap",
    steps={
        # taken where the group asks for a coordinator's approval ...
        "take": Step(
            frozenset({W.OFFERED}), W.PENDING, "volunteers.take_swap", E.TAKEN,
            pgettext_lazy("swap step", "taken"),
        ),
        # ... and where it does not: done at once
        "take_over": Step(
            frozenset({W.OFFERED}), W.DONE, "volunteers.take_swap", E.TAKEN,
            pgettext_lazy("swap step", "taken"),
        ),
        "approve": Step(
            frozenset({W.PENDING}), W.DONE, "volunteers.decide_swap", E.APPROVED,
            pgettext_lazy("swap step", "approved"),
        ),
        "decline": Step(
            frozenset({W.PENDING}), W.DECLINED, "volunteers.decide_swap", E.DECLINED,
            pgettext_lazy("swap step", "declined"),
        ),
        "withdraw": Step(
            frozenset({W.OFFERED, W.PENDING}), W.WITHDRAWN, "volunteers.withdraw_swap",
            E.WITHDRAWN, pgettext_lazy("swap step", "withdrawn"),
        ),
        "lapse": Step(
            frozenset({W.OFFERED, W.PENDING}), W.LAPSED, "volunteers.lapse_swap", E.LAPSED,
            pgettext_lazy("swap step", "lapsed"),
        ),
    },
)  # fmt: skip


def swap_steps(*, user, swap: SwapOffer, now: datetime | None = None) -> list[str]:
    """The steps ``user`` may take on ``swap`` now (the buttons): ``take`` stands for both
    ways of taking, whichever the group's rule makes it."""
    names = SWAP.allowed(user=user, obj=swap, now=now)
    if "take_over" in names:
        names.remove("take_over")
        if "take" not in names:
            names.insert(0, "take")
    return [n for n in names if n != "lapse"]


def _notify_offer(swap_id: int) -> None:
    from .notify import swap_offered_notify

    transaction.on_commit(lambda: swap_offered_notify(swap_id))


@transaction.atomic
def swap_offer(
    *, actor, assignment: Assignment, note: str = "", now: datetime | None = None
) -> SwapOffer:
    """The volunteer offers their place on a coming shift to whoever may take it (or a
    coordinator for them: a member without an account asks on the phone). The volunteers
    who qualify and the group's coordinators are told once it is saved."""
    check_perm(
        actor,
        "volunteers.offer_swap",
        assignment,
        message=_("Only the volunteer on the shift, or the group's coordinators, may offer it."),
    )
    lock_row(Volunteer, assignment.volunteer_id)  # one offer at a time per volunteer
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__shift_type__group__place", "volunteer")
        .get(pk=assignment.pk)
    )
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise ConflictError(
            _("Only a place you hold on a coming shift can be offered."), code="not_on_shift"
        )
    if assignment.shift.start <= _now(now):
        raise ConflictError(_("This shift has already started."), code="shift_started")
    if SwapOffer.objects.filter(assignment=assignment, status__in=(W.OFFERED, W.PENDING)).exists():
        raise ConflictError(_("This shift is already offered."), code="already_offered")
    swap = SwapOffer(assignment=assignment, note=(note or "").strip()[:200])
    validated(swap)
    swap.save()
    SWAP.record(obj=swap, kind=E.OFFERED, actor=actor, to_status=swap.status, note=swap.note)
    audit_record(actor=actor, action="volunteers.swap.offer", obj=swap)
    _notify_offer(swap.pk)
    return swap


def _taker_checks(taker: Volunteer, swap: SwapOffer, *, now) -> tuple[Volunteer, object]:
    """The sign-up checks for the taker on the offered shift, under the taker's and the
    shift's locks (in that order, as signing up takes them). Returns both, locked."""
    offered = swap.assignment
    if taker.pk == offered.volunteer_id:
        raise ConflictError(_("You cannot take your own offer."), code="own_offer")
    volunteer, shift = services._lock_pair(taker, offered.shift)
    if shift.start <= _now(now):
        raise ConflictError(_("This shift has already started."), code="shift_started")
    if services._active(volunteer).filter(shift=shift).exists():
        raise ConflictError(
            _("%(name)s is already on this shift.") % {"name": volunteer.name},
            code="already_assigned",
        )
    services._check_qualified(volunteer, shift)
    services._check_overlap(volunteer, shift)
    services._check_consecutive(volunteer, shift)
    return volunteer, shift


def _hand_over(*, actor, swap: SwapOffer, taker: Volunteer, shift) -> Assignment:
    """The offered assignment handed over, the taker's made: one change, never more people
    on the shift than it needs."""
    offered = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .get(pk=swap.assignment_id)
    )
    if offered.status != AssignmentStatus.ASSIGNED:
        raise ConflictError(
            _("%(name)s is no longer on the shift; the offer cannot be taken.")
            % {"name": offered.volunteer.name},
            code="offer_stale",
        )
    offered.status = AssignmentStatus.HANDED_OVER
    validated(offered, fields=["status"])
    offered.save(update_fields=["status", "updated_at"])
    data = {"swap": swap.pk}
    services.ASSIGNMENT.record(
        obj=offered,
        kind=AssignmentEventKind.HANDED_OVER,
        actor=actor,
        from_status=AssignmentStatus.ASSIGNED,
        to_status=offered.status,
        note=_("to %(name)s") % {"name": taker.name},
        data=data,
    )
    taken = Assignment.objects.filter(shift=shift, status__in=ACTIVE_ASSIGNMENT).count()
    if taken >= shift.needed:
        raise ConflictError(_("The shift is full."), code="shift_full")
    new = Assignment(shift=shift, volunteer=taker, created_by=user_or_none(actor))
    validated(new)
    new.save()
    services.ASSIGNMENT.record(
        obj=new,
        kind=AssignmentEventKind.TAKEN_OVER,
        actor=actor,
        to_status=new.status,
        note=_("from %(name)s") % {"name": offered.volunteer.name},
        data=data,
    )
    return new


@transaction.atomic
def swap_take(*, actor, swap: SwapOffer, note: str = "", now: datetime | None = None):
    """The actor (a volunteer) takes the offer: pending the coordinator's approval where the
    group asks for it, else done at once. Two takers at once: the swap's row is locked
    first, so the second finds it taken."""
    swap = SWAP.locked(swap)
    group = swap.assignment.shift.shift_type.group
    name = "take" if group.swap_needs_approval else "take_over"
    SWAP.check(name, actor=actor, obj=swap, now=now)
    taker = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if taker is None:
        raise ForbiddenError(_("Only volunteers take shifts."), code="not_volunteer")
    taker, shift = _taker_checks(taker, swap, now=now)
    if name == "take":
        if swap.assignment.status != AssignmentStatus.ASSIGNED:
            raise ConflictError(_("The offer cannot be taken any more."), code="offer_stale")
        return SWAP.take(
            name, actor=actor, obj=swap, note=note, is_locked=True, context={"now": now},
            taker=taker,
        )  # fmt: skip
    new = _hand_over(actor=actor, swap=swap, taker=taker, shift=shift)
    return SWAP.take(
        name, actor=actor, obj=swap, note=note, is_locked=True, context={"now": now},
        taker=taker, new_assignment=new,
    )  # fmt: skip


@transaction.atomic
def swap_approve(*, actor, swap: SwapOffer, note: str = "", now: datetime | None = None):
    """A coordinator approves a pending swap: the taker is checked again (things may have
    changed since they took it) and the places change hands."""
    swap = SWAP.locked(swap)
    SWAP.check("approve", actor=actor, obj=swap, now=now)
    taker, shift = _taker_checks(swap.taker, swap, now=now)
    new = _hand_over(actor=actor, swap=swap, taker=taker, shift=shift)
    return SWAP.take(
        "approve", actor=actor, obj=swap, note=note, is_locked=True, context={"now": now},
        new_assignment=new,
    )  # fmt: skip


@transaction.atomic
def swap_decline(*, actor, swap: SwapOffer, note: str = "", now: datetime | None = None):
    """A coordinator declines a pending swap: the offerer keeps the shift."""
    return SWAP.take("decline", actor=actor, obj=swap, note=note, context={"now": now})


@transaction.atomic
def swap_withdraw(*, actor, swap: SwapOffer, note: str = "", now: datetime | None = None):
    """The offerer (or a coordinator) withdraws an open offer: the offerer keeps the shift."""
    return SWAP.take("withdraw", actor=actor, obj=swap, note=note, context={"now": now})


@transaction.atomic
def swap_lapse(*, actor, swap: SwapOffer, now: datetime | None = None):
    """The job (SYSTEM) closes an offer still open once its shift has started."""
    return SWAP.take("lapse", actor=actor, obj=swap, context={"now": now})


def swaps_lapse(*, actor, now: datetime | None = None) -> int:
    """Lapse every open offer whose shift has started, or whose place was given up
    meanwhile (each in its own transaction)."""
    now = _now(now)
    ids = list(
        SwapOffer.objects.filter(status__in=(W.OFFERED, W.PENDING))
        .filter(
            Q(assignment__shift__start__lte=now) | ~Q(assignment__status=AssignmentStatus.ASSIGNED)
        )
        .values_list("pk", flat=True)[:1000]
    )
    lapsed = 0
    for pk in ids:
        try:
            swap_lapse(actor=actor, swap=SwapOffer(pk=pk), now=now)
        except ConflictError:
            continue  # taken or closed meanwhile
        lapsed += 1
    return lapsed
