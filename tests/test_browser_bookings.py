"""On a phone: a resident opens a room's week (a list of days on a narrow screen), taps a
free slot, books it and finds it among their bookings."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}}


def _room():
    from linli.accounts.models import User
    from linli.bookings import services
    from linli.places.models import Place

    return services.room_create(
        actor=User.objects.get(username="secretary"),
        place=Place.objects.get(name_path="平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"),
        name="浏览器测试会客厅",
        kind="reception_hall",
        opens=time(8),
        closes=time(21),
        open_weekdays=[0, 1, 2, 3, 4, 5, 6],
        min_notice_hours=24,
        max_hours=3,
    )


def test_a_resident_books_a_free_slot_on_a_phone(live_server, demo_world_tx, browser):
    room = _room()
    day = timezone.localdate() + timedelta(days=3)
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server.url, "resident")
    page.goto(f"{live_server.url}/rooms/")
    page.get_by_role("link", name="浏览器测试会客厅").click()
    page.wait_for_url(f"**/rooms/{room.pk}/")
    page.goto(f"{live_server.url}/rooms/{room.pk}/?view=week&date={day:%Y-%m-%d}")
    week = page.locator(".cal-week")
    assert week.evaluate("el => getComputedStyle(el).display") == "block"
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    days = page.get_by_test_id("cal-day")
    assert days.count() == 7
    slot = page.locator(f"[data-testid=cal-day][data-date='{day:%Y-%m-%d}']").get_by_test_id(
        "free-slot"
    )
    slot.first.get_by_role("link").click()
    page.wait_for_url(f"**/rooms/{room.pk}/book/**")
    assert page.input_value("input[name=date]") == f"{day:%Y-%m-%d}"
    assert page.input_value("input[name=start_time]") == "08:00"
    assert page.input_value("input[name=end_time]") == "11:00"
    page.select_option("select[name=purpose]", "family_gathering")
    page.fill("input[name=title]", "孙女生日")
    page.fill("input[name=attendees]", "15")
    page.get_by_test_id("submit-booking").click()
    page.wait_for_url("**/bookings/*/")
    assert page.get_by_test_id("status").get_attribute("data-status") == "pending"
    page.goto(f"{live_server.url}/bookings/mine/")
    mine = page.get_by_test_id("upcoming").inner_text()
    assert "孙女生日" in mine and "浏览器测试会客厅" in mine
    assert f"{day:%Y-%m-%d} 08:00" in mine
