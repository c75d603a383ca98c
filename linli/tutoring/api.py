"""/api/v1/volunteers/tutoring: summer tutoring under the same permissions as the pages — a
programme's coordinators and tutors see it and its sessions; a guardian sees their own
children; a child's data is masked (a full view is an audited reveal); everyone else gets
404.

Statuses of an enrolled child: ``enrolled`` → ``withdrawn`` (the consent withdrawn by the
guardian or recorded by a coordinator; the child's sensitive data is erased). Statuses of
an attendance: ``expected`` → ``dropped_off`` (a matching code is made) → ``picked_up``
(with that code and an authorised collector), or ``expected`` → ``absent``.

Refusals (409, with ``code``): ``no_booking``, ``session_exists``, ``programme_over``,
``already_enrolled``, ``child_in_hall``, ``withdrawn``, ``wrong_code``,
``collector_not_authorised``, ``not_yet``, ``session_over``, ``illegal_step``; 403
``forbidden`` for a step that is not yours on something you can see."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
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
    MaskedPhone,
    Moment,
    Text,
)
from linli.core.crypto import Revealed

from . import selectors, services
from .models import AttendanceStatus, ChildStatus, CollectorRelation

router = Router(tags=["tutoring"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
POST_ERRORS = {**ACTION_ERRORS, 409: Error}
CHILD_DOC = "`enrolled` → `withdrawn` (consent withdrawn; the sensitive data erased)."
ATTENDANCE_DOC = "`expected` → `dropped_off` → `picked_up`, or `expected` → `absent`."
HIDDEN = "●●●●"


# -- output ---------------------------------------------------------------------------------


class TutoringProgrammeOut(Schema):
    id: int
    name: str
    group: str
    room: str
    starts_on: date
    ends_on: date
    ratio: int = Field(..., description="One tutor for at most this many children")


class TutoringSessionOut(Schema):
    id: int
    start: datetime
    end: datetime
    booking_id: int = Field(..., description="The room's booking the session is held on")
    shift_id: int = Field(..., description="The volunteers' tutoring shift (its tutors)")
    children: int = Field(..., description="Children expected or there (not absent)")
    tutors: int
    needed: int = Field(..., description="Tutors the ratio needs")
    below_ratio: bool


class TutoringProgrammeDetailOut(TutoringProgrammeOut):
    sessions: list[TutoringSessionOut]


class TutoringCollectorOut(Schema):
    id: int
    name: str
    relation: CollectorRelation
    phone: MaskedPhone
    is_guardian: bool
    has_photo: bool


class TutoringChildOut(Schema):
    id: int
    programme_id: int
    name: str
    status: ChildStatus = Field(..., description=CHILD_DOC)
    birth_date: date | None = Field(None, description="Empty once the data is erased")
    allergies: str = Field(..., description="Hidden (●●●●) unless revealed; empty: none")
    medical_notes: str = Field(..., description="Hidden (●●●●) unless revealed; empty: none")
    consent_version: str
    consent_given_at: datetime
    consent_withdrawn_at: datetime | None
    collectors: list[TutoringCollectorOut]


class TutoringAttendanceOut(Schema):
    id: int
    session_id: int
    child_id: int
    child: str
    status: AttendanceStatus = Field(..., description=ATTENDANCE_DOC)
    dropped_off_at: datetime | None
    picked_up_at: datetime | None
    collector: str | None
    alert_raised_at: datetime | None = Field(None, description="Not collected in time")


class TutoringDropOffOut(TutoringAttendanceOut):
    code: str = Field(..., description="The matching code for the child's badge")


class TutoringLogOut(Schema):
    id: int
    author: str
    text: str
    written_at: datetime


def _hidden(value: str, revealed: bool) -> str:
    return value if revealed or not value else HIDDEN


def _child(child, *, revealed=False) -> dict:
    consent = next(iter(child.consents.all()), None)
    return {
        "id": child.pk,
        "programme_id": child.programme_id,
        "name": child.name,
        "status": child.status,
        "birth_date": child.birth_date,
        "allergies": _hidden(child.allergies, revealed),
        "medical_notes": _hidden(child.medical_notes, revealed),
        "consent_version": consent.version if consent else "",
        "consent_given_at": consent.given_at if consent else child.created_at,
        "consent_withdrawn_at": consent.withdrawn_at if consent else None,
        "collectors": [
            {
                "id": c.pk,
                "name": c.name,
                "relation": c.relation,
                "phone": Revealed(c.phone) if revealed and c.phone else c.phone,
                "is_guardian": c.is_guardian,
                "has_photo": bool(c.photo),
            }
            for c in child.collectors.all()
            if c.is_active
        ],
    }


def _programme(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "group": p.group.name,
        "room": p.room.name,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "ratio": p.ratio,
    }


def _session(s) -> dict:
    return {
        "id": s.pk,
        "start": s.start,
        "end": s.end,
        "booking_id": s.booking_id,
        "shift_id": s.shift_id,
        "children": s.children,
        "tutors": s.tutors,
        "needed": s.needed,
        "below_ratio": s.below_ratio,
    }


def _attendance(a) -> dict:
    return {
        "id": a.pk,
        "session_id": a.session_id,
        "child_id": a.child_id,
        "child": a.child.name,
        "status": a.status,
        "dropped_off_at": a.dropped_off_at,
        "picked_up_at": a.picked_up_at,
        "collector": a.collector.name if a.collector_id else None,
        "alert_raised_at": a.alert_raised_at,
    }


# -- input ----------------------------------------------------------------------------------


class TutoringSessionIn(InputSchema):
    start: Moment
    end: Moment


class TutoringCollectorIn(InputSchema):
    name: Text(50, 1)
    relation: CollectorRelation = Field(..., description="Not `guardian`: the guardian is added")
    phone: Text(20, 1)


class TutoringEnrolIn(InputSchema):
    name: Text(50, 1)
    birth_date: Day
    allergies: Text(2000) = ""
    medical_notes: Text(2000) = ""
    consent: bool = Field(..., description="The guardian's separate consent (must be true)")
    consent_version: Text(20, 1) = Field(
        ...,
        description=f"The version of the consent text agreed to (now `{services.CONSENT_VERSION}`)",
    )
    guardian: Id | None = Field(
        None, description="At the desk (coordinators): the guardian's user id; else yourself"
    )
    collectors: list[TutoringCollectorIn] = Field(default_factory=list, max_length=5)


class TutoringReasonIn(InputSchema):
    reason: Text(500) = ""


class TutoringPickUpIn(InputSchema):
    code: Text(8, 1) = Field(..., description="The matching code of the day")
    collector: Id = Field(..., description="One of the child's authorised collectors")


class TutoringLogIn(InputSchema):
    text: Text(4000, 1)


# -- endpoints ------------------------------------------------------------------------------


@router.get(
    "/programmes",
    response={200: list[TutoringProgrammeOut], **LIST_ERRORS},
    summary="The programmes you coordinate or tutor in",
)
@paginate(Pagination)
def tutoring_programmes(request: HttpRequest):
    return [_programme(p) for p in selectors.programme_list(user=request.user)[:200]]


def _programme_detail(programme) -> dict:
    return {
        **_programme(programme),
        "sessions": [_session(s) for s in selectors.session_rows(programme=programme)],
    }


@router.get(
    "/programmes/{programme_id}",
    response={200: TutoringProgrammeDetailOut, **READ_ERRORS},
    summary="A programme with its sessions and their ratio flags",
)
def tutoring_programme(request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)):
    return _programme_detail(selectors.programme_get(user=request.user, pk=programme_id))


@router.post(
    "/programmes/{programme_id}/sessions",
    response={201: TutoringSessionOut, **STEP_ERRORS},
    summary="Add a session (coordinators): on a booking of the room covering the time",
    description="409 `no_booking` (the room is not booked for the whole time) or "
    "`session_exists`; 400 for a time outside the programme's days.",
)
def tutoring_session_create(
    request: HttpRequest, payload: TutoringSessionIn, programme_id: int = Path(..., ge=1, le=MAX_ID)
):
    programme = selectors.programme_get(user=request.user, pk=programme_id)
    session = services.session_create(
        actor=request.user, programme=programme, start=payload.start, end=payload.end
    )
    row = next(s for s in selectors.session_rows(programme=programme) if s.pk == session.pk)
    return Status(201, _session(row))


@router.post(
    "/programmes/{programme_id}/children",
    response={201: TutoringChildOut, **STEP_ERRORS},
    summary="Enrol a child with the guardian's separate consent: a new child is `enrolled`",
    description="400 without the consent, for an old consent version, a guardian who does "
    "not live where the group serves, or a collector's number that is no mobile number; 409 "
    "`programme_over` or `already_enrolled`.",
)
def tutoring_enrol(
    request: HttpRequest, payload: TutoringEnrolIn, programme_id: int = Path(..., ge=1, le=MAX_ID)
):
    from linli.accounts.models import User

    programme = selectors.programme_for_enrolment(user=request.user, pk=programme_id)
    guardian = request.user
    if payload.guardian is not None and payload.guardian != request.user.pk:
        guardian = User.objects.filter(pk=payload.guardian, is_active=True).first()
        if guardian is None:
            raise ValidationError({"guardian": _("Choose the guardian's account.")})
    child = services.child_enrol(
        actor=request.user,
        programme=programme,
        guardian=guardian,
        name=payload.name,
        birth_date=payload.birth_date,
        allergies=payload.allergies,
        medical_notes=payload.medical_notes,
        consent=payload.consent,
        consent_version=payload.consent_version,
        collectors=[c.model_dump() for c in payload.collectors],
    )
    return Status(201, _child(selectors.child_get(user=request.user, pk=child.pk)))


@router.get(
    "/children",
    response={200: list[TutoringChildOut], **LIST_ERRORS},
    summary="Your own children (a guardian's), masked",
)
@paginate(Pagination)
def tutoring_my_children(request: HttpRequest):
    ids = [c.pk for c in selectors.my_children(user=request.user)]
    return [_child(selectors.child_get(user=request.user, pk=pk)) for pk in ids]


@router.get(
    "/programmes/{programme_id}/children",
    response={200: list[TutoringChildOut], **READ_ERRORS},
    summary="The children of a programme you may see (masked): its coordinators', and its "
    "tutors' while it runs",
)
@paginate(Pagination)
def tutoring_programme_children(
    request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)
):
    programme = selectors.programme_get(user=request.user, pk=programme_id)
    ids = [
        c.pk
        for c in selectors.children_of(programme=programme)[:200]
        if request.user.has_perm("tutoring.view_child", c)
    ]
    return [_child(selectors.child_get(user=request.user, pk=pk)) for pk in ids]


@router.get(
    "/children/{child_id}",
    response={200: TutoringChildOut, **READ_ERRORS},
    summary="A child you may see (masked)",
)
def tutoring_child(request: HttpRequest, child_id: int = Path(..., ge=1, le=MAX_ID)):
    return _child(selectors.child_get(user=request.user, pk=child_id))


@router.post(
    "/children/{child_id}/reveal",
    response={200: TutoringChildOut, **POST_ERRORS},
    summary="The child's allergies, medical notes and collectors' numbers in full (audited)",
)
def tutoring_child_reveal(request: HttpRequest, child_id: int = Path(..., ge=1, le=MAX_ID)):
    child = selectors.child_get(user=request.user, pk=child_id)
    services.child_reveal(actor=request.user, child=child, request=request)
    return _child(child, revealed=True)


@router.post(
    "/children/{child_id}/withdraw",
    response={200: TutoringChildOut, **STEP_ERRORS},
    summary="Withdraw the consent: `enrolled` → `withdrawn`, the sensitive data erased",
    description="409 `child_in_hall` while the child is dropped off, `illegal_step` once "
    "withdrawn.",
)
def tutoring_child_withdraw(
    request: HttpRequest, payload: TutoringReasonIn, child_id: int = Path(..., ge=1, le=MAX_ID)
):
    child = selectors.child_get(user=request.user, pk=child_id)
    services.child_withdraw(actor=request.user, child=child, reason=payload.reason)
    return _child(selectors.child_get(user=request.user, pk=child_id))


@router.get(
    "/sessions/{tutoring_session_id}/attendance",
    response={200: list[TutoringAttendanceOut], **READ_ERRORS},
    summary="The session's attendance (its tutors and coordinators)",
)
def tutoring_attendance(
    request: HttpRequest, tutoring_session_id: int = Path(..., ge=1, le=MAX_ID)
):
    session = selectors.session_get(user=request.user, pk=tutoring_session_id)
    return [_attendance(a) for a in selectors.attendance_list(session=session)[:300]]


def _attendance_row(request, attendance_id: int):
    return selectors.attendance_get(user=request.user, pk=attendance_id)


@router.post(
    "/attendance/{attendance_id}/drop-off",
    response={200: TutoringDropOffOut, **POST_ERRORS},
    summary="Drop off: `expected` → `dropped_off`, with the matching code for the badge",
    description="409 `not_yet` (over an hour before the start), `session_over`, "
    "`withdrawn` or `illegal_step`.",
)
def tutoring_drop_off(request: HttpRequest, attendance_id: int = Path(..., ge=1, le=MAX_ID)):
    row = services.attendance_drop_off(
        actor=request.user, attendance=_attendance_row(request, attendance_id)
    )
    return {**_attendance(row), "code": row.code}


@router.post(
    "/attendance/{attendance_id}/pick-up",
    response={200: TutoringAttendanceOut, **STEP_ERRORS},
    summary="Pick up: `dropped_off` → `picked_up`, with the code and an authorised collector",
    description="409 `wrong_code` or `collector_not_authorised` (nothing is changed), "
    "`illegal_step`. When the collector is not the guardian, the guardian is told.",
)
def tutoring_pick_up(
    request: HttpRequest, payload: TutoringPickUpIn, attendance_id: int = Path(..., ge=1, le=MAX_ID)
):
    row = _attendance_row(request, attendance_id)
    collector = next((c for c in row.child.collectors.all() if c.pk == payload.collector), None)
    row = services.attendance_pick_up(
        actor=request.user, attendance=row, code=payload.code, collector=collector
    )
    row.collector = collector
    return _attendance(row)


@router.post(
    "/attendance/{attendance_id}/absent",
    response={200: TutoringAttendanceOut, **POST_ERRORS},
    summary="Mark absent: `expected` → `absent`",
)
def tutoring_absent(request: HttpRequest, attendance_id: int = Path(..., ge=1, le=MAX_ID)):
    row = services.attendance_mark_absent(
        actor=request.user, attendance=_attendance_row(request, attendance_id)
    )
    return _attendance(row)


@router.get(
    "/sessions/{tutoring_session_id}/log",
    response={200: list[TutoringLogOut], **READ_ERRORS},
    summary="The session's log written by its tutors",
)
def tutoring_log(request: HttpRequest, tutoring_session_id: int = Path(..., ge=1, le=MAX_ID)):
    session = selectors.session_get(user=request.user, pk=tutoring_session_id)
    return [
        {
            "id": e.pk,
            "author": e.author.display_name if e.author_id else "",
            "text": e.text,
            "written_at": e.created_at,
        }
        for e in session.log.select_related("author").order_by("created_at", "id")[:200]
    ]


@router.post(
    "/sessions/{tutoring_session_id}/log",
    response={201: TutoringLogOut, **STEP_ERRORS},
    summary="Write in the session's log (its tutors and coordinators)",
)
def tutoring_log_write(
    request: HttpRequest,
    payload: TutoringLogIn,
    tutoring_session_id: int = Path(..., ge=1, le=MAX_ID),
):
    session = selectors.session_get(user=request.user, pk=tutoring_session_id)
    entry = services.log_write(actor=request.user, session=session, text=payload.text)
    return Status(
        201,
        {
            "id": entry.pk,
            "author": request.user.display_name,
            "text": entry.text,
            "written_at": entry.created_at or timezone.now(),
        },
    )
