"""On a 390 px phone: the demo resident (周桂兰) finds the upcoming reading club among the
events with her registration, cancels it and registers again; the branch secretary's
registrations list and the new-event form; nothing scrolls sideways."""

import pytest

from .browser_helpers import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_event_pages_on_a_phone(live_server, demo_world_tx, browser):
    from linli.events.models import Event

    club = Event.objects.get(title="南官房小区读书会", series__isnull=True)
    context, tab = phone(browser, live_server.url, "resident")
    tab.goto(f"{live_server.url}/events/")
    _fits(tab)
    assert tab.get_by_test_id("mine").count() == 1
    tab.goto(f"{live_server.url}/events/{club.pk}/")
    _fits(tab)
    tab.get_by_test_id("cancel").click()
    tab.wait_for_load_state()
    tab.get_by_test_id("do-register").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("my-registration").count() == 1
    tab.goto(f"{live_server.url}/events/mine/")
    _fits(tab)
    context.close()
    context, tab = phone(browser, live_server.url, "secretary")
    for path in (f"/events/{club.pk}/registrations/", "/events/new/", f"/events/{club.pk}/"):
        tab.goto(f"{live_server.url}{path}")
        _fits(tab)
    context.close()
