"""/api/v1/volunteers: sign-in and sign-out, no-shows and the hours ledger, under the same
permissions as the pages — a volunteer signs in and out of their own shifts and sees their
own ledger and records; a group's coordinators sign people in and out at a time, record
no-shows, confirm hours (never their own), correct the ledger and issue service records;
everyone else gets 404.

Statuses of an assignment: ``assigned`` → ``on_duty`` (signed in: from 30 minutes before
the start until the end; later than 10 minutes after the start is flagged with
``minutes_late``) → ``served`` (signed out); ``assigned`` → ``no_show`` (a coordinator,
from 10 minutes after the start; or the system once the shift has ended). A ``served``
assignment's hours are confirmed once: a ``service`` entry of the ledger. The ledger is
append-only: a ``correction`` entry (plus or minus, with its reason) corrects an entry.
Repeated no-shows (the group's ``no_show_limit`` within 60 days) pause the volunteer's own
sign-up (409 ``signup_paused`` on signing up) until a coordinator lifts it.

Refusals (409, with ``code``): ``illegal_step``, ``outside_window``, ``time_in_future``,
``before_sign_in``, ``not_on_shift``, ``shift_not_started``, ``already_confirmed``,
``no_hours``, ``not_paused``; 403 ``forbidden`` for a step that is not yours on something
you can see; 400 for a correction without a reason or out of bounds."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from linli.api.pagination import Pagination
from linli.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    Id,
    InputSchema,
    MaskedIdNumber,
    Moment,
    Text,
)

from . import selectors, selectors_hours, services
from .models import AssignmentStatus, HoursKind

router = Router(tags=["volunteers"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ATTENDANCE_DOC = (
    "`assigned` → `on_duty` (signed in) → `served` (signed out); `assigned` → `no_show`; "
    "`assigned` → `cancelled`; `assigned` → `handed_over` (a swap)."
)
CorrectionHours = Annotated[
    Decimal,
    Field(ge=-100, le=100),
    WithJsonSchema({"type": "number", "minimum": -100, "maximum": 100}),
]


class VolunteerAttendanceOut(Schema):
    id: int
    status: AssignmentStatus = Field(..., description=ATTENDANCE_DOC)
    volunteer_id: int
    volunteer: str
    shift_id: int
    shift: str
    start: datetime
    end: datetime
    signed_in_at: datetime | None
    signed_out_at: datetime | None
    minutes_late: int | None = Field(..., description="Set when signed in late (after 10 min)")
    hours_confirmed: bool


class VolunteerHoursEntryOut(Schema):
    id: int
    volunteer_id: int
    volunteer: str
    group_id: int
    group: str
    assignment_id: int | None
    kind: HoursKind = Field(..., description="`service` (confirmed) or `correction`")
    hours: float = Field(..., description="Negative for a correction that takes hours off")
    corrects: int | None = Field(..., description="The entry a correction corrects")
    reason: str
    at: datetime


class VolunteerRecordOut(Schema):
    id: int
    number: str
    code: str = Field(..., description="The verification code printed on the record")
    volunteer_id: int
    name: str
    id_number: MaskedIdNumber
    issuer: str
    issuer_place: str
    groups: list[str]
    kinds: list[str]
    period_from: date | None
    period_until: date | None
    total_hours: float
    issued_on: date


class VolunteerPauseOut(Schema):
    volunteer_id: int
    signup_paused: bool


class VolunteerAttendanceIn(InputSchema):
    at: Moment | None = Field(
        None, description="A coordinator's time of the sign-in or sign-out; now when omitted"
    )


class VolunteerNoteIn(InputSchema):
    note: Text(500) = ""


class VolunteerCorrectionIn(InputSchema):
    hours: CorrectionHours = Field(..., description="Hours to add (negative: to take off)")
    reason: Text(300, 1)


class VolunteerRecordIn(InputSchema):
    volunteer: Id = Field(..., description="An approved member of the group")


def _local(value):
    return timezone.localtime(value) if value else None


def _attendance(a) -> dict:
    return {
        "id": a.pk,
        "status": a.status,
        "volunteer_id": a.volunteer_id,
        "volunteer": a.volunteer.name,
        "shift_id": a.shift_id,
        "shift": a.shift.shift_type.name,
        "start": _local(a.shift.start),
        "end": _local(a.shift.end),
        "signed_in_at": _local(a.signed_in_at),
        "signed_out_at": _local(a.signed_out_at),
        "minutes_late": a.minutes_late,
        "hours_confirmed": a.hours_confirmed_at is not None,
    }


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "volunteer_id": e.volunteer_id,
        "volunteer": e.volunteer.name,
        "group_id": e.group_id,
        "group": e.group.name,
        "assignment_id": e.assignment_id,
        "kind": e.kind,
        "hours": float(e.hours),
        "corrects": e.corrects_id,
        "reason": e.reason,
        "at": _local(e.at),
    }


def _record(r) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "code": r.code,
        "volunteer_id": r.volunteer_id,
        "name": r.name,
        "id_number": r.id_number_masked,
        "issuer": r.issuer,
        "issuer_place": r.issuer_place,
        "groups": r.service.get("groups", []),
        "kinds": r.service.get("kinds", []),
        "period_from": r.period_from,
        "period_until": r.period_until,
        "total_hours": float(r.total_hours),
        "issued_on": r.issued_on,
    }


# -- sign-in ----------------------------------------------------------------------------------


@router.post(
    "/assignments/{assignment_id}/sign-in",
    response={200: VolunteerAttendanceOut, **STEP_ERRORS},
    summary="Sign in to the shift: `assigned` → `on_duty`",
    description="The volunteer (now), or a coordinator (at `at`). 409 `outside_window`, "
    "`time_in_future` or `illegal_step`; 403 `forbidden` for a volunteer giving `at`.",
)
def volunteers_sign_in(
    request: HttpRequest,
    payload: VolunteerAttendanceIn,
    assignment_id: int = Path(..., ge=1, le=MAX_ID),
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    return _attendance(
        services.assignment_sign_in(actor=request.user, assignment=assignment, at=payload.at)
    )


@router.post(
    "/assignments/{assignment_id}/sign-out",
    response={200: VolunteerAttendanceOut, **STEP_ERRORS},
    summary="Sign out of the shift: `on_duty` → `served`",
    description="409 `before_sign_in`, `outside_window` (more than 4 hours after the end), "
    "`time_in_future` or `illegal_step`.",
)
def volunteers_sign_out(
    request: HttpRequest,
    payload: VolunteerAttendanceIn,
    assignment_id: int = Path(..., ge=1, le=MAX_ID),
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    return _attendance(
        services.assignment_sign_out(actor=request.user, assignment=assignment, at=payload.at)
    )


@router.post(
    "/sign-in/{token}",
    response={200: VolunteerAttendanceOut, **READ_ERRORS, 403: Error, 409: Error},
    summary="Scan the poster: sign in to your current shift there, or out of it",
    description="404 for an unknown poster; 409 `not_on_shift`, `outside_window`.",
)
def volunteers_poster_sign_in(request: HttpRequest, token: str = Path(..., max_length=43)):
    shift_type = selectors_hours.shift_type_by_token(token)
    if shift_type is None:
        raise Http404("Not found.")
    return _attendance(services.sign_in_by_poster(actor=request.user, shift_type=shift_type))


@router.post(
    "/assignments/{assignment_id}/no-show",
    response={200: VolunteerAttendanceOut, **STEP_ERRORS},
    summary="Record a no-show (coordinators): `assigned` → `no_show`",
    description="From 10 minutes after the start (409 `shift_not_started`). Repeated "
    "no-shows pause the volunteer's own sign-up.",
)
def volunteers_no_show(
    request: HttpRequest,
    payload: VolunteerNoteIn,
    assignment_id: int = Path(..., ge=1, le=MAX_ID),
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    return _attendance(
        services.assignment_no_show(actor=request.user, assignment=assignment, note=payload.note)
    )


@router.post(
    "/people/{volunteer_id}/lift-pause",
    response={200: VolunteerPauseOut, **STEP_ERRORS},
    summary="Lift the pause of a volunteer's own sign-up (coordinators)",
    description="409 `not_paused`.",
)
def volunteers_lift_pause(request: HttpRequest, volunteer_id: int = Path(..., ge=1, le=MAX_ID)):
    volunteer = selectors.volunteer_get(user=request.user, pk=volunteer_id)
    volunteer = services.volunteer_lift_pause(actor=request.user, volunteer=volunteer)
    return {"volunteer_id": volunteer.pk, "signup_paused": volunteer.signup_paused_at is not None}


# -- hours ledger -----------------------------------------------------------------------------


@router.post(
    "/assignments/{assignment_id}/confirm",
    response={201: VolunteerHoursEntryOut, **STEP_ERRORS},
    summary="Confirm a served assignment's hours (coordinators, not their own)",
    description="Writes one `service` entry of the hours from sign-in to sign-out. 409 "
    "`already_confirmed` or `illegal_step`.",
)
def volunteers_confirm(
    request: HttpRequest,
    payload: VolunteerNoteIn,
    assignment_id: int = Path(..., ge=1, le=MAX_ID),
):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    entry = services.assignment_confirm_hours(
        actor=request.user, assignment=assignment, note=payload.note
    )
    return Status(201, _entry(selectors_hours.hours_entry_get(user=request.user, pk=entry.pk)))


@router.get(
    "/hours",
    response={200: list[VolunteerHoursEntryOut], **LIST_ERRORS},
    summary="Your hours ledger, newest first",
)
@paginate(Pagination)
def volunteers_my_hours(request: HttpRequest):
    return [_entry(e) for e in selectors_hours.my_hours(user=request.user)[:2000]]


@router.get(
    "/groups/{volunteer_group_id}/hours",
    response={200: list[VolunteerHoursEntryOut], **READ_ERRORS},
    summary="A group's hours ledger (coordinators), newest first",
)
@paginate(Pagination)
def volunteers_group_hours(
    request: HttpRequest, volunteer_group_id: int = Path(..., ge=1, le=MAX_ID)
):
    group = selectors.group_get(user=request.user, pk=volunteer_group_id)
    entries = selectors_hours.hours_entries(user=request.user, group=group)
    return [_entry(e) for e in entries[:5000]]


@router.post(
    "/hours/{hours_entry_id}/correct",
    response={201: VolunteerHoursEntryOut, **STEP_ERRORS},
    summary="Correct a ledger entry by a new one (coordinators, not their own)",
    description="The original stays; 400 without a reason, for zero, or when the corrected "
    "hours would go below zero.",
)
def volunteers_correct_hours(
    request: HttpRequest,
    payload: VolunteerCorrectionIn,
    hours_entry_id: int = Path(..., ge=1, le=MAX_ID),
):
    entry = selectors_hours.hours_entry_get(user=request.user, pk=hours_entry_id)
    correction = services.hours_correct(
        actor=request.user, entry=entry, hours=payload.hours, reason=payload.reason
    )
    fresh = selectors_hours.hours_entry_get(user=request.user, pk=correction.pk)
    return Status(201, _entry(fresh))


@router.post(
    "/groups/{volunteer_group_id}/records",
    response={201: VolunteerRecordOut, **STEP_ERRORS},
    summary="Issue a member's service record (志愿服务记录证明; coordinators)",
    description="409 `no_hours`; 403 `forbidden` for one's own record.",
)
def volunteers_issue_record(
    request: HttpRequest,
    payload: VolunteerRecordIn,
    volunteer_group_id: int = Path(..., ge=1, le=MAX_ID),
):
    group = selectors.group_get(user=request.user, pk=volunteer_group_id)
    volunteer = selectors.eligible_members(group=group).filter(pk=payload.volunteer).first()
    if volunteer is None:
        raise ValidationError({"volunteer": _("Choose an approved member of the group.")})
    record = services.record_issue(actor=request.user, volunteer=volunteer, group=group)
    return Status(201, _record(record))


@router.get(
    "/records",
    response={200: list[VolunteerRecordOut], **LIST_ERRORS},
    summary="Service records: your own, and those of the groups you coordinate",
)
@paginate(Pagination)
def volunteers_records(request: HttpRequest):
    return [_record(r) for r in selectors_hours.records(user=request.user)[:1000]]
