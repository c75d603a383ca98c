"""A booking's page speaks to whoever reads it (issue 14, item 7): the resident who booked
reads "my bookings" and "the room is yours"; the worker who approved it reads whose booking
it is — the booker's name, their number masked — and never that the room is theirs."""

import pytest

from linli.residents.models import Household

from .test_booking_pages import at, book, make_room, page

pytestmark = pytest.mark.django_db

YOURS = "该时段的场地归您使用"
MY_BOOKINGS = "我的预约"


@pytest.fixture
def approved(demo, client_for):
    hall = make_room(demo)
    booking = book(demo.user("resident"), hall, at(3, 10), at(3, 12), title="孙子满月宴")
    response = client_for("secretary").post(f"/bookings/{booking.pk}/action/", {"step": "approve"})
    assert response.status_code == 302
    return booking


def test_the_worker_who_approved_is_told_whose_booking_it_is(approved, client_for):
    html = page(client_for("secretary"), f"/bookings/{approved.pk}/")
    assert "已确认" in html
    assert YOURS not in html
    assert MY_BOOKINGS not in html
    assert "周桂兰" in html
    assert "139****0006" in html and "13903520006" not in html
    assert "/bookings/desk/" in html  # back to the desk, not to "my bookings"


def test_the_resident_who_booked_is_told_it_is_theirs(approved, client_for):
    html = page(client_for("resident"), f"/bookings/{approved.pk}/")
    assert YOURS in html
    assert MY_BOOKINGS in html
    assert "139****0006" not in html


def test_a_pending_booking_reads_for_staff_as_the_bookers(demo, english):
    hall = make_room(demo)
    booking = book(demo.user("resident"), hall, at(4, 10), at(4, 12), title="读书会")
    staff = page(english("volunteer"), f"/bookings/{booking.pk}/")
    assert "the time is held for 周桂兰" in staff
    assert "held for you" not in staff and "My bookings" not in staff
    district = page(english("district"), f"/bookings/{booking.pk}/")
    assert "held for you" not in district and "My bookings" not in district
    assert "/bookings/desk/" not in district  # the district oversees, it runs no desk
    own = page(english("resident"), f"/bookings/{booking.pk}/")
    assert "The time is held for you" in own and "My bookings" in own


def test_a_booking_made_at_the_desk_for_a_household_names_the_household(demo, client_for):
    hall = make_room(demo)
    booking = book(
        demo.user("volunteer"),
        hall,
        at(5, 10),
        at(5, 12),
        title="代订家宴",
        household=Household.objects.get(place=demo.resident_household),
    )
    html = page(client_for("volunteer"), f"/bookings/{booking.pk}/")
    assert YOURS not in html and MY_BOOKINGS not in html
    assert "6号楼1单元101" in html
