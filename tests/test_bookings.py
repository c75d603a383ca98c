"""Rooms and bookings: every rule refused on its own with its own message, the steps and
their refusals, weekly series with a clashing date reported, free slots, and who may do
what."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.bookings import selectors, services
from linli.bookings.models import (
    Booking,
    BookingEvent,
    BookingSeries,
    BookingStatus,
    Purpose,
    Repeat,
    Room,
)
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.places.services import place_create
from linli.residents.models import Household

SH = ZoneInfo("Asia/Shanghai")
# A Monday morning; the test room is closed on Mondays.
NOW = datetime(2031, 6, 2, 9, 0, tzinfo=SH)
CENTRE = "平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"


@pytest.fixture(autouse=True)
def in_english():
    """The messages are checked by their English ids."""
    with translation.override("en"):
        yield


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """``day`` days after NOW's date, at the local time."""
    return datetime.combine(NOW.date() + timedelta(days=day), time(hour, minute), tzinfo=SH)


@pytest.fixture
def hall(demo):
    room = services.room_create(
        actor=demo.user("secretary"),
        place=demo.place(CENTRE),
        name="居民会客厅",
        name_en="Residents' reception hall",
        kind="reception_hall",
        capacity=60,
        opens=time(8),
        closes=time(21),
        open_weekdays=[1, 2, 3, 4, 5, 6],
        purposes=["family_gathering", "wedding", "tutoring", "meeting"],
        max_days_ahead=30,
        min_notice_hours=24,
        max_hours=4,
        max_active_per_household=1,
        approval_required=True,
    )
    services.recurring_blackout_create(
        actor=demo.user("secretary"),
        room=room,
        repeat=Repeat.MONTHLY,
        day_of_month=15,
        start_time=time(9),
        end_time=time(11),
        reason="民情议事厅",
    )
    return room


def request(user, room, start, end, purpose=Purpose.FAMILY_GATHERING, **kwargs):
    return services.booking_request(
        actor=user, room=room, start=start, end=end, purpose=purpose, now=NOW, **kwargs
    )


def other_compound_resident(demo) -> User:
    """A resident of another compound of the same community."""
    compound = place_create(actor=SYSTEM, kind="compound", name="东城小区", parent=demo.zhandong)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    unit = place_create(actor=SYSTEM, kind="unit", name="1单元", parent=building)
    door = place_create(actor=SYSTEM, kind="household", name="101", parent=unit)
    user = User.objects.create(username="elsewhere")
    grant_create(actor=SYSTEM, user=user, role="resident", place=door)
    return user


# -- requests -------------------------------------------------------------------------------


def test_resident_request_is_pending_for_their_household(demo, hall):
    resident = demo.user("resident")
    booking = request(resident, hall, at(2, 10), at(2, 13), title="孙子满月", attendees=30)
    assert booking.status == BookingStatus.PENDING
    assert booking.household.place == demo.resident_household
    assert booking.booked_by == resident
    assert list(booking.events.values_list("kind", flat=True)) == ["requested"]


def test_no_approval_needed_confirms_at_once(demo, hall):
    services.room_update(actor=demo.user("secretary"), room=hall, approval_required=False)
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    assert booking.status == BookingStatus.CONFIRMED


def test_a_worker_booking_is_confirmed(demo, hall):
    booking = request(demo.user("volunteer"), hall, at(2, 10), at(2, 12), Purpose.TUTORING)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.household is None


RULES = [
    # name, start, end, purpose, code, words of the message
    ("end before start", at(2, 12), at(2, 10), "family_gathering", "end_before_start", "end"),
    ("in the past", at(0, 8), at(0, 8, 30), "family_gathering", "past", "already begun"),
    ("too late", at(1, 8), at(1, 10), "family_gathering", "too_late", "24 hours ahead"),
    ("too early", at(31, 10), at(31, 12), "family_gathering", "too_early", "30 days ahead"),
    ("too long", at(2, 9), at(2, 14), "family_gathering", "too_long", "at most 4 hours"),
    ("closed weekday", at(7, 10), at(7, 12), "family_gathering", "closed_day", "closed on"),
    ("before opening", at(2, 7), at(2, 9), "family_gathering", "opening_hours", "08:00"),
    ("after closing", at(2, 19), at(2, 22), "family_gathering", "opening_hours", "21:00"),
    ("recurring blackout", at(13, 10), at(13, 12), "family_gathering", "blackout", "民情议事厅"),
    ("purpose", at(2, 10), at(2, 12), "health", "purpose", "not lent for"),
]


@pytest.mark.parametrize(
    ("start", "end", "purpose", "code", "words"),
    [case[1:] for case in RULES],
    ids=[case[0] for case in RULES],
)
def test_each_rule_refuses_with_its_own_message(demo, hall, start, end, purpose, code, words):
    before = Booking.objects.count()
    with pytest.raises(LinliError) as refused:
        request(demo.user("resident"), hall, start, end, purpose)
    assert refused.value.code == code
    assert refused.value.status == 400
    assert words in refused.value.message
    assert Booking.objects.count() == before


def test_rule_messages_differ(demo, hall):
    messages = {}
    for _name, start, end, purpose, code, _words in RULES:
        with pytest.raises(LinliError) as refused:
            request(demo.user("resident"), hall, start, end, purpose)
        messages.setdefault(code, refused.value.message)
    assert len(set(messages.values())) == len(messages) == 9


def test_one_off_blackout(demo, hall):
    services.blackout_create(
        actor=demo.user("community"), room=hall, start=at(3, 0), end=at(4, 0), reason="电路检修"
    )
    with pytest.raises(LinliError) as refused:
        request(demo.user("resident"), hall, at(3, 14), at(3, 16))
    assert refused.value.code == "blackout"
    assert "电路检修" in refused.value.message
    assert not Booking.objects.filter(room=hall).exists()


def test_too_many_active_bookings_for_the_household(demo, hall):
    resident = demo.user("resident")
    first = request(resident, hall, at(2, 10), at(2, 12))
    with pytest.raises(LinliError) as refused:
        request(resident, hall, at(5, 10), at(5, 12))
    assert refused.value.code == "household_limit"
    assert "at most 1 at once" in refused.value.message
    assert Booking.objects.filter(room=hall).count() == 1
    # once the first is cancelled, the household may book again
    services.booking_cancel(actor=resident, booking=first, now=NOW)
    assert request(resident, hall, at(5, 10), at(5, 12)).status == BookingStatus.PENDING


def test_inactive_room_and_capacity(demo, hall):
    with pytest.raises(LinliError) as refused:
        request(demo.user("resident"), hall, at(2, 10), at(2, 12), attendees=61)
    assert refused.value.code == "capacity"
    services.room_update(actor=demo.user("secretary"), room=hall, is_active=False)
    with pytest.raises(LinliError) as refused:
        request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    assert refused.value.code == "inactive"
    assert not Booking.objects.filter(room=hall).exists()


def test_bad_purpose_and_naive_time(demo, hall):
    with pytest.raises(ValidationError):
        request(demo.user("resident"), hall, at(2, 10), at(2, 12), "party")
    with pytest.raises(ValidationError):
        request(
            demo.user("resident"),
            hall,
            datetime(2031, 6, 4, 10),
            datetime(2031, 6, 4, 12),
        )


def test_a_worker_may_book_beyond_the_horizon(demo, hall):
    booking = request(demo.user("secretary"), hall, at(60, 10), at(60, 12), Purpose.MEETING)
    assert booking.status == BookingStatus.CONFIRMED


# -- overlaps -------------------------------------------------------------------------------


def test_overlap_is_refused_with_the_clashing_time(demo, hall):
    request(demo.user("resident"), hall, at(2, 10), at(2, 13))
    with pytest.raises(ConflictError) as taken:
        request(demo.user("volunteer"), hall, at(2, 12), at(2, 14), Purpose.TUTORING)
    assert taken.value.status == 409
    assert taken.value.code == "slot_taken"
    assert "already taken" in taken.value.message
    assert "2031-06-04 10:00–13:00" in taken.value.message
    assert "孙" not in taken.value.message  # no one's title or name
    assert Booking.objects.filter(room=hall).count() == 1


def test_touching_bookings_are_allowed_and_released_slots_free(demo, hall):
    pending = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    after = request(demo.user("volunteer"), hall, at(2, 12), at(2, 14), Purpose.TUTORING)
    assert after.status == BookingStatus.CONFIRMED
    services.booking_decline(actor=demo.user("volunteer"), booking=pending, reason="场地另有安排")
    again = request(demo.user("community"), hall, at(2, 10), at(2, 12), Purpose.MEETING)
    assert again.status == BookingStatus.CONFIRMED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
def test_postgresql_refuses_an_overlap_in_the_database(demo, hall):
    volunteer = demo.user("volunteer")
    Booking.objects.create(
        room=hall, start=at(2, 10), end=at(2, 12), purpose="meeting", booked_by=volunteer
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            room=hall, start=at(2, 11), end=at(2, 13), purpose="meeting", booked_by=volunteer
        )
    # inactive bookings do not count, and touching ones do not overlap
    Booking.objects.create(
        room=hall,
        start=at(2, 11),
        end=at(2, 13),
        purpose="meeting",
        booked_by=volunteer,
        status=BookingStatus.CANCELLED,
    )
    Booking.objects.create(
        room=hall, start=at(2, 12), end=at(2, 13), purpose="meeting", booked_by=volunteer
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
def test_constraint_violation_becomes_a_readable_conflict(demo, hall, monkeypatch):
    """Should the check under the lock ever miss a clash, the database's refusal still
    reaches the user as the same 409."""
    request(demo.user("volunteer"), hall, at(2, 10), at(2, 12), Purpose.TUTORING)
    monkeypatch.setattr(services, "_first_clash", lambda room, start, end: None)
    with pytest.raises(ConflictError) as taken:
        request(demo.user("community"), hall, at(2, 11), at(2, 13), Purpose.MEETING)
    assert taken.value.code == "slot_taken"
    assert "already taken" in taken.value.message
    assert Booking.objects.filter(room=hall).count() == 1


# -- who may book ---------------------------------------------------------------------------


def test_resident_of_another_compound_may_not_book(demo, hall):
    with pytest.raises(ForbiddenError) as refused:
        request(other_compound_resident(demo), hall, at(2, 10), at(2, 12))
    assert refused.value.code == "not_resident"
    assert "南官房小区" in refused.value.message
    assert not Booking.objects.filter(room=hall).exists()


def test_staff_only_room(demo, hall):
    services.room_update(actor=demo.user("community"), room=hall, bookable_by="staff")
    with pytest.raises(ForbiddenError) as refused:
        request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    assert refused.value.code == "staff_only"
    assert request(demo.user("volunteer"), hall, at(2, 10), at(2, 12), Purpose.TUTORING)


@pytest.mark.parametrize("username", ["property", "doctor", "patrol"])
def test_other_staff_may_not_book(demo, hall, username):
    with pytest.raises(ForbiddenError):
        request(demo.user(username), hall, at(2, 10), at(2, 12), Purpose.MEETING)


def test_resident_books_only_for_their_own_household(demo, hall):
    other = Household.objects.exclude(place=demo.resident_household).filter(is_active=True)[0]
    with pytest.raises(ForbiddenError):
        request(demo.user("resident"), hall, at(2, 10), at(2, 12), household=other)
    # a worker at the counter books for a household
    booking = request(demo.user("community"), hall, at(2, 10), at(2, 12), household=other)
    assert booking.household == other


def test_only_workers_configure_rooms(demo, hall):
    for username in ("volunteer", "property", "resident"):
        with pytest.raises(ForbiddenError):
            services.room_update(actor=demo.user(username), room=hall, capacity=10)
    with pytest.raises(ForbiddenError):
        services.room_create(
            actor=demo.user("volunteer"), place=demo.place(CENTRE), name="x", kind="recreation"
        )


def test_room_rules_are_validated(demo, hall):
    secretary = demo.user("secretary")
    with pytest.raises(ValidationError):
        services.room_update(actor=secretary, room=hall, opens=time(20), closes=time(8))
    with pytest.raises(ValidationError):
        services.room_update(actor=secretary, room=hall, purposes=["dancing"])
    with pytest.raises(ValidationError):
        services.room_update(actor=secretary, room=hall, open_weekdays=[7])
    with pytest.raises(ValidationError):
        services.room_create(
            actor=secretary, place=demo.resident_household, name="x", kind="recreation"
        )


def test_open_all_day_until_midnight(demo, hall):
    services.room_update(actor=demo.user("secretary"), room=hall, opens=time(0), closes=time(0))
    assert request(demo.user("volunteer"), hall, at(2, 20), at(3, 0), Purpose.MEETING)


# -- steps ----------------------------------------------------------------------------------


def test_only_the_system_holds_and_it_only_checks_in_and_frees(demo, hall):
    for username in ("secretary", "community", "resident"):
        with pytest.raises(ForbiddenError):
            services.booking_hold(
                actor=demo.user(username),
                room=hall,
                start=at(3, 10),
                end=at(3, 12),
                purpose=Purpose.MEETING,
            )
    hold = services.booking_hold(
        actor=SYSTEM, room=hall, start=at(3, 10), end=at(3, 12), purpose=Purpose.MEETING, now=NOW
    )
    assert hold.booked_by is None and hold.status == BookingStatus.CONFIRMED
    hold = services.booking_check_in(actor=SYSTEM, booking=hold, now=at(3, 9))
    assert hold.status == BookingStatus.CHECKED_IN
    other = services.booking_hold(
        actor=SYSTEM, room=hall, start=at(4, 10), end=at(4, 12), purpose=Purpose.MEETING, now=NOW
    )
    assert services.booking_cancel(actor=SYSTEM, booking=other, now=NOW).status == "cancelled"
    # It approves, declines and marks no one's booking.
    pending = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    with pytest.raises(ForbiddenError):
        services.booking_approve(actor=SYSTEM, booking=pending, now=NOW)
    with pytest.raises(ForbiddenError):
        services.booking_decline(actor=SYSTEM, booking=pending, reason="x", now=NOW)
    with pytest.raises(TypeError):
        services.booking_approve(actor=None, booking=pending, now=NOW)


@pytest.mark.parametrize("manager", ["volunteer", "secretary", "community"])
def test_workers_approve(demo, hall, manager):
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    booking = services.booking_approve(actor=demo.user(manager), booking=booking, now=NOW)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.decided_by == demo.user(manager)
    assert list(booking.events.values_list("kind", flat=True)) == ["requested", "approved"]


@pytest.mark.parametrize("username", ["property", "resident", "street"])
def test_others_may_not_approve(demo, hall, username):
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    with pytest.raises(ForbiddenError):
        services.booking_approve(actor=demo.user(username), booking=booking, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_decline_needs_a_reason_and_only_pending(demo, hall):
    volunteer = demo.user("volunteer")
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    with pytest.raises(ValidationError):
        services.booking_decline(actor=volunteer, booking=booking, reason=" ")
    booking = services.booking_decline(actor=volunteer, booking=booking, reason="场地维修")
    assert booking.status == BookingStatus.DECLINED
    assert booking.decline_reason == "场地维修"
    with pytest.raises(ConflictError) as illegal:
        services.booking_approve(actor=volunteer, booking=booking, now=NOW)
    assert illegal.value.code == "illegal_step"
    assert "declined" in illegal.value.message


def test_approve_twice_is_illegal(demo, hall):
    volunteer = demo.user("volunteer")
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    services.booking_approve(actor=volunteer, booking=booking, now=NOW)
    with pytest.raises(ConflictError) as illegal:
        services.booking_approve(actor=volunteer, booking=booking, now=NOW)
    assert illegal.value.code == "illegal_step"


def test_cancel_by_booker_or_worker_not_others_nor_after_start(demo, hall):
    resident = demo.user("resident")
    booking = request(resident, hall, at(2, 10), at(2, 12))
    for username in ("property", "doctor"):
        with pytest.raises(ForbiddenError):
            services.booking_cancel(actor=demo.user(username), booking=booking, now=NOW)
    with pytest.raises(ConflictError) as started:
        services.booking_cancel(actor=resident, booking=booking, now=at(2, 10, 30))
    assert started.value.code == "started"
    booking = services.booking_cancel(actor=resident, booking=booking, reason="改期", now=NOW)
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(ConflictError):
        services.booking_cancel(actor=resident, booking=booking, now=NOW)
    other = request(demo.user("volunteer"), hall, at(3, 10), at(3, 12), Purpose.TUTORING)
    assert services.booking_cancel(actor=demo.user("community"), booking=other, now=NOW)


def test_check_in_on_the_day_only(demo, hall):
    volunteer = demo.user("volunteer")
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    with pytest.raises(ConflictError) as illegal:
        services.booking_check_in(actor=volunteer, booking=booking, now=at(2, 9))
    assert illegal.value.code == "illegal_step"  # still pending
    services.booking_approve(actor=volunteer, booking=booking, now=NOW)
    with pytest.raises(ConflictError) as early:
        services.booking_check_in(actor=volunteer, booking=booking, now=at(1, 10))
    assert early.value.code == "not_today"
    with pytest.raises(ForbiddenError):
        services.booking_check_in(actor=demo.user("resident"), booking=booking, now=at(2, 9))
    booking = services.booking_check_in(actor=volunteer, booking=booking, now=at(2, 9, 50))
    assert booking.status == BookingStatus.CHECKED_IN
    assert booking.checked_in_at == at(2, 9, 50)
    with pytest.raises(ConflictError):
        services.booking_mark_no_show(actor=volunteer, booking=booking, now=at(2, 11))


def test_no_show_after_start_only(demo, hall):
    volunteer = demo.user("volunteer")
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    services.booking_approve(actor=volunteer, booking=booking, now=NOW)
    with pytest.raises(ConflictError) as early:
        services.booking_mark_no_show(actor=volunteer, booking=booking, now=at(2, 9))
    assert early.value.code == "not_started"
    with pytest.raises(ForbiddenError):
        services.booking_mark_no_show(actor=demo.user("property"), booking=booking, now=at(2, 11))
    booking = services.booking_mark_no_show(actor=volunteer, booking=booking, now=at(2, 10, 30))
    assert booking.status == BookingStatus.NO_SHOW
    with pytest.raises(ConflictError):
        services.booking_check_in(actor=volunteer, booking=booking, now=at(2, 11))
    # a no-show no longer holds the slot
    assert request(demo.user("community"), hall, at(4, 10), at(4, 12), Purpose.MEETING)


def test_allowed_steps(demo, hall):
    booking = request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    assert services.allowed_steps(user=demo.user("resident"), booking=booking, now=NOW) == [
        "cancel"
    ]
    assert services.allowed_steps(user=demo.user("volunteer"), booking=booking, now=NOW) == [
        "approve",
        "decline",
        "cancel",
    ]
    assert services.allowed_steps(user=demo.user("property"), booking=booking, now=NOW) == []


# -- weekly series --------------------------------------------------------------------------


def test_weekly_series_reports_a_clashing_date(demo, hall):
    resident = demo.user("resident")
    clash = request(resident, hall, at(9, 15), at(9, 17))  # Wednesday 2031-06-11
    volunteer = demo.user("volunteer")
    result = services.booking_series_create(
        actor=volunteer,
        room=hall,
        weekday=2,
        start_time=time(14),
        end_time=time(16),
        from_date=date(2031, 6, 3),
        until_date=date(2031, 8, 31),
        purpose=Purpose.TUTORING,
        title="暑期课业辅导",
        skip_dates=[date(2031, 7, 2)],
        now=NOW,
    )
    refused_dates = [day for day, _message in result.refused]
    assert refused_dates == [date(2031, 6, 11)]
    assert "already taken" in result.refused[0][1]
    assert "15:00–17:00" in result.refused[0][1]
    # 13 Wednesdays from 4 June to 27 August, one clashing, one skipped on purpose
    assert len(result.bookings) == 11
    assert all(b.status == BookingStatus.CONFIRMED for b in result.bookings)
    assert all(b.start.weekday() == 2 for b in result.bookings)
    series = BookingSeries.objects.get(pk=result.series.pk)
    assert [e["date"] for e in series.exceptions] == ["2031-06-11", "2031-07-02"]
    assert series.bookings.count() == 11
    clash.refresh_from_db()
    assert clash.status == BookingStatus.PENDING


def test_series_reports_rule_refusals_and_skip(demo, hall):
    resident = demo.user("resident")
    # a Sunday series at the time of the meeting on the 15th, by a resident limited to one
    # active booking: every date after the first is refused by a rule, each with its reason
    result = services.booking_series_create(
        actor=resident,
        room=hall,
        weekday=6,
        start_time=time(9),
        end_time=time(11),
        from_date=date(2031, 6, 8),
        until_date=date(2031, 6, 22),
        purpose=Purpose.MEETING,
        now=NOW,
    )
    assert len(result.bookings) == 1
    codes = dict(result.refused)
    assert "民情议事厅" in codes[date(2031, 6, 15)]
    assert "at most 1 at once" in codes[date(2031, 6, 22)]
    series = result.series
    services.booking_series_skip(
        actor=resident, series=series, day=date(2031, 6, 8), reason="端午节", now=NOW
    )
    series.refresh_from_db()
    assert series.exceptions[-1] == {"date": "2031-06-08", "reason": "端午节"}
    assert not series.bookings.filter(status__in=["pending", "confirmed"]).exists()


def test_series_with_no_bookable_date_saves_nothing(demo, hall):
    with pytest.raises(LinliError) as refused:
        services.booking_series_create(
            actor=demo.user("volunteer"),
            room=hall,
            weekday=0,  # the room is closed on Mondays
            start_time=time(14),
            end_time=time(16),
            from_date=date(2031, 6, 3),
            until_date=date(2031, 6, 30),
            purpose=Purpose.TUTORING,
            now=NOW,
        )
    assert refused.value.code == "series_empty"
    assert "closed" in refused.value.message
    assert not BookingSeries.objects.filter(room=hall).exists()
    assert not Booking.objects.filter(room=hall).exists()


# -- free slots and lists -------------------------------------------------------------------


def test_free_slots(demo, hall):
    request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    taken = request(demo.user("volunteer"), hall, at(2, 14), at(2, 15), Purpose.TUTORING)
    services.booking_cancel(actor=demo.user("volunteer"), booking=taken, now=NOW)
    request(demo.user("volunteer"), hall, at(2, 15), at(2, 16), Purpose.TUTORING)
    slots = selectors.free_slots(
        room=hall, start_date=at(2, 0).date(), end_date=at(2, 0).date(), now=NOW
    )
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in slots] == [
        ("08:00", "10:00"),
        ("12:00", "15:00"),
        ("16:00", "21:00"),
    ]
    # a Monday (closed), the 15th (the meeting) and today (only from now on)
    monday = selectors.free_slots(room=hall, start_date=at(7, 0).date(), end_date=at(7, 0).date())
    assert monday == []
    fifteenth = selectors.free_slots(
        room=hall, start_date=date(2031, 6, 15), end_date=date(2031, 6, 15), now=NOW
    )
    assert [(s.start.hour, s.end.hour) for s in fifteenth] == [(8, 9), (11, 21)]
    long_only = selectors.free_slots(
        room=hall,
        start_date=date(2031, 6, 15),
        end_date=date(2031, 6, 15),
        minimum_minutes=90,
        now=NOW,
    )
    assert [(s.start.hour, s.end.hour) for s in long_only] == [(11, 21)]
    tuesday = datetime(2031, 6, 3, 12, 30, tzinfo=SH)
    today = selectors.free_slots(
        room=hall, start_date=tuesday.date(), end_date=tuesday.date(), now=tuesday
    )
    assert [(s.start.strftime("%H:%M"), s.end.hour) for s in today] == [("12:30", 21)]


def test_free_slots_range_is_bounded(demo, hall):
    with pytest.raises(ValidationError):
        selectors.free_slots(room=hall, start_date=date(2031, 6, 1), end_date=date(2031, 9, 1))


def test_free_slots_query_count(demo, hall, django_assert_max_num_queries):
    for day in range(2, 6):
        request(demo.user("volunteer"), hall, at(day, 10), at(day, 12), Purpose.TUTORING)
    with django_assert_max_num_queries(3):
        selectors.free_slots(room=hall, start_date=date(2031, 6, 3), end_date=date(2031, 7, 30))


def test_room_list_and_get(demo, hall):
    for username in ("resident", "volunteer", "secretary", "community", "street"):
        assert hall in selectors.room_list(user=demo.user(username)), username
        assert selectors.room_get(user=demo.user(username), pk=hall.pk) == hall
    for user in (demo.user("property"), demo.user("patrol"), other_compound_resident(demo)):
        assert hall not in selectors.room_list(user=user)
    assert hall in selectors.room_list(user=demo.user("community"), place=demo.nanguanfang.pk)


def test_booking_list_visibility(demo, hall):
    mine = request(demo.user("resident"), hall, at(2, 10), at(2, 12), title="家宴")
    staff = request(demo.user("volunteer"), hall, at(3, 10), at(3, 12), Purpose.TUTORING)
    # The demo world's bookings are there too; these tests look at the test's own room.
    assert list(selectors.booking_list(user=demo.user("resident"), room=hall)) == [mine]
    assert (
        selectors.booking_list(user=demo.user("resident"))
        .exclude(booked_by=demo.user("resident"))
        .count()
        == 0
    )
    assert list(selectors.booking_list(user=demo.user("property"))) == []
    assert list(selectors.booking_list(user=demo.user("secretary"), room=hall)) == [mine, staff]
    assert list(selectors.booking_list(user=demo.user("volunteer"), mine=True, room=hall)) == [
        staff
    ]
    assert list(
        selectors.booking_list(user=demo.user("community"), room=hall, start=at(3, 0), end=at(4, 0))
    ) == [staff]
    assert list(
        selectors.booking_list(user=demo.user("community"), room=hall, status="pending")
    ) == [mine]
    assert BookingEvent.objects.filter(booking__room=hall).count() == 2


def test_room_is_in_the_centre(demo, hall):
    assert Room.objects.get(pk=hall.pk).place.name == "党支部服务中心"


def test_admin_lists_rooms_and_bookings(demo, hall, client_for):
    request(demo.user("resident"), hall, at(2, 10), at(2, 12))
    admin = client_for("admin")
    for url in (
        "/admin/bookings/room/",
        f"/admin/bookings/room/{hall.pk}/change/",
        "/admin/bookings/booking/",
    ):
        assert admin.get(url).status_code == 200, url


def test_the_desk_hears_of_a_request_and_the_booker_of_the_decision(
    demo, hall, django_capture_on_commit_callbacks
):
    from linli.core.models import Notification

    resident = demo.user("resident")
    Notification.objects.filter(kind__startswith="bookings.").delete()  # the demo world's
    with django_capture_on_commit_callbacks(execute=True):
        booking = request(resident, hall, at(2, 10), at(2, 12), title="家宴")
    asked = Notification.objects.filter(kind="bookings.requested")
    assert set(asked.values_list("user__username", flat=True)) == {
        "community",
        "secretary",
        "volunteer",
    }
    assert f"/bookings/{booking.pk}/" == asked.first().url
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_decline(
            actor=demo.user("volunteer"), booking=booking, reason="当天已有活动", now=NOW
        )
    told = Notification.objects.get(kind="bookings.declined")
    assert told.user == resident and "当天已有活动" in told.body
    # Her own cancellation of another request is news to no one.
    with django_capture_on_commit_callbacks(execute=True):
        other = request(resident, hall, at(4, 10), at(4, 12))
        services.booking_cancel(actor=resident, booking=other, now=NOW)
    assert not Notification.objects.filter(kind="bookings.cancelled").exists()
