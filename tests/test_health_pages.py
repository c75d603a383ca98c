"""The health pages as the people involved use them: the clinic doctor and the responsible
community worker list cards, open one, record readings through the form (an impossible value
is refused with the service's message and what was typed stays), print the card with its QR
code and open it by the QR code; the elder-care station sees only what the resident
consented to; the resident sees their own card, withdraws a consent and sees who looked;
district, property and volunteer staff see no card at all (404: nothing leaks). Each page
costs a bounded number of queries, however many readings a card has."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core.crypto import lookup_hash
from linli.core.models import AuditEvent
from linli.health import services
from linli.health.models import (
    Alert,
    ConsentScope,
    Device,
    FollowUp,
    FollowUpStatus,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Source,
)
from linli.places.models import Organisation
from linli.residents.models import Resident, ResidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_health_records(request):
    """These tests make their own cards: the demo world's health records are set aside (a
    transactional test clears them itself after loading the demo world)."""
    if "demo_world_tx" not in request.fixturenames:
        request.getfixturevalue("without_demo_health")


ELDER_CARE = "大同助老社区助老站"
SECRET = {
    "conditions": "高血压XQ7ZCOND",
    "medications": "氨氯地平XQ7ZMED",
    "allergies": "青霉素XQ7ZALLERGY",
    "notes": "独居XQ7ZNOTE",
}
PHONE = "13903529999"
MASKED = "139****9999"
OUTSIDERS = ["district", "property", "volunteer"]


@pytest.fixture
def zhou(demo):
    """周桂兰, the demo resident with an account."""
    return Resident.objects.get(user=demo.user("resident"))


@pytest.fixture
def card(demo, zhou):
    return services.card_create(
        actor=demo.user("doctor"),
        resident=zhou,
        responsible_worker=demo.user("community"),
        family_doctor=demo.user("doctor"),
        emergency_name="周明",
        emergency_relation="儿子",
        emergency_phone=PHONE,
        **SECRET,
    )


@pytest.fixture
def elder_care():
    return Organisation.objects.get(name=ELDER_CARE)


def share(demo, card, organisation, scope=ConsentScope.ALL):
    return services.consent_give(
        actor=demo.user("doctor"), card=card, organisation=organisation, scope=scope
    )


def bp(demo, card, systolic, diastolic, who="doctor", **kwargs):
    kwargs.setdefault("source", Source.CLINIC)
    return services.reading_record(
        actor=demo.user(who),
        card=card,
        kind=ReadingKind.BLOOD_PRESSURE,
        systolic=systolic,
        diastolic=diastolic,
        **kwargs,
    )


def text(response) -> str:
    return response.content.decode()


def detail(card) -> str:
    return f"/health/cards/{card.pk}/"


def reads(card, how=None):
    events = AuditEvent.objects.filter(action="health.card.read", object_id=str(card.pk))
    return events.filter(details__how=how) if how else events


# -- who sees which page -----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["doctor", "community"])
def test_the_care_team_lists_and_opens_the_card(english, card, username):
    client = english(username)
    page = client.get("/health/")
    assert page.status_code == 200
    assert "周桂兰" in text(page)
    assert f'data-card="{card.pk}"' in text(page)
    page = client.get(detail(card))
    assert page.status_code == 200
    body = text(page)
    for secret in SECRET.values():
        assert secret in body
    assert PHONE in body  # the care team calls this number when an alert comes
    assert "吴静" in body  # the family doctor
    assert reads(card, "page").filter(actor__username=username).count() == 1


def test_the_resident_sees_their_own_card_and_is_sent_to_it_from_the_list(english, card):
    client = english("resident")
    assert client.get("/health/").url == "/health/me/"
    page = client.get(detail(card))
    assert page.status_code == 200
    assert SECRET["conditions"] in text(page)
    assert 'data-testid="record"' not in text(page)  # no reading form for the resident
    mine = client.get("/health/me/")
    assert mine.status_code == 200
    assert SECRET["conditions"] in text(mine)
    assert PHONE in text(mine)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_see_no_health_page(english, card, username):
    client = english(username)
    for url in [
        "/health/",
        detail(card),
        f"{detail(card)}edit/",
        f"{detail(card)}print/",
        f"/health/qr/{card.qr_token}/",
        "/health/alerts/",
        "/health/follow-ups/",
        "/health/my-residents/",
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"{detail(card)}action/",
        {"action": "reading", "kind": "blood_pressure", "systolic": "120", "diastolic": "80"},
    )
    assert response.status_code == 404
    assert not Reading.objects.filter(card=card).exists()
    assert client.get("/health/me/").status_code == 200  # "you have no card"
    assert reads(card).count() == 0


def test_district_and_property_cannot_make_cards(english, zhou):
    for username in ["district", "property", "volunteer", "resident", "eldercare"]:
        assert english(username).get("/health/cards/new/").status_code == 404
        assert english(username).get(f"/health/cards/new/?resident={zhou.pk}").status_code == 404


def test_the_elder_care_station_sees_only_what_was_consented(english, demo, card, elder_care):
    bp(demo, card, 128, 82)
    client = english("eldercare")
    assert client.get("/health/").status_code == 404
    assert client.get(detail(card)).status_code == 404

    consent = share(demo, card, elder_care, ConsentScope.CARD)
    page = client.get(detail(card))
    assert page.status_code == 200
    body = text(page)
    assert SECRET["conditions"] in body
    assert MASKED in body and PHONE not in body  # a consented organisation sees it masked
    assert 'data-testid="readings"' not in body and "128/82" not in body
    assert 'data-testid="record"' not in body and 'data-testid="edit-link"' not in body
    listed = client.get("/health/")
    assert listed.status_code == 200 and "readings not shared" in text(listed)
    assert client.get(f"{detail(card)}edit/").status_code == 403

    services.consent_withdraw(actor=demo.user("doctor"), consent=consent)
    share(demo, card, elder_care, ConsentScope.READINGS)
    page = client.get(detail(card))
    assert page.status_code == 200
    body = text(page)
    assert SECRET["conditions"] not in body and 'data-testid="readings-only"' in body
    assert "128/82" in body
    assert client.get(f"{detail(card)}print/").status_code == 404


# -- recording readings ------------------------------------------------------------------------


def record(client, card, **values):
    data = {"action": "reading", "kind": "blood_pressure", "source": "clinic", **values}
    return client.post(f"{detail(card)}action/", data, follow=True)


def test_a_normal_reading_through_the_form(english, card):
    page = record(english("doctor"), card, systolic="128", diastolic="82", pulse="70")
    assert page.status_code == 200
    assert "The reading was saved." in text(page)
    reading = Reading.objects.get(card=card)
    assert (reading.systolic, reading.diastolic, reading.level) == (128, 82, Level.NORMAL)
    assert "128/82" in text(page)
    assert 'data-testid="chart-blood-pressure"' in text(page)
    assert not FollowUp.objects.filter(card=card).exists()


def test_an_abnormal_reading_raises_a_follow_up_listed_for_the_worker(english, card):
    page = record(english("doctor"), card, systolic="150", diastolic="95")
    assert "a follow-up within two weeks was planned" in text(page)
    follow_up = FollowUp.objects.get(card=card)
    listed = english("community").get("/health/follow-ups/?mine=1")
    assert f'data-card="{card.pk}"' in text(listed)
    assert "raised" in text(listed)
    # The worker marks it done from the list.
    client = english("community")
    response = client.post(
        f"/health/follow-ups/{follow_up.pk}/done/",
        {"outcome": "复查 132/84", "next": "/health/follow-ups/"},
        follow=True,
    )
    assert "The follow-up is done." in text(response)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


def test_an_empty_outcome_is_refused(english, demo, card):
    bp(demo, card, 150, 95)
    follow_up = FollowUp.objects.get(card=card)
    response = english("community").post(
        f"/health/follow-ups/{follow_up.pk}/done/", {"outcome": " "}, follow=True
    )
    assert "Say what the follow-up found." in text(response)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_an_urgent_reading_raises_an_alert_listed_and_acknowledged(english, card):
    page = record(english("doctor"), card, systolic="185", diastolic="115")
    assert "an alert was raised" in text(page)
    alert = Alert.objects.get(card=card)
    listed = english("community").get("/health/alerts/")
    assert f'data-card="{card.pk}"' in text(listed)
    assert "urgent blood pressure" in text(listed)
    response = english("community").post(
        f"/health/alerts/{alert.pk}/acknowledge/", {"note": "已联系家属"}, follow=True
    )
    assert "the alert is taken care of" in text(response)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.note == "已联系家属"
    assert f'data-card="{card.pk}"' not in text(english("community").get("/health/alerts/"))


def test_an_impossible_reading_is_refused_with_the_services_message(english, card):
    page = record(english("doctor"), card, systolic="400", diastolic="80")
    assert page.status_code == 200
    body = text(page)
    assert "cannot be right" in body and "Please measure again" in body
    assert 'value="400"' in body and 'value="80"' in body  # what was typed stays
    assert not Reading.objects.filter(card=card).exists()
    page = record(english("doctor"), card, systolic="120", diastolic="130")
    assert "The diastolic value must be lower than the systolic value." in text(page)
    page = record(english("doctor"), card, kind="glucose", glucose="55", glucose_timing="fasting")
    assert 'value="55"' in text(page) and "cannot be right" in text(page)
    page = record(english("doctor"), card, systolic="abc", diastolic="80")
    assert "is not a number" in text(page)
    assert not Reading.objects.filter(card=card).exists()


def test_glucose_weight_and_height_through_the_forms(english, card):
    client = english("community")
    record(client, card, kind="glucose", glucose="7.4", glucose_timing="fasting")
    record(client, card, kind="height", height_cm="160")
    page = record(client, card, kind="weight", weight_kg="64")
    glucose = Reading.objects.get(card=card, kind=ReadingKind.GLUCOSE)
    assert (glucose.glucose, glucose.level) == (Decimal("7.4"), Level.DIABETIC)
    assert Reading.objects.get(card=card, kind=ReadingKind.WEIGHT).bmi == Decimal("25.0")
    body = text(page)
    assert 'data-testid="chart-glucose"' in body and 'data-testid="chart-weight"' in body
    assert 'data-level="diabetic"' in body


def test_the_resident_and_the_station_may_not_record(english, demo, card, elder_care):
    share(demo, card, elder_care)
    for username in ["resident", "eldercare"]:
        response = english(username).post(
            f"{detail(card)}action/",
            {"action": "reading", "kind": "blood_pressure", "systolic": "120", "diastolic": "80"},
        )
        assert response.status_code == 403
    assert not Reading.objects.filter(card=card).exists()


# -- making and changing cards -----------------------------------------------------------------


def test_the_community_worker_finds_a_resident_and_makes_a_card(english, demo, zhou):
    client = english("community")
    found = client.get("/health/cards/new/?q=周桂")
    assert found.status_code == 200
    assert f"?resident={zhou.pk}" in text(found)
    form = client.get(f"/health/cards/new/?resident={zhou.pk}")
    assert form.status_code == 200 and "周桂兰" in text(form)
    response = client.post(
        f"/health/cards/new/?resident={zhou.pk}",
        {
            "care_level": "partial",
            "conditions": "高血压",
            "family_doctor": str(demo.user("doctor").pk),
            "emergency_phone": "12345",
        },
    )
    assert response.status_code == 200  # a bad phone number: refused, kept
    assert 'value="12345"' in text(response)
    assert not HealthCard.objects.filter(resident=zhou).exists()
    response = client.post(
        f"/health/cards/new/?resident={zhou.pk}",
        {
            "care_level": "partial",
            "conditions": "高血压",
            "family_doctor": str(demo.user("doctor").pk),
            "emergency_name": "周明",
            "emergency_phone": PHONE,
        },
    )
    card = HealthCard.objects.get(resident=zhou)
    assert response.url == detail(card)
    assert card.responsible_worker == demo.user("community")  # the maker, by default
    assert card.family_doctor == demo.user("doctor")
    again = client.get(f"/health/cards/new/?resident={zhou.pk}")
    assert "already has a health card" in text(again)


def test_the_doctor_changes_the_card(english, demo, card):
    client = english("doctor")
    page = client.get(f"{detail(card)}edit/")
    assert page.status_code == 200 and SECRET["allergies"] in text(page)
    data = {
        "care_level": "dependent",
        "conditions": SECRET["conditions"],
        "medications": SECRET["medications"],
        "allergies": "无",
        "notes": SECRET["notes"],
        "family_doctor": str(demo.user("doctor").pk),
        "responsible_worker": str(demo.user("community").pk),
        "emergency_name": "周明",
        "emergency_relation": "儿子",
        "emergency_phone": PHONE,
    }
    response = client.post(f"{detail(card)}edit/", data)
    assert response.url == detail(card)
    card.refresh_from_db()
    assert (card.allergies, card.care_level) == ("无", "dependent")
    assert english("resident").get(f"{detail(card)}edit/").status_code == 403


# -- print and QR ------------------------------------------------------------------------------


def test_the_printed_card_carries_a_qr_code_of_the_qr_route(english, card):
    page = english("doctor").get(f"{detail(card)}print/")
    assert page.status_code == 200
    body = text(page)
    url = f"http://testserver/health/qr/{card.qr_token}/"
    assert f'data-qr-url="{url}"' in body
    assert re.search(r'<svg[^>]*class="health-qr"', body)
    assert "/static/linli/card-print-a6.css" in body and 'data-size="a6"' in body
    assert "健康帮扶卡" in body and SECRET["medications"] in body
    assert MASKED in body and PHONE not in body  # printed on paper: always masked
    assert "http" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]  # drawn, not linked
    assert reads(card, "print").count() == 1
    a4 = english("doctor").get(f"{detail(card)}print/?size=a4")
    assert "/static/linli/card-print-a4.css" in text(a4)
    assert english("doctor").get(f"{detail(card)}print/?size=zz").context["size"] == "a6"


def test_the_qr_code_opens_the_card_for_staff_only(english, client, card):
    page = english("community").get(f"/health/qr/{card.qr_token}/")
    assert page.status_code == 200
    assert SECRET["conditions"] in text(page)
    assert reads(card, "qr").filter(actor__username="community").count() == 1
    assert reads(card, "page").count() == 0
    # Not signed in: to the sign-in page, and back here after.
    response = client.get(f"/health/qr/{card.qr_token}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert f"next=/health/qr/{card.qr_token}/" in response.url
    for username in ["volunteer", "eldercare", "property"]:
        outsider = english(username).get(f"/health/qr/{card.qr_token}/")
        assert outsider.status_code == 404
        assert "周桂兰" not in text(outsider)
    assert english("doctor").get("/health/qr/no-such-token/").status_code == 404
    assert reads(card, "qr").count() == 1


# -- the resident's page -----------------------------------------------------------------------


def test_the_resident_sees_who_looked(english, demo, card):
    english("doctor").get(detail(card))
    english("doctor").get(f"{detail(card)}print/")
    page = english("resident").get("/health/me/")
    body = text(page)
    looks = page.context["looks"]
    doctor_looks = [look for look in looks if look.actor_name == "吴静"]
    assert {look.how for look in doctor_looks} >= {"page", "print"}
    assert "吴静" in body and "南官房小区义诊站" in body
    assert "printed your card" in body and "opened your card" in body
    # The resident's own visits are not listed as "looks".
    resident = demo.user("resident")
    assert all(look.actor_id != resident.pk for look in looks)


def test_a_namesake_of_the_resident_is_still_listed_as_looking(english, demo, card):
    """Own visits are told apart by the account, not by the name."""
    from linli.accounts.models import User

    doctor = demo.user("doctor")
    User.objects.filter(pk=doctor.pk).update(full_name=demo.user("resident").full_name)
    english("doctor").get(detail(card))
    looks = english("resident").get("/health/me/").context["looks"]
    assert any(look.actor_id == doctor.pk and look.how == "page" for look in looks)


def test_a_resident_without_a_card_is_told_why(english):
    page = english("resident").get("/health/me/")
    assert page.status_code == 200
    assert 'data-testid="no-card"' in text(page)
    assert english("resident").get("/health/").status_code == 404


def test_the_resident_withdraws_a_consent_and_the_station_loses_access(
    english, demo, card, elder_care
):
    consent = share(demo, card, elder_care)
    assert english("eldercare").get(detail(card)).status_code == 200
    mine = english("resident").get("/health/me/")
    assert ELDER_CARE in text(mine) and 'data-testid="withdraw"' in text(mine)
    response = english("resident").post(
        f"/health/consents/{consent.pk}/withdraw/", {"next": "/health/me/"}, follow=True
    )
    assert "no longer sees your record" in text(response)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert english("eldercare").get(detail(card)).status_code == 404
    assert english("eldercare").get("/health/").status_code == 404
    # Nobody else withdraws it (nor sees that it exists).
    other = share(demo, card, elder_care, ConsentScope.CARD)
    assert english("volunteer").post(f"/health/consents/{other.pk}/withdraw/").status_code == 404


def test_the_doctor_records_a_consent_on_the_card(english, card, elder_care):
    response = english("doctor").post(
        f"{detail(card)}action/",
        {"action": "consent", "organisation": str(elder_care.pk), "scope": "card", "note": "签字"},
        follow=True,
    )
    assert "The consent was recorded." in text(response)
    assert english("eldercare").get(detail(card)).status_code == 200


# -- devices -----------------------------------------------------------------------------------


def test_a_device_token_is_shown_once(english, card):
    client = english("community")
    page = client.post(
        f"{detail(card)}action/", {"action": "device", "kind": "bp_monitor", "name": "欧姆龙"}
    )
    assert page.status_code == 200
    token = page.context["new_token"]
    assert token in text(page)
    device = Device.objects.get(card=card)
    assert device.token_hash == lookup_hash(token)
    again = client.get(detail(card))
    assert token not in text(again) and device.token_hint in text(again)
    client.post(f"{detail(card)}action/", {"action": "revoke", "device": str(device.pk)})
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert (
        english("resident")
        .post(f"{detail(card)}action/", {"action": "device", "kind": "scale", "name": "x"})
        .status_code
        == 403
    )


# -- work lists --------------------------------------------------------------------------------


def test_my_residents_puts_overdue_follow_ups_first(english, demo, card):
    other = (
        Resident.objects.filter(
            place__path__startswith=demo.nanguanfang.path, status=ResidentStatus.LIVING
        )
        .exclude(pk=card.resident_id)
        .first()
    )
    second = services.card_create(
        actor=demo.user("community"), resident=other, responsible_worker=demo.user("community")
    )
    bp(demo, card, 150, 95, now=timezone.now() - timedelta(days=20))
    page = english("community").get("/health/my-residents/")
    assert page.status_code == 200
    rows = [c.pk for c in page.context["page"].object_list]
    assert rows.index(card.pk) < rows.index(second.pk)
    assert 'data-testid="overdue"' in text(page)
    overdue = english("community").get("/health/follow-ups/?overdue=1")
    assert 'data-overdue="1"' in text(overdue)


def test_navigation(english, demo, card):
    assert "/health/" in text(english("doctor").get("/"))
    resident_home = text(english("resident").get("/"))
    assert "/health/me/" in resident_home and 'href="/health/"' not in resident_home
    for username in OUTSIDERS:
        home = text(english(username).get("/"))
        assert 'href="/health/"' not in home and "/health/me/" not in home


def test_a_compound_page_links_to_its_cards_and_the_list_filters_by_place(english, demo, card):
    compound = demo.nanguanfang
    place_page = text(english("doctor").get(f"/places/{compound.pk}/"))
    assert f"/health/?place={compound.pk}" in place_page
    assert f"/health/?place={compound.pk}" not in text(
        english("district").get(f"/places/{compound.pk}/")
    )
    here = english("doctor").get(f"/health/?place={compound.pk}")
    assert f'data-card="{card.pk}"' in text(here)
    elsewhere = demo.place("平城区/清远街道")
    assert english("doctor").get(f"/health/?place={elsewhere.pk}").status_code == 404
    assert english("doctor").get("/health/?place=abc").status_code == 404
    found = english("doctor").get("/health/?q=zgl")
    assert f'data-card="{card.pk}"' in text(found)
    assert f'data-card="{card.pk}"' not in text(english("doctor").get("/health/?q=不存在"))


# -- queries -----------------------------------------------------------------------------------


def test_pages_cost_a_bounded_number_of_queries(
    english, demo, card, elder_care, django_assert_max_num_queries
):
    doctor = demo.user("doctor")
    residents = Resident.objects.filter(
        place__path__startswith=demo.nanguanfang.path, status=ResidentStatus.LIVING
    ).exclude(pk=card.resident_id)[:25]
    for resident in residents:
        other = services.card_create(actor=doctor, resident=resident)
        services.reading_record(
            actor=doctor,
            card=other,
            kind="blood_pressure",
            source="clinic",
            systolic=150,
            diastolic=95,
        )
    now = timezone.now()
    rows = []
    for i in range(120):
        kind = ["blood_pressure", "glucose", "weight"][i % 3]
        values = {
            "blood_pressure": {"systolic": 120 + i % 50, "diastolic": 75 + i % 30},
            "glucose": {"glucose": Decimal("5.5"), "glucose_timing": "fasting"},
            "weight": {"weight_kg": Decimal("63.5")},
        }[kind]
        rows.append(
            Reading(
                card=card,
                compound_path=demo.nanguanfang.path,
                kind=kind,
                taken_at=now - timedelta(days=i * 2),
                level=Level.NORMAL,
                source=Source.CLINIC,
                **values,
            )
        )
    Reading.objects.bulk_create(rows)
    bp(demo, card, 185, 115)
    share(demo, card, elder_care)
    for username, url, most in [
        ("doctor", "/health/", 22),
        ("community", "/health/", 22),
        ("eldercare", "/health/", 22),
        ("doctor", detail(card), 40),
        ("community", detail(card), 40),
        ("eldercare", detail(card), 40),
        ("doctor", "/health/alerts/", 22),
        ("doctor", "/health/follow-ups/", 22),
        ("community", "/health/my-residents/", 22),
        ("resident", "/health/me/", 30),
        ("doctor", f"{detail(card)}print/", 20),
    ]:
        client = english(username)
        client.get(url)  # warm: sessions, translations
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, (username, url)
    page = english("doctor").get("/health/")
    assert len(page.context["page"].object_list) == 26
