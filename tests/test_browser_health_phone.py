"""On a 390×844 phone, in normal and in large type (issue 14, item 11): no health page scrolls
sideways, and the trend charts scale to the screen — in large type the chart was 399 px wide
on a 390 px phone. The resident's "my health" and who looked, the doctor's list of cards, a
card with a year of readings, the work lists and the free clinics."""

import pytest

from .browser_helpers import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def problems_on(tab, url: str, *, large: bool) -> list[str]:
    tab.goto(url)
    tab.wait_for_load_state()
    found = []
    classes = tab.locator("html").get_attribute("class") or ""
    assert ("large-type" in classes) == large, (url, classes)
    width = tab.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        found.append(f"{url}: the page is {width} px wide")
    charts = tab.locator("svg.health-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > WIDTH:
            found.append(f"{url}: chart {i} spans {box['x']:.0f}–{box['x'] + box['width']:.0f}")
        if box["height"] < 80:
            found.append(f"{url}: chart {i} squashed to {box['height']:.0f} px")
    return found


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_no_health_page_scrolls_sideways_on_a_phone(live_server, demo_world_tx, browser, large):
    from linli.health.models import ClinicEvent, HealthCard

    card = HealthCard.objects.get(resident__user__username="resident")
    assert card.readings.count() > 20  # a year of the demo's readings: charts and pages
    clinic = ClinicEvent.objects.order_by("start").first()
    url = live_server.url
    problems = []
    context, tab = phone(browser, url, "resident", large=large)
    for path in ["/health/me/", "/health/me/?page=2", "/health/me/looks/", "/health/clinics/"]:
        problems += problems_on(tab, f"{url}{path}", large=large)
    if clinic is not None:
        problems += problems_on(tab, f"{url}/health/clinics/{clinic.pk}/", large=large)
    # The charts are on "my health", one per kind of reading.
    tab.goto(f"{url}/health/me/")
    assert tab.locator("svg.health-chart").count() >= 2
    context.close()

    context, tab = phone(browser, url, "doctor", large=large)
    paths = [
        "/health/",
        f"/health/cards/{card.pk}/",
        f"/health/cards/{card.pk}/?page=2",
        "/health/alerts/",
        "/health/follow-ups/",
        "/health/my-residents/",
    ]
    if clinic is not None:
        paths += [f"/health/clinics/{clinic.pk}/day/", f"/health/clinics/{clinic.pk}/report/"]
    for path in paths:
        problems += problems_on(tab, f"{url}{path}", large=large)
    context.close()
    assert not problems, problems
