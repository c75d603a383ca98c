"""A resident's health record as an HL7 FHIR R4 Bundle (SPEC 3.7): a Patient and one
LOINC-coded Observation per measurement, built by hand as JSON-ready dicts.

What the Patient carries is the least another system needs to match the record: the name,
gender and birth date, and the card's own number in a local system. Never the ID number,
a phone number or an address (PIPL art. 28: share no more than the purpose needs).

Codes, checked against these sources (May 2026):

- Vital signs — FHIR R4 value set ``observation-vitalsignresult``
  (https://www.hl7.org/fhir/R4/valueset-observation-vitalsignresult.html) and the vital-signs
  profile: blood-pressure panel 85354-9 with the components 8480-6 systolic and 8462-4
  diastolic, heart rate 8867-4, body weight 29463-7, body height 8302-2, BMI 39156-5; units
  from the value set ``ucum-vitals-common`` (mm[Hg], /min, kg, cm, kg/m2).
- Capillary glucose in mmol/L (a finger-prick at the clinic station or a home glucometer),
  names as loinc.org gives them: 14770-2 "Fasting glucose [Moles/volume] in Capillary blood
  by Glucometer" (formerly "Glucose [Moles/volume] in Capillary blood --post 12 h fast"),
  14760-3 "Glucose [Moles/volume] in Capillary blood --2 hours post meal", 14743-9 "Glucose
  [Moles/volume] in Capillary blood by Glucometer" for a random reading. The Dutch
  home-measurement exchange (Nictiz "Thuismetingen") uses the same three codes for the same
  three timings.
- Interpretation — v3 ObservationInterpretation (N, H, HH, LL); category — the R4
  observation-category code system (vital-signs; laboratory for glucose)."""

import uuid
from decimal import Decimal

from django.utils import timezone

from .models import GlucoseTiming, HealthCard, Level, Reading, ReadingKind

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CARD_SYSTEM = "urn:linli:health-card"
READING_SYSTEM = "urn:linli:health-reading"

# Bundle entries are named by urn:uuid, derived from the row ids so that exporting the same
# record twice gives the same names (a receiver can recognise what it already has).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:linli:health")

BLOOD_PRESSURE = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
HEART_RATE = ("8867-4", "Heart rate")
WEIGHT = ("29463-7", "Body weight")
HEIGHT = ("8302-2", "Body height")
BMI = ("39156-5", "Body mass index (BMI) [Ratio]")
GLUCOSE = {
    GlucoseTiming.FASTING: (
        "14770-2",
        "Fasting glucose [Moles/volume] in Capillary blood by Glucometer",
    ),
    GlucoseTiming.AFTER_MEAL: (
        "14760-3",
        "Glucose [Moles/volume] in Capillary blood --2 hours post meal",
    ),
    GlucoseTiming.RANDOM: ("14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer"),
}

MM_HG = ("mm[Hg]", "mm[Hg]")  # (unit shown, UCUM code)
PER_MINUTE = ("/min", "/min")
MMOL_L = ("mmol/L", "mmol/L")
KG = ("kg", "kg")
CM = ("cm", "cm")
KG_M2 = ("kg/m2", "kg/m2")

INTERPRETATIONS = {
    "N": "Normal",
    "H": "High",
    "HH": "Critical high",
    "LL": "Critical low",
}

GENDERS = {"M": "male", "F": "female"}

# Two-character surnames, so that 欧阳修 is family 欧阳, given 修 (and not 欧 / 阳修).
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "轩辕",
        "呼延",
        "申屠",
        "澹台",
        "太史",
        "百里",
        "钟离",
        "闻人",
        "万俟",
        "赫连",
        "拓跋",
        "第五",
    )
)


def entry_uuid(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _coding(system: str, code_display: tuple[str, str]) -> dict:
    code, display = code_display
    return {"system": system, "code": code, "display": display}


def _concept(code_display: tuple[str, str]) -> dict:
    return {"coding": [_coding(LOINC, code_display)], "text": code_display[1]}


def _quantity(value, unit: tuple[str, str]) -> dict:
    # FHIR decimals are JSON numbers; whole numbers stay integers.
    number = Decimal(str(value))
    number = int(number) if number == number.to_integral_value() else float(number)
    return {"value": number, "unit": unit[0], "system": UCUM, "code": unit[1]}


def human_name(name: str) -> dict:
    """A Chinese name as FHIR's HumanName: the surname first, with the whole name as text."""
    name = name.strip()
    result = {"use": "official", "text": name}
    if not name or not all("\u3400" <= ch <= "\u9fff" for ch in name) or len(name) < 2:
        return result
    family_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    result["family"] = name[:family_length]
    result["given"] = [name[family_length:]]
    return result


def patient(card: HealthCard) -> dict:
    resident = card.resident
    resource = {
        "resourceType": "Patient",
        "id": entry_uuid("card", card.pk),
        "identifier": [{"use": "usual", "system": CARD_SYSTEM, "value": str(card.pk)}],
        "active": card.is_active,
        "name": [human_name(resident.name)],
        "gender": GENDERS.get(resident.gender, "unknown"),
    }
    if resident.birth_date:
        resource["birthDate"] = resident.birth_date.isoformat()
    return resource


def interpretation(reading: Reading) -> str:
    level = reading.level
    if level == Level.NORMAL:
        return "N"
    if level == Level.URGENT:
        return "HH"
    if level == Level.DANGEROUS:
        # Dangerous glucose is either very high or very low (≤3.9 mmol/L).
        low = reading.glucose is not None and Decimal(reading.glucose) <= Decimal("3.9")
        return "LL" if low else "HH"
    return "H"


def _interpretation(reading: Reading) -> list[dict]:
    code = interpretation(reading)
    return [
        {
            "coding": [{"system": INTERPRETATION, "code": code, "display": INTERPRETATIONS[code]}],
            "text": reading.get_level_display(),
        }
    ]


def _category(code: str, display: str) -> list[dict]:
    return [{"coding": [{"system": CATEGORY, "code": code, "display": display}]}]


VITAL_SIGNS = ("vital-signs", "Vital Signs")
LABORATORY = ("laboratory", "Laboratory")


def _observation(reading, patient_url, key, category, code, *, classified=False, **value):
    resource = {
        "resourceType": "Observation",
        "id": entry_uuid("reading", reading.pk, key),
        "identifier": [
            {
                "system": READING_SYSTEM,
                "value": str(reading.pk) if key == reading.kind else f"{reading.pk}-{key}",
            }
        ],
        "status": "final",
        "category": _category(*category),
        "code": _concept(code),
        "subject": {"reference": patient_url},
        "effectiveDateTime": timezone.localtime(reading.taken_at).isoformat(timespec="seconds"),
        **value,
    }
    if classified:
        resource["interpretation"] = _interpretation(reading)
    return resource


def observations(reading: Reading, patient_url: str) -> list[dict]:
    """The Observations of one reading: a blood-pressure reading gives the panel and, when the
    pulse was taken, a heart rate; a weight gives the BMI too when it was derived."""
    kind = reading.kind
    result = []
    if kind == ReadingKind.BLOOD_PRESSURE:
        if reading.systolic is not None and reading.diastolic is not None:
            result.append(
                _observation(
                    reading,
                    patient_url,
                    kind,
                    VITAL_SIGNS,
                    BLOOD_PRESSURE,
                    classified=True,
                    component=[
                        {
                            "code": _concept(SYSTOLIC),
                            "valueQuantity": _quantity(reading.systolic, MM_HG),
                        },
                        {
                            "code": _concept(DIASTOLIC),
                            "valueQuantity": _quantity(reading.diastolic, MM_HG),
                        },
                    ],
                )
            )
        if reading.pulse is not None:
            result.append(
                _observation(
                    reading,
                    patient_url,
                    "pulse",
                    VITAL_SIGNS,
                    HEART_RATE,
                    valueQuantity=_quantity(reading.pulse, PER_MINUTE),
                )
            )
    elif kind == ReadingKind.GLUCOSE and reading.glucose is not None:
        code = GLUCOSE.get(reading.glucose_timing, GLUCOSE[GlucoseTiming.RANDOM])
        result.append(
            _observation(
                reading,
                patient_url,
                kind,
                LABORATORY,
                code,
                classified=True,
                valueQuantity=_quantity(reading.glucose, MMOL_L),
            )
        )
    elif kind == ReadingKind.WEIGHT and reading.weight_kg is not None:
        result.append(
            _observation(
                reading,
                patient_url,
                kind,
                VITAL_SIGNS,
                WEIGHT,
                valueQuantity=_quantity(reading.weight_kg, KG),
            )
        )
        if reading.bmi is not None:
            result.append(
                _observation(
                    reading,
                    patient_url,
                    "bmi",
                    VITAL_SIGNS,
                    BMI,
                    valueQuantity=_quantity(reading.bmi, KG_M2),
                )
            )
    elif kind == ReadingKind.HEIGHT and reading.height_cm is not None:
        result.append(
            _observation(
                reading,
                patient_url,
                kind,
                VITAL_SIGNS,
                HEIGHT,
                valueQuantity=_quantity(reading.height_cm, CM),
            )
        )
    return result


def patient_bundle(card: HealthCard, readings) -> dict:
    """A FHIR R4 ``collection`` Bundle: the card's Patient first, then the Observations of
    ``readings`` (pass none to share the Patient alone)."""
    patient_resource = patient(card)
    patient_url = f"urn:uuid:{patient_resource['id']}"
    entries = [{"fullUrl": patient_url, "resource": patient_resource}]
    for reading in readings:
        for resource in observations(reading, patient_url):
            entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": timezone.localtime().isoformat(timespec="seconds")},
        "type": "collection",
        "timestamp": timezone.localtime().isoformat(timespec="seconds"),
        "entry": entries,
    }
