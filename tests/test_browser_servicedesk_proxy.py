"""On a 390 px phone: the desk worker opens a 代办 of the demo whose original the desk still
holds, signs for its return with a finger on the signature pad (our own, no inline script),
and the case may then be closed; the record, the form and the case page never scroll
sideways."""

import pytest

from .browser_helpers import PHONE, WIDTH, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_return_signed_on_the_phone(live_server, demo_world_tx, browser):
    from linli.servicedesk.models import OriginalCustody, ProxyAuthorisation

    line = OriginalCustody.objects.select_related("proxy").get(returned_at__isnull=True)
    proxy = line.proxy
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    errors = []
    tab.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(tab, live_server.url, "community")
    tab.goto(f"{live_server.url}/servicedesk/cases/{proxy.case_id}/")
    assert tab.get_by_test_id("proxy-section").is_visible()
    _fits(tab)
    tab.get_by_test_id("proxy-link").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("custody-held").is_visible()
    _fits(tab)
    tab.get_by_test_id("return-open").click()
    canvas = tab.locator("[data-signature-canvas]").first
    assert canvas.is_visible()  # the pad shows once its script ran
    _fits(tab)
    box = canvas.bounding_box()
    assert box["width"] <= WIDTH
    tab.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    tab.mouse.down()
    for step in range(1, 12):
        tab.mouse.move(box["x"] + 20 + step * 20, box["y"] + box["height"] / 2 + (-1) ** step * 15)
    tab.mouse.up()
    value = tab.locator("[data-signature-value]").first.input_value()
    assert value.startswith("data:image/png;base64,")
    tab.get_by_test_id("return-submit").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("custody-held").count() == 0
    assert tab.get_by_test_id("custody-returned").count() >= 1
    _fits(tab)
    line.refresh_from_db()
    assert line.returned_at is not None and line.returned_signature.method == "drawn"
    for sheet in ("letter", "custody"):
        tab.goto(f"{live_server.url}/servicedesk/proxies/{proxy.pk}/print/{sheet}/")
        assert tab.get_by_test_id("print-title").is_visible()
        _fits(tab)
    pending = ProxyAuthorisation.objects.get(case__place=proxy.case.place, status="pending")
    tab.goto(f"{live_server.url}/servicedesk/proxies/{pending.pk}/")
    assert tab.get_by_test_id("check-form").is_visible()
    _fits(tab)
    assert not errors, errors
    context.close()
