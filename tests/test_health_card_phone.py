"""A resident's health card as the care team opens it on a phone (issue 14, items 2, 11 and
12): the readings come twenty a page, newest first, with a numbered pager; each value reads
with its unit and its precision (never "5.20000000000000"); a page costs a bounded number of
queries however many readings the card holds; and on a 390 px phone, in normal and in large
type, the card's pages do not scroll sideways and a reading takes two short lines, not five."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.health import services
from linli.health.models import ConsentScope, Level, Reading, ReadingKind, Source
from linli.health.views import READINGS_PER_PAGE
from linli.places.models import Organisation
from linli.residents.models import Resident

from .browser_helpers import WIDTH, phone

ELDER_CARE = "大同助老社区助老站"
STAFF = ["doctor", "community", "eldercare"]


def detail(card) -> str:
    return f"/health/cards/{card.pk}/"


def taken(html: str) -> list[str]:
    return re.findall(r'data-testid="reading-taken">([^<]+)<', html)


def values(html: str) -> list[str]:
    return re.findall(r'data-testid="reading-value">([^<]+)<', html)


@pytest.fixture
def card(demo, without_demo_health):
    """周桂兰's card with 45 readings, one a day (blood pressure, glucose, weight in turn),
    shared in full with the elder-care station."""
    doctor = demo.user("doctor")
    resident = Resident.objects.get(user=demo.user("resident"))
    card = services.card_create(
        actor=doctor, resident=resident, responsible_worker=demo.user("community")
    )
    now = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    values = [
        {"kind": ReadingKind.BLOOD_PRESSURE, "systolic": 128, "diastolic": 82, "pulse": 72},
        {"kind": ReadingKind.GLUCOSE, "glucose": Decimal("5.2"), "glucose_timing": "fasting"},
        {"kind": ReadingKind.WEIGHT, "weight_kg": Decimal("65"), "bmi": Decimal("25.39")},
    ]
    Reading.objects.bulk_create(
        Reading(
            card=card,
            compound_path=demo.nanguanfang.path,
            taken_at=now - timedelta(days=day),
            level=Level.NORMAL,
            source=Source.CLINIC,
            **values[day % 3],
        )
        for day in range(45)
    )
    services.consent_give(
        actor=doctor,
        card=card,
        organisation=Organisation.objects.get(name=ELDER_CARE),
        scope=ConsentScope.ALL,
    )
    return card


def _newest_first(card) -> list[str]:
    local = (timezone.localtime(r.taken_at) for r in card.readings.order_by("-taken_at"))
    return [t.strftime("%Y-%m-%d %H:%M") for t in local]


@pytest.mark.parametrize("username", STAFF)
def test_the_card_pages_its_readings_newest_first(english, card, username):
    client = english(username)
    expected = _newest_first(card)
    assert READINGS_PER_PAGE == 20 and len(expected) == 45
    html = client.get(detail(card)).content.decode()
    assert taken(html) == expected[:20]
    assert 'data-testid="pager"' in html and "Page 1 of 3" in html
    pager = html[html.index('data-testid="pager"') :]
    assert 'href="?page=2"' in pager and 'href="?page=3"' in pager and 'rel="next"' in pager
    second = client.get(detail(card), {"page": 2}).content.decode()
    assert taken(second) == expected[20:40] and "Page 2 of 3" in second
    last = client.get(detail(card), {"page": 3}).content.decode()
    assert taken(last) == expected[40:]
    # a page number past the end, or not a number, lands on a page that exists
    assert taken(client.get(detail(card), {"page": 99}).content.decode()) == expected[40:]
    assert taken(client.get(detail(card), {"page": "x"}).content.decode()) == expected[:20]


def test_every_value_reads_with_its_unit(english, card):
    shown = values(english("doctor").get(detail(card)).content.decode())
    assert "128/82 mmHg · pulse 72 bpm" in shown
    assert "5.2 mmol/L" in shown
    assert "65.0 kg · BMI 25.4" in shown
    assert not any(re.search(r"\d\.\d{3,}", value) for value in shown)
    assert all(re.search(r"mmHg|mmol/L|kg|cm", value) for value in shown)


def test_the_pager_keeps_the_other_parameters(english, card):
    html = english("doctor").get(detail(card), {"page": 2, "kind": "x"}).content.decode()
    pager = html[html.index('data-testid="pager"') :]
    assert "page=3" in pager and "kind=x" in pager


@pytest.mark.parametrize("username", STAFF)
def test_a_page_of_readings_costs_a_bounded_number_of_queries(
    english, demo, card, username, django_assert_max_num_queries
):
    client = english(username)
    client.get(detail(card))  # warm: the session, the translations
    with django_assert_max_num_queries(40):
        assert client.get(detail(card)).status_code == 200
    Reading.objects.bulk_create(
        Reading(
            card=card,
            compound_path=demo.nanguanfang.path,
            kind=ReadingKind.GLUCOSE,
            glucose=Decimal("6.1"),
            taken_at=timezone.now() - timedelta(days=100 + day),
            level=Level.NORMAL,
            source=Source.DEVICE,
        )
        for day in range(200)
    )
    for page in (1, 5, 13):
        with django_assert_max_num_queries(40):
            response = client.get(detail(card), {"page": page})
            assert response.status_code == 200 and len(taken(response.content.decode())) > 0


# -- on a phone --------------------------------------------------------------------------------


def _problems(tab, url, *, large: bool) -> list[str]:
    tab.goto(url)
    tab.wait_for_load_state()
    assert ("large-type" in (tab.locator("html").get_attribute("class") or "")) == large
    found = []
    width = tab.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        found.append(f"{url}: the page is {width} px wide")
    rows = tab.get_by_test_id("reading")
    if rows.count() == 0:
        found.append(f"{url}: no readings")
    for i in range(rows.count()):
        row = rows.nth(i)
        box = row.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > WIDTH:
            found.append(f"{url}: reading {i} spans {box['x']:.0f}–{box['x'] + box['width']:.0f}")
        if not large:
            # two lines: the value's and the time's (a table stacked cell by cell took five)
            value = row.get_by_test_id("reading-value").bounding_box()
            when = row.get_by_test_id("reading-taken").bounding_box()
            if when["y"] <= value["y"] or box["height"] > 3 * value["height"] + 24:
                found.append(f"{url}: reading {i} is {box['height']:.0f} px tall")
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_the_card_fits_a_phone_for_each_staff_role(live_server, demo_world_tx, browser, large):
    from linli.health.models import HealthCard

    card = HealthCard.objects.get(resident__user__username="resident")
    assert card.readings.count() > READINGS_PER_PAGE  # the demo's year of readings: two pages
    url = live_server.url
    problems = []
    for username in STAFF:  # the demo's 周桂兰 shares her whole card with the station
        context, tab = phone(browser, url, username, large=large)
        for page in ("", "?page=2"):
            problems += _problems(tab, f"{url}{detail(card)}{page}", large=large)
        pager = tab.get_by_test_id("pager")
        box = pager.bounding_box()
        if box["x"] + box["width"] > WIDTH:
            problems.append(f"{username}: the pager runs to {box['x'] + box['width']:.0f} px")
        context.close()
    assert not problems, problems
