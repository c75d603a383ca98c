"""How a reading reads on a page: every value with its precision and its unit, through one
function per kind, for the lists of cards, a card's page, "my health", the clinic day and the
charts' labels. A value may come as a Decimal, a float or an int (SQLite hands a subquery's
decimal back as ``5.20000000000000``); it is always rounded to the precision it was taken at.
The API keeps the numbers."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import ReadingKind

# Decimal places a value is shown with: those it is stored with (models.Reading).
PLACES = {"systolic": 0, "diastolic": 0, "pulse": 0, "glucose": 1, "weight_kg": 1}
PLACES.update({"height_cm": 1, "bmi": 1})
MMHG, MMOL, KG, CM = "mmHg", "mmol/L", "kg", "cm"


def number(value, places: int) -> str:
    """``value`` with exactly ``places`` decimals (``5.2``, ``7.0``, ``138``); "" for none."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    return f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):f}"


def with_unit(value, unit: str) -> str:
    return f"{value} {unit}" if value else ""


def blood_pressure_text(systolic, diastolic, pulse=None) -> str:
    """``138/88 mmHg`` and, with a pulse, ``· pulse 72 bpm``."""
    if systolic is None or diastolic is None:
        return ""
    text = f"{number(systolic, 0)}/{number(diastolic, 0)} {MMHG}"
    if pulse:
        text += " · " + pulse_text(pulse)
    return text


def pulse_text(pulse) -> str:
    return _("pulse %(value)s bpm") % {"value": number(pulse, 0)}


def glucose_text(glucose) -> str:
    """``5.2 mmol/L``."""
    return with_unit(number(glucose, PLACES["glucose"]), MMOL)


def weight_text(weight_kg, bmi=None) -> str:
    """``65.0 kg`` and, with a BMI, ``· BMI 24.1``."""
    text = with_unit(number(weight_kg, PLACES["weight_kg"]), KG)
    if text and bmi:
        text += f" · BMI {number(bmi, PLACES['bmi'])}"
    return text


def height_text(height_cm) -> str:
    return with_unit(number(height_cm, PLACES["height_cm"]), CM)


def reading_text(reading) -> str:
    """One reading's values as a person reads them, by its kind."""
    kind = reading.kind
    if kind == ReadingKind.BLOOD_PRESSURE:
        return blood_pressure_text(reading.systolic, reading.diastolic, reading.pulse)
    if kind == ReadingKind.GLUCOSE:
        return glucose_text(reading.glucose)
    if kind == ReadingKind.WEIGHT:
        return weight_text(reading.weight_kg, reading.bmi)
    return height_text(reading.height_cm)


def value_text(name: str, value) -> str:
    """One named value (``glucose``, ``systolic``, ``weight_kg``…) with its unit."""
    if name in ("systolic", "diastolic"):
        return with_unit(number(value, 0), MMHG)
    if name == "pulse":
        return pulse_text(value) if value is not None else ""
    if name == "glucose":
        return glucose_text(value)
    if name == "weight_kg":
        return weight_text(value)
    if name == "height_cm":
        return height_text(value)
    if name == "bmi":
        return number(value, PLACES["bmi"])
    raise ValueError(f"unknown value of a reading: {name!r}")
