"""On a 390 px phone: the demo volunteer signs up for an open shift and finds it among her
shifts; the branch secretary's duty board with its gaps; nothing scrolls sideways."""

import pytest

from .browser_helpers import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_volunteer_pages_on_a_phone(live_server, demo_world_tx, browser):
    context, tab = phone(browser, live_server.url, "volunteer")
    tab.goto(f"{live_server.url}/volunteers/")
    before = tab.get_by_test_id("my-shift").count()
    tab.goto(f"{live_server.url}/volunteers/shifts/")
    _fits(tab)
    tab.get_by_test_id("sign-up").first.click()
    tab.wait_for_load_state()
    tab.goto(f"{live_server.url}/volunteers/")
    assert tab.get_by_test_id("my-shift").count() == before + 1
    _fits(tab)
    context.close()
    context, tab = phone(browser, live_server.url, "secretary")
    for path in ("/volunteers/board/", "/volunteers/people/", "/volunteers/applications/"):
        tab.goto(f"{live_server.url}{path}")
        _fits(tab)
    tab.goto(f"{live_server.url}/volunteers/board/")
    assert tab.get_by_test_id("board-shift").count() > 0
    context.close()
