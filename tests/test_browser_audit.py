"""The audit log and its numbered pager on a 390×844 phone, in normal and large type (issue
14, item 10): no sideways scroll with the filters, the table and the pager; the jump takes
the administrator to the page typed, keeping the filter."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_the_audit_log_fits_a_phone_and_jumps_to_a_page(live_server, demo_world_tx, browser, large):
    from linli.accounts.models import User
    from linli.core.audit import audit_record
    from linli.places.models import Place

    admin = User.objects.get(username="district")
    compound = Place.objects.get(name_path="平城区/鹿苑街道/站东社区/南官房小区")
    for _ in range(260):
        audit_record(actor=admin, action="place.update", obj=compound)
    url = live_server.url
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    if large:
        context.add_cookies([{"name": "linli_large_type", "value": "1", "url": url}])
    tab = context.new_page()
    tab.goto(f"{url}/accounts/login/")
    tab.fill("input[name=username]", "district")
    tab.fill("input[name=password]", "linli-demo")
    tab.get_by_test_id("sign-in").click()
    tab.wait_for_load_state()

    tab.goto(f"{url}/accounts/audit/?action=place.update&page=3")
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    pager = tab.get_by_test_id("pager")
    assert pager.locator('[aria-current="page"]').inner_text() == "3"
    tab.fill(".pager-jump input[name=page]", "5")
    tab.locator(".pager-jump button").click()
    tab.wait_for_load_state()
    assert "page=5" in tab.url and "action=place.update" in tab.url
    assert tab.get_by_test_id("pager").locator('[aria-current="page"]').inner_text() == "5"
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # A bad day is told on the page, not a 500.
    tab.goto(f"{url}/accounts/audit/?since=2026-02-31")
    assert tab.get_by_test_id("filter-errors").is_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
