"""/api/v1/volunteers: volunteers and their shifts under the same permissions as the pages —
a volunteer sees their own profile and shifts and the open shifts of their groups; a
group's coordinators (the staff over its place, its duty managers) see its board, members
and applications; everyone else gets 404. Numbers are masked.

Statuses of a membership: ``applied`` → ``approved`` or ``declined`` (the coordinator);
``approved`` → ``paused`` → ``approved`` (resumed); ``applied``, ``approved`` or
``paused`` → ``left``; ``declined`` or ``left`` → ``applied`` (the volunteer applies
again). Statuses of an assignment: ``assigned`` (on the shift) → ``cancelled`` (by the
volunteer or a coordinator, before the shift starts).

Refusals (409, with ``code``): ``shift_full``, ``already_assigned``, ``overlap``,
``too_many_consecutive``, ``not_member``, ``membership_paused``, ``missing_skill``,
``shift_started``, ``shift_over``, ``already_member``, ``illegal_step``; 403 ``forbidden`` or
``not_volunteer`` for a step that is not yours on something you can see."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
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
    Error,
    Id,
    InputSchema,
    MaskedIdNumber,
    MaskedPhone,
    Text,
)
from linli.core.errors import ForbiddenError
from linli.core.lifecycle import check_perm

from . import selectors, services
from .models import (
    ACTIVE_ASSIGNMENT,
    AssignmentStatus,
    MembershipStatus,
    ShiftKind,
    VolunteerGroupKind,
    VolunteerSkill,
)

router = Router(tags=["volunteers"])

ACTIVE = ACTIVE_ASSIGNMENT
STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
MEMBERSHIP_DOC = (
    "`applied` → `approved` or `declined`; `approved` → `paused` → `approved`; `applied`, "
    "`approved` or `paused` → `left`; `declined` or `left` → `applied` (again)."
)
ASSIGNMENT_DOC = (
    "`assigned` (on the shift) → `cancelled` (before the shift starts); `assigned` → "
    "`on_duty` (signed in) → `served` (signed out); `assigned` → `no_show`; `assigned` → "
    "`handed_over` (a swap)."
)


# -- output ---------------------------------------------------------------------------------


class VolunteerGroupOut(Schema):
    id: int
    name: str
    kind: VolunteerGroupKind
    place: str
    max_consecutive: int = Field(..., description="At most this many back-to-back shifts")
    swap_needs_approval: bool = Field(
        ..., description="A swap of shifts takes effect once a coordinator approves it"
    )


class ShiftOut(Schema):
    id: int
    kind: ShiftKind
    name: str
    group: str
    place: str
    room: str | None
    start: datetime
    end: datetime
    needed: int
    taken: int = Field(..., description="Places taken")
    mine: bool = Field(..., description="You are on this shift")


class ShiftPersonOut(Schema):
    assignment_id: int
    volunteer_id: int
    name: str
    by_coordinator: bool


class BoardShiftOut(ShiftOut):
    people: list[ShiftPersonOut]
    gap: int = Field(..., description="Places still to fill")


class AssignmentOut(Schema):
    id: int
    status: AssignmentStatus = Field(..., description=ASSIGNMENT_DOC)
    by_coordinator: bool
    shift: ShiftOut


class MembershipOut(Schema):
    id: int
    volunteer_id: int
    volunteer: str
    group: VolunteerGroupOut
    status: MembershipStatus = Field(..., description=MEMBERSHIP_DOC)
    is_coordinator: bool
    note: str
    applied_at: datetime


class TrainingOut(Schema):
    subject: str
    held_on: date
    provider: str


class AvailabilityOut(Schema):
    weekday: int = Field(..., description="Monday 0 … Sunday 6")
    start: str
    end: str


class VolunteerOut(Schema):
    id: int
    name: str
    outsider: bool = Field(..., description="Not a resident of the register")
    school: str
    team: str
    skills: list[VolunteerSkill]


class VolunteerDetailOut(VolunteerOut):
    phone: MaskedPhone
    id_number: MaskedIdNumber
    availability: list[AvailabilityOut]
    trainings: list[TrainingOut]
    memberships: list[MembershipOut]


def _local(value):
    return timezone.localtime(value)


def _group(g) -> dict:
    return {
        "id": g.pk,
        "name": g.name,
        "kind": g.kind,
        "place": g.place.name,
        "max_consecutive": g.max_consecutive,
        "swap_needs_approval": g.swap_needs_approval,
    }


def _shift(s, *, mine=None) -> dict:
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
        "needed": s.needed,
        "taken": getattr(s, "taken", 0),
        "mine": bool(getattr(s, "mine", 0)) if mine is None else mine,
    }


def _board_shift(s) -> dict:
    people = [
        {
            "assignment_id": a.pk,
            "volunteer_id": a.volunteer_id,
            "name": a.volunteer.name,
            "by_coordinator": a.by_coordinator,
        }
        for a in s.active_assignments
    ]
    return {**_shift(s, mine=False), "people": people, "gap": max(s.needed - s.taken, 0)}


def _assignment(a) -> dict:
    shift = a.shift
    if not hasattr(shift, "taken"):
        shift.taken = shift.assignments.filter(status__in=ACTIVE).count()
    return {
        "id": a.pk,
        "status": a.status,
        "by_coordinator": a.by_coordinator,
        "shift": _shift(shift, mine=a.status in ACTIVE),
    }


def _membership(m) -> dict:
    return {
        "id": m.pk,
        "volunteer_id": m.volunteer_id,
        "volunteer": m.volunteer.name,
        "group": _group(m.group),
        "status": m.status,
        "is_coordinator": m.is_coordinator,
        "note": m.note,
        "applied_at": _local(m.created_at),
    }


def _volunteer(v) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "outsider": v.is_outsider,
        "school": v.school,
        "team": v.team,
        "skills": [s for s in v.skills if s in VolunteerSkill.values],
    }


def _volunteer_detail(v) -> dict:
    return {
        **_volunteer(v),
        "phone": v.phone_masked,
        "id_number": v.id_number_masked,
        "availability": v.availability,
        "trainings": [
            {"subject": t.subject, "held_on": t.held_on, "provider": t.provider}
            for t in v.trainings.all()
        ],
        "memberships": [_membership(m) for m in v.memberships.all()],
    }


# -- input ----------------------------------------------------------------------------------


class NoteIn(InputSchema):
    note: Text(200) = ""


class ReasonIn(InputSchema):
    reason: Text(500) = ""


class AssignIn(InputSchema):
    volunteer: Id = Field(..., description="An approved member of a group the shift is for")


class BoardFilters(Schema):
    week: date | None = Field(None, description="A day of the week to show (this week if none)")


# -- endpoints ------------------------------------------------------------------------------


class VolunteerMeOut(Schema):
    volunteer: VolunteerDetailOut | None = Field(
        ..., description="Your volunteer profile; null if you are not a volunteer"
    )
    coordinates: bool = Field(..., description="You coordinate at least one group")


@router.get("/me", response={200: VolunteerMeOut, **LIST_ERRORS}, summary="You as a volunteer")
def volunteers_me(request: HttpRequest):
    volunteer = selectors.volunteer_of(user=request.user)
    if volunteer is not None:
        volunteer = _volunteer_detail(selectors.volunteer_get(user=request.user, pk=volunteer.pk))
    return {
        "volunteer": volunteer,
        "coordinates": request.user.has_perm("volunteers.coordinate"),
    }


@router.get(
    "/shifts",
    response={200: list[ShiftOut], **LIST_ERRORS},
    summary="The coming four weeks' shifts you may see (your groups', those you coordinate)",
)
@paginate(Pagination)
def volunteers_shifts(request: HttpRequest):
    rows = selectors.shift_list(user=request.user).annotate(
        mine=Count(
            "assignments",
            filter=Q(
                assignments__status__in=ACTIVE, assignments__volunteer__user_id=request.user.pk
            ),
        )
    )
    return [_shift(s) for s in rows[:500]]


@router.get(
    "/shifts/mine",
    response={200: list[AssignmentOut], **LIST_ERRORS},
    summary="Your coming shifts",
)
@paginate(Pagination)
def volunteers_my_shifts(request: HttpRequest):
    rows = selectors.my_assignments(user=request.user, since=timezone.now()).annotate(
        taken=Count("shift__assignments", filter=Q(shift__assignments__status__in=ACTIVE))
    )
    out = []
    for a in rows[:500]:
        a.shift.taken = a.taken
        out.append(_assignment(a))
    return out


@router.get(
    "/shifts/open",
    response={200: list[ShiftOut], **LIST_ERRORS},
    summary="The coming four weeks' shifts of your groups",
)
@paginate(Pagination)
def volunteers_open_shifts(request: HttpRequest):
    return [_shift(s) for s in selectors.open_shifts(user=request.user)[:500]]


@router.get(
    "/shifts/{shift_id}", response={200: ShiftOut, **READ_ERRORS}, summary="One shift you may see"
)
def volunteers_shift(request: HttpRequest, shift_id: int = Path(..., ge=1, le=MAX_ID)):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    mine = any(a.volunteer.user_id == request.user.pk for a in shift.active_assignments)
    return _shift(shift, mine=mine)


@router.post(
    "/shifts/{shift_id}/signup",
    response={201: AssignmentOut, **ACTION_ERRORS, 409: Error},
    summary="Take a place on the shift yourself",
    description="409 `shift_full`, `already_assigned`, `overlap`, `too_many_consecutive`, "
    "`not_member`, `membership_paused`, `missing_skill` or `shift_started`; 403 "
    "`not_volunteer`.",
)
def volunteers_sign_up(request: HttpRequest, shift_id: int = Path(..., ge=1, le=MAX_ID)):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    assignment = services.shift_sign_up(actor=request.user, shift=shift)
    return Status(201, _assignment(assignment))


@router.post(
    "/shifts/{shift_id}/assign",
    response={201: AssignmentOut, **STEP_ERRORS},
    summary="Put a volunteer on the shift (the group's coordinators)",
    description="The same limits as signing up; until the shift ends (409 `shift_over`).",
)
def volunteers_assign(
    request: HttpRequest, payload: AssignIn, shift_id: int = Path(..., ge=1, le=MAX_ID)
):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    check_perm(request.user, "volunteers.manage_shifts", shift)
    volunteer = selectors.eligible_volunteers(shift=shift).filter(pk=payload.volunteer).first()
    if volunteer is None:
        raise ValidationError(
            {"volunteer": _("Choose an approved member of a group this shift is for.")}
        )
    assignment = services.shift_assign(actor=request.user, shift=shift, volunteer=volunteer)
    return Status(201, _assignment(assignment))


@router.post(
    "/assignments/{assignment_id}/cancel",
    response={200: AssignmentOut, **STEP_ERRORS},
    summary="Cancel an assignment: `assigned` → `cancelled`",
)
def volunteers_cancel(
    request: HttpRequest,
    payload: ReasonIn,
    assignment_id: int = Path(..., ge=1, le=MAX_ID),
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    assignment = services.assignment_cancel(
        actor=request.user, assignment=assignment, reason=payload.reason
    )
    return _assignment(assignment)


@router.get(
    "/groups",
    response={200: list[VolunteerGroupOut], **LIST_ERRORS},
    summary="The groups you coordinate",
)
@paginate(Pagination)
def volunteers_groups(request: HttpRequest):
    return [_group(g) for g in selectors.group_list(user=request.user)[:500]]


class VolunteerGroupIn(InputSchema):
    place: Id = Field(
        ..., description="A community or compound where you may set up groups (404 otherwise)"
    )
    name: Text(100, 1)
    kind: VolunteerGroupKind
    max_consecutive: int = Field(2, ge=1, le=10, description="At most this many shifts in a row")
    swap_needs_approval: bool = Field(
        False, description="A swap of shifts takes effect once a coordinator approves it"
    )


@router.post(
    "/groups",
    response={201: VolunteerGroupOut, **WRITE_ERRORS},
    summary="Set up a volunteer group (the staff over its community or compound)",
)
def volunteers_group_create(request: HttpRequest, payload: VolunteerGroupIn):
    place = selectors.group_places(user=request.user).filter(pk=payload.place).first()
    if place is None:
        raise Http404("Not found.")
    group = services.group_create(
        actor=request.user,
        place=place,
        name=payload.name,
        kind=payload.kind,
        max_consecutive=payload.max_consecutive,
        swap_needs_approval=payload.swap_needs_approval,
    )
    return Status(201, _group(group))


@router.get(
    "/groups/{volunteer_group_id}/board",
    response={200: list[BoardShiftOut], **READ_ERRORS},
    summary="A week of the group's shifts with their people and gaps (coordinators)",
)
def volunteers_board(
    request: HttpRequest,
    filters: Query[BoardFilters],
    volunteer_group_id: int = Path(..., ge=1, le=MAX_ID),
):
    group = selectors.group_get(user=request.user, pk=volunteer_group_id)
    day = filters.week or timezone.localdate()
    week = day.fromordinal(day.toordinal() - day.weekday())
    return [_board_shift(s) for s in selectors.board(group=group, week_start=week)]


class ApplyIn(InputSchema):
    group: Id = Field(..., description="A group serving your place (404 for any other id)")
    note: Text(200) = ""


@router.post(
    "/applications",
    response={201: MembershipOut, **STEP_ERRORS},
    summary="Apply to join a group (a volunteer): a new membership is `applied`",
    description="409 `already_member`; 403 `not_volunteer` without a volunteer profile.",
)
def volunteers_apply(request: HttpRequest, payload: ApplyIn):
    group = selectors.groups_to_join(user=request.user).filter(pk=payload.group).first()
    if group is None:
        raise Http404("Not found.")
    volunteer = selectors.volunteer_of(user=request.user)
    if volunteer is None:
        raise ForbiddenError(_("Register as a volunteer first."), code="not_volunteer")
    membership = services.membership_apply(
        actor=request.user, volunteer=volunteer, group=group, note=payload.note
    )
    return Status(201, _membership(membership))


@router.get(
    "/applications",
    response={200: list[MembershipOut], **LIST_ERRORS},
    summary="Applications waiting in the groups you coordinate",
)
@paginate(Pagination)
def volunteers_applications(request: HttpRequest):
    return [_membership(m) for m in selectors.applications(user=request.user)[:500]]


def _membership_step(step: str, summary: str):
    def endpoint(
        request: HttpRequest, payload: NoteIn, membership_id: int = Path(..., ge=1, le=MAX_ID)
    ):
        membership = selectors.membership_get(user=request.user, pk=membership_id)
        write = getattr(services, f"membership_{step}")
        membership = write(actor=request.user, membership=membership, note=payload.note)
        return _membership(membership)

    endpoint.__name__ = f"volunteers_membership_{step}"
    router.post(
        f"/memberships/{{membership_id}}/{step}",
        response={200: MembershipOut, **STEP_ERRORS},
        summary=summary,
        operation_id=f"volunteers_membership_{step}",
    )(endpoint)


_membership_step("approve", "Approve an application: `applied` → `approved`")
_membership_step("decline", "Decline an application: `applied` → `declined`")
_membership_step("pause", "Pause a member: `approved` → `paused`")
_membership_step("resume", "Resume a member: `paused` → `approved`")
_membership_step("leave", "Leave the group, or take a member off it: → `left`")
_membership_step("reapply", "Apply again (the volunteer): `declined` or `left` → `applied`")


@router.get(
    "/people",
    response={200: list[VolunteerOut], **LIST_ERRORS},
    summary="The volunteers of the groups you coordinate",
)
@paginate(Pagination)
def volunteers_people(request: HttpRequest):
    return [_volunteer(v) for v in selectors.volunteer_list(user=request.user)[:1000]]


@router.get(
    "/people/{volunteer_id}",
    response={200: VolunteerDetailOut, **READ_ERRORS},
    summary="A volunteer's profile (numbers masked)",
)
def volunteers_person(request: HttpRequest, volunteer_id: int = Path(..., ge=1, le=MAX_ID)):
    return _volunteer_detail(selectors.volunteer_get(user=request.user, pk=volunteer_id))


# -- swaps and the rota -- (their endpoints are in api_swaps, on this router)
from .api_swaps import router as _swaps_router  # noqa: E402

router.add_router("", _swaps_router)

# -- setting groups up -- (their endpoints are in api_setup, on this router)
from .api_setup import router as _setup_router  # noqa: E402

router.add_router("", _setup_router)

# -- sign-in -- / -- hours ledger -- (their endpoints are in api_attendance, on this router)
from .api_attendance import router as _attendance_router  # noqa: E402

router.add_router("", _attendance_router)
