"""/api/v1/rooms and /api/v1/bookings: the room list with its rules and calendar link, free
slots, requests (201, 409 for a taken slot, 400 with each rule's own code and message, 403
for who may not book) and the steps of a booking, per role."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.api.schemas import MAX_ID
from linli.bookings import services
from linli.bookings.models import Booking, BookingStatus, Purpose
from linli.core.actors import SYSTEM
from linli.places.services import place_create

pytestmark = pytest.mark.django_db
ROOMS = "/api/v1/rooms"
BOOKINGS = "/api/v1/bookings"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def english(client):
    """Messages are checked by their English ids: the language switch's cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client_for(client_for):
    return lambda username: english(client_for(username))


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` days from today, at the local time (the API goes through the real clock)."""
    tz = timezone.get_default_timezone()
    return datetime.combine(
        timezone.localdate() + timedelta(days=days), time(hour, minute), tzinfo=tz
    )


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def book(client, room, start, end, purpose="family_gathering", **extra):
    return post(
        client,
        f"{ROOMS}/{room.pk}/bookings",
        {"start": start.isoformat(), "end": end.isoformat(), "purpose": purpose, **extra},
    )


@pytest.fixture
def hall(demo):
    """A room of Nanguanfang open every day 08:00–21:00, with the usual rules."""
    return services.room_create(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        name="接口测试会客厅",
        name_en="API test hall",
        kind="reception_hall",
        capacity=40,
        facilities="投影仪、桌椅",
        opens=time(8),
        closes=time(21),
        open_weekdays=[0, 1, 2, 3, 4, 5, 6],
        purposes=["family_gathering", "wedding", "tutoring", "meeting"],
        max_days_ahead=30,
        min_notice_hours=24,
        max_hours=4,
        max_active_per_household=1,
        approval_required=True,
    )


def other_compound_resident(demo) -> User:
    compound = place_create(
        actor=SYSTEM, kind="compound", name="接口测试小区", parent=demo.zhandong
    )
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    unit = place_create(actor=SYSTEM, kind="unit", name="1单元", parent=building)
    door = place_create(actor=SYSTEM, kind="household", name="101", parent=unit)
    user = User.objects.create(username="api-elsewhere")
    grant_create(actor=SYSTEM, user=user, role="resident", place=door)
    return user


# -- rooms ----------------------------------------------------------------------------------


def test_room_list_with_place_filter_rules_and_ical_url(demo, hall, client_for):
    answer = client_for("community").get(ROOMS, {"place": demo.nanguanfang.pk, "limit": 500})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == len(body["items"])
    item = next(i for i in body["items"] if i["id"] == hall.pk)
    assert item["name"] == "接口测试会客厅"
    assert item["name_en"] == "API test hall"
    assert item["kind"] == "reception_hall"
    assert item["place"] == {"id": demo.nanguanfang.pk, "name": "南官房小区"}
    assert item["capacity"] == 40
    assert item["facilities"] == "投影仪、桌椅"
    assert item["opens"] == "08:00"
    assert item["closes"] == "21:00"
    assert item["open_weekdays"] == [0, 1, 2, 3, 4, 5, 6]
    assert item["purposes"] == ["family_gathering", "wedding", "tutoring", "meeting"]
    assert item["bookable_by"] == "residents"
    assert (item["max_days_ahead"], item["min_notice_hours"], item["max_hours"]) == (30, 24, 4)
    assert item["max_active_per_household"] == 1
    assert item["approval_required"] is True
    assert item["ical_url"] == f"http://testserver/rooms/{hall.pk}/calendar.ics"
    # another subtree leaves it out; an unknown place leaves nothing
    elsewhere = place_create(
        actor=SYSTEM, kind="compound", name="接口测试别处", parent=demo.zhandong
    )
    other = client_for("community").get(ROOMS, {"place": elsewhere.pk}).json()
    assert hall.pk not in [i["id"] for i in other["items"]]
    assert client_for("community").get(ROOMS, {"place": MAX_ID}).json()["count"] == 0


def test_rooms_are_seen_by_neighbours_and_overseers_only(demo, hall, client_for):
    for username in ("resident", "volunteer", "district"):
        ids = [i["id"] for i in client_for(username).get(ROOMS, {"limit": 500}).json()["items"]]
        assert hall.pk in ids, username
        assert client_for(username).get(f"{ROOMS}/{hall.pk}").status_code == 200
    for username in ("property", "doctor"):
        ids = [i["id"] for i in client_for(username).get(ROOMS, {"limit": 500}).json()["items"]]
        assert hall.pk not in ids, username
        assert client_for(username).get(f"{ROOMS}/{hall.pk}").status_code == 404


def test_room_get_unknown_or_out_of_range(hall, client_for):
    client = client_for("community")
    assert client.get(f"{ROOMS}/{hall.pk}").json()["id"] == hall.pk
    assert client.get(f"{ROOMS}/{MAX_ID}").status_code == 404
    assert client.get(f"{ROOMS}/{MAX_ID + 1}").status_code == 422
    assert client.get(f"{ROOMS}/0").status_code == 422


def test_unauthenticated_is_401(hall, client):
    assert client.get(ROOMS).status_code == 401
    assert client.get(BOOKINGS).status_code == 401


# -- slots ----------------------------------------------------------------------------------


def test_free_slots_leave_out_bookings(demo, hall, client_for):
    client = client_for("resident")
    day = at(3, 0).date().isoformat()
    url = f"{ROOMS}/{hall.pk}/slots"
    before = client.get(url, {"start": day, "end": day})
    assert before.status_code == 200
    assert [(s["start"][11:16], s["end"][11:16]) for s in before.json()] == [("08:00", "21:00")]
    assert before.json()[0]["start"].endswith("+08:00")
    assert book(client, hall, at(3, 10), at(3, 12)).status_code == 201
    after = client.get(url, {"start": day, "end": day}).json()
    assert [(s["start"][11:16], s["end"][11:16]) for s in after] == [
        ("08:00", "10:00"),
        ("12:00", "21:00"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (5, 3, "must not be before"),  # end before start
        (0, 90, "at most 62 days"),  # too long a range
    ],
)
def test_free_slots_bad_range(hall, client_for, start, end, words):
    answer = client_for("resident").get(
        f"{ROOMS}/{hall.pk}/slots",
        {"start": at(start, 0).date().isoformat(), "end": at(end, 0).date().isoformat()},
    )
    assert answer.status_code == 400  # a rule the schema cannot say (two fields)
    assert words in answer.json()["detail"]


def test_free_slots_malformed_dates(hall, client_for):
    client = client_for("resident")
    url = f"{ROOMS}/{hall.pk}/slots"
    assert client.get(url, {"start": "tomorrow", "end": "2031-01-01"}).status_code == 422
    far = client.get(url, {"start": "0001-01-01", "end": "0001-01-02"})
    assert far.status_code == 422
    assert "between the years" in far.json()["detail"]
    assert client.get(url).status_code == 422


# -- requests -------------------------------------------------------------------------------


def test_request_is_created_pending(demo, hall, client_for):
    answer = book(
        client_for("resident"),
        hall,
        at(3, 10),
        at(3, 12),
        title="孙子满月",
        attendees=20,
    )
    assert answer.status_code == 201
    body = answer.json()
    booking = Booking.objects.get(pk=body["id"])
    assert booking.booked_by == demo.user("resident")
    assert body["room"] == {
        "id": hall.pk,
        "name": "接口测试会客厅",
        "place": {"id": demo.nanguanfang.pk, "name": "南官房小区"},
    }
    assert body["status"] == "pending"
    assert body["purpose"] == "family_gathering"
    assert body["title"] == "孙子满月"
    assert body["attendees"] == 20
    assert body["mine"] is True
    assert body["steps"] == ["cancel"]
    assert datetime.fromisoformat(body["start"]) == at(3, 10)
    assert body["start"].endswith("+08:00")


def test_request_with_another_offset_is_the_same_moment(hall, client_for):
    start = at(3, 10).astimezone(UTC)
    answer = book(client_for("resident"), hall, start, start + timedelta(hours=2))
    assert answer.status_code == 201
    assert datetime.fromisoformat(answer.json()["start"]) == at(3, 10)


def test_a_worker_request_is_confirmed(hall, client_for):
    answer = book(client_for("volunteer"), hall, at(3, 10), at(3, 12), "tutoring")
    assert answer.status_code == 201
    assert answer.json()["status"] == "confirmed"


def test_taken_slot_is_409_with_the_clashing_time(hall, client_for):
    assert book(client_for("resident"), hall, at(3, 10), at(3, 12)).status_code == 201
    answer = book(client_for("volunteer"), hall, at(3, 11), at(3, 13), "tutoring")
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "slot_taken"
    assert "already taken" in body["detail"]
    assert at(3, 10).strftime("%Y-%m-%d 10:00") in body["detail"]
    assert Booking.objects.filter(room=hall).count() == 1


def _blackout(demo, hall):
    services.blackout_create(
        actor=demo.user("secretary"), room=hall, start=at(5, 9), end=at(5, 12), reason="线路检修"
    )


def _household_booking(demo, hall):
    assert book(_client(demo, "resident"), hall, at(3, 10), at(3, 12)).status_code == 201


def _client(demo, username):
    client = Client()
    client.force_login(demo.user(username))
    return english(client)


RULES = [
    # code, setup, start, end, words of the message
    ("too_early", None, lambda: (at(40, 10), at(40, 12)), "at most 30 days ahead"),
    ("too_late", None, lambda: (_soon(2), _soon(3)), "at least 24 hours ahead"),
    ("too_long", None, lambda: (at(3, 9), at(3, 14)), "at most 4 hours"),
    ("household_limit", _household_booking, lambda: (at(4, 10), at(4, 12)), "at most 1 at once"),
    ("blackout", _blackout, lambda: (at(5, 10), at(5, 11)), "线路检修"),
    ("opening_hours", None, lambda: (at(3, 19), at(3, 22)), "open from 08:00 to 21:00"),
]


def _soon(hours: int) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


@pytest.mark.parametrize(("code", "setup", "span", "words"), RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_refuses_with_400_and_its_own_message(
    demo, hall, client_for, code, setup, span, words
):
    if setup is not None:
        setup(demo, hall)
    before = Booking.objects.filter(room=hall).count()
    start, end = span()
    answer = book(client_for("resident"), hall, start, end)
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == code
    assert words in answer.json()["detail"]
    assert Booking.objects.filter(room=hall).count() == before


def test_rule_messages_differ(demo, hall, client_for):
    messages = set()
    for _code, setup, span, _words in RULES:
        if setup is not None:
            setup(demo, hall)
        start, end = span()
        detail = book(client_for("resident"), hall, start, end).json()["detail"]
        messages.add(detail)
    assert len(messages) == len(RULES)


def test_naive_time_is_refused_with_a_clear_message(hall, client_for):
    answer = post(
        client_for("resident"),
        f"{ROOMS}/{hall.pk}/bookings",
        {
            "start": at(3, 10).replace(tzinfo=None).isoformat(),
            "end": at(3, 12).replace(tzinfo=None).isoformat(),
            "purpose": "family_gathering",
        },
    )
    assert answer.status_code == 422
    assert "UTC offset" in answer.json()["detail"]
    assert not Booking.objects.filter(room=hall).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"purpose": "dancing"},
        {"start": "10:00"},
        {"start": "0001-01-01T00:00:00+10:00", "end": "0001-01-01T02:00:00+10:00"},
        {"start": "9999-12-31T23:00:00-23:00", "end": "9999-12-31T23:30:00-23:00"},
        {"attendees": 0},
        {"title": "x" * 121},
        {"title": "a\x00b"},
    ],
)
def test_malformed_requests_are_422(hall, client_for, payload):
    data = {
        "start": at(3, 10).isoformat(),
        "end": at(3, 12).isoformat(),
        "purpose": "family_gathering",
        **payload,
    }
    answer = post(client_for("resident"), f"{ROOMS}/{hall.pk}/bookings", data)
    assert answer.status_code == 422
    assert answer.json()["detail"]


def test_body_that_is_not_json_is_400(hall, client_for):
    answer = client_for("resident").post(
        f"{ROOMS}/{hall.pk}/bookings", "not json", content_type="application/json"
    )
    assert answer.status_code == 400


def test_over_capacity_is_400(hall, client_for):
    answer = book(client_for("resident"), hall, at(3, 10), at(3, 12), attendees=41)
    assert answer.status_code == 400
    assert answer.json()["code"] == "capacity"


def test_who_sees_the_room_but_may_not_book_it_gets_403(hall, client_for):
    answer = book(client_for("district"), hall, at(3, 10), at(3, 12), "meeting")
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_resident"
    assert "南官房小区" in answer.json()["detail"]
    assert not Booking.objects.filter(room=hall).exists()


@pytest.mark.parametrize("username", ["property", "elsewhere"])
def test_who_may_not_see_the_room_is_told_it_is_not_there(demo, hall, client_for, username):
    """No refusal that names the compound for someone to whom the room does not exist."""
    if username == "elsewhere":
        client = english(Client())
        client.force_login(other_compound_resident(demo))
    else:
        client = client_for(username)
    assert client.get(f"{ROOMS}/{hall.pk}").status_code == 404
    answer = book(client, hall, at(3, 10), at(3, 12), "meeting")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert not Booking.objects.filter(room=hall).exists()


def test_staff_only_room_is_403_for_a_resident(demo, hall, client_for):
    services.room_update(actor=demo.user("secretary"), room=hall, bookable_by="staff")
    answer = book(client_for("resident"), hall, at(3, 10), at(3, 12))
    assert answer.status_code == 403
    assert answer.json()["code"] == "staff_only"


def test_request_for_a_missing_or_inactive_room_is_404(demo, hall, client_for):
    assert book(client_for("district"), hall, at(3, 10), at(3, 12)).status_code == 403
    services.room_update(actor=demo.user("secretary"), room=hall, is_active=False)
    # who cannot see the room learns nothing of an inactive one
    assert book(client_for("property"), hall, at(3, 10), at(3, 12)).status_code == 404
    # who can is told it takes no bookings
    inactive = book(client_for("resident"), hall, at(3, 10), at(3, 12))
    assert inactive.status_code == 400
    assert inactive.json()["code"] == "inactive"
    client = client_for("resident")
    missing = post(
        client,
        f"{ROOMS}/{MAX_ID}/bookings",
        {"start": at(3, 10).isoformat(), "end": at(3, 12).isoformat(), "purpose": "other"},
    )
    assert missing.status_code == 404


# -- steps ----------------------------------------------------------------------------------


def _request(client, hall, day=3):
    answer = book(client, hall, at(day, 10), at(day, 12))
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def test_approve_flow(demo, hall, client_for):
    booking_id = _request(client_for("resident"), hall)
    volunteer = client_for("volunteer")
    assert volunteer.get(f"{BOOKINGS}/{booking_id}").json()["steps"] == [
        "approve",
        "decline",
        "cancel",
    ]
    approved = post(volunteer, f"{BOOKINGS}/{booking_id}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "confirmed"
    assert approved.json()["decided_at"]
    again = post(volunteer, f"{BOOKINGS}/{booking_id}/approve")
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_step"
    # the resident sees it confirmed
    assert client_for("resident").get(f"{BOOKINGS}/{booking_id}").json()["status"] == "confirmed"


def test_decline_needs_a_reason(hall, client_for):
    booking_id = _request(client_for("resident"), hall)
    volunteer = client_for("volunteer")
    assert post(volunteer, f"{BOOKINGS}/{booking_id}/decline").status_code == 422
    assert post(volunteer, f"{BOOKINGS}/{booking_id}/decline", {"reason": ""}).status_code == 422
    blank = post(volunteer, f"{BOOKINGS}/{booking_id}/decline", {"reason": "  "})
    assert blank.status_code == 422  # the schema's pattern: not only spaces
    assert blank.json()["errors"][0]["loc"] == ["body", "payload", "reason"]
    declined = post(volunteer, f"{BOOKINGS}/{booking_id}/decline", {"reason": "场地维修"})
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "场地维修"
    assert post(volunteer, f"{BOOKINGS}/{booking_id}/approve").status_code == 409


def test_cancel_by_the_booker_frees_the_slot(hall, client_for):
    resident = client_for("resident")
    booking_id = _request(resident, hall)
    cancelled = post(resident, f"{BOOKINGS}/{booking_id}/cancel", {"reason": "改期"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "改期"
    assert cancelled.json()["steps"] == []
    assert post(resident, f"{BOOKINGS}/{booking_id}/cancel", {}).status_code == 409
    assert book(client_for("volunteer"), hall, at(3, 10), at(3, 12), "tutoring").status_code == 201


def test_cancel_without_a_reason(hall, client_for):
    resident = client_for("resident")
    booking_id = _request(resident, hall)
    assert post(resident, f"{BOOKINGS}/{booking_id}/cancel", {}).json()["status"] == "cancelled"


@pytest.fixture
def today(demo, hall):
    """A confirmed booking of the resident that runs all of today (made three days ago)."""
    services.room_update(
        actor=demo.user("secretary"), room=hall, opens=time(0), closes=time(0), max_hours=24
    )
    start = at(0, 0)
    booking = services.booking_request(
        actor=demo.user("resident"),
        room=hall,
        start=start,
        end=start + timedelta(days=1),
        purpose=Purpose.FAMILY_GATHERING,
        now=start - timedelta(days=3),
    )
    services.booking_approve(
        actor=demo.user("volunteer"), booking=booking, now=start - timedelta(days=2)
    )
    return booking


def test_check_in_on_the_day(today, client_for):
    assert post(client_for("resident"), f"{BOOKINGS}/{today.pk}/check-in").status_code == 403
    assert post(client_for("resident"), f"{BOOKINGS}/{today.pk}/cancel").status_code == 409
    answer = post(client_for("volunteer"), f"{BOOKINGS}/{today.pk}/check-in")
    assert answer.status_code == 200
    assert answer.json()["status"] == "checked_in"
    assert answer.json()["checked_in_at"]
    assert post(client_for("volunteer"), f"{BOOKINGS}/{today.pk}/no-show").status_code == 409


def test_no_show_once_begun(today, client_for):
    for step in ("no-show", "check-in"):
        assert post(client_for("district"), f"{BOOKINGS}/{today.pk}/{step}").status_code == 403
    answer = post(client_for("secretary"), f"{BOOKINGS}/{today.pk}/no-show")
    assert answer.status_code == 200
    assert answer.json()["status"] == BookingStatus.NO_SHOW


def test_check_in_before_the_day_is_409(hall, client_for):
    booking_id = _request(client_for("resident"), hall)
    volunteer = client_for("volunteer")
    post(volunteer, f"{BOOKINGS}/{booking_id}/approve")
    answer = post(volunteer, f"{BOOKINGS}/{booking_id}/check-in")
    assert answer.status_code == 409
    assert answer.json()["code"] == "not_today"
    early = post(volunteer, f"{BOOKINGS}/{booking_id}/no-show")
    assert early.status_code == 409
    assert early.json()["code"] == "not_started"


# -- who sees what --------------------------------------------------------------------------


def test_resident_sees_own_bookings_only(demo, hall, client_for):
    mine = _request(client_for("resident"), hall)
    staff = book(client_for("volunteer"), hall, at(4, 10), at(4, 12), "tutoring").json()["id"]
    resident = client_for("resident")
    listed = resident.get(BOOKINGS, {"room": hall.pk}).json()
    assert [b["id"] for b in listed["items"]] == [mine]
    assert listed["count"] == 1
    assert resident.get(f"{BOOKINGS}/{staff}").status_code == 404
    assert post(resident, f"{BOOKINGS}/{staff}/cancel").status_code == 404
    assert post(resident, f"{BOOKINGS}/{mine}/approve").status_code == 403


def test_district_sees_but_may_not_approve(demo, hall, client_for):
    booking_id = _request(client_for("resident"), hall)
    district = client_for("district")
    listed = district.get(BOOKINGS, {"room": hall.pk}).json()
    assert [b["id"] for b in listed["items"]] == [booking_id]
    assert listed["items"][0]["booked_by"] == demo.user("resident").display_name
    assert listed["items"][0]["steps"] == []
    assert listed["items"][0]["mine"] is False
    for step in ("approve", "cancel"):
        assert post(district, f"{BOOKINGS}/{booking_id}/{step}").status_code == 403, step
    assert post(district, f"{BOOKINGS}/{booking_id}/decline", {"reason": "x"}).status_code == 403
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.PENDING


@pytest.mark.parametrize("username", ["property", "doctor"])
def test_others_see_no_bookings(hall, client_for, username):
    booking_id = _request(client_for("resident"), hall)
    client = client_for(username)
    assert booking_id not in [b["id"] for b in client.get(BOOKINGS).json()["items"]]
    assert client.get(f"{BOOKINGS}/{booking_id}").status_code == 404
    assert post(client, f"{BOOKINGS}/{booking_id}/approve").status_code == 404


def test_booking_filters(demo, hall, client_for):
    first = _request(client_for("resident"), hall, day=3)
    second = book(client_for("volunteer"), hall, at(5, 10), at(5, 12), "tutoring").json()["id"]
    community = client_for("community")

    def ids(**params):
        answer = community.get(BOOKINGS, {"room": hall.pk, **params})
        assert answer.status_code == 200, answer.json()
        return [b["id"] for b in answer.json()["items"]]

    assert ids() == [first, second]
    assert ids(status="pending") == [first]
    assert ids(status="confirmed") == [second]
    day4 = at(4, 0).date().isoformat()
    assert ids(**{"from": day4}) == [second]
    assert ids(to=day4) == [first]
    assert ids(**{"from": day4, "to": day4}) == []
    assert (
        client_for("volunteer")
        .get(BOOKINGS, {"room": hall.pk, "mine": True})
        .json()["items"][0]["id"]
        == second
    )
    assert community.get(BOOKINGS, {"status": "dancing"}).status_code == 422
    assert community.get(BOOKINGS, {"from": "0001-01-01"}).status_code == 422
    assert community.get(BOOKINGS, {"room": MAX_ID + 1}).status_code == 422


def test_step_on_missing_booking_is_404_or_422(client_for):
    volunteer = client_for("volunteer")
    assert post(volunteer, f"{BOOKINGS}/{MAX_ID}/approve").status_code == 404
    assert post(volunteer, f"{BOOKINGS}/{MAX_ID + 1}/approve").status_code == 422


def test_the_desk_books_for_a_household_it_names(demo, hall, client_for):
    from linli.residents.models import Household

    flat = Household.objects.get(
        place__name_path="平城区/鹿苑街道/站东社区/南官房小区/3号楼/2单元/402"
    )
    response = book(
        client_for("community"), hall, at(3, 10), at(3, 12), household=flat.pk, title="寿宴"
    )
    assert response.status_code == 201, response.content
    assert Booking.objects.get(pk=response.json()["id"]).household == flat
    # A resident books for their own household only; a household they cannot see is 404.
    own = Household.objects.get(place=demo.resident_household)
    mine = book(client_for("resident"), hall, at(4, 10), at(4, 12), household=own.pk)
    assert mine.status_code == 201
    assert Booking.objects.get(pk=mine.json()["id"]).household == own
    other = book(client_for("resident"), hall, at(5, 10), at(5, 12), household=flat.pk)
    assert other.status_code == 404
    assert (
        book(client_for("community"), hall, at(6, 10), at(6, 12), household=99_999_999).status_code
        == 404
    )
