"""What a reading means, as China's basic public health service practice reads it (SPEC 3.7),
and which values cannot be real.

Blood pressure (mmHg): systolic ≥180 and/or diastolic ≥110 is urgent; otherwise systolic
≥140 or diastolic ≥90 is raised; below both is normal.

Blood glucose (mmol/L): ≥16.7 or ≤3.9 is dangerous whenever it was taken. Fasting: ≥7.0 is
in the diabetic range, 6.1 to below 7.0 impaired (impaired fasting glucose), below 6.1
normal. Two hours after a meal and random readings (not in SPEC 3.7; the WHO thresholds the
same practice uses): ≥11.1 diabetic range; 2 h after a meal 7.8 to below 11.1 impaired.

Values are compared as decimals with one decimal place, so 6.95 never sneaks between 6.9
and 7.0: a reading is rounded to 0.1 mmol/L when it is entered."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import GlucoseTiming, Level

# The limits outside which a value is refused as impossible (a typing error or a faulty
# device), not classified.
SYSTOLIC = (50, 300)
DIASTOLIC = (20, 200)
PULSE = (20, 250)
GLUCOSE = (Decimal("1.0"), Decimal("40.0"))
WEIGHT = (Decimal("20.0"), Decimal("300.0"))
HEIGHT = (Decimal("80.0"), Decimal("230.0"))

TENTH = Decimal("0.1")


def tenth(value) -> Decimal:
    """``value`` as a decimal rounded to 0.1 (half up); ValidationError if it is no number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from exc
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    return number.quantize(TENTH, rounding=ROUND_HALF_UP)


def _check_range(field: str, value, limits, unit: str) -> None:
    low, high = limits
    if not low <= value <= high:
        raise ValidationError(
            {
                field: _(
                    "%(value)s %(unit)s cannot be right: it must be between %(low)s and "
                    "%(high)s. Please measure again."
                )
                % {"value": value, "unit": unit, "low": low, "high": high}
            }
        )


def blood_pressure(systolic: int, diastolic: int) -> Level:
    if systolic >= 180 or diastolic >= 110:
        return Level.URGENT
    if systolic >= 140 or diastolic >= 90:
        return Level.RAISED
    return Level.NORMAL


def glucose(value: Decimal, timing: str) -> Level:
    value = tenth(value)
    if value >= Decimal("16.7") or value <= Decimal("3.9"):
        return Level.DANGEROUS
    if timing == GlucoseTiming.FASTING:
        if value >= Decimal("7.0"):
            return Level.DIABETIC
        if value >= Decimal("6.1"):
            return Level.IMPAIRED
        return Level.NORMAL
    if value >= Decimal("11.1"):
        return Level.DIABETIC
    if timing == GlucoseTiming.AFTER_MEAL and value >= Decimal("7.8"):
        return Level.IMPAIRED
    return Level.NORMAL


def check_blood_pressure(systolic: int, diastolic: int, pulse: int | None) -> None:
    """Refuse values that cannot be real, each with its own message."""
    _check_range("systolic", systolic, SYSTOLIC, "mmHg")
    _check_range("diastolic", diastolic, DIASTOLIC, "mmHg")
    if pulse is not None:
        _check_range("pulse", pulse, PULSE, "/min")
    if diastolic >= systolic:
        raise ValidationError(
            {"diastolic": _("The diastolic value must be lower than the systolic value.")}
        )


def check_glucose(value: Decimal, timing: str) -> None:
    _check_range("glucose", value, GLUCOSE, "mmol/L")
    if timing not in GlucoseTiming.values:
        raise ValidationError(
            {"glucose_timing": _("Say when it was taken: fasting, 2 h after a meal or random.")}
        )


def check_weight(value: Decimal) -> None:
    _check_range("weight_kg", value, WEIGHT, "kg")


def check_height(value: Decimal) -> None:
    _check_range("height_cm", value, HEIGHT, "cm")


def bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(TENTH, rounding=ROUND_HALF_UP)
