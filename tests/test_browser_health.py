"""On a phone: the clinic doctor opens a resident's health card, records a blood pressure of
185/115 and sees at once that an urgent alert was raised, on the card and in the alerts."""

import pytest

from tests.conftest import clear_demo_health

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}}


def _card():
    from linli.accounts.models import User
    from linli.health import services
    from linli.residents.models import Resident

    return services.card_create(
        actor=User.objects.get(username="doctor"),
        resident=Resident.objects.get(user__username="resident"),
        responsible_worker=User.objects.get(username="community"),
        conditions="高血压",
        emergency_name="周明",
        emergency_phone="13903529999",
    )


def test_the_doctor_records_an_urgent_blood_pressure_on_a_phone(
    live_server, demo_world_tx, browser
):
    clear_demo_health()
    card = _card()
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server.url, "doctor")
    page.goto(f"{live_server.url}/health/")
    page.locator(f"[data-testid=card][data-card='{card.pk}'] a").first.click()
    page.wait_for_url(f"**/health/cards/{card.pk}/")
    form = page.get_by_test_id("record-blood_pressure")
    form.locator("input[name=systolic]").fill("185")
    form.locator("input[name=diastolic]").fill("115")
    form.locator("input[name=pulse]").fill("96")
    page.get_by_test_id("submit-blood_pressure").click()
    page.wait_for_url(f"**/health/cards/{card.pk}/")
    alert = page.get_by_test_id("card-alerts").get_by_test_id("alert")
    assert alert.count() == 1
    assert alert.get_attribute("data-kind") == "urgent"
    assert alert.is_visible()
    reading = page.get_by_test_id("reading").first
    assert reading.get_attribute("data-level") == "urgent"
    assert "185/115" in reading.inner_text()
    chart = page.get_by_test_id("chart-blood-pressure")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 375
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server.url}/health/alerts/")
    listed = page.locator(f"[data-testid=alert][data-card='{card.pk}']")
    assert listed.get_attribute("data-kind") == "urgent"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
