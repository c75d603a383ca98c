"""iCalendar feeds: a room's public feed parses, lists the room's active bookings and its
blackouts in local time with a VTIMEZONE, keeps its UIDs between fetches and holds no
personal data; a user's private feed lists their own bookings only, behind a secret URL
that a reset kills."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar

from linli.accounts.services import grant_create, user_create
from linli.bookings import ical, services
from linli.bookings.models import Booking, BookingStatus, CalendarFeed, Purpose, Repeat
from linli.core.actors import SYSTEM
from linli.core.crypto import lookup_hash, mask_phone
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TITLE = "欧阳家孙子满月宴"
NAME = "欧阳秀芝"
MOBILE = "13912345678"


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` days from today, at the local time (the feeds go through the real clock)."""
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute), SH)


@pytest.fixture
def hall(demo):
    return services.room_create(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        name="日历测试会客厅",
        kind="reception_hall",
        opens=time(8),
        closes=time(21),
        open_weekdays=[0, 1, 2, 3, 4, 5, 6],
        max_days_ahead=30,
        min_notice_hours=24,
        max_hours=4,
        max_active_per_household=5,
        approval_required=True,
    )


@pytest.fixture
def booker(demo):
    """A resident of the demo resident's household with a name and a mobile number."""
    user = user_create(
        actor=SYSTEM, username="ouyang", password=None, full_name=NAME, mobile=MOBILE
    )
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.resident_household)
    return user


@pytest.fixture
def bookings(demo, hall, booker):
    """Pending, confirmed, cancelled and declined bookings of the hall."""
    volunteer = demo.user("volunteer")

    def request(user, day, purpose=Purpose.FAMILY_GATHERING, **kwargs):
        return services.booking_request(
            actor=user, room=hall, start=at(day, 10), end=at(day, 12), purpose=purpose, **kwargs
        )

    pending = request(booker, 3, title=TITLE, attendees=18)
    confirmed = request(volunteer, 4, Purpose.TUTORING, title="暑期托管")
    cancelled = request(volunteer, 5, Purpose.TUTORING)
    services.booking_cancel(actor=volunteer, booking=cancelled)
    declined = request(booker, 6)
    services.booking_decline(actor=volunteer, booking=declined, reason="维修")
    return {"pending": pending, "confirmed": confirmed}


def fetch(client, url):
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    assert ".ics" in answer["Content-Disposition"]
    return answer.content


def events(data: bytes) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def room_url(room) -> str:
    return f"/rooms/{room.pk}/calendar.ics"


# -- the room's public feed -----------------------------------------------------------------


def test_room_feed_lists_active_bookings_in_local_time(hall, bookings, client):
    data = fetch(client, room_url(hall))
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "日历测试会客厅"
    assert str(calendar["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [settings.TIME_ZONE]
    found = events(data)
    expected = {f"booking-{b.pk}@{ical.uid_domain()}": b for b in bookings.values()}
    assert set(found) == set(expected)
    for uid, booking in expected.items():
        event = found[uid]
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert event.decoded("DTSTART") == booking.start
        assert event.decoded("DTSTART").utcoffset() == timedelta(hours=8)
        assert event.decoded("DTEND") == booking.end
        assert "DTSTAMP" in event
    assert b"DTSTART;TZID=Asia/Shanghai:" in data
    pending = found[f"booking-{bookings['pending'].pk}@{ical.uid_domain()}"]
    confirmed = found[f"booking-{bookings['confirmed'].pk}@{ical.uid_domain()}"]
    assert str(pending["STATUS"]) == "TENTATIVE"
    assert str(confirmed["STATUS"]) == "CONFIRMED"


def test_room_feed_summary_is_the_purpose_only(hall, bookings, client):
    with translation.override("en"):
        found = events(ical.calendar_bytes(ical.room_calendar(hall)))
    summaries = {str(e["SUMMARY"]) for e in found.values()}
    assert summaries == {"family gathering · awaiting approval", "tutoring · booked"}


def test_room_feed_holds_no_personal_data(demo, hall, bookings, booker, client):
    data = fetch(client, room_url(hall))
    text = data.decode()
    household = bookings["pending"].household
    for secret in (
        TITLE,
        "暑期托管",
        NAME,
        MOBILE,
        mask_phone(MOBILE),
        "ouyang",
        demo.user("resident").full_name,
        demo.user("volunteer").display_name,
        household.place.name_path,
        "6号楼",
        "ATTENDEE",
        "ORGANIZER",
    ):
        assert secret not in text, secret
    # unfolded too: a long line is folded at 75 octets, which could split a name
    unfolded = data.replace(b"\r\n ", b"").decode()
    assert TITLE not in unfolded and NAME not in unfolded and MOBILE not in unfolded


def test_room_feed_uids_are_stable(hall, bookings, client):
    first = events(fetch(client, room_url(hall)))
    second = events(fetch(client, room_url(hall)))
    assert set(first) == set(second)
    assert len(first) == 2
    for uid in first:
        assert first[uid].decoded("DTSTART") == second[uid].decoded("DTSTART")


def test_room_feed_marks_blackouts_not_available(demo, hall, client):
    secretary = demo.user("secretary")
    once = services.blackout_create(
        actor=secretary, room=hall, start=at(7, 9), end=at(7, 17), reason="线路检修"
    )
    # long past: outside the feed's window
    services.blackout_create(
        actor=secretary, room=hall, start=at(-400, 9), end=at(-400, 17), reason="很久以前"
    )
    monthly = services.recurring_blackout_create(
        actor=secretary,
        room=hall,
        repeat=Repeat.MONTHLY,
        day_of_month=15,
        start_time=time(9),
        end_time=time(11),
        reason="民情议事厅",
    )
    weekly = services.recurring_blackout_create(
        actor=secretary,
        room=hall,
        repeat=Repeat.WEEKLY,
        weekday=2,
        start_time=time(14),
        end_time=time(16),
        reason="读书会",
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = events(fetch(client, room_url(hall)))
    domain = ical.uid_domain()
    assert set(found) == {
        f"blackout-{once.pk}@{domain}",
        f"recurring-blackout-{monthly.pk}@{domain}",
        f"recurring-blackout-{weekly.pk}@{domain}",
    }
    one_off = found[f"blackout-{once.pk}@{domain}"]
    assert str(one_off["SUMMARY"]) == "Not available: 线路检修"
    assert one_off.decoded("DTSTART") == at(7, 9)
    month = found[f"recurring-blackout-{monthly.pk}@{domain}"]
    assert month["RRULE"]["FREQ"] == ["MONTHLY"]
    assert month["RRULE"]["BYMONTHDAY"] == [15]
    start = month.decoded("DTSTART")
    assert start.day == 15 and start.time() == time(9)
    assert month.decoded("DTEND") == start + timedelta(hours=2)
    assert month["DTSTART"].params["TZID"] == "Asia/Shanghai"
    week = found[f"recurring-blackout-{weekly.pk}@{domain}"]
    assert week["RRULE"]["BYDAY"] == ["WE"]
    assert week.decoded("DTSTART").weekday() == 2
    assert week.decoded("DTSTART").time() == time(14)
    # the first occurrence is within the window, not before it
    assert week.decoded("DTSTART") >= timezone.now() - ical.WINDOW_BACK - timedelta(days=1)


def test_room_feed_window(demo, hall):
    """Only bookings from ninety days back to a year ahead."""
    volunteer = demo.user("volunteer")
    now = datetime(2031, 6, 2, 9, tzinfo=SH)

    def book(start):
        return services.booking_request(
            actor=volunteer,
            room=hall,
            start=start,
            end=start + timedelta(hours=1),
            purpose=Purpose.MEETING,
            now=start - timedelta(days=2),
        )

    inside = [book(now - timedelta(days=80)), book(now + timedelta(days=300, hours=1))]
    book(now - timedelta(days=100))
    book(now + timedelta(days=400))
    found = events(ical.calendar_bytes(ical.room_calendar(hall, now=now)))
    assert set(found) == {ical.booking_uid(b) for b in inside}


def test_inactive_or_unknown_room_is_404(demo, hall, client):
    assert client.get(room_url(hall)).status_code == 200
    assert client.get("/rooms/999999999/calendar.ics").status_code == 404
    assert client.get(f"/rooms/{2**63}/calendar.ics").status_code == 404
    services.room_update(actor=demo.user("secretary"), room=hall, is_active=False)
    assert client.get(room_url(hall)).status_code == 404


def test_room_feed_url(hall, rf):
    assert ical.room_feed_url(hall) == f"/rooms/{hall.pk}/calendar.ics"
    request = rf.get("/", HTTP_HOST="127.0.0.1")
    assert ical.room_feed_url(hall, request) == f"http://127.0.0.1/rooms/{hall.pk}/calendar.ics"


def test_room_feed_needs_no_sign_in_and_refuses_writes(hall, client):
    assert client.get(room_url(hall)).status_code == 200
    assert client.head(room_url(hall)).status_code == 200
    assert client.post(room_url(hall)).status_code == 405


# -- the private feed -----------------------------------------------------------------------


def test_private_feed_lists_own_bookings_with_titles(demo, hall, bookings, booker, client):
    url = ical.private_feed_url(booker)
    assert url.startswith("/calendar/") and url.endswith(".ics")
    data = fetch(client, url)
    found = events(data)
    pending = bookings["pending"]
    assert set(found) == {ical.private_booking_uid(pending)}
    event = found[ical.private_booking_uid(pending)]
    assert str(event["SUMMARY"]) == TITLE
    assert "日历测试会客厅" in str(event["LOCATION"])
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event.decoded("DTSTART") == pending.start
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert Calendar.from_ical(data).walk("VTIMEZONE")
    # the volunteer's booking of the same room is not in it
    assert "暑期托管" not in data.decode()


def test_private_feed_of_another_user(demo, hall, bookings, booker, client):
    volunteer = demo.user("volunteer")
    data = fetch(client, ical.private_feed_url(volunteer))
    found = events(data)
    assert ical.private_booking_uid(bookings["confirmed"]) in found
    assert ical.private_booking_uid(bookings["pending"]) not in found
    # (the demo world may hold other bookings of the volunteer: all are theirs)
    pks = [int(uid.split("@")[0].removeprefix("my-booking-")) for uid in found]
    assert {b.booked_by_id for b in Booking.objects.filter(pk__in=pks)} == {volunteer.pk}
    assert TITLE not in data.decode()


def test_private_feed_url_is_stable_and_the_token_kept_safe(booker, rf):
    url = ical.private_feed_url(booker)
    assert ical.private_feed_url(booker) == url
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 40
    feed = CalendarFeed.objects.get(user=booker)
    assert feed.token_hash == lookup_hash(token)
    raw = CalendarFeed.objects.filter(pk=feed.pk).values_list("token", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM bookings_calendarfeed WHERE id = %s", [feed.pk])
        stored = cursor.fetchone()[0]
    assert token not in stored
    assert list(raw)
    request = rf.get("/", HTTP_HOST="127.0.0.1")
    assert ical.private_feed_url(booker, request) == f"http://127.0.0.1{url}"


def test_private_feed_records_its_use(booker, client):
    url = ical.private_feed_url(booker)
    assert CalendarFeed.objects.get(user=booker).last_used_at is None
    fetch(client, url)
    assert CalendarFeed.objects.get(user=booker).last_used_at is not None


def test_reset_kills_the_old_url(hall, bookings, booker, client):
    old = ical.private_feed_url(booker)
    assert client.get(old).status_code == 200
    new = ical.private_feed_reset(booker)
    assert new != old
    assert client.get(old).status_code == 404
    assert ical.private_feed_url(booker) == new
    assert set(events(fetch(client, new))) == {ical.private_booking_uid(bookings["pending"])}
    assert AuditEvent.objects.filter(action="bookings.calendar_feed.reset", actor=booker).exists()


def test_reset_before_any_feed_creates_one(booker, client):
    url = ical.private_feed_reset(booker)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "x" * 500, "..", "a.b"])
def test_bad_token_is_404(booker, client, token):
    ical.private_feed_url(booker)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_nul_in_the_token_is_refused_as_malformed(booker, client):
    ical.private_feed_url(booker)
    assert client.get("/calendar/%00.ics").status_code == 400


def test_feed_of_a_deactivated_user_is_404(booker, client):
    url = ical.private_feed_url(booker)
    booker.is_active = False
    booker.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_private_feed_is_not_cached(booker, client):
    answer = client.get(ical.private_feed_url(booker))
    assert "no-store" in answer["Cache-Control"]
    assert "private" in answer["Cache-Control"]


def test_series_occurrences_appear(demo, hall):
    """A weekly booking shows each occurrence (a meeting is a booking like any other)."""
    first = timezone.localdate() + timedelta(days=2)
    result = services.booking_series_create(
        actor=demo.user("volunteer"),
        room=hall,
        weekday=first.weekday(),
        start_time=time(15),
        end_time=time(17),
        from_date=first,
        until_date=first + timedelta(days=21),
        purpose=Purpose.MEETING,
        title="读书会",
    )
    found = events(ical.calendar_bytes(ical.room_calendar(hall)))
    assert set(found) == {ical.booking_uid(b) for b in result.bookings}
    assert len(found) == 4
    assert {str(e["STATUS"]) for e in found.values()} == {"CONFIRMED"}
    assert all(b.status == BookingStatus.CONFIRMED for b in result.bookings)


def test_a_meeting_hold_shows_as_a_booking_without_its_title(hall, client):
    """A deliberation meeting holds its hall as a booking of no one: the public feed shows
    the time as taken for a meeting, and no private feed has it."""
    hold = services.booking_hold(
        actor=SYSTEM,
        room=hall,
        start=at(8, 9),
        end=at(8, 11),
        purpose=Purpose.MEETING,
        title="七月民情议事会",
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = fetch(client, room_url(hall))
    event = events(data)[ical.booking_uid(hold)]
    assert str(event["SUMMARY"]) == "meeting · booked"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "七月民情议事会" not in data.decode()
