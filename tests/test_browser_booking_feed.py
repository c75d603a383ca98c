"""On a 390 px phone, in normal and in large type (issue 14, item 11): the private calendar
link on "my bookings" wraps inside the screen instead of pushing the page sideways, can be
selected whole, and its copy button copies it."""

import pytest

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


def _check_fits(tab):
    block = tab.get_by_test_id("feed-block")
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    link = tab.get_by_test_id("private-feed")
    assert ".ics" in link.inner_text()
    link_box = link.bounding_box()
    assert link_box["x"] + link_box["width"] <= 390, link_box
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    # One tap selects the whole link, to copy it by hand where the button cannot.
    assert link.evaluate("el => getComputedStyle(el).userSelect") == "all"


def test_the_calendar_link_fits_a_phone_in_both_modes(live_server, demo_world_tx, browser):
    context = browser.new_context(**PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    tab = context.new_page()
    sign_in(tab, live_server.url, "resident")
    tab.goto(f"{live_server.url}/bookings/mine/")
    assert "large-type" not in (tab.locator("html").get_attribute("class") or "")
    _check_fits(tab)

    tab.get_by_test_id("large-type").click()
    tab.wait_for_load_state()
    tab.goto(f"{live_server.url}/bookings/mine/")
    assert "large-type" in (tab.locator("html").get_attribute("class") or "")
    _check_fits(tab)

    url = tab.get_by_test_id("private-feed").inner_text().strip()
    button = tab.get_by_test_id("copy-feed")
    label = button.inner_text()
    button.click()
    tab.wait_for_function(
        "label => document.querySelector('[data-testid=copy-feed]').innerText !== label", arg=label
    )
    assert tab.evaluate("navigator.clipboard.readText()") == url
    context.close()
