"""On a 390 px phone, in normal and in large type (issue 14, item 8): the demo resident opens
the overdue wheelchair — no borrow form, what to expect instead and their place on the wait
list — and the volunteer's desk shows the wait list; each follows it to the entry's own page
with its timeline; nothing scrolls sideways."""

import pytest

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_wait_list_on_a_phone(live_server, demo_world_tx, browser):
    from linli.lending.models import Item

    wheelchair = Item.objects.get(name="轮椅")
    for username, check in (("resident", "my-wait"), ("volunteer", "wait-list")):
        context = browser.new_context(**PHONE)
        tab = context.new_page()
        sign_in(tab, live_server.url, username)
        for large in (False, True):
            if large:
                tab.get_by_test_id("large-type").click()
                tab.wait_for_load_state()
            tab.goto(f"{live_server.url}/lending/items/{wheelchair.pk}/")
            assert ("large-type" in (tab.locator("html").get_attribute("class") or "")) is large
            assert tab.get_by_test_id(check).is_visible()
            if username == "resident":
                assert tab.get_by_test_id("submit-request").count() == 0
                assert "逾期" in tab.get_by_test_id("none-free").inner_text() or (
                    "overdue" in tab.get_by_test_id("none-free").inner_text()
                )
                assert tab.get_by_test_id("leave-wait").is_visible()
            _fits(tab)
            if username == "volunteer":
                tab.goto(f"{live_server.url}/lending/desk/")
                assert "周桂兰" in tab.get_by_test_id("desk-waits").inner_text()
                _fits(tab)
                tab.get_by_test_id("desk-waits").locator('a[href^="/lending/waits/"]').click()
            else:
                # from the home page's open matters to the entry's own page
                tab.goto(f"{live_server.url}/")
                tab.get_by_test_id("open-waits").get_by_role("link").first.click()
            tab.wait_for_load_state()
            assert "/lending/waits/" in tab.url
            assert tab.get_by_test_id("timeline").locator("li").count() >= 1
            assert tab.get_by_test_id("wait-leave").is_visible()
            _fits(tab)
        context.close()
