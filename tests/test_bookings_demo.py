"""The demo world's rooms and their year, and the deliberation meetings that hold their hall."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from linli.bookings import services
from linli.bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingSeries,
    BookingStatus,
    Purpose,
    Room,
    RoomKind,
)
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError
from linli.core.models import Notification
from linli.meetings import services as meetings
from linli.meetings.models import Meeting, MeetingSeries


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def rooms(demo):
    return {r.kind: r for r in Room.objects.filter(place=demo.nanguanfang)}


def test_nanguanfang_has_its_five_rooms_with_their_rules(rooms):
    assert set(rooms) == set(RoomKind.values)
    hall = rooms[RoomKind.RECEPTION_HALL]
    # Open all day, lent for weddings and family gatherings, a worker approves.
    assert (hall.opens, hall.closes) == (time(0), time(0))
    assert {Purpose.WEDDING, Purpose.FAMILY_GATHERING} <= set(hall.purposes)
    assert hall.approval_required and hall.max_days_ahead == 30
    assert rooms[RoomKind.DELIBERATION].bookable_by == "staff"
    assert rooms[RoomKind.PLAZA].outdoor and not rooms[RoomKind.PLAZA].approval_required
    meeting_blackout = rooms[RoomKind.DELIBERATION].recurring_blackouts.get()
    assert meeting_blackout.day_of_month == 15


def test_the_hall_was_booked_out_a_week_ahead_over_national_day(rooms):
    hall = rooms[RoomKind.RECEPTION_HALL]
    week = [date(2026, 10, d) for d in range(1, 8)]
    for day in week:
        booking = hall.bookings.get(start__date=day)
        assert booking.purpose in (Purpose.WEDDING, Purpose.FAMILY_GATHERING)
        assert booking.status == BookingStatus.CHECKED_IN
        assert booking.household is not None
        # Asked for at least a week before National Day.
        assert timezone.localdate(booking.created_at) <= date(2026, 9, 24)
    households = {hall.bookings.get(start__date=d).household_id for d in week}
    assert len(households) == 7


def test_summer_tutoring_is_a_weekly_booking_with_one_week_skipped(rooms):
    series = BookingSeries.objects.get(room=rooms[RoomKind.RECEPTION_HALL])
    assert series.purpose == Purpose.TUTORING and series.weekday == 2
    dates = [timezone.localdate(b.start) for b in series.bookings.order_by("start")]
    assert dates[0] == date(2026, 7, 8) and dates[-1] == date(2026, 8, 26)
    assert date(2026, 8, 5) not in dates and len(dates) == 7
    assert series.exceptions == [{"date": "2026-08-05", "reason": "志愿者返校培训，本周暂停"}]


def test_no_two_active_demo_bookings_of_a_room_overlap(rooms):
    for room in rooms.values():
        spans = sorted(room.bookings.filter(status__in=ACTIVE_STATUSES).values_list("start", "end"))
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_the_desk_has_a_request_waiting_and_one_was_declined(demo, rooms):
    hall = rooms[RoomKind.RECEPTION_HALL]
    resident = demo.user("resident")
    pending = hall.bookings.get(status=BookingStatus.PENDING)
    assert pending.booked_by == resident and pending.start > timezone.now()
    declined = hall.bookings.get(status=BookingStatus.DECLINED)
    assert declined.booked_by == resident and "文化娱乐室" in declined.decline_reason


def test_every_demo_meeting_holds_the_deliberation_hall(demo, rooms):
    hall = rooms[RoomKind.DELIBERATION]
    series = MeetingSeries.objects.get(place=demo.nanguanfang)
    assert series.hall == hall
    meetings_ = Meeting.objects.filter(series=series)
    assert meetings_.count() == 13
    for meeting in meetings_:
        assert meeting.booking.room == hall
        assert (meeting.booking.start, meeting.booking.end) == (meeting.start, meeting.end)
        assert meeting.booking.purpose == Purpose.MEETING
        assert meeting.booking.booked_by is None


@pytest.fixture
def hall_series(demo, rooms):
    series = MeetingSeries.objects.get(place=demo.nanguanfang)
    return series, rooms[RoomKind.DELIBERATION]


def test_a_scheduled_meeting_books_the_hall_and_a_cancelled_one_frees_it(demo, hall_series):
    series, hall = hall_series
    now = local(date(2031, 1, 20), 10)
    created = meetings.meetings_schedule(series=series, count=1, now=now)
    meeting = created[0]
    assert timezone.localdate(meeting.start) == date(2031, 2, 15)
    assert meeting.booking.room == hall and meeting.booking.status == BookingStatus.CONFIRMED
    meetings.meeting_cancel(actor=demo.user("secretary"), meeting=meeting, reason="春节调休")
    meeting.booking.refresh_from_db()
    assert meeting.booking.status == BookingStatus.CANCELLED


def test_a_meeting_whose_hall_is_taken_stays_and_the_organisers_are_told(demo, hall_series):
    series, hall = hall_series
    hall.recurring_blackouts.all().delete()  # no monthly blackout: the hall can be booked
    start = local(date(2031, 3, 15), 9)
    taken = services.booking_request(
        actor=demo.user("community"),
        room=hall,
        start=start - timedelta(hours=1),
        end=start + timedelta(hours=1),
        purpose=Purpose.MEETING,
        title="党员学习",
        now=local(date(2031, 3, 1), 9),
    )
    assert taken.status == BookingStatus.CONFIRMED
    before = Notification.objects.filter(kind="meetings.hall_taken").count()
    meeting = meetings.meetings_schedule(series=series, count=1, now=local(date(2031, 3, 2), 9))[0]
    assert meeting.booking is None
    told = Notification.objects.filter(kind="meetings.hall_taken")
    assert told.count() > before
    assert set(told.values_list("user__username", flat=True)) >= {"secretary", "community"}


def test_a_hold_refuses_an_overlap_but_not_a_blackout(demo, rooms):
    hall = rooms[RoomKind.DELIBERATION]
    start = local(date(2031, 5, 15), 9)  # inside the monthly blackout on the 15th
    hold = services.booking_hold(
        actor=SYSTEM,
        room=hall,
        start=start,
        end=start + timedelta(hours=2),
        purpose=Purpose.MEETING,
    )
    assert hold.status == BookingStatus.CONFIRMED and hold.booked_by is None
    with pytest.raises(ConflictError) as taken:
        services.booking_hold(
            actor=SYSTEM,
            room=hall,
            start=start + timedelta(hours=1),
            end=start + timedelta(hours=3),
            purpose=Purpose.MEETING,
        )
    assert taken.value.code == "slot_taken"
    assert Booking.objects.filter(room=hall, start__date=date(2031, 5, 15)).count() == 1


def test_a_hold_is_seen_by_no_resident_as_their_own(demo, rooms, client_for):
    from linli.bookings import selectors

    resident = demo.user("resident")
    mine = selectors.booking_list(user=resident, mine=True)
    assert not mine.filter(booked_by__isnull=True).exists()
    hold = rooms[RoomKind.DELIBERATION].bookings.filter(booked_by__isnull=True).first()
    assert not resident.has_perm("bookings.view_booking", hold)


def test_held_meetings_checked_in_their_hold(demo, rooms):
    held = Meeting.objects.filter(series__place=demo.nanguanfang, held_at__isnull=False)
    assert held.count() == 12
    assert all(m.booking.status == BookingStatus.CHECKED_IN for m in held)
    upcoming = Meeting.objects.get(series__place=demo.nanguanfang, held_at__isnull=True)
    assert upcoming.booking.status == BookingStatus.CONFIRMED


def test_a_meetings_hold_links_to_the_meeting_for_its_staff(demo, rooms, client_for):
    meeting = Meeting.objects.filter(series__place=demo.nanguanfang).order_by("start").first()
    page = client_for("secretary").get(f"/bookings/{meeting.booking.pk}/")
    assert page.status_code == 200
    assert f"/meetings/{meeting.pk}/" in page.content.decode()


def test_a_day_free_from_midnight_to_midnight_reads_00_00_to_24_00(demo, rooms, client_for):
    hall = rooms[RoomKind.RECEPTION_HALL]
    day = timezone.localdate() + timedelta(days=6)
    assert not hall.bookings.filter(start__date=day).exists()
    page = client_for("resident").get(f"/rooms/{hall.pk}/?view=day&date={day.isoformat()}")
    text = page.content.decode()
    assert "00:00–24:00" in text
    assert "00:00–00:00" not in text
