"""On a 390 px phone, in normal and in large type (issue 15, item 2): the community worker
finds the demo resident at the counter, opens their case waiting for materials with its
checklist and timeline, and prints the 一次告知单; the resident finds their cases and the
receipt of the one accepted; nothing scrolls sideways."""

import pytest

from .browser_helpers import PHONE, WIDTH, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_cases_on_a_phone(live_server, demo_world_tx, browser):
    from linli.servicedesk.models import Case

    waiting = Case.objects.get(resident__user__username="resident", status="incomplete")
    done = Case.objects.get(resident__user__username="resident", status="done")
    for username in ("community", "resident"):
        context = browser.new_context(viewport=PHONE)
        tab = context.new_page()
        sign_in(tab, live_server.url, username)
        for large in (False, True):
            if large:
                tab.get_by_test_id("large-type").click()
                tab.wait_for_load_state()
            if username == "community":
                tab.goto(f"{live_server.url}/servicedesk/desk/?q=周桂兰")
                assert tab.get_by_test_id("resident-pick").count() >= 1
                _fits(tab)
                tab.goto(f"{live_server.url}/servicedesk/cases/{waiting.pk}/")
                assert tab.get_by_test_id("tick").count() >= 1
            else:
                tab.goto(f"{live_server.url}/servicedesk/cases/mine/")
                assert tab.get_by_test_id("case-row").count() == 2
                _fits(tab)
                tab.get_by_test_id("case-row").filter(has_text=waiting.number).get_by_role(
                    "link"
                ).click()
                tab.wait_for_load_state()
                assert tab.get_by_test_id("tick").count() == 0
            assert tab.get_by_test_id("timeline").locator("li").count() >= 2
            _fits(tab)
            tab.get_by_test_id("missing-link").click()
            tab.wait_for_load_state()
            assert tab.get_by_test_id("missing-name").count() >= 1
            _fits(tab)
            tab.goto(f"{live_server.url}/servicedesk/cases/{done.pk}/receipt/")
            assert done.number in tab.get_by_test_id("receipt").inner_text()
            _fits(tab)
        context.close()
