"""/api/v1/rooms and /api/v1/bookings: rooms with their rules, free slots and calendar
feed, booking requests (each refused rule with its own message and code) and the steps of a
booking, under the same permissions as the pages."""

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone
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
    Moment,
    PlaceRef,
    Text,
)
from linli.residents import selectors as residents_selectors

from . import ical, selectors, services
from .models import BookableBy, Booking, BookingStatus, Purpose, Room, RoomKind

rooms_router = Router(tags=["rooms"])
bookings_router = Router(tags=["bookings"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}


# -- output ---------------------------------------------------------------------------------


def _place_ref(place) -> dict:
    return {"id": place.pk, "name": place.name}


class RoomOut(Schema):
    id: int
    name: str
    name_en: str
    kind: RoomKind
    place: PlaceRef
    capacity: int
    facilities: str
    outdoor: bool
    opens: str = Field(..., description="Local time, HH:MM", examples=["08:00"])
    closes: str = Field(
        ..., description="Local time, HH:MM; 00:00 means midnight, the end of the day"
    )
    open_weekdays: list[int] = Field(..., description="Monday 0 to Sunday 6")
    bookable_by: BookableBy
    purposes: list[Purpose] = Field(..., description="Empty: any purpose")
    max_days_ahead: int
    min_notice_hours: int
    max_hours: int
    max_active_per_household: int
    approval_required: bool
    is_active: bool = Field(..., description="Taking bookings")
    ical_url: str = Field(..., description="The room's public iCalendar feed (no personal data)")

    @staticmethod
    def resolve_place(room):
        return _place_ref(room.place)

    @staticmethod
    def resolve_opens(room):
        return f"{room.opens:%H:%M}"

    @staticmethod
    def resolve_closes(room):
        return f"{room.closes:%H:%M}"

    @staticmethod
    def resolve_ical_url(room, context):
        return ical.room_feed_url(room, context["request"])


class SlotOut(Schema):
    start: datetime = Field(..., description="Local time with its UTC offset")
    end: datetime


class RoomRef(Schema):
    id: int
    name: str
    place: PlaceRef


class BookingOut(Schema):
    id: int
    room: RoomRef
    start: datetime = Field(..., description="Local time with its UTC offset")
    end: datetime
    status: BookingStatus
    purpose: Purpose
    title: str
    attendees: int | None
    mine: bool = Field(..., description="You made this booking")
    booked_by: str | None = Field(
        None, description="Who made the booking; null for a hold of the system (a meeting)"
    )
    series: int | None = Field(None, alias="series_id", description="Its weekly booking")
    created_at: datetime
    decided_at: datetime | None
    decline_reason: str
    cancel_reason: str
    checked_in_at: datetime | None
    steps: list[str] = Field(
        ...,
        description="What you may do now: approve, decline, cancel, check_in, mark_no_show",
    )

    @staticmethod
    def resolve_room(booking):
        room = booking.room
        return {"id": room.pk, "name": room.name, "place": _place_ref(room.place)}

    @staticmethod
    def resolve_start(booking):
        return timezone.localtime(booking.start)

    @staticmethod
    def resolve_end(booking):
        return timezone.localtime(booking.end)

    @staticmethod
    def resolve_mine(booking, context):
        return booking.booked_by_id == context["request"].user.pk

    @staticmethod
    def resolve_booked_by(booking):
        return booking.booked_by.display_name if booking.booked_by_id else None

    @staticmethod
    def resolve_steps(booking, context):
        return services.allowed_steps(user=context["request"].user, booking=booking)


# -- input ----------------------------------------------------------------------------------


class RoomFilters(Schema):
    place: Id | None = Field(None, description="Rooms anywhere in this subtree")


class SlotQuery(Schema):
    start: Day = Field(..., description="First day, YYYY-MM-DD")
    end: Day = Field(
        ..., description=f"Last day (included), at most {selectors.MAX_SLOT_DAYS} days on"
    )


class BookingIn(InputSchema):
    start: Moment
    end: Moment
    purpose: Purpose
    title: Text(120) = Field("", description="Private: shown to you and the room's workers")
    attendees: int | None = Field(None, ge=1, le=100_000)
    household: Id | None = Field(
        None,
        description="Staff booking at the desk name the household it is for (its id); a "
        "resident always books for their own household.",
    )


class BookingFilters(Schema):
    room: Id | None = None
    status: BookingStatus | None = None
    mine: bool = Field(False, description="Only bookings you made")
    from_: Day | None = Field(None, alias="from", description="Ending on or after this day")
    to: Day | None = Field(None, description="Starting on or before this day")


class BookingCancelIn(InputSchema):
    reason: Text(200) = ""


class DeclineIn(InputSchema):
    reason: Text(200, 1)


# -- rooms ----------------------------------------------------------------------------------


def _room(request, room_id: int) -> Room:
    return selectors.room_get(user=request.user, pk=room_id)


@rooms_router.get("", response={200: list[RoomOut], **LIST_ERRORS}, summary="Rooms you may see")
@paginate(Pagination)
def rooms_list(request: HttpRequest, filters: Query[RoomFilters]):
    return selectors.room_list(user=request.user, place=filters.place)


@rooms_router.get("/{room_id}", response={200: RoomOut, **READ_ERRORS}, summary="One room")
def rooms_get(request: HttpRequest, room_id: int = Path(..., ge=1, le=MAX_ID)):
    return _room(request, room_id)


@rooms_router.get(
    "/{room_id}/slots",
    response={200: list[SlotOut], **READ_ERRORS},
    summary="Free times of a room, day by day",
    description="Opening hours without bookings (pending ones hold their slot) and blackout "
    "periods, from now on. The booking rules (notice, horizon, length) are not applied; a "
    "request that breaks one is refused with its own message.",
)
def rooms_slots(
    request: HttpRequest, query: Query[SlotQuery], room_id: int = Path(..., ge=1, le=MAX_ID)
):
    room = _room(request, room_id)
    return [
        {"start": s.start, "end": s.end}
        for s in selectors.free_slots(room=room, start_date=query.start, end_date=query.end)
    ]


@rooms_router.post(
    "/{room_id}/bookings",
    response={201: BookingOut, **STEP_ERRORS},
    summary="Request a room",
    description="201: pending (a worker must approve; it holds the slot) or confirmed. "
    "409 `slot_taken`: the time overlaps another booking. 400: a rule refuses it, with its "
    "code: `past`, `end_before_start`, `inactive`, `purpose`, `too_late`, `too_early`, "
    "`too_long`, `closed_day`, `opening_hours`, `blackout`, `household_limit`, `capacity`. "
    "403 `not_resident`/`staff_only`: a room you may see but not book; `household`: a "
    "resident named another household. 404: the room or the named household is not one you "
    "may see (also when someone who may not see it asks to book it).",
)
def rooms_book(request: HttpRequest, payload: BookingIn, room_id: int = Path(..., ge=1, le=MAX_ID)):
    room = _room(request, room_id)
    household = (
        None
        if payload.household is None
        else residents_selectors.household_get(user=request.user, pk=payload.household)
    )
    booking = services.booking_request(
        actor=request.user,
        room=room,
        start=payload.start,
        end=payload.end,
        purpose=payload.purpose,
        title=payload.title,
        attendees=payload.attendees,
        household=household,
    )
    return Status(201, _booking(request, booking.pk))


# -- bookings -------------------------------------------------------------------------------


def _booking(request, booking_id: int) -> Booking:
    return selectors.booking_get(user=request.user, pk=booking_id)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


@bookings_router.get(
    "",
    response={200: list[BookingOut], **LIST_ERRORS},
    summary="Your bookings, and those of the rooms you oversee",
)
@paginate(Pagination)
def bookings_list(request: HttpRequest, filters: Query[BookingFilters]):
    return selectors.booking_list(
        user=request.user,
        room=filters.room,
        mine=filters.mine,
        status=filters.status,
        start=_day_start(filters.from_) if filters.from_ else None,
        end=_day_start(filters.to + timedelta(days=1)) if filters.to else None,
    )


@bookings_router.get(
    "/{booking_id}", response={200: BookingOut, **READ_ERRORS}, summary="One booking"
)
def bookings_get(request: HttpRequest, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    return _booking(request, booking_id)


def _step(request, booking_id: int, action, **kwargs) -> Booking:
    booking = _booking(request, booking_id)
    action(actor=request.user, booking=booking, **kwargs)
    return _booking(request, booking_id)


@bookings_router.post(
    "/{booking_id}/cancel",
    response={200: BookingOut, **STEP_ERRORS},
    summary="Cancel a booking before it begins (the booker or a worker)",
)
def bookings_cancel(
    request: HttpRequest, payload: BookingCancelIn, booking_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _step(request, booking_id, services.booking_cancel, reason=payload.reason)


@bookings_router.post(
    "/{booking_id}/approve",
    response={200: BookingOut, **ACTION_STEP_ERRORS},
    summary="Approve a pending booking (a worker of the room)",
)
def bookings_approve(request: HttpRequest, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, booking_id, services.booking_approve)


@bookings_router.post(
    "/{booking_id}/decline",
    response={200: BookingOut, **STEP_ERRORS},
    summary="Decline a pending booking, saying why (a worker of the room)",
)
def bookings_decline(
    request: HttpRequest, payload: DeclineIn, booking_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _step(request, booking_id, services.booking_decline, reason=payload.reason)


@bookings_router.post(
    "/{booking_id}/check-in",
    response={200: BookingOut, **ACTION_STEP_ERRORS},
    summary="Check in a confirmed booking on its day (a worker of the room)",
)
def bookings_check_in(request: HttpRequest, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, booking_id, services.booking_check_in)


@bookings_router.post(
    "/{booking_id}/no-show",
    response={200: BookingOut, **ACTION_STEP_ERRORS},
    summary="Mark a confirmed booking that has begun as a no-show (a worker of the room)",
)
def bookings_no_show(request: HttpRequest, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, booking_id, services.booking_mark_no_show)
