"""The pages of rooms and bookings as the people involved use them: residents see the rooms
near them and book a free slot (a refusal keeps what they typed and says which rule), see
other households' bookings only as "booked", and never another's booking page; the duty
volunteer approves, declines and checks in at the desk; the district reads the usage report
but takes no steps; every page costs a bounded number of queries."""

import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from linli.accounts.services import grant_create, user_create
from linli.bookings import services
from linli.bookings.models import Booking, BookingStatus, RoomPhoto
from linli.core.actors import SYSTEM
from linli.core.models import AuditEvent
from linli.places.services import place_create

pytestmark = pytest.mark.django_db

CENTRE = "平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"
NEIGHBOUR_DOOR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/102"
SECRET = "王家私事聚会"


def local_now() -> datetime:
    return timezone.localtime(timezone.now())


def at(days: int, hour: int, minute: int = 0) -> datetime:
    day = local_now().date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


def make_room(demo, name="居民会客厅", place=CENTRE, actor="secretary", **rules):
    fields = {
        "kind": "reception_hall",
        "capacity": 40,
        "opens": time(8),
        "closes": time(21),
        "open_weekdays": [0, 1, 2, 3, 4, 5, 6],
        "purposes": ["family_gathering", "tutoring", "meeting"],
        "max_days_ahead": 30,
        "min_notice_hours": 24,
        "max_hours": 4,
        "max_active_per_household": 1,
        "approval_required": True,
        "facilities": "投影仪、音响、折叠桌椅",
    }
    fields.update(rules)
    return services.room_create(
        actor=demo.user(actor), place=demo.place(place), name=name, **fields
    )


@pytest.fixture
def hall(demo):
    return make_room(demo)


@pytest.fixture
def neighbour(demo):
    """A resident of another household of the same compound."""
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="王邻居")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(NEIGHBOUR_DOOR))
    return user


@pytest.fixture
def elsewhere_room(demo):
    """A room in another compound of the community, which the resident does not see."""
    compound = place_create(actor=SYSTEM, kind="compound", name="东城小区", parent=demo.zhandong)
    return make_room(demo, name="东城活动室", place=compound.name_path, actor="community")


def book(user, room, start, end, purpose="family_gathering", **kwargs):
    return services.booking_request(
        actor=user, room=room, start=start, end=end, purpose=purpose, **kwargs
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# -- who sees what ----------------------------------------------------------------------------


def test_rooms_list_for_each_role(demo, english, hall, elsewhere_room):
    community_room = make_room(
        demo, name="站东社区议事厅", place="平城区/鹿苑街道/站东社区", actor="community"
    )
    resident = page(english("resident"), "/rooms/")
    assert "居民会客厅" in resident and "站东社区议事厅" in resident
    assert "东城活动室" not in resident
    assert "up to 40 people" in resident and "08:00–21:00" in resident
    assert 'data-testid="next-free"' in resident
    for username in ("secretary", "community", "volunteer", "district", "street"):
        html = page(english(username), "/rooms/")
        assert "居民会客厅" in html, username
    assert "东城活动室" in page(english("community"), "/rooms/")
    assert "东城活动室" not in page(english("secretary"), "/rooms/")
    for username in ("property", "doctor"):
        assert english(username).get("/rooms/").status_code == 403, username
        assert english(username).get(f"/rooms/{hall.pk}/").status_code == 404, username
    assert english("resident").get(f"/rooms/{elsewhere_room.pk}/").status_code == 404
    filtered = page(english("community"), f"/rooms/?place={demo.nanguanfang.pk}")
    assert "居民会客厅" in filtered and "东城活动室" not in filtered
    assert "站东社区议事厅" in page(english("resident"), f"/rooms/{community_room.pk}/")


def test_booked_out_room_says_so(demo, english):
    room = make_room(demo, name="小会议室", min_notice_hours=0, is_active=True)
    services.blackout_create(
        actor=demo.user("secretary"),
        room=room,
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(days=30),
        reason="装修",
    )
    html = page(english("resident"), "/rooms/")
    assert 'data-testid="booked-out"' in html


def test_room_page_shows_rules_photos_blackouts_and_feed(demo, english, hall):
    services.recurring_blackout_create(
        actor=demo.user("secretary"),
        room=hall,
        repeat="monthly",
        day_of_month=15,
        start_time=time(9),
        end_time=time(11),
        reason="民情议事厅",
    )
    html = page(english("resident"), f"/rooms/{hall.pk}/")
    assert "投影仪" in html and "民情议事厅" in html
    assert "up to 30 days ahead" in html and "at least 24 hours before" in html
    assert "at most 4 hours" in html and "1 upcoming booking at a time" in html
    assert "A worker approves each request" in html
    assert f"http://testserver/rooms/{hall.pk}/calendar.ics" in html
    assert "Subscribe to this room's calendar (iCalendar)" in html
    assert f'href="/rooms/{hall.pk}/book/"' in html
    assert f"/rooms/{hall.pk}/edit/" not in html and f"/rooms/{hall.pk}/weekly/" not in html
    managed = page(english("secretary"), f"/rooms/{hall.pk}/")
    assert f"/rooms/{hall.pk}/edit/" in managed and f"/rooms/{hall.pk}/weekly/" in managed
    district = page(english("district"), f"/rooms/{hall.pk}/")
    assert f"/rooms/{hall.pk}/edit/" not in district and f"/rooms/{hall.pk}/book/" not in district


# -- the calendar -----------------------------------------------------------------------------


@pytest.fixture
def neighbours_booking(demo, hall, neighbour):
    return book(neighbour, hall, at(3, 10), at(3, 12), title=SECRET)


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_calendar_views_hide_other_households_titles(demo, english, hall, neighbours_booking, view):
    day = f"{at(3, 10):%Y-%m-%d}"
    html = page(english("resident"), f"/rooms/{hall.pk}/?view={view}&date={day}")
    assert f'data-view="{view}"' in html
    assert SECRET not in html and "王邻居" not in html
    assert f"/bookings/{neighbours_booking.pk}/" not in html
    assert 'data-testid="cal-previous"' in html and 'data-testid="cal-next"' in html
    if view == "month":
        assert f'data-date="{day}"' in html and f"?view=day&amp;date={day}" in html
        assert 'class="cal-count"' in html
    else:
        assert 'data-testid="free-slot"' in html
        assert 'data-status="pending"' in html and "pending · family gathering" in html
        assert f"/rooms/{hall.pk}/book/?date={day}&amp;start=12:00&amp;end=16:00" in html


def test_managers_see_booker_and_title_and_click_through(demo, english, hall, neighbours_booking):
    day = f"{at(3, 10):%Y-%m-%d}"
    for username in ("secretary", "volunteer", "district"):
        html = page(english(username), f"/rooms/{hall.pk}/?view=day&date={day}")
        assert SECRET in html and "王邻居" in html, username
        assert f"/bookings/{neighbours_booking.pk}/" in html, username
    own = page(english("neighbour"), f"/rooms/{hall.pk}/?view=week&date={day}")
    assert SECRET in own


def test_calendar_bad_parameters_fall_back(english, hall):
    html = page(english("resident"), f"/rooms/{hall.pk}/?view=year&date=2025-13-40")
    assert 'data-view="week"' in html


# -- booking through the form -----------------------------------------------------------------


def test_booking_form_prefills_and_books(demo, english, hall):
    client = english("resident")
    day = f"{at(3, 10):%Y-%m-%d}"
    form = page(client, f"/rooms/{hall.pk}/book/?date={day}&start=10:00&end=12:00")
    assert f'value="{day}"' in form and 'value="10:00"' in form and 'value="12:00"' in form
    assert 'value="health"' not in form and 'value="tutoring"' in form
    response = client.post(
        f"/rooms/{hall.pk}/book/",
        {
            "date": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "purpose": "family_gathering",
            "title": "孙子满月",
            "attendees": "20",
        },
    )
    booking = Booking.objects.get(room=hall)
    assert response.status_code == 302 and response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.status == BookingStatus.PENDING and booking.title == "孙子满月"
    detail = page(client, f"/bookings/{booking.pk}/")
    assert "Waiting for approval" in detail and 'data-status="pending"' in detail
    assert 'value="cancel"' in detail and 'value="approve"' not in detail


def test_a_refused_booking_keeps_the_input_and_says_the_rule(english, hall):
    client = english("resident")
    day = f"{at(3, 10):%Y-%m-%d}"
    response = client.post(
        f"/rooms/{hall.pk}/book/",
        {
            "date": day,
            "start_time": "09:00",
            "end_time": "15:00",
            "purpose": "family_gathering",
            "title": "家庭聚会标题",
            "attendees": "12",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Too long: a booking of this room may last at most 4 hours." in html
    assert 'value="家庭聚会标题"' in html and 'value="12"' in html and 'value="15:00"' in html
    assert not Booking.objects.filter(room=hall).exists()


def test_a_taken_slot_is_refused_with_the_clash(english, hall, neighbours_booking):
    day = f"{at(3, 10):%Y-%m-%d}"
    response = english("resident").post(
        f"/rooms/{hall.pk}/book/",
        {"date": day, "start_time": "11:00", "end_time": "13:00", "purpose": "meeting"},
    )
    assert "This time is already taken" in response.content.decode()


def test_staff_only_room_cannot_be_booked_by_residents(demo, english):
    room = make_room(demo, name="党员活动室", bookable_by="staff")
    assert english("resident").get(f"/rooms/{room.pk}/book/").status_code == 403
    assert f"/rooms/{room.pk}/book/" not in page(english("resident"), f"/rooms/{room.pk}/")
    assert english("district").get(f"/rooms/{room.pk}/book/").status_code == 403
    assert english("volunteer").get(f"/rooms/{room.pk}/book/").status_code == 200


# -- the booking page and its steps -----------------------------------------------------------


def test_booking_page_visibility(demo, english, hall, neighbours_booking):
    url = f"/bookings/{neighbours_booking.pk}/"
    assert english("resident").get(url).status_code == 404
    assert english("property").get(url).status_code == 404
    assert english("doctor").get(url).status_code == 404
    own = page(english("neighbour"), url)
    assert SECRET in own and 'data-testid="timeline"' in own
    district = page(english("district"), url)
    assert SECRET in district and 'value="approve"' not in district
    assert 'value="decline"' not in district
    secretary = page(english("secretary"), url)
    assert 'value="approve"' in secretary and 'value="decline"' in secretary


def test_forbidden_step_is_refused(english, neighbours_booking):
    url = f"/bookings/{neighbours_booking.pk}/action/"
    assert english("district").post(url, {"step": "approve"}).status_code == 403
    assert english("resident").post(url, {"step": "cancel"}).status_code == 404
    neighbours_booking.refresh_from_db()
    assert neighbours_booking.status == BookingStatus.PENDING


def test_booker_cancels_from_my_bookings(english, neighbours_booking):
    client = english("neighbour")
    mine = page(client, "/bookings/mine/")
    assert SECRET in mine and 'value="cancel"' in mine
    response = client.post(
        f"/bookings/{neighbours_booking.pk}/action/",
        {"step": "cancel", "reason": "改期", "next": "/bookings/mine/"},
    )
    assert response.status_code == 302 and response["Location"] == "/bookings/mine/"
    neighbours_booking.refresh_from_db()
    assert neighbours_booking.status == BookingStatus.CANCELLED
    assert "改期" in page(client, f"/bookings/{neighbours_booking.pk}/")


def test_my_bookings_shows_the_private_feed_and_resets_it(english, neighbours_booking):
    client = english("neighbour")
    html = page(client, "/bookings/mine/")
    assert 'data-testid="private-feed"' in html and ".ics" in html
    old = html.split('data-testid="private-feed">')[1].split("<")[0]
    response = client.post("/bookings/mine/calendar/reset/")
    assert response.status_code == 302
    new = page(client, "/bookings/mine/").split('data-testid="private-feed">')[1].split("<")[0]
    assert new != old and new.startswith("http://testserver/")


# -- the duty desk ----------------------------------------------------------------------------


def _today_span() -> tuple[datetime, datetime]:
    """A stretch of today around now, within today."""
    now = local_now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(day_start, now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    end = min(day_start + timedelta(days=1), now + timedelta(minutes=20))
    return start, end


@pytest.fixture
def open_room(demo):
    """Open all day, no notice needed: bookings can be made for today."""
    return make_room(
        demo,
        name="文体活动室",
        opens=time(0),
        closes=time(0),
        min_notice_hours=0,
        max_active_per_household=10,
        approval_required=False,
    )


def pending_count(html) -> int:
    return int(re.search(r'data-testid="count-pending">to approve: (\d+)<', html).group(1))


def test_desk_approve_decline_and_check_in(demo, english, hall, open_room, neighbour):
    first = book(neighbour, hall, at(3, 10), at(3, 12), title="第一个申请")
    second = book(demo.user("resident"), hall, at(4, 10), at(4, 12), title="第二个申请")
    start, end = _today_span()
    today = book(
        demo.user("volunteer"),
        open_room,
        start,
        end,
        "tutoring",
        now=start - timedelta(minutes=1),
    )
    client = english("volunteer")
    html = page(client, "/bookings/desk/")
    assert html.index("第一个申请") < html.index("第二个申请")
    pending = pending_count(html)
    assert pending >= 2
    assert f'data-testid="step-check_in-{today.pk}"' in html
    assert f'data-testid="step-mark_no_show-{today.pk}"' in html
    client.post(f"/bookings/{first.pk}/action/", {"step": "approve", "next": "/bookings/desk/"})
    response = client.post(
        f"/bookings/{second.pk}/action/",
        {"step": "decline", "reason": "当天有活动", "next": "/bookings/desk/"},
    )
    assert response["Location"] == "/bookings/desk/"
    client.post(f"/bookings/{today.pk}/action/", {"step": "check_in", "next": "/bookings/desk/"})
    for booking, status in (
        (first, BookingStatus.CONFIRMED),
        (second, BookingStatus.DECLINED),
        (today, BookingStatus.CHECKED_IN),
    ):
        booking.refresh_from_db()
        assert booking.status == status
    assert pending_count(page(client, "/bookings/desk/")) == pending - 2
    declined = page(english("resident"), f"/bookings/{second.pk}/")
    assert "当天有活动" in declined


def test_decline_without_reason_is_refused_with_a_message(english, neighbours_booking):
    client = english("secretary")
    response = client.post(
        f"/bookings/{neighbours_booking.pk}/action/", {"step": "decline"}, follow=True
    )
    assert "Say why the booking is declined." in response.content.decode()
    neighbours_booking.refresh_from_db()
    assert neighbours_booking.status == BookingStatus.PENDING


def test_desk_is_for_managers_only(english):
    for username in ("resident", "district", "property", "doctor"):
        assert english(username).get("/bookings/desk/").status_code == 403, username
    for username in ("secretary", "community", "volunteer"):
        assert english(username).get("/bookings/desk/").status_code == 200, username


# -- weekly bookings --------------------------------------------------------------------------


def test_weekly_booking_reports_refused_dates_and_skips(demo, english, hall, neighbour):
    clash_day = at(7, 10)
    book(neighbour, hall, clash_day, at(7, 12))
    client = english("volunteer")
    assert english("resident").get(f"/rooms/{hall.pk}/weekly/").status_code == 403
    response = client.post(
        f"/rooms/{hall.pk}/weekly/",
        {
            "weekday": str(clash_day.weekday()),
            "start_time": "10:00",
            "end_time": "12:00",
            "from_date": f"{at(2, 0):%Y-%m-%d}",
            "until_date": f"{at(22, 0):%Y-%m-%d}",
            "purpose": "tutoring",
            "title": "暑期课业辅导",
        },
    )
    assert response.status_code == 302
    series_url = response["Location"]
    html = page(client, series_url)
    assert f"{clash_day:%Y-%m-%d}" in html and "This time is already taken" in html
    assert "暑期课业辅导" in html
    skip_day = at(14, 10)
    response = client.post(
        f"{series_url}skip/", {"day": f"{skip_day:%Y-%m-%d}", "reason": "国庆放假"}
    )
    assert response.status_code == 302
    assert "国庆放假" in page(client, series_url)
    cancelled = Booking.objects.get(room=hall, start=skip_day)
    assert cancelled.status == BookingStatus.CANCELLED
    assert english("resident").get(series_url).status_code == 404
    assert english("district").get(series_url).status_code == 200


# -- the usage report -------------------------------------------------------------------------


@pytest.fixture
def used_room(demo):
    """A room with known use in the last 30 days: checked in 2 h, no-show 3 h, cancelled
    1 h, confirmed 1 h — and one booking long before."""
    room = make_room(
        demo,
        name="测试康养室",
        kind="wellness",
        opens=time(8),
        closes=time(20),
        min_notice_hours=0,
        max_days_ahead=366,
        max_active_per_household=10,
        approval_required=False,
    )
    volunteer = demo.user("volunteer")

    def past(days, start_hour, hours, purpose):
        start = at(-days, start_hour)
        return book(
            volunteer,
            room,
            start,
            start + timedelta(hours=hours),
            purpose,
            now=start - timedelta(days=1),
        )

    came = past(10, 10, 2, "tutoring")
    services.booking_check_in(actor=volunteer, booking=came, now=at(-10, 10, 30))
    missed = past(9, 10, 3, "tutoring")
    services.booking_mark_no_show(actor=volunteer, booking=missed, now=at(-9, 11))
    called_off = past(8, 10, 1, "meeting")
    services.booking_cancel(actor=volunteer, booking=called_off, now=at(-9, 9))
    past(7, 14, 1, "tutoring")
    past(45, 10, 4, "meeting")
    return room


def test_report_numbers(english, used_room):
    html = page(english("district"), "/rooms/report/")
    row = html.split(f'data-room="{used_room.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="total">4<' in row
    assert 'data-testid="n-checked_in">1<' in row and 'data-testid="n-no_show">1<' in row
    assert 'data-testid="n-cancelled">1<' in row and 'data-testid="n-confirmed">1<' in row
    assert 'data-testid="n-pending">0<' in row
    assert 'data-testid="hours">6.0<' in row
    # 6 hours of 30 days × 12 opening hours
    assert 'data-testid="occupancy">1.7%<' in row
    assert 'data-testid="no-show-rate">50.0%<' in row
    assert "tutoring 3" in row and "meeting 1" in row


def test_report_range_and_permissions(english, used_room):
    start, end = f"{at(-60, 0):%Y-%m-%d}", f"{at(0, 0):%Y-%m-%d}"
    html = page(english("street"), f"/rooms/report/?start={start}&end={end}")
    row = html.split(f'data-room="{used_room.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="total">5<' in row
    for username in ("resident", "property", "doctor"):
        assert english(username).get("/rooms/report/").status_code == 403, username
        assert english(username).get("/rooms/report/export.xlsx").status_code == 403
    backwards = page(english("district"), f"/rooms/report/?start={end}&end={start}")
    assert "The end date must not be before the start date." in backwards


def test_report_export_is_audited(english, used_room):
    before = AuditEvent.objects.filter(action="bookings.report.export").count()
    response = english("district").get("/rooms/report/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row[1] == "测试康养室"]
    assert rows and rows[0][2] == 4
    events = AuditEvent.objects.filter(action="bookings.report.export")
    assert events.count() == before + 1
    assert events.latest("id").actor.username == "district"


# -- managing a room --------------------------------------------------------------------------


def _png(size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format="PNG")
    return SimpleUploadedFile("room.png", out.getvalue(), content_type="image/png")


def test_photo_upload_and_serving(english, hall):
    client = english("secretary")
    response = client.post(
        f"/rooms/{hall.pk}/photos/add/", {"photo": _png(), "caption": "会客厅全景"}
    )
    assert response.status_code == 302
    photo = RoomPhoto.objects.get(room=hall)
    assert AuditEvent.objects.filter(action="bookings.room.photo_add").exists()
    thumb = f"/rooms/{hall.pk}/photos/{photo.pk}/thumb/"
    assert thumb in page(english("resident"), f"/rooms/{hall.pk}/")
    served = english("resident").get(thumb)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert english("property").get(thumb).status_code == 404
    assert english("resident").get(f"/rooms/{hall.pk}/photos/{photo.pk}/raw/").status_code == 404
    refused = english("volunteer").post(f"/rooms/{hall.pk}/photos/add/", {"photo": _png()})
    assert refused.status_code == 403
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    html = client.post(f"/rooms/{hall.pk}/photos/add/", {"photo": bad}).content.decode()
    assert "Only JPEG, PNG and WebP photos can be added." in html
    assert RoomPhoto.objects.filter(room=hall).count() == 1


def test_room_edit_and_blackouts(demo, english, hall):
    client = english("secretary")
    assert english("volunteer").get(f"/rooms/{hall.pk}/edit/").status_code == 403
    assert english("district").get(f"/rooms/{hall.pk}/blackouts/").status_code == 403
    form = page(client, f"/rooms/{hall.pk}/edit/")
    assert 'value="居民会客厅"' in form
    data = {
        "name": "居民会客厅",
        "kind": "reception_hall",
        "capacity": "50",
        "facilities": "投影仪",
        "opens": "09:00",
        "closes": "00:00",
        "open_weekdays": ["1", "2", "3"],
        "bookable_by": "residents",
        "purposes": ["wedding"],
        "max_days_ahead": "7",
        "min_notice_hours": "12",
        "max_hours": "6",
        "max_active_per_household": "2",
        "is_active": "on",
    }
    assert client.post(f"/rooms/{hall.pk}/edit/", data).status_code == 302
    hall.refresh_from_db()
    assert hall.capacity == 50 and hall.closes == time(0) and hall.open_weekdays == [1, 2, 3]
    assert hall.purposes == ["wedding"] and not hall.approval_required
    bad = client.post(f"/rooms/{hall.pk}/edit/", {**data, "opens": "22:00", "closes": "10:00"})
    assert "The room must close after it opens" in bad.content.decode()
    response = client.post(
        f"/rooms/{hall.pk}/blackouts/",
        {
            "action": "oneoff",
            "start": f"{at(5, 8):%Y-%m-%dT%H:%M}",
            "end": f"{at(5, 18):%Y-%m-%dT%H:%M}",
            "reason": "粉刷墙面",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/rooms/{hall.pk}/blackouts/",
        {
            "action": "recurring",
            "repeat": "weekly",
            "weekday": "2",
            "start_time": "14:00",
            "end_time": "16:00",
            "reason": "党员学习",
        },
    )
    assert response.status_code == 302
    missing = client.post(
        f"/rooms/{hall.pk}/blackouts/",
        {"action": "recurring", "repeat": "monthly", "start_time": "9:00", "end_time": "11:00",
         "reason": "议事"},
    )  # fmt: skip
    assert "Choose the day of the month." in missing.content.decode()
    html = page(english("resident"), f"/rooms/{hall.pk}/")
    assert "粉刷墙面" in html and "党员学习" in html


# -- navigation -------------------------------------------------------------------------------


def test_nav_entries_and_place_link(demo, english):
    assert "/rooms/" in page(english("resident"), "/")
    assert "/bookings/desk/" not in page(english("resident"), "/")
    assert "/bookings/desk/" in page(english("volunteer"), "/")
    assert "/rooms/" not in page(english("property"), "/").split("<main")[0]
    place_page = page(english("community"), f"/places/{demo.nanguanfang.pk}/")
    assert f"/rooms/?place={demo.nanguanfang.pk}" in place_page


# -- query counts -----------------------------------------------------------------------------


def _many_bookings(room, user, days=28, per_day=3):
    """Non-overlapping bookings straight into the table (volume for the query counts)."""
    rows = []
    for day in range(1, days + 1):
        for slot in range(per_day):
            start = at(day, 8 + 3 * slot)
            rows.append(
                Booking(
                    room=room,
                    start=start,
                    end=start + timedelta(hours=2),
                    purpose="meeting",
                    title=f"会议{day}-{slot}",
                    booked_by=user,
                    status=BookingStatus.PENDING if slot == 0 else BookingStatus.CONFIRMED,
                )
            )
    Booking.objects.bulk_create(rows)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_room_month_view_desk_and_report_queries_are_bounded(
    demo, english, hall, django_assert_max_num_queries
):
    day = f"{at(15, 0):%Y-%m-%d}"
    month_url = f"/rooms/{hall.pk}/?view=month&date={day}"
    week_url = f"/rooms/{hall.pk}/?view=week&date={day}"
    secretary, district = english("secretary"), english("district")
    few = {
        url: queries(client, url)
        for client, url in (
            (secretary, month_url),
            (secretary, week_url),
            (secretary, "/bookings/desk/"),
            (district, "/rooms/report/"),
            (secretary, "/rooms/"),
        )
    }
    _many_bookings(hall, demo.user("resident"))
    for index in range(8):
        make_room(demo, name=f"活动室{index}")
    for url, count in few.items():
        client = district if url == "/rooms/report/" else secretary
        with django_assert_max_num_queries(count):
            client.get(url)
    with django_assert_max_num_queries(30):
        secretary.get(month_url)


# -- adding a room ------------------------------------------------------------------------------


def _room_form(place, name, **changes):
    data = {
        "place": place.pk,
        "name": name,
        "name_en": "",
        "kind": "recreation",
        "capacity": 16,
        "facilities": "书法桌8张",
        "opens": "08:30",
        "closes": "20:00",
        "open_weekdays": ["0", "1", "2", "3", "4", "5"],
        "bookable_by": "residents",
        "purposes": ["activity"],
        "max_days_ahead": 14,
        "min_notice_hours": 2,
        "max_hours": 3,
        "max_active_per_household": 2,
        "approval_required": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_branch_secretary_adds_a_room_with_its_rules(demo, english):
    from linli.bookings.models import Room

    client = english("secretary")
    rooms = client.get("/rooms/").content.decode()
    assert 'data-testid="add-room"' in rooms
    page = client.get(f"/rooms/new/?place={demo.nanguanfang.pk}")
    assert page.status_code == 200
    # The model's defaults to start from, the place chosen.
    assert 'value="08:00"' in page.content.decode()
    response = client.post("/rooms/new/", _room_form(demo.nanguanfang, "书画室"))
    room = Room.objects.get(place=demo.nanguanfang, name="书画室")
    assert response.status_code == 302 and response["Location"] == f"/rooms/{room.pk}/edit/"
    assert (room.capacity, room.max_hours, room.approval_required) == (16, 3, False)
    assert room.open_weekdays == [0, 1, 2, 3, 4, 5] and room.purposes == ["activity"]
    assert AuditEvent.objects.filter(action="bookings.room.create", object_id=str(room.pk))


def test_a_refused_room_keeps_what_was_typed(demo, english):
    from linli.bookings.models import Room

    client = english("secretary")
    before = Room.objects.count()
    taken = client.post("/rooms/new/", _room_form(demo.nanguanfang, "居民会客厅"))
    assert taken.status_code == 200 and Room.objects.count() == before
    assert "书法桌8张" in taken.content.decode()
    closes_early = client.post(
        "/rooms/new/", _room_form(demo.nanguanfang, "书画室", opens="20:00", closes="08:00")
    )
    assert "The room must close after it opens" in closes_early.content.decode()
    assert Room.objects.count() == before


def test_only_room_managers_add_rooms_and_only_where_they_run_them(demo, english):
    for username in ("resident", "volunteer", "district", "property"):
        assert english(username).get("/rooms/new/").status_code in (403, 404), username
    elsewhere = demo.place("平城区/清远街道/苹果园社区")
    response = english("secretary").post("/rooms/new/", _room_form(elsewhere, "外区活动室"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
