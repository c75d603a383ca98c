"""/api/v1/health: health help cards, their readings, follow-ups and alerts under the same
permissions and audit as the pages; the FHIR R4 export of a resident's record; and the
endpoints home devices post to with their own token (``Authorization: Device <token>``),
which no user token or session opens."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import WithJsonSchema

from linli.api.auth import TOKEN_FAILURES
from linli.api.pagination import Pagination
from linli.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    Id,
    InputSchema,
    MaskedPhone,
    Moment,
    Text,
    ValidationErrors,
)
from linli.core.access import access_by_id
from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.ratelimits import rate_limit_check, rate_limit_hit

from . import fhir, selectors, services
from .models import (
    AlertKind,
    CareLevel,
    FollowUpStatus,
    GlucoseTiming,
    Level,
    ReadingKind,
    Source,
)

router = Router(tags=["health"])

# Writes of a reading: 400 carries each impossible value with its field.
READING_ERRORS = {**WRITE_ERRORS, 400: ValidationErrors}
STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
DEVICE_ERRORS = {
    400: ValidationErrors,
    401: Error,
    413: Error,
    415: Error,
    422: ValidationErrors,
    429: Error,
}
# A device's check-in takes no body: nothing there is read as JSON.
DEVICE_ACTION_ERRORS = {k: v for k, v in DEVICE_ERRORS.items() if k != 415}
FHIR_JSON = "application/fhir+json"


# -- device authentication -------------------------------------------------------------------


class DeviceUnauthenticated(LinliError):
    status = 401


class DeviceToken(HttpBearer):
    """``Authorization: Device <token>``: the token shown once when the device was registered.
    A user's bearer token or session does not open the device endpoints."""

    openapi_scheme = "device"
    openapi_description = "A home device's token: `Authorization: Device <token>`."

    def __call__(self, request):
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        device = None
        token = token.strip()
        if scheme.lower() == "device" and token:
            # Failed device tokens count with failed bearer tokens, per address (api/auth.py).
            rate_limit_check(request, group=TOKEN_FAILURES)
            if len(token) <= 200 and "\x00" not in token:
                device = services.device_for_token(token)
            if device is None:
                rate_limit_hit(request, group=TOKEN_FAILURES)
        if device is None:
            raise DeviceUnauthenticated(
                _("Send the device's token: Authorization: Device <token>."),
                code="unauthenticated",
            )
        # A device that posts too often (a fault, or its token copied) is slowed down alone.
        rate_limit_hit(request, group="device_post", key=lambda group, request: str(device.pk))
        return device

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return services.device_for_token(token)


DEVICE_AUTH = [DeviceToken()]


# -- input types ----------------------------------------------------------------------------


# Wide bounds: a value the schema accepts but no body can have is refused with a readable
# 400 naming the field (``classify``), not a 422 of the schema.
Whole = Annotated[int, Field(ge=0, le=1000)]
# A JSON number, read exactly as written (0.1 is Decimal("0.1")).
Amount = Annotated[
    Decimal, Field(ge=0, le=1000), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1000})
]


class ValuesIn(InputSchema):
    kind: ReadingKind
    taken_at: Moment | None = Field(None, description="Now when omitted; never in the future")
    systolic: Whole | None = Field(None, description="mmHg (blood pressure)")
    diastolic: Whole | None = Field(None, description="mmHg (blood pressure)")
    pulse: Whole | None = Field(None, description="/min (blood pressure, optional)")
    glucose: Amount | None = Field(None, description="mmol/L (glucose)")
    glucose_timing: GlucoseTiming | None = Field(None, description="When the glucose was taken")
    weight_kg: Amount | None = Field(None, description="kg (weight)")
    height_cm: Amount | None = Field(None, description="cm (height)")

    def values(self) -> dict:
        return {
            "systolic": self.systolic,
            "diastolic": self.diastolic,
            "pulse": self.pulse,
            "glucose": self.glucose,
            "glucose_timing": self.glucose_timing or "",
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
        }


# Where a user may say a reading was taken: home devices post their own (/device/readings).
UserSource = Literal[tuple(s.value for s in Source if s != Source.DEVICE)]


class ReadingIn(ValuesIn):
    source: UserSource = Field(
        Source.CLINIC.value,
        description="Where it was measured (a home device posts to `/device/readings` itself)",
    )


class CardFilters(Schema):
    place: Id | None = Field(None, description="Cards of residents anywhere in this subtree")
    level: Level | None = Field(None, description="Cards whose latest reading has this level")
    q: Text(50) = Field("", description="Part of the resident's name")


class ReadingFilters(Schema):
    kind: ReadingKind | None = None
    since: Moment | None = Field(None, description="Taken at or after")


class AlertFilters(Schema):
    open: bool = Field(True, description="Only alerts nobody has taken care of")


class FollowUpFilters(Schema):
    overdue: bool = Field(False, description="Only open follow-ups past their due day")
    mine: bool = Field(False, description="Only those assigned to you")


class AcknowledgeIn(InputSchema):
    note: Text(500) = Field("", description="What was done")


class DoneIn(InputSchema):
    outcome: Text(2000, 1) = Field(..., description="What the follow-up found and advised")


class FhirQuery(Schema):
    since: Moment | None = Field(None, description="Only readings taken at or after")


# -- output ---------------------------------------------------------------------------------


class NamedRef(Schema):
    id: int
    name: str


class CardRef(Schema):
    id: int
    resident: NamedRef


def _local(value):
    return timezone.localtime(value) if value else None


def _user_name(user) -> str | None:
    return user.display_name if user is not None else None


def _card_ref(card) -> dict:
    return {"id": card.pk, "resident": {"id": card.resident_id, "name": card.resident.name}}


class CardOut(Schema):
    id: int
    resident: NamedRef
    place: NamedRef
    care_level: CareLevel
    is_active: bool
    last_contact_at: datetime | None = Field(None, description="Last reading or check-in")

    @staticmethod
    def resolve_resident(card):
        return {"id": card.resident_id, "name": card.resident.name}

    @staticmethod
    def resolve_place(card):
        return {"id": card.place_id, "name": card.place.name}

    @staticmethod
    def resolve_last_contact_at(card):
        return _local(card.last_contact_at)


class EmergencyContact(Schema):
    name: str
    relation: str
    phone: MaskedPhone = Field(
        ..., description="Whole for the care team and the resident; masked for the others"
    )


class CardDetailOut(CardOut):
    conditions: str
    medications: str
    allergies: str
    notes: str
    family_doctor: str = Field(..., description="The doctor's name")
    responsible_worker: str | None
    emergency_contact: EmergencyContact
    watch_days: int | None = Field(
        None, description="An alert after this many days without contact; null: the default"
    )

    @staticmethod
    def resolve_family_doctor(card):
        if card.family_doctor_id:
            return card.family_doctor.display_name
        return card.family_doctor_name

    @staticmethod
    def resolve_responsible_worker(card):
        return _user_name(card.responsible_worker)

    @staticmethod
    def resolve_emergency_contact(card, context):
        user = context["request"].user
        return {
            "name": card.emergency_name,
            "relation": card.emergency_relation,
            "phone": selectors.card_emergency_phone(user=user, card=card),
        }


class ReadingOut(Schema):
    id: int
    card: int = Field(..., alias="card_id")
    kind: ReadingKind
    taken_at: datetime = Field(..., description="Local time with its UTC offset")
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    glucose: float | None = Field(None, description="mmol/L")
    glucose_timing: GlucoseTiming | None
    weight_kg: float | None
    height_cm: float | None
    bmi: float | None
    level: Level
    source: Source
    device: int | None = Field(None, alias="device_id")

    @staticmethod
    def resolve_taken_at(reading):
        return _local(reading.taken_at)

    @staticmethod
    def resolve_glucose_timing(reading):
        return reading.glucose_timing or None


class HealthFollowUpRef(Schema):
    id: int
    due_on: date
    assignee: str | None

    @staticmethod
    def resolve_assignee(follow_up):
        return _user_name(follow_up.assignee)


class AlertRef(Schema):
    id: int
    kind: AlertKind


class RecordedOut(ReadingOut):
    follow_up: HealthFollowUpRef | None = Field(None, description="Raised by an abnormal reading")
    alert: AlertRef | None = Field(None, description="Raised by an urgent or dangerous reading")

    @staticmethod
    def resolve_follow_up(reading):
        return reading.follow_ups.select_related("assignee").first()

    @staticmethod
    def resolve_alert(reading):
        return reading.alerts.first()


class AlertOut(Schema):
    id: int
    card: CardRef
    kind: AlertKind
    reading: int | None = Field(None, alias="reading_id")
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str

    @staticmethod
    def resolve_card(alert):
        return _card_ref(alert.card)

    @staticmethod
    def resolve_raised_at(alert):
        return _local(alert.raised_at)

    @staticmethod
    def resolve_acknowledged_at(alert):
        return _local(alert.acknowledged_at)

    @staticmethod
    def resolve_acknowledged_by(alert):
        return _user_name(alert.acknowledged_by)


class HealthFollowUpOut(Schema):
    id: int
    card: CardRef
    reading: int | None = Field(None, alias="reading_id")
    reason: Level
    assignee: str | None
    mine: bool = Field(..., description="Assigned to you")
    due_on: date
    overdue: bool
    status: FollowUpStatus
    outcome: str
    done_at: datetime | None

    @staticmethod
    def resolve_card(follow_up):
        return _card_ref(follow_up.card)

    @staticmethod
    def resolve_assignee(follow_up):
        return _user_name(follow_up.assignee)

    @staticmethod
    def resolve_mine(follow_up, context):
        return follow_up.assignee_id is not None and (
            follow_up.assignee_id == context["request"].user.pk
        )

    @staticmethod
    def resolve_overdue(follow_up):
        return follow_up.status == FollowUpStatus.OPEN and (follow_up.due_on < timezone.localdate())

    @staticmethod
    def resolve_done_at(follow_up):
        return _local(follow_up.done_at)


class DeviceReadingOut(Schema):
    id: int
    level: Level


class CheckInOut(Schema):
    id: int
    at: datetime

    @staticmethod
    def resolve_at(check_in):
        return _local(check_in.at)


# -- helpers --------------------------------------------------------------------------------


def _check_time(taken_at: datetime | None) -> None:
    if taken_at is not None and taken_at > timezone.now() + services.CLOCK_SKEW:
        raise DjangoValidationError({"taken_at": _("A reading cannot be taken in the future.")})


def _invalid(exc: DjangoValidationError) -> Status:
    """An impossible value as a 400 naming its field (the schema accepted the number)."""
    if hasattr(exc, "message_dict"):
        errors = [{"loc": [f], "msg": " ".join(m)} for f, m in exc.message_dict.items()]
    else:
        errors = [{"loc": [], "msg": m} for m in exc.messages]
    detail = "; ".join(e["msg"] for e in errors)
    return Status(400, {"detail": detail, "code": "impossible", "errors": errors})


# -- cards ----------------------------------------------------------------------------------


@router.get("/cards", response={200: list[CardOut], **LIST_ERRORS}, summary="Cards you may read")
@paginate(Pagination)
def cards_list(request: HttpRequest, filters: Query[CardFilters]):
    return selectors.card_list(
        user=request.user, place=filters.place, q=filters.q.strip() or None, level=filters.level
    )


@router.get(
    "/cards/{card_id}",
    response={200: CardDetailOut, **READ_ERRORS},
    summary="One card with its content (the read is audited)",
)
def cards_get(request: HttpRequest, card_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.card_get(user=request.user, pk=card_id, request=request, how="api")


@router.get(
    "/cards/{card_id}/readings",
    response={200: list[ReadingOut], **READ_ERRORS},
    summary="The readings of a card, newest first (the read is audited)",
)
@paginate(Pagination)
def cards_readings(
    request: HttpRequest,
    filters: Query[ReadingFilters],
    card_id: int = Path(..., ge=1, le=MAX_ID),
):
    card = selectors.card_for_readings(user=request.user, pk=card_id)
    return selectors.readings(
        user=request.user,
        card=card,
        kind=filters.kind,
        since=filters.since,
        request=request,
        how="api",
    )


@router.post(
    "/cards/{card_id}/readings",
    response={201: RecordedOut, **READING_ERRORS, 409: Error},
    summary="Record a reading (the care team)",
    description="201: the reading with its level, and the follow-up (abnormal) or alert "
    "(urgent, dangerous) it raised. 400: a value that cannot be real or does not belong to "
    "the kind, with its field (`errors[].loc`). 403: you may see the readings but not record "
    "them. 409: the card is closed. Home devices post to `/device/readings` instead.",
)
def cards_record(
    request: HttpRequest, payload: ReadingIn, card_id: int = Path(..., ge=1, le=MAX_ID)
):
    card = selectors.card_for_readings(user=request.user, pk=card_id)
    try:
        reading = services.reading_record(
            actor=request.user,
            card=card,
            kind=payload.kind,
            taken_at=payload.taken_at,
            source=payload.source,
            request=request,
            **payload.values(),
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, reading)


# -- the FHIR export ------------------------------------------------------------------------


@router.get(
    "/residents/{resident_id}/fhir",
    response={200: None, **READ_ERRORS},
    summary="A resident's health record as an HL7 FHIR R4 Bundle",
    description="A `collection` Bundle (`application/fhir+json`): a Patient (name, gender, "
    "birth date and the card's number — never the ID or phone number, nor the card's "
    "content) and LOINC-coded Observations of the readings (`since`: only those taken since). "
    "For those who may see the card or its readings; the Observations only for those who "
    "may see the readings, so a card-only consent exports the Patient alone. 404 for a "
    "resident without a card or one you may not see. Every export is audited "
    "(`health.card.read` and/or `health.readings.read`, how `fhir`).",
    openapi_extra={
        "responses": {
            200: {
                "description": "The Bundle",
                "content": {FHIR_JSON: {"schema": {"type": "object", "title": "FHIR R4 Bundle"}}},
            }
        }
    },
)
def residents_fhir(
    request: HttpRequest,
    query: Query[FhirQuery],
    resident_id: int = Path(..., ge=1, le=MAX_ID),
):
    user = request.user
    card_id = selectors.card_id_of_resident(resident_id=resident_id)
    if card_id is None:
        raise Http404
    try:
        card = selectors.card_get(user=user, pk=card_id, request=request, how="fhir")
    except Http404:
        # A readings-only consent: the Patient is the readings' subject, no card content.
        card = selectors.card_for_readings(user=user, pk=card_id)
    readings = []
    if user.has_perm("health.view_readings", card):
        readings = selectors.readings(
            user=user, card=card, since=query.since, request=request, how="fhir"
        )
    bundle = fhir.patient_bundle(card, readings)
    return HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=FHIR_JSON)


# -- alerts and follow-ups ------------------------------------------------------------------


def _alert(request, pk: int):
    """An alert on the user's work list (404 alike for missing and not theirs)."""
    qs = selectors.alert_list(user=request.user, open_only=False)
    return access_by_id(qs, pk=pk, user=request.user, perm=None)


def _follow_up(request, pk: int):
    qs = selectors.follow_up_list(user=request.user, open_only=False)
    return access_by_id(qs, pk=pk, user=request.user, perm=None)


@router.get(
    "/alerts",
    response={200: list[AlertOut], **LIST_ERRORS},
    summary="Alerts of the cards whose readings you may see, newest first",
)
@paginate(Pagination)
def alerts_list(request: HttpRequest, filters: Query[AlertFilters]):
    return selectors.alert_list(user=request.user, open_only=filters.open)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **STEP_ERRORS},
    summary="Say the alert has been taken care of (the care team)",
)
def alerts_acknowledge(
    request: HttpRequest, payload: AcknowledgeIn, alert_id: int = Path(..., ge=1, le=MAX_ID)
):
    alert = _alert(request, alert_id)
    services.alert_acknowledge(actor=request.user, alert=alert, note=payload.note, request=request)
    return _alert(request, alert_id)


@router.get(
    "/follow-ups",
    response={200: list[HealthFollowUpOut], **LIST_ERRORS},
    summary="Follow-ups of the cards whose readings you may see, by due day",
)
@paginate(Pagination)
def follow_ups_list(request: HttpRequest, filters: Query[FollowUpFilters]):
    return selectors.follow_up_list(user=request.user, overdue=filters.overdue, mine=filters.mine)


@router.post(
    "/follow-ups/{follow_up_id}/done",
    response={200: HealthFollowUpOut, **STEP_ERRORS},
    summary="Close a follow-up with what it found (the care team)",
)
def follow_ups_done(
    request: HttpRequest, payload: DoneIn, follow_up_id: int = Path(..., ge=1, le=MAX_ID)
):
    follow_up = _follow_up(request, follow_up_id)
    services.follow_up_done(
        actor=request.user, follow_up=follow_up, outcome=payload.outcome, request=request
    )
    return _follow_up(request, follow_up_id)


# -- home devices ---------------------------------------------------------------------------


@router.post(
    "/device/readings",
    auth=DEVICE_AUTH,
    response={201: DeviceReadingOut, **DEVICE_ERRORS},
    summary="A home device posts a reading",
    description="Authenticated by the device's own token: `Authorization: Device <token>` "
    "(401 for a missing, unknown or revoked token, and for a user's token). The reading "
    "goes to the card the device is registered to. `taken_at` may be at most 5 minutes "
    "ahead of the server's clock. 400: a value that cannot be real, with its field.",
)
def device_readings(request: HttpRequest, payload: ValuesIn):
    device = request.auth
    values = {k: v for k, v in payload.values().items() if v not in (None, "")}
    try:
        _check_time(payload.taken_at)
        reading = services.device_reading(
            device=device, kind=payload.kind, taken_at=payload.taken_at, **values
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, reading)


@router.post(
    "/device/check-in",
    auth=DEVICE_AUTH,
    response={201: CheckInOut, **DEVICE_ACTION_ERRORS},
    summary="A home device says the resident is well (an “I'm fine” button)",
)
def device_check_in(request: HttpRequest):
    device = request.auth
    # The device (checked by its token) is the permission; the system records it.
    check_in = services.check_in_record(
        actor=SYSTEM, card=device.card, source=Source.DEVICE, device=device, request=request
    )
    return Status(201, check_in)
