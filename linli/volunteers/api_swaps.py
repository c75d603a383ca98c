"""/api/v1/volunteers: swaps and the rota, under the same permissions as the pages.

Statuses of a swap: ``offered`` → ``pending`` (taken, awaiting a coordinator, where the
group asks for approval) → ``done``; ``offered`` → ``done`` (taken where no approval is
needed); ``offered`` or ``pending`` → ``withdrawn`` (the offerer or a coordinator) or
``lapsed`` (the shift started untaken; the system); ``pending`` → ``declined`` (a
coordinator). Done: the offered assignment is ``handed_over`` and the taker has a new one.

Statuses of a household's turn: ``due`` → ``done`` or ``missed`` (a coordinator, once the
shift has begun).

Refusals (409, with ``code``): taking — ``illegal_step``, ``own_offer``, ``shift_started``,
``already_assigned``, ``overlap``, ``too_many_consecutive``, ``not_member``,
``membership_paused``, ``missing_skill``, ``offer_stale``, ``shift_full``; offering —
``not_on_shift``, ``shift_started``, ``already_offered``; the rota — ``not_a_rota``; turns —
``already_marked``, ``not_yet``; absences — ``not_member``, ``not_in_compound``. 403
``forbidden`` or ``not_volunteer`` for a step that is not yours on something you can see."""

from datetime import date, datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Error,
    Id,
    InputSchema,
    Text,
)

from . import selectors, selectors_swaps, services_rota, services_swaps
from .models import (
    HouseholdTurnStatus,
    RotaMode,
    ShiftKind,
    SwapEventKind,
    SwapStatus,
)

router = Router(tags=["volunteers"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}
SWAP_DOC = (
    "`offered` → `pending` (awaiting the coordinator) → `done`; `offered` → `done` (no "
    "approval needed); `offered` or `pending` → `withdrawn` or `lapsed`; `pending` → "
    "`declined`."
)
TURN_DOC = "`due` → `done` or `missed` (a coordinator, once the shift has begun)."
TAKE_CODES = (
    "409 `illegal_step`, `own_offer`, `shift_started`, `already_assigned`, `overlap`, "
    "`too_many_consecutive`, `not_member`, `membership_paused`, `missing_skill`, "
    "`offer_stale` or `shift_full`; 403 `forbidden` or `not_volunteer`."
)


# -- output ---------------------------------------------------------------------------------


class SwapShiftOut(Schema):
    id: int
    kind: ShiftKind
    name: str
    group: str
    place: str
    room: str | None
    start: datetime
    end: datetime


class SwapOut(Schema):
    id: int
    status: SwapStatus = Field(..., description=SWAP_DOC)
    shift: SwapShiftOut
    offered_by: str = Field(..., description="The volunteer who offers their place")
    offered_by_you: bool
    taker: str | None = Field(..., description="Who took it (pending or done)")
    note: str
    offered_at: datetime
    steps: list[str] = Field(
        ..., description="What you may do now: `take`, `approve`, `decline`, `withdraw`"
    )


class SwapEventOut(Schema):
    at: datetime
    kind: SwapEventKind
    by: str | None
    note: str


class SwapDetailOut(SwapOut):
    events: list[SwapEventOut] = Field(..., description="The swap's timeline, oldest first")


class RotaPersonOut(Schema):
    volunteer_id: int
    name: str
    by_rota: bool
    you: bool


class RotaTurnOut(Schema):
    id: int
    household: str = Field(..., description="The household's address in the compound")
    status: HouseholdTurnStatus = Field(..., description=TURN_DOC)
    yours: bool = Field(..., description="Your household's turn")


class RotaShiftOut(Schema):
    id: int
    shift_type_id: int
    name: str
    group: str
    rota: RotaMode
    place: str
    room: str | None
    start: datetime
    end: datetime
    needed: int
    people: list[RotaPersonOut] = Field(..., description="A rota over members: who serves")
    turns: list[RotaTurnOut] = Field(..., description="A rota over households: whose turn")


class RotaFillOut(Schema):
    made: int = Field(..., description="Places (or households' turns) given by the rota")


class RotaAbsenceOut(Schema):
    id: int
    group_id: int
    group: str
    volunteer_id: int | None
    volunteer: str | None
    household: str | None
    from_date: date
    until_date: date
    reason: str


def _local(value):
    return timezone.localtime(value)


def _swap_shift(s) -> dict:
    t = s.shift_type
    return {
        "id": s.pk,
        "kind": t.kind,
        "name": t.name,
        "group": t.group.name,
        "place": t.place.name,
        "room": t.room.name if t.room_id else None,
        "start": _local(s.start),
        "end": _local(s.end),
    }


def _swap(swap, user) -> dict:
    return {
        "id": swap.pk,
        "status": swap.status,
        "shift": _swap_shift(swap.assignment.shift),
        "offered_by": swap.assignment.volunteer.name,
        "offered_by_you": swap.assignment.volunteer.user_id == user.pk,
        "taker": swap.taker.name if swap.taker_id else None,
        "note": swap.note,
        "offered_at": _local(swap.created_at),
        "steps": services_swaps.swap_steps(user=user, swap=swap),
    }


def _swap_detail(swap, user) -> dict:
    events = [
        {
            "at": _local(e.at),
            "kind": e.kind,
            "by": e.actor.display_name if e.actor_id else None,
            "note": e.note,
        }
        for e in swap.events.all()
    ]
    return {**_swap(swap, user), "events": events}


def _absence(a) -> dict:
    return {
        "id": a.pk,
        "group_id": a.group_id,
        "group": a.group.name,
        "volunteer_id": a.volunteer_id,
        "volunteer": a.volunteer.name if a.volunteer_id else None,
        "household": a.household.place.name if a.household_id else None,
        "from_date": a.from_date,
        "until_date": a.until_date,
        "reason": a.reason,
    }


# -- input ----------------------------------------------------------------------------------


class SwapNoteIn(InputSchema):
    note: Text(200) = ""


class RotaFilters(Schema):
    week: Day | None = Field(
        None, description="A day of the first week to show (this week if none); two weeks"
    )


class RotaTurnMarkIn(InputSchema):
    status: Literal["done", "missed"] = Field(..., description="`done` or `missed`")
    note: Text(200) = ""


class RotaAbsenceIn(InputSchema):
    group: Id = Field(..., description="A group whose rota you may see (404 otherwise)")
    volunteer: Id | None = Field(None, description="A member of the group (or a household)")
    household: Id | None = Field(None, description="A household of the group's compound")
    from_date: Day
    until_date: Day
    reason: Text(200) = ""


# -- swaps ----------------------------------------------------------------------------------


@router.post(
    "/assignments/{assignment_id}/swap",
    response={201: SwapOut, **STEP_ERRORS},
    summary="Offer your place on a coming shift: a new swap is `offered`",
    description="409 `not_on_shift`, `shift_started` or `already_offered`; 403 `forbidden` "
    "for another's place. The volunteers who could take it and the coordinators are told.",
)
def volunteers_swap_offer(
    request: HttpRequest, payload: SwapNoteIn, assignment_id: int = Path(..., ge=1, le=MAX_ID)
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    swap = services_swaps.swap_offer(actor=request.user, assignment=assignment, note=payload.note)
    swap = selectors_swaps.swap_get(user=request.user, pk=swap.pk)
    return Status(201, _swap(swap, request.user))


@router.get(
    "/swaps",
    response={200: list[SwapOut], **LIST_ERRORS},
    summary="The offers you could take (open, coming shifts of your groups)",
)
@paginate(Pagination)
def volunteers_swaps_open(request: HttpRequest):
    return [_swap(s, request.user) for s in selectors_swaps.open_swaps(user=request.user)[:500]]


@router.get(
    "/swaps/mine",
    response={200: list[SwapOut], **LIST_ERRORS},
    summary="Your offers and the ones you took (shifts from a week back)",
)
@paginate(Pagination)
def volunteers_swaps_mine(request: HttpRequest):
    return [_swap(s, request.user) for s in selectors_swaps.my_swaps(user=request.user)[:500]]


@router.get(
    "/swaps/approvals",
    response={200: list[SwapOut], **LIST_ERRORS},
    summary="Swaps awaiting your approval (`pending`, the groups you coordinate)",
)
@paginate(Pagination)
def volunteers_swaps_approvals(request: HttpRequest):
    rows = selectors_swaps.swap_approvals(user=request.user)[:500]
    return [_swap(s, request.user) for s in rows]


@router.get(
    "/swaps/{swap_id}",
    response={200: SwapDetailOut, **READ_ERRORS},
    summary="One swap with its timeline",
)
def volunteers_swap(request: HttpRequest, swap_id: int = Path(..., ge=1, le=MAX_ID)):
    return _swap_detail(selectors_swaps.swap_get(user=request.user, pk=swap_id), request.user)


def _swap_step(step: str, summary: str, description: str):
    def endpoint(
        request: HttpRequest, payload: SwapNoteIn, swap_id: int = Path(..., ge=1, le=MAX_ID)
    ):
        swap = selectors_swaps.swap_get(user=request.user, pk=swap_id)
        write = getattr(services_swaps, f"swap_{step}")
        write(actor=request.user, swap=swap, note=payload.note)
        return _swap_detail(selectors_swaps.swap_get(user=request.user, pk=swap_id), request.user)

    endpoint.__name__ = f"volunteers_swap_{step}"
    router.post(
        f"/swaps/{{swap_id}}/{step}",
        response={200: SwapDetailOut, **STEP_ERRORS},
        summary=summary,
        description=description,
        operation_id=f"volunteers_swap_{step}",
    )(endpoint)


_swap_step(
    "take",
    "Take the offer (a volunteer who qualifies): `offered` → `pending` or `done`",
    "`pending` where the group asks for a coordinator's approval, else `done` at once. "
    + TAKE_CODES,
)
_swap_step(
    "approve",
    "Approve a taken swap (a coordinator): `pending` → `done`",
    "The taker is checked again. " + TAKE_CODES,
)
_swap_step(
    "decline",
    "Decline a taken swap (a coordinator): `pending` → `declined`",
    "409 `illegal_step`; 403 `forbidden`.",
)
_swap_step(
    "withdraw",
    "Withdraw an open offer (the offerer or a coordinator): → `withdrawn`",
    "409 `illegal_step`; 403 `forbidden`.",
)


# -- rota -----------------------------------------------------------------------------------


def _rota_shift(s, *, volunteer, household) -> dict:
    t = s.shift_type
    return {
        "id": s.pk,
        "shift_type_id": t.pk,
        "name": t.name,
        "group": t.group.name,
        "rota": t.rota,
        "place": t.place.name,
        "room": t.room.name if t.room_id else None,
        "start": _local(s.start),
        "end": _local(s.end),
        "needed": s.needed,
        "people": [
            {
                "volunteer_id": a.volunteer_id,
                "name": a.volunteer.name,
                "by_rota": a.by_rota,
                "you": volunteer is not None and a.volunteer_id == volunteer.pk,
            }
            for a in s.active_assignments
        ],
        "turns": [
            {
                "id": turn.pk,
                "household": turn.household.place.name,
                "status": turn.status,
                "yours": household is not None and turn.household_id == household.pk,
            }
            for turn in s.turns
        ],
    }


@router.get(
    "/rota",
    response={200: list[RotaShiftOut], **LIST_ERRORS},
    summary="The rota, this week and next: who cleans what (your groups', your compound's)",
)
def volunteers_rota(request: HttpRequest, filters: Query[RotaFilters]):
    user = request.user
    day = filters.week or timezone.localdate()
    week = day - timedelta(days=day.weekday())
    types = list(selectors_swaps.rota_types(user=user)[:50])
    volunteer = selectors.volunteer_of(user=user)
    household = selectors_swaps._household_of(user)
    shifts = selectors_swaps.rota_shifts(shift_types=types, start=week, days=14)
    return [_rota_shift(s, volunteer=volunteer, household=household) for s in shifts]


@router.post(
    "/rota/{shift_type_id}/fill",
    response={200: RotaFillOut, **ACTION_STEP_ERRORS},
    summary="Fill a rota's coming two weeks, fairly (the group's coordinators)",
    description="Fewest hours served first, then who served longest ago; absences passed "
    "over; the limits of signing up kept. 409 `not_a_rota`; 403 `forbidden`.",
)
def volunteers_rota_fill(request: HttpRequest, shift_type_id: int = Path(..., ge=1, le=MAX_ID)):
    shift_type = selectors_swaps.rota_type_get(user=request.user, pk=shift_type_id)
    until = timezone.localdate() + timedelta(weeks=2)
    made = services_rota.rota_fill(actor=request.user, shift_type=shift_type, until=until)
    return {"made": made}


@router.post(
    "/rota/turns/{turn_id}/mark",
    response={200: RotaTurnOut, **STEP_ERRORS},
    summary="Mark a household's turn `done` or `missed` (the group's coordinators)",
    description="409 `already_marked` or `not_yet` (before the shift begins); 403 `forbidden`.",
)
def volunteers_turn_mark(
    request: HttpRequest, payload: RotaTurnMarkIn, turn_id: int = Path(..., ge=1, le=MAX_ID)
):
    turn = selectors_swaps.turn_get(user=request.user, pk=turn_id)
    turn = services_rota.turn_mark(
        actor=request.user, turn=turn, status=payload.status, note=payload.note
    )
    household = selectors_swaps._household_of(request.user)
    return {
        "id": turn.pk,
        "household": turn.household.place.name,
        "status": turn.status,
        "yours": household is not None and turn.household_id == household.pk,
    }


@router.get(
    "/absences",
    response={200: list[RotaAbsenceOut], **LIST_ERRORS},
    summary="Coming and current absences from the rota you may see",
)
@paginate(Pagination)
def volunteers_absences(request: HttpRequest):
    rows = selectors_swaps.absence_list(user=request.user, since=timezone.localdate())
    return [_absence(a) for a in rows[:500]]


@router.post(
    "/absences",
    response={201: RotaAbsenceOut, **STEP_ERRORS},
    summary="Enter an absence: a member for themself, a coordinator for anyone",
    description="One member or one household; the last day not before the first, at most "
    "a year. 409 `not_member` or `not_in_compound`; 403 `forbidden`. The rota's places of "
    "the absent one in that time go to the next in turn.",
)
def volunteers_absence_add(request: HttpRequest, payload: RotaAbsenceIn):
    from linli.residents.models import Household

    from .models import Volunteer

    group = next(
        (g for g in selectors_swaps.absence_groups(user=request.user) if g.pk == payload.group),
        None,
    )
    if group is None:
        raise Http404("Not found.")
    volunteer = household = None
    if payload.volunteer is not None:
        volunteer = Volunteer.objects.filter(pk=payload.volunteer, memberships__group=group).first()
        if volunteer is None:
            raise ValidationError({"volunteer": _("Choose a member of the group.")})
    if payload.household is not None:
        household = services_rota.rota_households(group).filter(pk=payload.household).first()
        if household is None:
            raise ValidationError({"household": _("Choose a household of the compound.")})
        household = Household.objects.select_related("place").get(pk=household.pk)
    absence = services_rota.absence_record(
        actor=request.user,
        group=group,
        volunteer=volunteer,
        household=household,
        from_date=payload.from_date,
        until_date=payload.until_date,
        reason=payload.reason,
    )
    return Status(201, _absence(selectors_swaps.absence_get(user=request.user, pk=absence.pk)))


@router.post(
    "/absences/{absence_id}/remove",
    response={200: RotaAbsenceOut, **ACTION_ERRORS},
    summary="Take an absence off (whoever may enter it); answers the absence removed",
    description="403 `forbidden`.",
)
def volunteers_absence_remove(request: HttpRequest, absence_id: int = Path(..., ge=1, le=MAX_ID)):
    absence = selectors_swaps.absence_get(user=request.user, pk=absence_id)
    out = _absence(absence)
    services_rota.absence_remove(actor=request.user, absence=absence)
    return out
