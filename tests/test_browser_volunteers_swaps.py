"""On a 390 px phone: the demo volunteer takes a shift offered for a swap (awaiting the duty
managers), opens the rota of this week and next and the absences; the branch secretary
approves a swap waiting for the duty managers and sees the rota with its households' turns;
a resident sees the rota; nothing scrolls sideways."""

import pytest

from .browser_helpers import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_swaps_and_the_rota_on_a_phone(live_server, demo_world_tx, browser):
    context, tab = phone(browser, live_server.url, "volunteer")
    tab.goto(f"{live_server.url}/volunteers/swaps/")
    _fits(tab)
    offers = tab.get_by_test_id("open-swap").count()
    assert offers > 0
    tab.get_by_test_id("take").first.click()
    tab.wait_for_load_state()
    # the group asks for the duty managers' approval: taken, awaiting them
    tab.goto(f"{live_server.url}/volunteers/swaps/")
    assert tab.get_by_test_id("open-swap").count() == offers - 1
    tab.goto(f"{live_server.url}/volunteers/")
    _fits(tab)
    for path in ("/volunteers/rota/", "/volunteers/absences/"):
        tab.goto(f"{live_server.url}{path}")
        _fits(tab)
    tab.goto(f"{live_server.url}/volunteers/rota/")
    assert tab.get_by_test_id("rota-shift").count() > 0
    context.close()
    context, tab = phone(browser, live_server.url, "secretary")
    tab.goto(f"{live_server.url}/volunteers/swaps/")
    _fits(tab)
    approvals = tab.get_by_test_id("swap-approval").count()
    assert approvals > 0
    tab.get_by_test_id("approve").first.click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("swap-approval").count() == approvals - 1
    tab.goto(f"{live_server.url}/volunteers/rota/")
    _fits(tab)
    assert tab.get_by_test_id("rota-turn").count() > 0
    context.close()
    context, tab = phone(browser, live_server.url, "resident")
    tab.goto(f"{live_server.url}/volunteers/rota/")
    _fits(tab)
    assert tab.get_by_test_id("rota-turn").count() > 0
    context.close()
