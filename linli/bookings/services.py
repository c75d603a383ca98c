"""Every change of rooms and bookings: rooms and their blackout periods, requests (checked
rule by rule, each refusal with its own message), the booking's steps (an explicit table),
and weekly series whose refused dates are reported and kept as exceptions.

No double booking: a request locks the room's row (``core.locking.lock_row``) before it
reads the room's bookings, so the overlap check and the insert of two requests can never
interleave; on PostgreSQL the exclusion constraint of migration 0002 refuses an overlap in
the database besides."""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.roles import BOOK_ROOMS
from linli.accounts.scope import scope_of
from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.crypto import lookup_hash
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.images import photo_attach, refuse
from linli.core.lifecycle import Lifecycle, Step, check_perm
from linli.core.locking import lock_row
from linli.places.models import Place
from linli.residents.models import Household
from linli.residents.nearby import compound_of, resident_household

from .models import (
    ACTIVE_STATUSES,
    ROOM_PLACE_KINDS,
    Blackout,
    BookableBy,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingSeries,
    BookingStatus,
    CalendarFeed,
    Purpose,
    RecurringBlackout,
    Repeat,
    Room,
    RoomPhoto,
    Weekday,
)
from .tasks import notify_booking_event_task

# Steps someone hears of (see notify.recipients).
NOTIFIED = frozenset(
    {
        BookingEventKind.REQUESTED,
        BookingEventKind.APPROVED,
        BookingEventKind.DECLINED,
        BookingEventKind.CANCELLED,
        BookingEventKind.NO_SHOW,
    }
)
# The name of the PostgreSQL exclusion constraint (migration 0002).
OVERLAP_CONSTRAINT = "booking_no_overlap"
# A weekly series covers at most a year.
MAX_SERIES_DAYS = 366


def _local(value: datetime) -> datetime:
    return timezone.localtime(value)


def _fmt(value: datetime) -> str:
    return _local(value).strftime("%Y-%m-%d %H:%M")


def _fmt_span(start: datetime, end: datetime) -> str:
    start, end = _local(start), _local(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def opening_window(room: Room, day: date) -> tuple[datetime, datetime] | None:
    """When the room is open on ``day``, as aware datetimes; None on a closed weekday."""
    if day.weekday() not in room.open_weekdays:
        return None
    tz = timezone.get_default_timezone()
    opens = datetime.combine(day, room.opens, tzinfo=tz)
    closes_day = day + timedelta(days=1) if room.closes == time(0) else day
    return opens, datetime.combine(closes_day, room.closes, tzinfo=tz)


def recurring_span(blackout: RecurringBlackout, day: date) -> tuple[datetime, datetime] | None:
    if not blackout.applies_on(day):
        return None
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(day, blackout.start_time, tzinfo=tz),
        datetime.combine(day, blackout.end_time, tzinfo=tz),
    )


# -- rooms and blackouts --------------------------------------------------------------------


def _check_manage_room(actor, obj) -> None:
    check_perm(
        actor,
        "bookings.manage_room",
        obj,
        message=_("Only the community worker or the branch secretary may change rooms."),
    )


def _check_room_fields(room: Room) -> None:
    errors: dict[str, list[str]] = {}
    if room.place_id and room.place.kind not in ROOM_PLACE_KINDS:
        errors["place"] = [_("A room is in a community, a compound or a building.")]
    if room.closes != time(0) and room.closes <= room.opens:
        errors["closes"] = [_("The room must close after it opens (00:00 means midnight).")]
    weekdays = room.open_weekdays
    if not isinstance(weekdays, list) or any(d not in Weekday.values for d in weekdays):
        errors["open_weekdays"] = [_("Give the weekdays as numbers from 0 (Monday) to 6.")]
    purposes = room.purposes
    if not isinstance(purposes, list) or any(p not in Purpose.values for p in purposes):
        errors["purposes"] = [_("Choose the purposes from the list.")]
    if errors:
        raise ValidationError(errors)


def _room_save(room: Room) -> Room:
    room.name = room.name.strip()
    room.open_weekdays = (
        sorted(set(room.open_weekdays))
        if isinstance(room.open_weekdays, list)
        else room.open_weekdays
    )
    _check_room_fields(room)
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_create(*, actor, place: Place, name: str, kind: str, request=None, **fields) -> Room:
    _check_manage_room(actor, place)
    room = _room_save(Room(place=place, name=name, kind=kind, **fields))
    audit_record(actor=actor, action="bookings.room.create", obj=room, request=request)
    return room


ROOM_EDITABLE = frozenset(
    {
        "name",
        "name_en",
        "kind",
        "capacity",
        "facilities",
        "outdoor",
        "opens",
        "closes",
        "open_weekdays",
        "bookable_by",
        "purposes",
        "max_days_ahead",
        "min_notice_hours",
        "max_hours",
        "max_active_per_household",
        "approval_required",
        "is_active",
    }
)


@transaction.atomic
def room_update(*, actor, room: Room, request=None, **fields) -> Room:
    """Change a room's description or rules. Existing bookings stay as they are; the new
    rules apply to requests from now on."""
    unknown = set(fields) - ROOM_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    room = Room.objects.select_for_update(of=("self",)).select_related("place").get(pk=room.pk)
    _check_manage_room(actor, room)
    for name, value in fields.items():
        setattr(room, name, value)
    _room_save(room)
    audit_record(
        actor=actor,
        action="bookings.room.change",
        obj=room,
        request=request,
        details={name: str(value) for name, value in fields.items()},
    )
    return room


@transaction.atomic
def blackout_create(*, actor, room: Room, start: datetime, end: datetime, reason: str) -> Blackout:
    """A one-off period when the room is not lent. Bookings already made are not touched:
    the worker tells those affected and cancels them where needed."""
    _check_manage_room(actor, room)
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the room is not available.")})
    blackout = Blackout(
        room=room, start=start, end=end, reason=reason.strip(), created_by=user_or_none(actor)
    )
    blackout.full_clean()
    blackout.save()
    audit_record(
        actor=actor,
        action="bookings.blackout.create",
        obj=room,
        details={"start": start.isoformat(), "end": end.isoformat(), "reason": blackout.reason},
    )
    return blackout


@transaction.atomic
def recurring_blackout_create(
    *,
    actor,
    room: Room,
    repeat: str,
    start_time: time,
    end_time: time,
    reason: str,
    day_of_month: int | None = None,
    weekday: int | None = None,
) -> RecurringBlackout:
    _check_manage_room(actor, room)
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The end must be after the start.")})
    if repeat == Repeat.MONTHLY and not day_of_month:
        raise ValidationError({"day_of_month": _("Choose the day of the month.")})
    if repeat == Repeat.WEEKLY and weekday is None:
        raise ValidationError({"weekday": _("Choose the weekday.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the room is not available.")})
    blackout = RecurringBlackout(
        room=room,
        repeat=repeat,
        day_of_month=day_of_month if repeat == Repeat.MONTHLY else None,
        weekday=weekday if repeat == Repeat.WEEKLY else None,
        start_time=start_time,
        end_time=end_time,
        reason=reason.strip(),
    )
    blackout.full_clean()
    blackout.save()
    audit_record(
        actor=actor,
        action="bookings.recurring_blackout.create",
        obj=room,
        details={"id": blackout.pk},
    )
    return blackout


@transaction.atomic
def blackout_delete(*, actor, blackout: Blackout | RecurringBlackout) -> None:
    _check_manage_room(actor, blackout.room)
    audit_record(
        actor=actor,
        action="bookings.blackout.delete",
        obj=blackout.room,
        details={"blackout": str(blackout)},
    )
    blackout.delete()


# -- requests -------------------------------------------------------------------------------


def _lock_room(room: Room) -> Room:
    """Serialise the bookings of one room, and re-read its rules under the lock."""
    return lock_row(Room, room.pk, select_related=("place",))


def _first_clash(room: Room, start: datetime, end: datetime) -> Booking | None:
    return (
        Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )


def _taken_error(room: Room, start: datetime, end: datetime) -> ConflictError:
    clash = _first_clash(room, start, end)
    if clash is None:
        return ConflictError(
            _("This time is already taken; choose another time."), code="slot_taken"
        )
    return ConflictError(
        _("This time is already taken: the room is booked %(span)s. Choose another time.")
        % {"span": _fmt_span(clash.start, clash.end)},
        code="slot_taken",
    )


def _is_overlap_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "23P01" or OVERLAP_CONSTRAINT in str(exc)


def _insert(booking: Booking) -> None:
    """Save a new active booking; PostgreSQL's exclusion constraint refusing an overlap the
    locked check could not see becomes the same "taken" refusal."""
    booking.full_clean()
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if _is_overlap_violation(exc):
            raise _taken_error(booking.room, booking.start, booking.end) from exc
        raise


def _may_manage(actor, room: Room) -> bool:
    return actor.has_perm("bookings.manage_booking", room)


def _check_may_book(actor, room: Room) -> None:
    try:
        check_perm(actor, "bookings.book_room", room)
    except ForbiddenError:
        # The refusal says who may book (read only when refused: it costs a query).
        if room.bookable_by == BookableBy.STAFF:
            raise ForbiddenError(_("Only staff may book this room."), code="staff_only") from None
        raise ForbiddenError(
            _("Only residents of %(place)s and staff may book this room.")
            % {"place": compound_of(room.place).name},
            code="not_resident",
        ) from None


def _household_for(actor, room: Room, household: Household | None) -> Household | None:
    """Staff book for a household they name (at the counter) or for none; a resident
    always books for their own household."""
    if scope_of(actor).covers(room.place.path, roles=BOOK_ROOMS):
        return household
    own = resident_household(actor, room.place)
    if household is not None and (own is None or household.pk != own.pk):
        raise ForbiddenError(_("You can book only for your own household."), code="household")
    return own


def _check_rules(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    purpose: str,
    household: Household | None,
    now: datetime,
    manager: bool,
    exclude_pk: int | None = None,
) -> None:
    """The room's rules, one by one, each refusal with its own message."""
    if end <= start:
        raise LinliError(_("The end must be after the start."), code="end_before_start")
    if start < now:
        raise LinliError(
            _("This time has already begun; choose a time in the future."), code="past"
        )
    if not room.is_active:
        raise LinliError(_("This room is not taking bookings at the moment."), code="inactive")
    if room.purposes and purpose not in room.purposes:
        allowed = "、".join(str(Purpose(p).label) for p in room.purposes)
        raise LinliError(
            _("This room is not lent for %(purpose)s; it is lent for: %(allowed)s.")
            % {"purpose": Purpose(purpose).label, "allowed": allowed},
            code="purpose",
        )
    if start < now + timedelta(hours=room.min_notice_hours):
        raise LinliError(
            _("Too late: this room must be booked at least %(hours)s hours ahead.")
            % {"hours": room.min_notice_hours},
            code="too_late",
        )
    horizon = now + timedelta(days=room.max_days_ahead)
    # Workers who run the room plan its regular use (summer tutoring) beyond the horizon.
    if start > horizon and not manager:
        raise LinliError(
            _(
                "Too early: this room can be booked at most %(days)s days ahead, "
                "so this time opens for booking on %(date)s."
            )
            % {
                "days": room.max_days_ahead,
                "date": (_local(start) - timedelta(days=room.max_days_ahead)).date().isoformat(),
            },
            code="too_early",
        )
    if end - start > timedelta(hours=room.max_hours):
        raise LinliError(
            _("Too long: a booking of this room may last at most %(hours)s hours.")
            % {"hours": room.max_hours},
            code="too_long",
        )
    day = _local(start).date()
    window = opening_window(room, day)
    if window is None:
        raise LinliError(
            _("The room is closed on %(weekday)s.") % {"weekday": Weekday(day.weekday()).label},
            code="closed_day",
        )
    if start < window[0] or end > window[1]:
        raise LinliError(
            _("Outside opening hours: the room is open from %(opens)s to %(closes)s.")
            % {"opens": f"{room.opens:%H:%M}", "closes": f"{room.closes:%H:%M}"},
            code="opening_hours",
        )
    blackout = room.blackouts.filter(start__lt=end, end__gt=start).order_by("start").first()
    if blackout is not None:
        raise LinliError(
            _("The room is not available %(span)s: %(reason)s.")
            % {"span": _fmt_span(blackout.start, blackout.end), "reason": blackout.reason},
            code="blackout",
        )
    for recurring in room.recurring_blackouts.all():
        span = recurring_span(recurring, day)
        if span is not None and span[0] < end and start < span[1]:
            raise LinliError(
                _("The room is not available %(span)s: %(reason)s.")
                % {"span": _fmt_span(*span), "reason": recurring.reason},
                code="blackout",
            )
    if household is not None and not manager:
        active = (
            Booking.objects.filter(
                room=room, household=household, status__in=ACTIVE_STATUSES, end__gt=now
            )
            .exclude(pk=exclude_pk)
            .count()
        )
        if active >= room.max_active_per_household:
            raise LinliError(
                _(
                    "Your household already has %(count)s booking(s) of this room coming up; "
                    "at most %(limit)s at once."
                )
                % {"count": active, "limit": room.max_active_per_household},
                code="household_limit",
            )


def _book(
    *,
    actor,
    room: Room,
    start: datetime,
    end: datetime,
    purpose: str,
    title: str,
    attendees: int | None,
    household: Household | None,
    series: BookingSeries | None,
    now: datetime,
    manager: bool,
) -> Booking:
    """Check and insert one booking; the room is locked by the caller."""
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
    if attendees is not None and room.capacity and attendees > room.capacity:
        raise LinliError(
            _("The room holds at most %(capacity)s people.") % {"capacity": room.capacity},
            code="capacity",
        )
    _check_rules(
        room=room,
        start=start,
        end=end,
        purpose=purpose,
        household=household,
        now=now,
        manager=manager,
    )
    if _first_clash(room, start, end) is not None:
        raise _taken_error(room, start, end)
    confirmed = not room.approval_required or manager
    booking = Booking(
        room=room,
        start=start,
        end=end,
        purpose=purpose,
        title=title.strip(),
        attendees=attendees,
        booked_by=actor,
        household=household,
        series=series,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.PENDING,
    )
    if confirmed:
        booking.decided_by, booking.decided_at = user_or_none(actor), now
    _insert(booking)
    BOOKING.record(
        obj=booking, kind=BookingEventKind.REQUESTED, actor=actor, to_status=booking.status
    )
    audit_record(actor=actor, action="bookings.booking.request", obj=booking)
    return booking


@transaction.atomic
def booking_request(
    *,
    actor,
    room: Room,
    start: datetime,
    end: datetime,
    purpose: str,
    title: str = "",
    attendees: int | None = None,
    household: Household | None = None,
    now: datetime | None = None,
) -> Booking:
    """Request a room: pending (holding the slot) where a worker must approve, confirmed at
    once otherwise, or when a worker who runs the room books it."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": _("Give the time with its time zone.")})
    room = _lock_room(room)
    now = now or timezone.now()
    _check_may_book(actor, room)
    manager = _may_manage(actor, room)
    household = _household_for(actor, room, household)
    return _book(
        actor=actor,
        room=room,
        start=start,
        end=end,
        purpose=purpose,
        title=title,
        attendees=attendees,
        household=household,
        series=None,
        now=now,
        manager=manager,
    )


@transaction.atomic
def booking_hold(
    *,
    actor,
    room: Room,
    start: datetime,
    end: datetime,
    purpose: str,
    title: str = "",
    now=None,
) -> Booking:
    """The system (SYSTEM, for a meeting) holds a room for an event the room exists for (a
    deliberation meeting in its hall): confirmed at once, booked by no one, exempt from the
    room's rules and blackouts — but never over another active booking (ConflictError)."""
    check_perm(actor, "bookings.hold_room", room)
    room = _lock_room(room)
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if _first_clash(room, start, end) is not None:
        raise _taken_error(room, start, end)
    booking = Booking(
        room=room,
        start=start,
        end=end,
        purpose=purpose,
        title=title.strip()[:120],
        booked_by=None,
        status=BookingStatus.CONFIRMED,
        decided_at=now or timezone.now(),
    )
    _insert(booking)
    BOOKING.record(
        obj=booking, kind=BookingEventKind.CONFIRMED, actor=actor, to_status=booking.status
    )
    return booking


# -- steps ----------------------------------------------------------------------------------


def _guard(name: str, booking: Booking, *, now: datetime | None = None, **context) -> None:
    """What the moment allows: no approving or cancelling once begun, check-in on the day,
    a no-show only once begun."""
    now = now or timezone.now()
    if name == "approve" and now >= booking.start:
        raise ConflictError(
            _("This booking has already begun; it can no longer be approved."), code="started"
        )
    if name == "cancel" and now >= booking.start:
        raise ConflictError(_("A booking cannot be cancelled once it has begun."), code="started")
    if name == "check_in" and (
        _local(now).date() != _local(booking.start).date() or now >= booking.end
    ):
        raise ConflictError(
            _("Check-in is possible only on the day of the booking, before it ends."),
            code="not_today",
        )
    if name == "mark_no_show" and now < booking.start:
        raise ConflictError(
            _("A no-show can be marked only once the booking has begun."), code="not_started"
        )


B = BookingStatus
MANAGE = "bookings.manage_booking"
BOOKING = Lifecycle(
    name="bookings.booking",
    model=Booking,
    event_model=BookingEvent,
    subject="booking",
    event_kinds=BookingEventKind,
    select_related=("room__place",),
    illegal_message=gettext_lazy("This booking is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("This step is not yours to take on this booking."),
    guard=_guard,
    notify_task=notify_booking_event_task,
    notify=NOTIFIED,
    audit_prefix="bookings.booking",
    steps={
        "approve": Step(
            frozenset({B.PENDING}), B.CONFIRMED, MANAGE, BookingEventKind.APPROVED,
            gettext_lazy("approved"),
        ),
        "decline": Step(
            frozenset({B.PENDING}), B.DECLINED, MANAGE, BookingEventKind.DECLINED,
            gettext_lazy("declined"),
        ),
        "cancel": Step(
            frozenset({B.PENDING, B.CONFIRMED}), B.CANCELLED, "bookings.cancel_booking",
            BookingEventKind.CANCELLED, gettext_lazy("cancelled"),
        ),
        # Its own permission (held by those who manage bookings), so that SYSTEM may check
        # in a meeting's hold without approving or declining anyone's booking.
        "check_in": Step(
            frozenset({B.CONFIRMED}), B.CHECKED_IN, "bookings.check_in_booking",
            BookingEventKind.CHECKED_IN, gettext_lazy("checked in"),
        ),
        "mark_no_show": Step(
            frozenset({B.CONFIRMED}), B.NO_SHOW, MANAGE, BookingEventKind.NO_SHOW,
            gettext_lazy("marked as a no-show"),
        ),
    },
)  # fmt: skip


def allowed_steps(*, user, booking: Booking, now: datetime | None = None) -> list[str]:
    """The steps this user may take on this booking now (for buttons and the API)."""
    return BOOKING.allowed(user=user, obj=booking, now=now or timezone.now())


def _take(step_name: str, *, actor, booking: Booking, now=None, note="", **changes) -> Booking:
    return BOOKING.take(
        step_name,
        actor=actor,
        obj=booking,
        note=note,
        context={"now": now or timezone.now()},
        **changes,
    )


@transaction.atomic
def booking_approve(*, actor, booking: Booking, now=None) -> Booking:
    now = now or timezone.now()
    return _take(
        "approve",
        actor=actor,
        booking=booking,
        now=now,
        decided_by=user_or_none(actor),
        decided_at=now,
    )


@transaction.atomic
def booking_decline(*, actor, booking: Booking, reason: str, now=None) -> Booking:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the booking is declined.")})
    now = now or timezone.now()
    return _take(
        "decline",
        actor=actor,
        booking=booking,
        now=now,
        note=reason.strip(),
        decided_by=user_or_none(actor),
        decided_at=now,
        decline_reason=reason.strip()[:200],
    )


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str = "", now=None) -> Booking:
    """The booker or a worker cancels before the booking begins; the slot is free again."""
    return _take(
        "cancel",
        actor=actor,
        booking=booking,
        now=now,
        note=reason.strip(),
        cancel_reason=reason.strip()[:200],
    )


@transaction.atomic
def booking_check_in(*, actor, booking: Booking, now=None) -> Booking:
    now = now or timezone.now()
    return _take("check_in", actor=actor, booking=booking, now=now, checked_in_at=now)


@transaction.atomic
def booking_mark_no_show(*, actor, booking: Booking, now=None) -> Booking:
    return _take("mark_no_show", actor=actor, booking=booking, now=now)


# -- weekly series --------------------------------------------------------------------------


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: list[Booking] = field(default_factory=list)
    # Dates not booked because of a clash or a rule, with the refusal's message.
    refused: list[tuple[date, str]] = field(default_factory=list)


@transaction.atomic
def booking_series_create(
    *,
    actor,
    room: Room,
    weekday: int,
    start_time: time,
    end_time: time,
    from_date: date,
    until_date: date,
    purpose: str,
    title: str = "",
    household: Household | None = None,
    skip_dates=(),
    now: datetime | None = None,
) -> SeriesResult:
    """A weekly booking. Every date goes through the same checks as a single request, in
    this one transaction. A date refused by a clash or a rule is skipped, recorded in the
    series' exceptions with its reason and returned in ``refused`` — the duty volunteer sees
    which weeks to arrange otherwise, and the other weeks are booked. Dates in
    ``skip_dates`` are skipped on purpose (holidays). When no date at all can be booked the
    series is refused and nothing is saved."""
    if weekday not in Weekday.values:
        raise ValidationError({"weekday": _("Choose the weekday.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The end must be after the start.")})
    if until_date < from_date:
        raise ValidationError({"until_date": _("The last date must not be before the first.")})
    if (until_date - from_date).days > MAX_SERIES_DAYS:
        raise ValidationError({"until_date": _("A weekly booking covers at most a year.")})
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
    room = _lock_room(room)
    now = now or timezone.now()
    _check_may_book(actor, room)
    manager = _may_manage(actor, room)
    household = _household_for(actor, room, household)
    series = BookingSeries(
        room=room,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        from_date=from_date,
        until_date=until_date,
        purpose=purpose,
        title=title.strip(),
        booked_by=actor,
        household=household,
    )
    series.full_clean()
    series.save()
    result = SeriesResult(series=series)
    skip = set(skip_dates)
    tz = timezone.get_default_timezone()
    day = from_date + timedelta(days=(weekday - from_date.weekday()) % 7)
    while day <= until_date:
        if day in skip:
            series.exceptions.append({"date": day.isoformat(), "reason": _("skipped as asked")})
        else:
            try:
                with transaction.atomic():
                    booking = _book(
                        actor=actor,
                        room=room,
                        start=datetime.combine(day, start_time, tzinfo=tz),
                        end=datetime.combine(day, end_time, tzinfo=tz),
                        purpose=purpose,
                        title=title,
                        attendees=None,
                        household=household,
                        series=series,
                        now=now,
                        manager=manager,
                    )
            except LinliError as exc:
                result.refused.append((day, exc.message))
                series.exceptions.append({"date": day.isoformat(), "reason": exc.message})
            else:
                result.bookings.append(booking)
        day += timedelta(days=7)
    if not result.bookings:
        reason = result.refused[0][1] if result.refused else _("every date was skipped")
        raise LinliError(
            _("No date of this weekly booking could be booked (%(reason)s).") % {"reason": reason},
            code="series_empty",
        )
    series.save(update_fields=["exceptions"])
    audit_record(
        actor=actor,
        action="bookings.series.create",
        obj=series,
        details={
            "booked": len(result.bookings),
            "refused": [[d.isoformat(), m] for d, m in result.refused],
        },
    )
    return result


@transaction.atomic
def booking_series_skip(*, actor, series: BookingSeries, day: date, reason: str, now=None):
    """Cancel one occurrence of a series (a holiday, an exam week) and keep the date as an
    exception with its reason."""
    series = BookingSeries.objects.select_for_update(of=("self",)).get(pk=series.pk)
    booking = series.bookings.filter(status__in=ACTIVE_STATUSES).filter(start__date=day).first()
    if booking is None:
        raise ConflictError(
            _("This weekly booking has no active booking on %(date)s.")
            % {"date": date_format(day, "Y-m-d")},
            code="no_occurrence",
        )
    booking = booking_cancel(actor=actor, booking=booking, reason=reason, now=now)
    series.exceptions.append({"date": day.isoformat(), "reason": reason.strip()})
    series.save(update_fields=["exceptions"])
    return booking


# -- private calendar feeds -----------------------------------------------------------------


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, lookup_hash(token)


@transaction.atomic
def calendar_feed_create(*, user) -> CalendarFeed:
    """The user's private calendar feed, made on its first use (one per user: a second
    made at the same moment fails on the unique user)."""
    token, token_hash = _new_token()
    feed = CalendarFeed(user=user, token=token, token_hash=token_hash)
    feed.full_clean(exclude=["user"])
    feed.save()
    audit_record(actor=user, action="bookings.calendar_feed.create", obj=feed)
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor, user, request=None) -> CalendarFeed:
    """Give the user's private calendar a new secret token; the old URL stops working at
    once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = calendar_feed_create(user=user)
    else:
        token, token_hash = _new_token()
        feed.token, feed.token_hash, feed.last_used_at = token, token_hash, None
        feed.full_clean(exclude=["user"])
        feed.save(update_fields=["token", "token_hash", "last_used_at"])
    audit_record(actor=actor, action="bookings.calendar_feed.reset", obj=feed, request=request)
    return feed


def calendar_feed_record_use(*, feed: CalendarFeed, now: datetime | None = None) -> None:
    """When the feed was last fetched (shown to its owner)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now or timezone.now())


# -- photos of rooms -----------------------------------------------------------------------

MAX_PHOTOS_PER_ROOM = 9


def _check_may_add_photo(*, actor, room: Room) -> None:
    check_perm(
        actor, "bookings.manage_room", room, message=_("You may not add photos to this room.")
    )


def _check_photo_count(room: Room) -> None:
    if RoomPhoto.objects.filter(room=room).count() >= MAX_PHOTOS_PER_ROOM:
        raise refuse(
            _("A room can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ROOM}
        )


def room_photo_add(*, actor, room: Room, upload, caption: str = "", request=None) -> RoomPhoto:
    """Add a photo to a room (``core.images.photo_attach``)."""

    def check(room):
        _check_may_add_photo(actor=actor, room=room)
        _check_photo_count(room)

    return photo_attach(
        record=room,
        upload=upload,
        check=check,
        lock=_lock_room,
        make=lambda locked: RoomPhoto(
            room=locked, uploaded_by=user_or_none(actor), caption=caption.strip()[:120]
        ),
        audit=lambda locked, photo: audit_record(
            actor=actor,
            action="bookings.room.photo_add",
            obj=locked,
            request=request,
            details={"photo": photo.pk, "content_type": photo.content_type},
        ),
    )
