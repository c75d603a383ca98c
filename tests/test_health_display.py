"""Readings as people read them (issue 14, items 2 and 12): every value with its precision and
unit on every page that shows it — the glucose in the list of cards read "5.20000000000000"
with no unit — the charts' axes at round values that sit where the reference lines are, and
"my health" short: the latest reading of each kind and who looked at the card first, then
ten readings a page, with everyone who looked on a page of its own."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from linli.health import charts, display, selectors, services
from linli.health.models import GlucoseTiming, Level, Reading, ReadingKind, Source
from linli.residents.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_health_records(without_demo_health):
    """These tests make their own card for 周桂兰 (the demo world's are set aside)."""


@pytest.fixture
def card(demo):
    return services.card_create(
        actor=demo.user("doctor"),
        resident=Resident.objects.get(user=demo.user("resident")),
        responsible_worker=demo.user("community"),
        family_doctor=demo.user("doctor"),
        emergency_name="周明",
        emergency_phone="13903529999",
    )


def record(demo, card, kind, **values):
    return services.reading_record(
        actor=demo.user("doctor"), card=card, kind=kind, source=Source.CLINIC, **values
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def readings(demo, card):
    now = timezone.now()
    record(demo, card, ReadingKind.HEIGHT, height_cm="160", taken_at=now - timedelta(hours=4))
    record(demo, card, ReadingKind.WEIGHT, weight_kg="65", taken_at=now - timedelta(hours=3))
    record(
        demo,
        card,
        ReadingKind.GLUCOSE,
        glucose="5.2",
        glucose_timing=GlucoseTiming.FASTING,
        taken_at=now - timedelta(hours=2),
    )
    record(
        demo,
        card,
        ReadingKind.BLOOD_PRESSURE,
        systolic=128,
        diastolic=82,
        pulse=72,
        taken_at=now - timedelta(hours=1),
    )


def test_the_list_of_cards_shows_the_glucose_with_its_unit(english, card, readings):
    body = text(english("doctor").get("/health/"))
    assert "5.2 mmol/L" in body
    assert "128/82 mmHg" in body
    assert "5.20000" not in body


@pytest.mark.parametrize(
    "who,url", [("doctor", "card"), ("community", "card"), ("resident", "/health/me/")]
)
def test_every_reading_reads_with_its_precision_and_unit(english, card, readings, who, url):
    body = text(english(who).get(f"/health/cards/{card.pk}/" if url == "card" else url))
    for shown in [
        "5.2 mmol/L",
        "128/82 mmHg · pulse 72 bpm",
        "65.0 kg · BMI 25.4",
        "160.0 cm",
    ]:
        assert shown in body, shown
    assert "5.20000" not in body


def test_chinese_pages_show_the_same_values_and_units(client_for, card, readings):
    body = text(client_for("resident").get("/health/me/"))
    assert "128/82 mmHg · " in body
    assert "5.2 mmol/L" in body and "65.0 kg" in body


def test_the_clinic_day_shows_readings_through_the_same_formatting(card, readings):
    reading = Reading.objects.filter(card=card, kind=ReadingKind.GLUCOSE).get()
    # SQLite hands a computed decimal back as a float with 15 digits.
    reading.glucose = 5.20000000000000
    assert display.reading_text(reading) == "5.2 mmol/L"


@given(st.decimals(min_value=0, max_value=999, places=1, allow_nan=False))
def test_a_value_keeps_the_precision_it_was_taken_at(value):
    assert display.glucose_text(float(value)) == f"{value:.1f} mmol/L"
    assert display.weight_text(value) == f"{value:.1f} kg"
    assert display.blood_pressure_text(140, 90) == "140/90 mmHg"


def test_the_api_keeps_the_numbers(card, readings, demo):
    from django.test import Client

    from linli.accounts.services import token_create
    from linli.core.actors import SYSTEM

    _token, secret = token_create(actor=SYSTEM, user=demo.user("doctor"))
    answer = Client().get(
        f"/api/v1/health/cards/{card.pk}/readings", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.content
    items = answer.json()
    items = items.get("items", items) if isinstance(items, dict) else items
    glucose = next(item for item in items if item["kind"] == "glucose")
    assert glucose["glucose"] == 5.2  # a JSON number, as documented


# -- the charts' axes --------------------------------------------------------------------------


def ticks_of(svg: str) -> dict[Decimal, float]:
    return {
        Decimal(value): float(y)
        for value, y in re.findall(
            r'class="health-tick" data-value="([\d.]+)"><line x1="\d+" '
            r'y1="([\d.]+)"',
            svg,
        )
    }


def labels_of(svg: str) -> list[str]:
    return re.findall(r'class="health-tick"[^>]*><line[^>]*/><text[^>]*>([^<]+)</text>', svg)


def test_the_glucose_axis_reads_round_values_and_the_7_line_sits_at_7(demo, card):
    now = timezone.now()
    for days, value in [(30, "5.4"), (20, "6.3"), (10, "7.0"), (1, "6.6")]:
        record(
            demo,
            card,
            ReadingKind.GLUCOSE,
            glucose=value,
            glucose_timing=GlucoseTiming.FASTING,
            taken_at=now - timedelta(days=days),
        )
    chart = charts.glucose_chart(selectors.reading_trend(card, ReadingKind.GLUCOSE))
    svg = str(chart["svg"])
    ticks = ticks_of(svg)
    assert len(ticks) >= 3
    values = sorted(ticks)
    step = values[1] - values[0]
    # Round steps (1, 2, 2.5 or 5 times a power of ten), each label its value.
    assert step / Decimal(10) ** step.adjusted() in {1, 2, Decimal("2.5"), 5}
    assert all(b - a == step for a, b in zip(values, values[1:], strict=False))
    assert [Decimal(label) for label in labels_of(svg)] == values
    # The axis' scale puts 7.0 exactly where the reference line for 7.0 is drawn.
    (low, y_low), (high, y_high) = (values[0], ticks[values[0]]), (values[-1], ticks[values[-1]])
    expected = y_low + (y_high - y_low) * float((Decimal("7.0") - low) / (high - low))
    drawn = float(re.search(r'data-value="7" data-y="([\d.]+)"', svg).group(1))
    assert abs(drawn - expected) < 0.2
    # Each point's label has the value's unit.
    assert " 7.0 mmol/L · " in svg


def test_the_blood_pressure_and_weight_axes_are_round_too(demo, card):
    now = timezone.now()
    for days, (s, d) in enumerate([(152, 96), (138, 88), (131, 79)]):
        record(
            demo,
            card,
            ReadingKind.BLOOD_PRESSURE,
            systolic=s,
            diastolic=d,
            taken_at=now - timedelta(days=days + 1),
        )
        record(
            demo,
            card,
            ReadingKind.WEIGHT,
            weight_kg=f"6{days}.3",
            taken_at=now - timedelta(days=days + 1),
        )
    for build, kind in [
        (charts.blood_pressure_chart, ReadingKind.BLOOD_PRESSURE),
        (charts.weight_chart, ReadingKind.WEIGHT),
    ]:
        svg = str(build(selectors.reading_trend(card, kind))["svg"])
        values = sorted(ticks_of(svg))
        step = values[1] - values[0]
        assert step / Decimal(10) ** step.adjusted() in {1, 2, Decimal("2.5"), 5}, values
        assert all(v % step == 0 for v in values)
    assert "62.3 kg" in svg


# -- "my health" ---------------------------------------------------------------------------------


@pytest.fixture
def a_year_of_readings(demo, card):
    """Two readings a week for a year: the page used to list every one."""
    now = timezone.now()
    rows = []
    for i in range(104):
        kind = ReadingKind.BLOOD_PRESSURE if i % 2 else ReadingKind.GLUCOSE
        values = (
            {"systolic": 120 + i % 20, "diastolic": 80}
            if kind == ReadingKind.BLOOD_PRESSURE
            else {"glucose": Decimal("5.5"), "glucose_timing": GlucoseTiming.FASTING}
        )
        rows.append(
            Reading(
                card=card,
                compound_path=demo.nanguanfang.path,
                kind=kind,
                taken_at=now - timedelta(days=i * 3.5, hours=1),
                level=Level.NORMAL,
                source=Source.CLINIC,
                **values,
            )
        )
    Reading.objects.bulk_create(rows)
    return rows


def test_my_health_shows_the_latest_readings_a_page_at_a_time(
    english, demo, card, a_year_of_readings, django_assert_max_num_queries
):
    record(demo, card, ReadingKind.BLOOD_PRESSURE, systolic=150, diastolic=95)
    client = english("resident")
    client.get("/health/me/")
    with django_assert_max_num_queries(30):
        page = client.get("/health/me/")
    body = text(page)
    # The newest of each kind at the top, then ten readings and a way to the older ones.
    latest = page.context["latest"]
    assert [r.kind for r in latest] == [ReadingKind.BLOOD_PRESSURE, ReadingKind.GLUCOSE]
    assert "150/95 mmHg" in body.split('data-testid="latest"')[1].split("</section>")[0]
    assert body.count('data-testid="reading"') == 10
    assert "Page 1 of 11" in body
    older = client.get("/health/me/?page=11")
    assert text(older).count('data-testid="reading"') == 5
    assert "Page 11 of 11" in text(older)


def test_who_looked_is_near_the_top_of_my_health(english, demo, card, readings):
    for _ in range(8):
        english("doctor").get(f"/health/cards/{card.pk}/")
    body = text(english("resident").get("/health/me/"))
    looked = body.index('data-testid="who-looked"')
    assert looked < body.index('data-testid="my-card"')
    assert looked < body.index('data-testid="readings"')
    assert looked < body.index('data-testid="charts"')
    assert 'href="#who-looked"' in body.split('data-testid="latest"')[0]
    section = body[looked:].split("</section>")[0]
    assert section.count('data-testid="look"') == 5
    # The doctor made the card, then opened it 8 times (each a read of the card and of the
    # readings).
    assert "Everyone who looked (17 times)" in section and 'href="/health/me/looks/"' in section


def test_everyone_who_looked_has_a_page_of_its_own(
    english, demo, card, django_assert_max_num_queries
):
    for _ in range(15):
        english("doctor").get(f"/health/cards/{card.pk}/")
    client = english("resident")
    client.get("/health/me/")
    client.get("/health/me/looks/")
    with django_assert_max_num_queries(20):
        first = client.get("/health/me/looks/")
    body = text(first)
    assert body.count('data-testid="look"') == 20
    assert "吴静" in body and "opened your card" in body
    assert "Page 1 of 2" in body
    rest = text(client.get("/health/me/looks/?page=2"))
    assert rest.count('data-testid="look"') == 11  # 15 × 2 reads and making the card
    assert "made your card" in rest
    # The resident's own visits are not listed; nobody else has such a page.
    assert "周桂兰" not in rest.split("<main")[-1].split('data-testid="who-looked"')[1]
    assert english("doctor").get("/health/me/looks/").status_code == 404


def test_a_cards_page_shows_its_readings_a_page_at_a_time(
    english, card, a_year_of_readings, django_assert_max_num_queries
):
    client = english("doctor")
    client.get(f"/health/cards/{card.pk}/")
    with django_assert_max_num_queries(40):
        body = text(client.get(f"/health/cards/{card.pk}/"))
    assert body.count('data-testid="reading"') == 20
    assert "Page 1 of 6" in body
    assert text(client.get(f"/health/cards/{card.pk}/?page=6")).count('data-testid="reading"') == 4
