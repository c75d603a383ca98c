"""/api/v1/health: cards, readings, alerts and follow-ups for each role; the FHIR export's
permissions and audit; home devices posting with their own token."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle as R4BBundle
from fhirclient.models.bundle import Bundle as R4Bundle

from linli.accounts.services import token_create
from linli.core.actors import SYSTEM
from linli.core.models import AuditEvent
from linli.health import services
from linli.health.models import (
    Alert,
    CheckIn,
    ConsentScope,
    FollowUp,
    HealthCard,
    Reading,
    Source,
)
from linli.places.models import Organisation
from linli.residents.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_health_records(request):
    """These tests make their own cards: the demo world's health records are set aside (a
    transactional test clears them itself after loading the demo world)."""
    if "demo_world_tx" not in request.fixturenames:
        request.getfixturevalue("without_demo_health")


BASE = "/api/v1/health"


@pytest.fixture
def api(client_for):
    """Signed-in clients that see the English message ids."""

    def sign_in(username):
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


def post(client, url, data=None, **headers):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def zhou(demo):
    return Resident.objects.get(user=demo.user("resident"))


@pytest.fixture
def card(demo, zhou):
    """周桂兰's card: 吴静 (clinic staff) is her family doctor, 李明 her responsible worker."""
    card = HealthCard.objects.filter(resident=zhou).first()
    if card is None:
        card = services.card_create(
            actor=demo.user("doctor"),
            resident=zhou,
            conditions="高血压",
            medications="氨氯地平 5mg qd",
            allergies="青霉素",
            emergency_name="周强",
            emergency_relation="儿子",
            emergency_phone="13812345678",
            family_doctor=demo.user("doctor"),
            responsible_worker=demo.user("community"),
        )
    return card


def _record(demo, card, **values):
    return services.reading_record(
        actor=demo.user("doctor"), card=card, source=Source.CLINIC, **values
    )


@pytest.fixture
def readings(demo, card):
    now = timezone.now()
    return [
        _record(
            demo,
            card,
            kind="blood_pressure",
            systolic=152,
            diastolic=92,
            pulse=76,
            taken_at=now - timedelta(days=3),
        ),
        _record(
            demo,
            card,
            kind="glucose",
            glucose="6.5",
            glucose_timing="fasting",
            taken_at=now - timedelta(days=2),
        ),
        _record(demo, card, kind="height", height_cm="158", taken_at=now - timedelta(days=1)),
        _record(demo, card, kind="weight", weight_kg="60.2", taken_at=now - timedelta(hours=1)),
    ]


@pytest.fixture
def eldercare_org():
    return Organisation.objects.get(name="大同助老社区助老站")


def _consent(demo, card, org, scope):
    return services.consent_give(
        actor=demo.user("doctor"), card=card, organisation=org, scope=scope
    )


def _fhir_url(resident):
    return f"{BASE}/residents/{resident.pk}/fhir"


def _entries(response):
    return [e["resource"]["resourceType"] for e in response.json()["entry"]]


# -- the FHIR export -----------------------------------------------------------------------------


def test_fhir_export_for_the_family_doctor(api, zhou, card, readings):
    response = api("doctor").get(_fhir_url(zhou))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    R4Bundle(bundle, strict=True)
    R4BBundle.model_validate(bundle)
    # BP panel + pulse, fasting glucose, height, weight + BMI
    assert _entries(response) == ["Patient"] + ["Observation"] * 6
    codes = {
        e["resource"]["code"]["coding"][0]["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert codes == {"85354-9", "8867-4", "14770-2", "8302-2", "29463-7", "39156-5"}
    patient = bundle["entry"][0]["resource"]
    assert patient["name"][0]["text"] == "周桂兰"
    assert patient["identifier"][0]["value"] == str(card.pk)


def test_fhir_export_carries_no_id_number_phone_or_card_content(api, zhou, card, readings):
    text = api("doctor").get(_fhir_url(zhou)).content.decode()
    zhou.refresh_from_db()
    assert zhou.id_number and zhou.id_number not in text
    assert zhou.phone and zhou.phone not in text
    for content in ("13812345678", "高血压", "氨氯地平", "青霉素", "周强"):
        assert content not in text


def test_fhir_export_for_the_resident_herself(api, zhou, card, readings):
    response = api("resident").get(_fhir_url(zhou))
    assert response.status_code == 200
    assert _entries(response).count("Observation") == 6


def test_fhir_export_for_the_responsible_worker(api, zhou, card, readings):
    assert api("community").get(_fhir_url(zhou)).status_code == 200


@pytest.mark.parametrize("username", ["district", "street", "property", "eldercare", "volunteer"])
def test_fhir_export_is_not_found_for_others(api, zhou, card, readings, username):
    response = api(username).get(_fhir_url(zhou))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_fhir_export_of_a_resident_without_a_card_or_missing_is_404(api, demo, zhou):
    other = Resident.objects.filter(place__path__startswith=demo.nanguanfang.path).exclude(
        pk=zhou.pk
    )[0]
    assert api("doctor").get(_fhir_url(other)).status_code == 404
    assert api("doctor").get(f"{BASE}/residents/999999999/fhir").status_code == 404
    assert api("doctor").get(f"{BASE}/residents/0/fhir").status_code == 422


def test_fhir_export_with_a_full_consent(api, demo, zhou, card, readings, eldercare_org):
    _consent(demo, card, eldercare_org, ConsentScope.ALL)
    response = api("eldercare").get(_fhir_url(zhou))
    assert response.status_code == 200
    assert _entries(response) == ["Patient"] + ["Observation"] * 6


def test_fhir_export_with_a_card_only_consent_withholds_the_readings(
    api, demo, zhou, card, readings, eldercare_org
):
    _consent(demo, card, eldercare_org, ConsentScope.CARD)
    response = api("eldercare").get(_fhir_url(zhou))
    assert response.status_code == 200
    assert _entries(response) == ["Patient"]
    R4Bundle(json.loads(response.content), strict=True)


def test_fhir_export_with_a_readings_only_consent(api, demo, zhou, card, readings, eldercare_org):
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    response = api("eldercare").get(_fhir_url(zhou))
    assert response.status_code == 200
    assert _entries(response) == ["Patient"] + ["Observation"] * 6


def test_fhir_export_after_consent_withdrawn(api, demo, zhou, card, readings, eldercare_org):
    consent = _consent(demo, card, eldercare_org, ConsentScope.ALL)
    services.consent_withdraw(actor=demo.user("doctor"), consent=consent)
    assert api("eldercare").get(_fhir_url(zhou)).status_code == 404


def test_fhir_export_since(api, zhou, card, readings):
    since = (timezone.localtime() - timedelta(hours=2)).isoformat()
    response = api("doctor").get(_fhir_url(zhou), {"since": since})
    assert response.status_code == 200
    # the weight with its BMI
    assert _entries(response) == ["Patient", "Observation", "Observation"]


def _fhir_audits(card):
    return AuditEvent.objects.filter(object_id=str(card.pk), details__how="fhir")


def test_every_fhir_export_is_audited(api, demo, zhou, card, readings):
    client = api("doctor")
    client.get(_fhir_url(zhou))
    client.get(_fhir_url(zhou))
    events = _fhir_audits(card)
    card_reads = events.filter(action="health.card.read")
    assert card_reads.count() == 2
    assert events.filter(action="health.readings.read").count() == 2
    assert {e.actor for e in card_reads} == {demo.user("doctor")}


def test_a_card_only_export_is_audited_without_a_readings_read(
    api, demo, zhou, card, readings, eldercare_org
):
    _consent(demo, card, eldercare_org, ConsentScope.CARD)
    api("eldercare").get(_fhir_url(zhou))
    events = _fhir_audits(card)
    assert list(events.values_list("action", flat=True)) == ["health.card.read"]


def test_a_refused_export_is_not_audited(api, zhou, card, readings):
    api("district").get(_fhir_url(zhou))
    assert not _fhir_audits(card).exists()


def test_fhir_export_is_documented_as_fhir_json(client):
    spec = client.get("/api/v1/openapi.json").json()
    responses = spec["paths"][f"{BASE}/residents/{{resident_id}}/fhir"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["application/fhir+json"]
    assert {"401", "404", "422"} <= set(responses)


# -- cards ---------------------------------------------------------------------------------------


def test_cards_list_per_role(api, card, demo, eldercare_org):
    for username in ("doctor", "community", "resident"):
        data = api(username).get(f"{BASE}/cards").json()
        assert [c["id"] for c in data["items"]] == [card.pk], username
        assert data["count"] == 1
    for username in ("district", "property", "eldercare", "volunteer"):
        assert api(username).get(f"{BASE}/cards").json()["count"] == 0, username
    _consent(demo, card, eldercare_org, ConsentScope.CARD)
    assert api("eldercare").get(f"{BASE}/cards").json()["count"] == 1


def test_cards_list_shows_who_not_what(api, card):
    (item,) = api("doctor").get(f"{BASE}/cards").json()["items"]
    assert item["resident"]["name"] == "周桂兰"
    assert "conditions" not in item and "emergency_contact" not in item


def test_cards_list_filters(api, card, readings, demo):
    client = api("doctor")
    assert client.get(f"{BASE}/cards", {"place": demo.nanguanfang.pk}).json()["count"] == 1
    other = demo.place("平城区/清远街道")
    assert client.get(f"{BASE}/cards", {"place": other.pk}).json()["count"] == 0
    # the latest blood-pressure or glucose reading is the impaired fasting glucose
    assert client.get(f"{BASE}/cards", {"level": "impaired"}).json()["count"] == 1
    assert client.get(f"{BASE}/cards", {"level": "normal"}).json()["count"] == 0
    assert client.get(f"{BASE}/cards", {"level": "nonsense"}).status_code == 422
    assert client.get(f"{BASE}/cards", {"q": "桂兰"}).json()["count"] == 1


def test_card_detail_decrypted_for_the_care_team_and_audited(api, demo, card):
    response = api("doctor").get(f"{BASE}/cards/{card.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["conditions"] == "高血压"
    assert data["allergies"] == "青霉素"
    assert data["emergency_contact"] == {"name": "周强", "relation": "儿子", "phone": "13812345678"}
    assert data["family_doctor"] == demo.user("doctor").display_name
    event = AuditEvent.objects.get(action="health.card.read", object_id=str(card.pk))
    assert event.details == {"how": "api"}
    assert event.actor == demo.user("doctor")


@pytest.mark.parametrize("username", ["district", "property", "eldercare", "patrol"])
def test_card_detail_is_404_for_others(api, card, username):
    assert api(username).get(f"{BASE}/cards/{card.pk}").status_code == 404
    assert not AuditEvent.objects.filter(action="health.card.read").exists()


def test_card_detail_needs_a_card_consent(api, demo, card, eldercare_org):
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    assert api("eldercare").get(f"{BASE}/cards/{card.pk}").status_code == 404


# -- readings ------------------------------------------------------------------------------------


def test_readings_list_and_filters(api, card, readings):
    client = api("doctor")
    data = client.get(f"{BASE}/cards/{card.pk}/readings").json()
    assert data["count"] == 4
    assert data["items"][0]["kind"] == "weight"  # newest first
    bp = client.get(f"{BASE}/cards/{card.pk}/readings", {"kind": "blood_pressure"}).json()
    (item,) = bp["items"]
    assert (item["systolic"], item["diastolic"], item["pulse"]) == (152, 92, 76)
    assert item["level"] == "raised" and item["source"] == "clinic"
    since = (timezone.localtime() - timedelta(days=1, hours=12)).isoformat()
    assert client.get(f"{BASE}/cards/{card.pk}/readings", {"since": since}).json()["count"] == 2
    naive = client.get(f"{BASE}/cards/{card.pk}/readings", {"since": "2031-01-01T00:00:00"})
    assert naive.status_code == 422


def test_readings_list_per_role_and_consent(api, demo, card, readings, eldercare_org):
    url = f"{BASE}/cards/{card.pk}/readings"
    assert api("resident").get(url).json()["count"] == 4
    assert api("district").get(url).status_code == 404
    assert api("eldercare").get(url).status_code == 404
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    assert api("eldercare").get(url).json()["count"] == 4
    event = AuditEvent.objects.filter(action="health.readings.read").latest("id")
    assert event.actor == demo.user("eldercare") and event.details == {"how": "api"}


def test_record_a_raised_blood_pressure(api, demo, card):
    response = post(
        api("doctor"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "blood_pressure", "systolic": 150, "diastolic": 95, "pulse": 80},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["level"] == "raised"
    assert data["alert"] is None
    follow_up = FollowUp.objects.get(pk=data["follow_up"]["id"])
    assert follow_up.assignee == demo.user("community")
    assert data["follow_up"]["assignee"] == demo.user("community").display_name
    reading = Reading.objects.get(pk=data["id"])
    assert reading.card == card and reading.recorded_by == demo.user("doctor")


def test_record_an_urgent_blood_pressure_raises_an_alert(api, card):
    response = post(
        api("doctor"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "blood_pressure", "systolic": 185, "diastolic": 100, "source": "visit"},
    )
    assert response.status_code == 201
    data = response.json()
    assert data["level"] == "urgent" and data["source"] == "visit"
    assert data["alert"]["kind"] == "urgent"
    assert Alert.objects.filter(pk=data["alert"]["id"], card=card).exists()


def test_record_glucose(api, card):
    response = post(
        api("community"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "glucose", "glucose": 7.25, "glucose_timing": "fasting"},
    )
    assert response.status_code == 201
    assert response.json()["glucose"] == 7.3
    assert response.json()["level"] == "diabetic"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"kind": "blood_pressure", "systolic": 400, "diastolic": 90}, "systolic"),
        ({"kind": "blood_pressure", "systolic": 120, "diastolic": 130}, "diastolic"),
        ({"kind": "blood_pressure", "systolic": 120}, "diastolic"),
        ({"kind": "glucose", "glucose": 55, "glucose_timing": "fasting"}, "glucose"),
        ({"kind": "glucose", "glucose": 5.5}, "glucose_timing"),
        ({"kind": "weight", "weight_kg": 2}, "weight_kg"),
        ({"kind": "height", "height_cm": 300}, "height_cm"),
        ({"kind": "weight", "weight_kg": 60, "systolic": 120}, "systolic"),
    ],
)
def test_impossible_values_are_400_with_the_field(api, card, payload, field):
    response = post(api("doctor"), f"{BASE}/cards/{card.pk}/readings", payload)
    assert response.status_code == 400, response.content
    data = response.json()
    assert [e["loc"] for e in data["errors"]] == [[field]]
    assert data["detail"]
    assert not Reading.objects.filter(card=card).exists()


def test_impossible_value_message_is_readable(api, card):
    response = post(
        api("doctor"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "blood_pressure", "systolic": 400, "diastolic": 90},
    )
    assert "400 mmHg cannot be right" in response.json()["detail"]


def test_a_reading_in_the_future_is_refused(api, card):
    later = (timezone.localtime() + timedelta(hours=1)).isoformat()
    response = post(
        api("doctor"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "height", "height_cm": 160, "taken_at": later},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["loc"] == ["taken_at"]


def test_staff_may_not_post_as_a_device(api, card):
    response = post(
        api("doctor"),
        f"{BASE}/cards/{card.pk}/readings",
        {"kind": "height", "height_cm": 160, "source": "device"},
    )
    assert response.status_code == 422  # the schema's sources leave the device out
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "source"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"kind": "pressure"},
        {"kind": "blood_pressure", "systolic": "a lot", "diastolic": 80},
        {"kind": "blood_pressure", "systolic": 10**12, "diastolic": 80},
        {"kind": "height", "height_cm": 160, "taken_at": "2031-06-04T10:00:00"},
        {"kind": "height", "height_cm": 160, "taken_at": "yesterday"},
        {"kind": "glucose", "glucose": "NaN", "glucose_timing": "fasting"},
    ],
)
def test_malformed_readings_are_422(api, card, payload):
    response = post(api("doctor"), f"{BASE}/cards/{card.pk}/readings", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_a_body_that_is_not_json_is_400_or_422(api, card):
    response = api("doctor").post(
        f"{BASE}/cards/{card.pk}/readings", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)


def test_who_may_record(api, demo, card, eldercare_org):
    url = f"{BASE}/cards/{card.pk}/readings"
    payload = {"kind": "height", "height_cm": 160}
    # the resident sees her readings but the care team records them
    response = post(api("resident"), url, payload)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert post(api("district"), url, payload).status_code == 404
    assert post(api("eldercare"), url, payload).status_code == 404
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    assert post(api("eldercare"), url, payload).status_code == 403
    assert not Reading.objects.filter(card=card).exists()


def test_recording_on_a_closed_card_is_409(api, demo, card):
    services.card_deactivate(actor=demo.user("doctor"), card=card)
    response = post(
        api("doctor"), f"{BASE}/cards/{card.pk}/readings", {"kind": "height", "height_cm": 160}
    )
    # a closed card is still the care team's to see, but takes no more readings
    assert response.status_code == 409


# -- alerts and follow-ups -----------------------------------------------------------------------


@pytest.fixture
def urgent(demo, card):
    return _record(demo, card, kind="blood_pressure", systolic=190, diastolic=112)


def test_alerts_list_per_role(api, demo, card, urgent, eldercare_org):
    for username in ("doctor", "community"):
        data = api(username).get(f"{BASE}/alerts").json()
        assert data["count"] == 1, username
        (alert,) = data["items"]
        assert alert["kind"] == "urgent" and alert["reading"] == urgent.pk
        resident = {"id": card.resident_id, "name": "周桂兰"}
        assert alert["card"] == {"id": card.pk, "resident": resident}
    for username in ("resident", "district", "eldercare", "property"):
        assert api(username).get(f"{BASE}/alerts").json()["count"] == 0, username
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    assert api("eldercare").get(f"{BASE}/alerts").json()["count"] == 1


def test_acknowledge_an_alert(api, demo, card, urgent, eldercare_org):
    alert = Alert.objects.get(reading=urgent)
    url = f"{BASE}/alerts/{alert.pk}/acknowledge"
    assert post(api("district"), url, {"note": "x"}).status_code == 404
    _consent(demo, card, eldercare_org, ConsentScope.READINGS)
    assert post(api("eldercare"), url, {"note": "x"}).status_code == 403
    response = post(api("doctor"), url, {"note": "已电话联系，建议就医"})
    assert response.status_code == 200
    data = response.json()
    assert data["acknowledged_by"] == demo.user("doctor").display_name
    assert data["note"] == "已电话联系，建议就医"
    assert post(api("community"), url).status_code == 409
    assert api("doctor").get(f"{BASE}/alerts").json()["count"] == 0
    assert api("doctor").get(f"{BASE}/alerts", {"open": "false"}).json()["count"] == 1


def test_follow_ups_list_and_done(api, demo, card, readings):
    # a raised blood pressure and an impaired fasting glucose
    data = api("community").get(f"{BASE}/follow-ups", {"mine": "true"}).json()
    assert data["count"] == 2
    assert all(f["mine"] for f in data["items"])
    assert api("doctor").get(f"{BASE}/follow-ups", {"mine": "true"}).json()["count"] == 0
    assert api("doctor").get(f"{BASE}/follow-ups").json()["count"] == 2
    assert api("doctor").get(f"{BASE}/follow-ups", {"overdue": "true"}).json()["count"] == 0
    assert api("resident").get(f"{BASE}/follow-ups").json()["count"] == 0
    assert api("district").get(f"{BASE}/follow-ups").json()["count"] == 0
    follow_up = data["items"][0]
    url = f"{BASE}/follow-ups/{follow_up['id']}/done"
    assert post(api("district"), url, {"outcome": "x"}).status_code == 404
    assert post(api("community"), url, {}).status_code == 422
    response = post(api("community"), url, {"outcome": "复测 132/84，继续服药"})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["outcome"] == "复测 132/84，继续服药"
    assert post(api("community"), url, {"outcome": "again"}).status_code == 409


def test_overdue_follow_ups(api, demo, card, readings):
    FollowUp.objects.filter(card=card).update(due_on=timezone.localdate() - timedelta(days=1))
    data = api("community").get(f"{BASE}/follow-ups", {"overdue": "true"}).json()
    assert data["count"] == 2
    assert all(f["overdue"] for f in data["items"])


# -- home devices --------------------------------------------------------------------------------


@pytest.fixture
def device(demo, card):
    return services.device_register(
        actor=demo.user("doctor"), card=card, kind="bp_monitor", name="欧姆龙 U10"
    )


def device_auth(token):
    return {"HTTP_AUTHORIZATION": f"Device {token}"}


def test_a_device_posts_a_reading(client, card, device):
    device_row, token = device
    response = post(
        client,
        f"{BASE}/device/readings",
        {"kind": "blood_pressure", "systolic": 128, "diastolic": 82, "pulse": 70},
        **device_auth(token),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["level"] == "normal"
    reading = Reading.objects.get(pk=data["id"])
    assert reading.card == card
    assert reading.device == device_row
    assert reading.source == Source.DEVICE
    assert reading.recorded_by is None
    device_row.refresh_from_db()
    assert device_row.last_seen_at is not None


def test_a_device_reading_with_its_time(client, card, device):
    _, token = device
    taken = timezone.localtime() - timedelta(hours=3)
    response = post(
        client,
        f"{BASE}/device/readings",
        {"kind": "blood_pressure", "systolic": 185, "diastolic": 90, "taken_at": taken.isoformat()},
        **device_auth(token),
    )
    assert response.status_code == 201
    assert response.json()["level"] == "urgent"
    reading = Reading.objects.get(pk=response.json()["id"])
    assert abs(reading.taken_at - taken) < timedelta(seconds=1)
    assert Alert.objects.filter(reading=reading).exists()


def test_a_device_clock_may_run_a_little_ahead(client, card, device):
    _, token = device
    url = f"{BASE}/device/readings"
    ahead = {"kind": "blood_pressure", "systolic": 120, "diastolic": 80}
    soon = (timezone.localtime() + timedelta(minutes=4)).isoformat()
    later = (timezone.localtime() + timedelta(minutes=6)).isoformat()
    assert post(client, url, {**ahead, "taken_at": soon}, **device_auth(token)).status_code == 201
    response = post(client, url, {**ahead, "taken_at": later}, **device_auth(token))
    assert response.status_code == 400
    assert response.json()["errors"][0]["loc"] == ["taken_at"]


def test_a_device_posting_an_impossible_value_is_400(client, card, device):
    _, token = device
    response = post(
        client,
        f"{BASE}/device/readings",
        {"kind": "blood_pressure", "systolic": 40, "diastolic": 30},
        **device_auth(token),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["loc"] == ["systolic"]
    assert not Reading.objects.filter(card=card).exists()


def test_a_revoked_device_is_401(client, demo, card, device):
    device_row, token = device
    services.device_revoke(actor=demo.user("doctor"), device=device_row)
    response = post(
        client,
        f"{BASE}/device/readings",
        {"kind": "blood_pressure", "systolic": 120, "diastolic": 80},
        **device_auth(token),
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert post(client, f"{BASE}/device/check-in", **device_auth(token)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Device", "Device ", "Device nonsense", "Bearer x", "device\x00", "Device " + "x" * 500],
)
def test_a_device_endpoint_without_a_good_device_token_is_401(client, card, device, header):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = post(
        client,
        f"{BASE}/device/readings",
        {"kind": "blood_pressure", "systolic": 120, "diastolic": 80},
        **headers,
    )
    assert response.status_code == 401
    assert not Reading.objects.exists()


def test_a_user_token_or_session_does_not_open_the_device_endpoints(demo, api, card, device):
    _, secret = token_create(actor=SYSTEM, user=demo.user("doctor"))
    payload = {"kind": "blood_pressure", "systolic": 120, "diastolic": 80}
    response = post(
        Client(), f"{BASE}/device/readings", payload, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 401
    assert post(api("doctor"), f"{BASE}/device/readings", payload).status_code == 401
    assert post(api("doctor"), f"{BASE}/device/check-in").status_code == 401
    # …and a device token opens nothing else
    _, token = device
    response = Client().get(f"{BASE}/cards", **device_auth(token))
    assert response.status_code == 401


def test_a_device_checks_in(client, card, device):
    device_row, token = device
    response = post(client, f"{BASE}/device/check-in", **device_auth(token))
    assert response.status_code == 201
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert check_in.card == card and check_in.device == device_row
    assert check_in.source == Source.DEVICE
    card.refresh_from_db()
    assert card.last_contact_at is not None


def test_device_endpoints_are_documented_with_their_own_scheme(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][f"{BASE}/device/readings"]["post"]
    (requirement,) = operation["security"]
    (name,) = requirement
    assert spec["components"]["securitySchemes"][name] == {
        "type": "http",
        "scheme": "device",
        "description": "A home device's token: `Authorization: Device <token>`.",
    }
    assert {"201", "400", "401", "422"} <= set(operation["responses"])


def test_health_schema_names_are_unique_in_the_api(client):
    """OpenAPI components are named by class: a schema of another app with the same name
    silently replaces one of the two in the document (and the fuzz test then fails there)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import linli

    def schema_names(module):
        return {
            name
            for name, obj in vars(module).items()
            if isinstance(obj, type)
            and issubclass(obj, Schema)
            and obj.__module__ == module.__name__
        }

    ours = schema_names(importlib.import_module("linli.health.api"))
    assert "HealthFollowUpOut" in ours
    for app in pkgutil.iter_modules(linli.__path__):
        if not app.ispkg or app.name == "health":
            continue
        if importlib.util.find_spec(f"linli.{app.name}.api") is None:
            continue
        theirs = schema_names(importlib.import_module(f"linli.{app.name}.api"))
        assert not ours & theirs, app.name
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "overdue" in components["HealthFollowUpOut"]["properties"]
