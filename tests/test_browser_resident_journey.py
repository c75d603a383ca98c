"""A resident's week on a 390×844 phone, in normal and in large type (issue 14): from the
home page she reports a problem with a photo through the duplicate warning, books the hall,
asks to borrow an item and supports a neighbour's proposal — every page fitting the screen;
and each staff role opens its workbench and follows each count to its list."""

import io
from datetime import time, timedelta

import pytest
from django.utils import timezone

from .lifecycle_matrix import DEMO_USERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG")
    return out.getvalue()


def _phone(browser, url, username, *, large):
    context = browser.new_context(viewport=PHONE)
    if large:
        context.add_cookies([{"name": "linli_large_type", "value": "1", "url": url}])
    tab = context.new_page()
    tab.goto(f"{url}/accounts/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", "linli-demo")
    tab.get_by_test_id("sign-in").click()
    tab.wait_for_load_state()
    return context, tab


def _fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _hall():
    from linli.accounts.models import User
    from linli.bookings import services
    from linli.places.models import Place

    return services.room_create(
        actor=User.objects.get(username="secretary"),
        place=Place.objects.get(name_path="平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"),
        name="旅程测试会客厅",
        kind="reception_hall",
        opens=time(8),
        closes=time(21),
        open_weekdays=[0, 1, 2, 3, 4, 5, 6],
        max_days_ahead=30,
        min_notice_hours=0,
        approval_required=False,
    )


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_a_resident_reports_books_borrows_and_supports_on_a_phone(
    live_server, demo_world_tx, browser, settings, tmp_path, large
):
    from linli.accounts.models import User
    from linli.meetings.models import ProposalSupport

    settings.MEDIA_ROOT = tmp_path
    hall = _hall()
    resident = User.objects.get(username="resident")
    # she has not yet supported her neighbours' proposals
    ProposalSupport.objects.filter(user=resident).delete()
    context, tab = _phone(browser, live_server.url, "resident", large=large)
    base = live_server.url

    # report a problem, with a photo, through the duplicate warning
    tab.get_by_test_id("quick-actions").get_by_role("button", name="反映问题").click()
    tab.wait_for_url("**/orders/new/**")
    tab.select_option("select[name=category]", label="公共设施/楼道照明")
    tab.fill("input[name=title]", "6栋1单元楼道灯又不亮了")
    tab.set_input_files(
        "input[name=photos]", {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    tab.get_by_test_id("file-order").click()
    assert tab.get_by_test_id("duplicates").is_visible()
    assert "lamp.jpg" in tab.content() and _fits(tab)
    tab.get_by_test_id("file-order").click()
    tab.wait_for_url("**/orders/*/")
    assert tab.locator(".photos img").count() == 1 and _fits(tab)

    # book the hall, three days ahead, from its week
    day = timezone.localdate() + timedelta(days=3)
    tab.get_by_test_id("tab-bar").get_by_role("link", name="预约").click()
    tab.get_by_role("link", name="旅程测试会客厅").click()
    tab.goto(f"{base}/rooms/{hall.pk}/?view=week&date={day:%Y-%m-%d}")
    assert _fits(tab)
    tab.locator(f"[data-testid=cal-day][data-date='{day:%Y-%m-%d}']").get_by_test_id(
        "free-slot"
    ).first.get_by_role("link").click()
    tab.select_option("select[name=purpose]", "family_gathering")
    tab.fill("input[name=title]", "老伴生日")
    tab.fill("input[name=attendees]", "12")
    assert _fits(tab)
    tab.get_by_test_id("submit-booking").click()
    tab.wait_for_url("**/bookings/*/")
    assert tab.get_by_test_id("status").get_attribute("data-status") == "confirmed"

    # ask to borrow a waist drum (she has the chess set already)
    tab.get_by_test_id("tab-bar").get_by_role("link", name="借用").click()
    tab.get_by_role("link", name="腰鼓").first.click()
    assert _fits(tab)
    tab.get_by_test_id("submit-request").click()
    tab.wait_for_load_state()
    assert tab.locator(".message-success").count() == 1

    # support a neighbour's proposal
    tab.goto(f"{base}/")
    tab.get_by_test_id("quick-actions").get_by_role("button", name="居民提议").click()
    before = tab.get_by_test_id("support").count()
    assert before >= 1 and _fits(tab)
    tab.get_by_test_id("support").first.click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("support").count() == before - 1

    # and all of it waits for her on her home page
    tab.get_by_test_id("tab-bar").get_by_role("link", name="首页").click()
    matters = tab.get_by_test_id("open-items").inner_text()
    assert "6栋1单元楼道灯又不亮了" in matters and "旅程测试会客厅" in matters
    assert "腰鼓" in matters
    context.close()


def test_each_staff_role_follows_its_workbench_counts_on_a_phone(
    live_server, demo_world_tx, browser
):
    for username in DEMO_USERS:
        if username == "resident":
            continue
        context, tab = _phone(browser, live_server.url, username, large=False)
        counts = tab.get_by_test_id("work-counts").locator("a")
        for index in range(counts.count()):
            link = tab.get_by_test_id("work-counts").locator("a").nth(index)
            response_url = link.get_attribute("href")
            link.click()
            tab.wait_for_load_state()
            assert tab.url.endswith(response_url.replace("&amp;", "&")), (username, response_url)
            assert tab.locator("h1").count() == 1, (username, response_url)
            assert _fits(tab), (username, response_url)
            tab.go_back()
            tab.wait_for_load_state()
        context.close()
