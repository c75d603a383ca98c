"""On a 390 px phone, in normal and in large type (issue 15, items 2 and 4): the community
worker records a consultation from the counter's quick form, reads the desk's list and a
consultation's page with its two conversions; the resident starts a case online from the
matter's page and sees what to bring; nothing scrolls sideways."""

import pytest

from .browser_helpers import PHONE, WIDTH, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_consultations_and_online_cases_on_a_phone(live_server, demo_world_tx, browser):
    from linli.residents.models import Resident
    from linli.servicedesk.models import Consultation, Matter

    resident = Resident.objects.get(user__username="resident")
    open_one = Consultation.objects.filter(case__isnull=True, work_order__isnull=True).first()
    matter = Matter.objects.get(current__name="老年人优待证办理")
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    sign_in(tab, live_server.url, "community")
    for large in (False, True):
        if large:
            tab.get_by_test_id("large-type").click()
            tab.wait_for_load_state()
        tab.goto(f"{live_server.url}/servicedesk/desk/?resident={resident.pk}")
        form = tab.get_by_test_id("consult-form")
        form.locator("textarea[name=question]").fill("优待证丢了怎么补办？")
        form.locator("textarea[name=answer]").fill("带身份证和照片到服务台补办。")
        _fits(tab)
        tab.get_by_test_id("consult-submit").click()
        tab.wait_for_load_state()
        assert tab.url.endswith("/servicedesk/desk/")
        tab.goto(f"{live_server.url}/servicedesk/consultations/")
        assert tab.get_by_test_id("consultation-row").count() >= 10
        _fits(tab)
        tab.goto(f"{live_server.url}/servicedesk/consultations/{open_one.pk}/")
        assert tab.get_by_test_id("to-order-submit").count() == 1
        _fits(tab)
    assert Consultation.objects.filter(resident=resident).count() >= 4
    context.close()

    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    sign_in(tab, live_server.url, "resident")
    tab.goto(f"{live_server.url}/servicedesk/matters/{matter.code}/")
    tab.get_by_test_id("start-case").click()
    tab.wait_for_load_state()
    _fits(tab)
    tab.get_by_test_id("start-submit").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("bring-hint").count() == 1
    assert tab.get_by_test_id("case-material").count() >= 1
    _fits(tab)
    tab.goto(f"{live_server.url}/servicedesk/cases/mine/")
    assert tab.get_by_test_id("my-consultation").count() >= 2
    _fits(tab)
    context.close()
