"""The FHIR R4 export of a health card: the Bundle parses with two independent FHIR libraries,
the LOINC codes and UCUM units are the ones receivers look for, and nothing identifying
beyond name, gender and birth date leaves."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle as R4BBundle
from fhirclient.models.bundle import Bundle as R4Bundle

from linli.health import fhir
from linli.health.models import HealthCard, Reading
from linli.residents.models import Resident

TAKEN = datetime(2031, 6, 4, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def _card(name="周桂兰", gender="F"):
    resident = Resident(
        pk=41,
        name=name,
        gender=gender,
        birth_date=date(1948, 3, 2),
        id_number="140202194803021234",
        phone="13812341234",
    )
    return HealthCard(pk=7, resident=resident, emergency_phone="13998765432")


def _readings():
    return [
        Reading(
            pk=1,
            kind="blood_pressure",
            systolic=152,
            diastolic=94,
            pulse=78,
            level="raised",
            taken_at=TAKEN,
        ),
        Reading(
            pk=2,
            kind="glucose",
            glucose=Decimal("6.4"),
            glucose_timing="fasting",
            level="impaired",
            taken_at=TAKEN,
        ),
        Reading(
            pk=3,
            kind="glucose",
            glucose=Decimal("9.0"),
            glucose_timing="after_meal",
            level="impaired",
            taken_at=TAKEN,
        ),
        Reading(
            pk=4,
            kind="glucose",
            glucose=Decimal("3.2"),
            glucose_timing="random",
            level="dangerous",
            taken_at=TAKEN,
        ),
        Reading(
            pk=5,
            kind="weight",
            weight_kg=Decimal("61.5"),
            bmi=Decimal("24.0"),
            level="normal",
            taken_at=TAKEN,
        ),
        Reading(pk=6, kind="height", height_cm=Decimal("160.0"), level="normal", taken_at=TAKEN),
        Reading(
            pk=8,
            kind="blood_pressure",
            systolic=186,
            diastolic=100,
            level="urgent",
            taken_at=TAKEN,
        ),
    ]


@pytest.fixture
def bundle():
    # Through JSON and back, as a receiver gets it.
    return json.loads(json.dumps(fhir.patient_bundle(_card(), _readings())))


def _observations(bundle, code):
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == code
    ]


def _one(bundle, code):
    (resource,) = _observations(bundle, code)
    return resource


def test_bundle_parses_with_fhirclient_r4_strictly(bundle):
    parsed = R4Bundle(bundle, strict=True)
    assert parsed.type == "collection"
    assert len(parsed.entry) == 1 + 9
    assert parsed.entry[0].resource.resource_type == "Patient"


def test_bundle_validates_with_fhir_resources_r4b(bundle):
    parsed = R4BBundle.model_validate(bundle)
    assert parsed.type == "collection"
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds == ["Patient"] + ["Observation"] * 9


def test_patient_carries_name_gender_birth_date_and_the_card_number_only(bundle):
    patient = bundle["entry"][0]["resource"]
    assert patient["name"] == [
        {"use": "official", "text": "周桂兰", "family": "周", "given": ["桂兰"]}
    ]
    assert patient["gender"] == "female"
    assert patient["birthDate"] == "1948-03-02"
    assert patient["identifier"] == [
        {"use": "usual", "system": "urn:linli:health-card", "value": "7"}
    ]
    assert "telecom" not in patient and "address" not in patient


def test_no_id_number_or_phone_anywhere(bundle):
    text = json.dumps(bundle)
    for secret in ("140202194803021234", "194803021234", "13812341234", "13998765432"):
        assert secret not in text


def test_blood_pressure_panel_with_systolic_and_diastolic_in_mm_hg(bundle):
    panels = _observations(bundle, "85354-9")
    raised = next(p for p in panels if p["identifier"][0]["value"] == "1")
    assert raised["status"] == "final"
    assert raised["category"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
        "code": "vital-signs",
        "display": "Vital Signs",
    }
    assert raised["code"]["coding"][0]["system"] == "http://loinc.org"
    components = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in raised["component"]}
    unit = {"unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}
    assert components == {"8480-6": {"value": 152, **unit}, "8462-4": {"value": 94, **unit}}
    assert "valueQuantity" not in raised
    assert raised["effectiveDateTime"] == "2031-06-04T09:30:00+08:00"
    assert raised["interpretation"][0]["coding"][0]["code"] == "H"
    assert raised["interpretation"][0]["coding"][0]["system"] == (
        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
    )
    urgent = next(p for p in panels if p["identifier"][0]["value"] == "8")
    assert urgent["interpretation"][0]["coding"][0]["code"] == "HH"


def test_pulse_is_a_heart_rate_observation_per_minute(bundle):
    pulse = _one(bundle, "8867-4")
    assert pulse["valueQuantity"] == {
        "value": 78,
        "unit": "/min",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    }
    assert pulse["identifier"][0]["value"] == "1-pulse"


def test_glucose_codes_by_timing_in_mmol_per_litre(bundle):
    fasting = _one(bundle, "14770-2")
    assert fasting["valueQuantity"] == {
        "value": 6.4,
        "unit": "mmol/L",
        "system": "http://unitsofmeasure.org",
        "code": "mmol/L",
    }
    assert fasting["category"][0]["coding"][0]["code"] == "laboratory"
    assert fasting["interpretation"][0]["coding"][0]["code"] == "H"
    after_meal = _one(bundle, "14760-3")
    assert after_meal["valueQuantity"]["value"] == 9
    low = _one(bundle, "14743-9")
    assert low["valueQuantity"]["code"] == "mmol/L"
    assert low["interpretation"][0]["coding"][0]["code"] == "LL"


def test_weight_height_and_bmi(bundle):
    ucum = "http://unitsofmeasure.org"
    weight = _one(bundle, "29463-7")
    assert weight["valueQuantity"] == {"value": 61.5, "unit": "kg", "system": ucum, "code": "kg"}
    height = _one(bundle, "8302-2")
    assert height["valueQuantity"] == {"value": 160, "unit": "cm", "system": ucum, "code": "cm"}
    bmi = _one(bundle, "39156-5")
    assert bmi["valueQuantity"] == {"value": 24, "unit": "kg/m2", "system": ucum, "code": "kg/m2"}


def test_every_observation_refers_to_the_patient_entry(bundle):
    patient_url = bundle["entry"][0]["fullUrl"]
    assert patient_url.startswith("urn:uuid:")
    for entry in bundle["entry"][1:]:
        assert entry["resource"]["subject"] == {"reference": patient_url}
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)


def test_entry_names_are_stable_across_exports():
    first = fhir.patient_bundle(_card(), _readings())
    second = fhir.patient_bundle(_card(), _readings())
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_patient_alone_when_no_readings_are_shared():
    bundle = fhir.patient_bundle(_card(), [])
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    R4Bundle(json.loads(json.dumps(bundle)), strict=True)
    R4BBundle.model_validate(bundle)


@pytest.mark.parametrize(
    "name, family, given",
    [("周桂兰", "周", "桂兰"), ("欧阳明", "欧阳", "明"), ("王五", "王", "五")],
)
def test_chinese_names_split_surname_first(name, family, given):
    result = fhir.human_name(name)
    assert (result["text"], result["family"], result["given"]) == (name, family, [given])


@pytest.mark.parametrize("name", ["周", "Anna Schmidt", "阿依古丽·买买提"])
def test_names_not_plainly_split_keep_the_text_only(name):
    assert fhir.human_name(name) == {"use": "official", "text": name}


def test_male_gender():
    bundle = fhir.patient_bundle(_card("李建国", "M"), [])
    assert bundle["entry"][0]["resource"]["gender"] == "male"
