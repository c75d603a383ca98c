"""Reads for the pages of rooms and bookings that the selectors do not cover: the busy
blocks of a room's calendar (anonymous to those who do not oversee the room), the next free
slot of many rooms at once, the duty desk's lists and the usage report. Each reads a fixed
number of queries whatever the number of rooms and bookings."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from linli.accounts.roles import MANAGE_BOOKINGS, VIEW_BOOKINGS
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id

from .models import (
    ACTIVE_STATUSES,
    Blackout,
    Booking,
    BookingSeries,
    BookingStatus,
    Purpose,
    RecurringBlackout,
    Room,
)
from .selectors import Slot, _subtract, room_list
from .services import opening_window, recurring_span

# How far the rooms list looks for a room's next free slot.
NEXT_FREE_DAYS = 14
# The longest range of one usage report.
MAX_REPORT_DAYS = 366
# What the duty desk lists at most of each kind (the counts are always complete).
DESK_LIMIT = 100


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


# -- the calendar of one room ---------------------------------------------------------------


@dataclass
class Block:
    """Something that takes the room's time on the calendar. ``booking`` is set only for
    those who may see who booked it and why (its booker, the staff who oversee the room);
    everyone else sees the status and the purpose category."""

    start: datetime
    end: datetime
    kind: str  # "booking" or "blackout"
    status: str = ""
    status_label: str = ""
    purpose_label: str = ""
    reason: str = ""
    booking: Booking | None = None


def calendar_blocks(
    *, room: Room, start_date: date, end_date: date, user, oversee: bool
) -> list[Block]:
    """Active bookings and blackouts of the room overlapping the days ``start_date`` to
    ``end_date`` (both included), in time order; two queries (three with recurring
    blackouts)."""
    range_start, range_end = _day_start(start_date), _day_start(end_date + timedelta(days=1))
    blocks = []
    rows = (
        Booking.objects.filter(
            room=room, status__in=ACTIVE_STATUSES, start__lt=range_end, end__gt=range_start
        )
        .select_related("booked_by")
        .order_by("start", "id")
    )
    for booking in rows:
        shown = oversee or booking.booked_by_id == user.pk
        blocks.append(
            Block(
                start=timezone.localtime(booking.start),
                end=timezone.localtime(booking.end),
                kind="booking",
                status=booking.status,
                status_label=str(booking.get_status_display()),
                purpose_label=str(booking.get_purpose_display()),
                booking=booking if shown else None,
            )
        )
    for blackout in room.blackouts.filter(start__lt=range_end, end__gt=range_start):
        blocks.append(
            Block(
                start=timezone.localtime(blackout.start),
                end=timezone.localtime(blackout.end),
                kind="blackout",
                reason=blackout.reason,
            )
        )
    recurring = list(room.recurring_blackouts.all())
    day = start_date
    while day <= end_date:
        for r in recurring:
            span = recurring_span(r, day)
            if span is not None:
                blocks.append(Block(start=span[0], end=span[1], kind="blackout", reason=r.reason))
        day += timedelta(days=1)
    blocks.sort(key=lambda b: (b.start, b.end))
    return blocks


# -- the next free slot of many rooms -------------------------------------------------------


def next_free_slots(
    rooms: list[Room], *, days: int = NEXT_FREE_DAYS, minimum_minutes: int = 30, now=None
) -> dict[int, Slot | None]:
    """For each room its first free slot in the next ``days`` days (as ``free_slots``
    computes them), or None when it is booked out; three queries for all rooms."""
    now = now or timezone.now()
    first = timezone.localtime(now).date()
    last = first + timedelta(days=days - 1)
    range_start, range_end = _day_start(first), _day_start(last + timedelta(days=2))
    ids = [room.pk for room in rooms]
    busy: dict[int, list[Slot]] = defaultdict(list)
    for room_id, start, end in Booking.objects.filter(
        room_id__in=ids, status__in=ACTIVE_STATUSES, start__lt=range_end, end__gt=range_start
    ).values_list("room_id", "start", "end"):
        busy[room_id].append(Slot(start, end))
    for room_id, start, end in Blackout.objects.filter(
        room_id__in=ids, start__lt=range_end, end__gt=range_start
    ).values_list("room_id", "start", "end"):
        busy[room_id].append(Slot(start, end))
    recurring = defaultdict(list)
    for r in RecurringBlackout.objects.filter(room_id__in=ids):
        recurring[r.room_id].append(r)
    minimum = timedelta(minutes=minimum_minutes)
    result: dict[int, Slot | None] = {}
    for room in rooms:
        result[room.pk] = None
        day = first
        while day <= last and result[room.pk] is None:
            window = opening_window(room, day)
            if window is not None and max(window[0], now) < window[1]:
                day_busy = busy[room.pk] + [
                    Slot(*span)
                    for r in recurring[room.pk]
                    if (span := recurring_span(r, day)) is not None
                ]
                for slot in _subtract(Slot(max(window[0], now), window[1]), day_busy):
                    if slot.end - slot.start >= minimum:
                        result[room.pk] = Slot(
                            timezone.localtime(slot.start), timezone.localtime(slot.end)
                        )
                        break
            day += timedelta(days=1)
    return result


# -- weekly series --------------------------------------------------------------------------


def series_get(*, user, pk) -> BookingSeries:
    """A weekly booking its booker or the staff who oversee the room may see; 404 alike for
    missing and forbidden."""
    return access_by_id(
        BookingSeries.objects.select_related("room__place", "booked_by", "household__place"),
        pk=pk,
        user=user,
        perm="bookings.view_booking",
    )


# -- the duty desk --------------------------------------------------------------------------


@dataclass
class Desk:
    pending: list = field(default_factory=list)
    pending_count: int = 0
    today: list = field(default_factory=list)
    today_count: int = 0
    overdue: list = field(default_factory=list)
    overdue_count: int = 0


def _desk_bookings(user):
    return Booking.objects.filter(
        scope_of(user).q(roles=MANAGE_BOOKINGS, field="room__place__path")
    ).select_related("room__place", "booked_by", "household__place")


def desk_pending(*, user, now=None):
    """Requests waiting for approval in the rooms the user runs, oldest first (the desk's
    first list and the workbench's count)."""
    return (
        _desk_bookings(user)
        .filter(status=BookingStatus.PENDING, end__gt=now or timezone.now())
        .order_by("created_at", "id")
    )


def desk_bookings(*, user, now=None) -> Desk:
    """What the duty volunteer or worker acts on, in the rooms they run: requests waiting
    for approval (oldest first), today's confirmed bookings to check in, and those begun
    and not checked in (to mark as no-show)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    qs = _desk_bookings(user)
    pending = desk_pending(user=user, now=now)
    confirmed = qs.filter(status=BookingStatus.CONFIRMED)
    today_qs = confirmed.filter(
        start__gte=_day_start(today), start__lt=_day_start(today + timedelta(days=1)), end__gt=now
    ).order_by("start", "id")
    overdue = confirmed.filter(start__lte=now).order_by("start", "id")
    desk = Desk()
    desk.pending = list(pending[:DESK_LIMIT])
    desk.pending_count = pending.count()
    desk.today = list(today_qs[:DESK_LIMIT])
    desk.today_count = today_qs.count()
    desk.overdue = list(overdue[:DESK_LIMIT])
    desk.overdue_count = overdue.count()
    return desk


# -- the usage report -----------------------------------------------------------------------

# The room was taken by these, whether or not anyone came.
HELD = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


@dataclass
class RoomUsage:
    room: Room
    counts: dict = field(default_factory=dict)  # status -> number
    total: int = 0
    hours: float = 0.0
    open_hours: float = 0.0
    purposes: list = field(default_factory=list)  # [(label, number)]

    @property
    def occupancy(self) -> float | None:
        """Hours held by bookings (confirmed, checked in, no-show) as a percentage of the
        opening hours of the range."""
        if not self.open_hours:
            return None
        return round(100 * self.hours / self.open_hours, 1)

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the bookings that were settled (checked in or no-show)."""
        settled = self.counts.get(BookingStatus.CHECKED_IN, 0) + self.counts.get(
            BookingStatus.NO_SHOW, 0
        )
        if not settled:
            return None
        return round(100 * self.counts.get(BookingStatus.NO_SHOW, 0) / settled, 1)


def report_rooms(*, user, place: int | None = None) -> QuerySet:
    """The rooms a user oversees (a neighbour's view of a room is no report)."""
    scope = scope_of(user)
    qs = room_list(user=user, place=place)
    if scope.is_superuser:
        return qs
    return qs.filter(scope.q(roles=VIEW_BOOKINGS, field="place__path"))


def open_hours(room: Room, start_date: date, end_date: date) -> float:
    total = timedelta()
    day = start_date
    while day <= end_date:
        window = opening_window(room, day)
        if window is not None:
            total += window[1] - window[0]
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def usage_report(*, user, start_date: date, end_date: date, place: int | None = None):
    """Per room the bookings that begin in the range: by status, hours held, occupancy of
    the opening hours, no-show rate and purposes. Three queries whatever the size."""
    rooms = list(report_rooms(user=user, place=place))
    range_start, range_end = _day_start(start_date), _day_start(end_date + timedelta(days=1))
    bookings = Booking.objects.filter(
        room__in=[room.pk for room in rooms], start__gte=range_start, start__lt=range_end
    )
    duration = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    status_counts = {
        status: Count("id", filter=Q(status=status)) for status in BookingStatus.values
    }
    rows = {
        row["room"]: row
        for row in bookings.values("room")
        .order_by("room")
        .annotate(
            total=Count("id"),
            held=Sum(duration, filter=Q(status__in=HELD)),
            **{f"n_{status}": count for status, count in status_counts.items()},
        )
    }
    purposes = defaultdict(list)
    for row in (
        bookings.values("room", "purpose").order_by("room", "purpose").annotate(n=Count("id"))
    ):
        purposes[row["room"]].append((str(Purpose(row["purpose"]).label), row["n"]))
    usage = []
    for room in rooms:
        row = rows.get(room.pk, {})
        held = row.get("held") or timedelta()
        if not isinstance(held, timedelta):  # some backends answer in microseconds
            held = timedelta(microseconds=held)
        usage.append(
            RoomUsage(
                room=room,
                counts={s: row.get(f"n_{s}", 0) for s in BookingStatus.values},
                total=row.get("total", 0),
                hours=round(held.total_seconds() / 3600, 1),
                open_hours=open_hours(room, start_date, end_date),
                purposes=sorted(purposes[room.pk], key=lambda p: -p[1]),
            )
        )
    return usage


# -- the usage report as a workbook ---------------------------------------------------------


def export_filename(start_date: date, end_date: date) -> tuple[str, str]:
    """The file's name, and an ASCII one for old browsers."""
    span = f"{start_date:%Y%m%d}-{end_date:%Y%m%d}"
    return f"阵地使用统计-{span}.xlsx", f"room-usage-{span}.xlsx"


def usage_export(*, actor, start_date: date, end_date: date, place=None, out, request=None):
    """Write the usage report this user may see as an xlsx workbook into ``out`` and record
    the export in the audit log. Returns the number of rooms."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from linli.core.audit import audit_record
    from linli.core.xlsx import header_row, text_cell

    usage = usage_report(
        user=actor,
        start_date=start_date,
        end_date=end_date,
        place=place.pk if place is not None else None,
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Room usage"))
    statuses = list(BookingStatus.choices)
    titles = [
        _("place"),
        _("room"),
        _("bookings"),
        *[str(label) for _value, label in statuses],
        _("hours booked"),
        _("opening hours"),
        _("occupancy %"),
        _("no-show rate %"),
        _("by purpose"),
    ]
    sheet.append(header_row(sheet, titles))
    for row in usage:
        sheet.append(
            [
                text_cell(sheet, row.room.place.name_path),
                text_cell(sheet, row.room.name),
                row.total,
                *[row.counts.get(value, 0) for value, _label in statuses],
                row.hours,
                round(row.open_hours, 1),
                row.occupancy,
                row.no_show_rate,
                "、".join(f"{label} {n}" for label, n in row.purposes),
            ]
        )
    workbook.save(out)
    audit_record(
        actor=actor,
        action="bookings.report.export",
        place_path=place.path if place is not None else "",
        request=request,
        details={
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "rooms": len(usage),
        },
    )
    return len(usage)
