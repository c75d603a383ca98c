"""/api/v1/events: events and registrations under the same permissions as the pages — the
organisers see their events (drafts too) and their registrations; everyone else sees the
published events of their audience; whoever may not see an event gets 404.

Statuses of an event: ``draft`` → ``published`` (a notice to its audience) → ``held`` (once
it has begun) → ``closed``; ``draft`` or ``published`` → ``cancelled``. Registration is open
while published between ``registration_opens`` and ``registration_closes``.

Statuses of a registration (a party: a person, a household, a child with their guardian):
``registered`` (holding its places) or ``waiting`` (the wait list) at once; ``waiting`` →
``offered`` (the system, when places free, until ``offer_expires_at``) → ``registered``
(taken), ``declined``, or ``expired`` (lapsed: it passes on); ``registered``, ``waiting`` or
``offered`` → ``cancelled`` (by its people until ``cancel_until``, by the organisers until
the start).

Refusals (409, with ``code``): ``not_open``, ``registration_closed``, ``already_registered``,
``not_in_audience``, ``not_household``, ``not_a_resident``, ``age``, ``children_only``,
``guardian_required``, ``not_living``, ``cancel_deadline``, ``started``, ``offer_lapsed``,
``not_started``, ``over``, ``slot_taken``, ``illegal_step``; 403 ``forbidden``."""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
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
)
from linli.core.access import access_by_id

from . import selectors, services
from .models import EventStatus, EventType, Registration, RegistrationStatus

router = Router(tags=["events"])

EVENT_DOC = "`draft` → `published` → `held` → `closed`; `draft` or `published` → `cancelled`."
REGISTRATION_DOC = (
    "`registered` or `waiting`; `waiting` → `offered` → `registered`, `declined` or "
    "`expired`; `registered`, `waiting` or `offered` → `cancelled`."
)


class EventInfoOut(Schema):
    id: int
    title: str
    kind: EventType
    status: EventStatus = Field(..., description=EVENT_DOC)
    organiser: str
    organiser_place: str
    venue: str = Field(..., description="Where, or the room's name")
    start: datetime
    end: datetime
    capacity: int
    places_held: int = Field(..., description="Places of registrations and open offers")
    audience: list[str]
    age_min: int | None
    age_max: int | None
    with_guardian: bool
    registration_opens: datetime
    registration_closes: datetime
    cancel_until: datetime
    registration_open: bool = Field(..., description="Registration is open now")
    my_registration: int | None = Field(None, description="Your active registration's id")
    steps: list[str] = Field(..., description="Steps you may take now")


class EventPersonOut(Schema):
    name: str
    guardian: bool


class EventRegistrationOut(Schema):
    id: int
    event: int
    event_title: str
    status: RegistrationStatus = Field(..., description=REGISTRATION_DOC)
    places: int
    people: list[EventPersonOut]
    at_desk: bool
    registered_at: datetime
    offer_expires_at: datetime | None
    steps: list[str] = Field(..., description="Steps you may take now")


class EventRegisterIn(InputSchema):
    people: list[Id] = Field(
        ...,
        min_length=1,
        max_length=12,
        description="Residents who come: you and members of your household",
    )


def _event(event, *, user, now, mine=None) -> dict:
    held = getattr(event, "held_places", None)
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "status": event.status,
        "organiser": event.organiser_name,
        "organiser_place": event.place.name,
        "venue": event.room.name if event.room_id else event.venue,
        "start": event.start,
        "end": event.end,
        "capacity": event.capacity,
        "places_held": held if held is not None else services.places_held(event),
        "audience": [p.name for p in event.audience.all()],
        "age_min": event.age_min,
        "age_max": event.age_max,
        "with_guardian": event.with_guardian,
        "registration_opens": event.registration_opens,
        "registration_closes": event.registration_closes,
        "cancel_until": event.cancel_until,
        "registration_open": services.registration_is_open(event, now),
        "my_registration": mine.pk if mine is not None else None,
        "steps": services.EVENT.allowed(user=user, obj=event, now=now)
        if user.has_perm("events.manage_event", event)
        else [],
    }


def _registration(registration, *, user, now) -> dict:
    return {
        "id": registration.pk,
        "event": registration.event_id,
        "event_title": registration.event.title,
        "status": registration.status,
        "places": registration.places,
        "people": [
            {"name": p.resident.name, "guardian": p.is_guardian} for p in registration.people.all()
        ],
        "at_desk": registration.at_desk,
        "registered_at": registration.created_at,
        "offer_expires_at": registration.offer_expires_at,
        "steps": services.REGISTRATION.allowed(user=user, obj=registration, now=now, by=user),
    }


@router.get(
    "", response={200: list[EventInfoOut], **LIST_ERRORS}, summary="Coming events you may see"
)
@paginate(Pagination)
def events_list(request: HttpRequest):
    now = timezone.now()
    events = list(selectors.event_list(user=request.user, upcoming=True, now=now)[:500])
    mine = selectors.my_registration_by_event(user=request.user, events=events)
    return [_event(e, user=request.user, now=now, mine=mine.get(e.pk)) for e in events]


@router.get(
    "/mine", response={200: list[EventRegistrationOut], **LIST_ERRORS}, summary="Your registrations"
)
@paginate(Pagination)
def events_mine(request: HttpRequest):
    now = timezone.now()
    rows = selectors.my_registrations(user=request.user)[:500]
    return [_registration(r, user=request.user, now=now) for r in rows]


@router.get("/{event_id}", response={200: EventInfoOut, **READ_ERRORS}, summary="One event")
def events_get(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    event = selectors.event_get(user=request.user, pk=event_id)
    now = timezone.now()
    mine = selectors.my_registration_by_event(user=request.user, events=[event]).get(event.pk)
    return _event(event, user=request.user, now=now, mine=mine)


@router.post(
    "/{event_id}/registrations",
    response={201: EventRegistrationOut, **WRITE_ERRORS, 409: Error},
    summary="Register yourself (and members of your household)",
    description="201 with `registered`, or `waiting` when the places are taken (a party is "
    "never split). 409 `not_open`, `registration_closed`, `already_registered`, "
    "`not_in_audience`, `not_household`, `not_a_resident`, `age`, `children_only`, "
    "`guardian_required`; 403 `forbidden`.",
)
def events_register(
    request: HttpRequest, payload: EventRegisterIn, event_id: int = Path(..., ge=1, le=MAX_ID)
):
    event = selectors.event_get(user=request.user, pk=event_id)
    members = {m.pk: m for m in selectors.household_members(user=request.user)}
    people = [members[pk] for pk in dict.fromkeys(payload.people) if pk in members]
    if len(people) != len(set(payload.people)):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"people": _("You can register yourself and your household.")})
    registration = services.registration_create(actor=request.user, event=event, people=people)
    registration = selectors.my_registrations(user=request.user).get(pk=registration.pk)
    return Status(201, _registration(registration, user=request.user, now=timezone.now()))


@router.get(
    "/{event_id}/registrations",
    response={200: list[EventRegistrationOut], **READ_ERRORS},
    summary="The event's registrations (its organisers; 404 for everyone else)",
)
@paginate(Pagination)
def events_registrations(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    event = selectors.event_get(user=request.user, pk=event_id)
    if not request.user.has_perm("events.manage_event", event):
        raise Http404("Not found.")
    now = timezone.now()
    return [
        _registration(r, user=request.user, now=now)
        for r in selectors.event_registrations(event=event)[:1000]
    ]


EVENT_STEPS = {
    "publish": services.event_publish,
    "hold": services.event_mark_held,
    "close": services.event_close,
    "cancel": services.event_cancel,
}


@router.post(
    "/{event_id}/steps/{step}",
    response={200: EventInfoOut, **ACTION_ERRORS, 409: Error},
    summary="Take a step of the event (its organisers)",
    description=EVENT_DOC + " 409 `illegal_step`, `not_started`, `over`; 403 `forbidden`.",
)
def events_step(
    request: HttpRequest,
    step: Literal["publish", "hold", "close", "cancel"],
    event_id: int = Path(..., ge=1, le=MAX_ID),
):
    event = selectors.event_get(user=request.user, pk=event_id)
    event = EVENT_STEPS[step](actor=request.user, event=event)
    return _event(
        selectors.event_get(user=request.user, pk=event.pk), user=request.user, now=timezone.now()
    )


REGISTRATION_STEPS = {
    "accept": services.registration_accept,
    "decline": services.registration_decline,
    "cancel": services.registration_cancel,
}


@router.post(
    "/registrations/{registration_id}/steps/{step}",
    response={200: EventRegistrationOut, **ACTION_ERRORS, 409: Error},
    summary="Take an offered place, decline it, or cancel a registration",
    description=REGISTRATION_DOC
    + " 409 `illegal_step`, `offer_lapsed`, `cancel_deadline`, `started`; 403 `forbidden`.",
)
def events_registration_step(
    request: HttpRequest,
    step: Literal["accept", "decline", "cancel"],
    registration_id: int = Path(..., ge=1, le=MAX_ID),
):
    registration = access_by_id(
        Registration.objects.select_related("event__place", "event__organisation", "contact"),
        pk=registration_id,
        user=request.user,
        perm="events.view_registration",
    )
    REGISTRATION_STEPS[step](actor=request.user, registration=registration)
    row = (
        Registration.objects.select_related("event__place", "contact")
        .prefetch_related("people__resident")
        .get(pk=registration.pk)
    )
    return _registration(row, user=request.user, now=timezone.now())
