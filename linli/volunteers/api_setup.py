"""/api/v1/volunteers: setting a group up, as its pages do (a new group is ``POST /groups``,
in ``api`` beside the list of groups): its shift types (by sign-up or on a rota), their
weekly rules, a date skipped or moved, and generating the coming shifts (the group's
coordinators). 404 for a group, shift type or rule the caller does not coordinate. Mounted
on the volunteers' router."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from linli.api.schemas import MAX_ID, WRITE_ERRORS, Day, Error, Id, InputSchema, Moment, Text

from . import selectors, services
from .models import RotaMode, ShiftKind, VolunteerSkill

router = Router(tags=["volunteers"])

CLOCK_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOCK_DOC = "Local time, HH:MM"


def Clock(description: str):  # noqa: N802 (a type factory)
    return Field(..., pattern=CLOCK_PATTERN, description=description, examples=["09:00"])


class ShiftTypeIn(InputSchema):
    kind: ShiftKind
    name: Text(100, 1)
    needed: int = Field(1, ge=1, le=50, description="People each shift needs")
    room: Id | None = Field(None, description="A room of the bookings at the group's place")
    skills: list[VolunteerSkill] = Field(
        [], max_length=len(VolunteerSkill.values), description="Any one of these qualifies"
    )
    rota: RotaMode = Field(
        RotaMode.SIGN_UP,
        description='`""`: volunteers sign up; `members`: a fair rota over the group\'s '
        "members; `households`: over the compound's households (a compound's group only)",
    )


class ShiftTypeOut(Schema):
    id: int
    group_id: int
    kind: ShiftKind
    name: str
    needed: int
    room_id: int | None
    skills: list[VolunteerSkill]
    rota: RotaMode


class ShiftRuleIn(InputSchema):
    weekday: int = Field(..., ge=0, le=6, description="Monday 0 … Sunday 6")
    start_time: str = Clock(CLOCK_DOC)
    end_time: str = Clock(CLOCK_DOC + ", after the start")
    from_date: Day
    until_date: Day | None = None


class ShiftRuleOut(Schema):
    id: int
    shift_type_id: int
    weekday: int
    start_time: str
    end_time: str
    from_date: Day
    until_date: Day | None


class ShiftRuleExceptionIn(InputSchema):
    on_date: Day = Field(..., description="A date the rule has a shift on")
    reason: Text(200, 1)
    moved_start: Moment | None = Field(None, description="Both or neither: the date is skipped")
    moved_end: Moment | None = None


class ShiftRuleExceptionOut(Schema):
    rule_id: int
    on_date: Day
    skipped: bool
    moved_start: datetime | None
    moved_end: datetime | None
    reason: str


class GenerateIn(InputSchema):
    until: Day = Field(..., description="Generate the shifts from today to this date")


class GeneratedOut(Schema):
    made: int = Field(..., description="Shifts made; dates already generated are left as they are")


def _clock(raw: str, field: str) -> time:
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:  # the pattern holds, so only an impossible time gets here
        raise ValidationError({field: _("Give the time as HH:MM.")}) from exc


def _rule(r) -> dict:
    return {
        "id": r.pk,
        "shift_type_id": r.shift_type_id,
        "weekday": r.weekday,
        "start_time": f"{r.start_time:%H:%M}",
        "end_time": f"{r.end_time:%H:%M}",
        "from_date": r.from_date,
        "until_date": r.until_date,
    }


@router.post(
    "/groups/{volunteer_group_id}/shift-types",
    response={201: ShiftTypeOut, **WRITE_ERRORS},
    summary="Add a shift type to a group you coordinate",
)
def volunteers_shift_type_create(
    request: HttpRequest, payload: ShiftTypeIn, volunteer_group_id: int = Path(..., ge=1, le=MAX_ID)
):
    group = selectors.group_get(user=request.user, pk=volunteer_group_id)
    room = None
    if payload.room is not None:
        room = selectors.group_rooms(group=group).filter(pk=payload.room).first()
        if room is None:
            raise ValidationError({"room": _("Choose a room at the group's place.")})
    shift_type = services.shift_type_create(
        actor=request.user,
        group=group,
        kind=payload.kind,
        name=payload.name,
        needed=payload.needed,
        room=room,
        skills=list(payload.skills),
        rota=payload.rota,
    )
    return Status(
        201,
        {
            "id": shift_type.pk,
            "group_id": group.pk,
            "kind": shift_type.kind,
            "name": shift_type.name,
            "needed": shift_type.needed,
            "room_id": shift_type.room_id,
            "skills": shift_type.skills,
            "rota": shift_type.rota,
        },
    )


@router.post(
    "/shift-types/{shift_type_id}/rules",
    response={201: ShiftRuleOut, **WRITE_ERRORS},
    summary="Add a weekly rule to a shift type",
)
def volunteers_rule_create(
    request: HttpRequest, payload: ShiftRuleIn, shift_type_id: int = Path(..., ge=1, le=MAX_ID)
):
    shift_type = selectors.shift_type_get(user=request.user, pk=shift_type_id)
    rule = services.shift_rule_create(
        actor=request.user,
        shift_type=shift_type,
        weekday=payload.weekday,
        start_time=_clock(payload.start_time, "start_time"),
        end_time=_clock(payload.end_time, "end_time"),
        from_date=payload.from_date,
        until_date=payload.until_date,
    )
    return Status(201, _rule(rule))


@router.post(
    "/rules/{shift_rule_id}/exceptions",
    response={201: ShiftRuleExceptionOut, **WRITE_ERRORS, 409: Error},
    summary="Skip one date of a weekly rule, or move it",
    description="409 (`already_excepted`): the date is already skipped or moved; "
    "(`shift_has_people`): people are on that date's shift, take them off it first.",
)
def volunteers_rule_except(
    request: HttpRequest,
    payload: ShiftRuleExceptionIn,
    shift_rule_id: int = Path(..., ge=1, le=MAX_ID),
):
    rule = selectors.shift_rule_get(user=request.user, pk=shift_rule_id)
    exception = services.shift_rule_except(
        actor=request.user,
        rule=rule,
        on_date=payload.on_date,
        reason=payload.reason,
        moved_start=payload.moved_start,
        moved_end=payload.moved_end,
    )
    moved = exception.moved_start is not None
    return Status(
        201,
        {
            "rule_id": rule.pk,
            "on_date": exception.on_date,
            "skipped": not moved,
            "moved_start": timezone.localtime(exception.moved_start) if moved else None,
            "moved_end": timezone.localtime(exception.moved_end) if moved else None,
            "reason": exception.reason,
        },
    )


@router.post(
    "/groups/{volunteer_group_id}/generate",
    response={200: GeneratedOut, **WRITE_ERRORS},
    summary="Generate the coming shifts of the group's weekly rules",
)
def volunteers_generate(
    request: HttpRequest, payload: GenerateIn, volunteer_group_id: int = Path(..., ge=1, le=MAX_ID)
):
    group = selectors.group_get(user=request.user, pk=volunteer_group_id)
    made = services.shifts_generate(actor=request.user, group=group, until=payload.until)
    return {"made": made}
