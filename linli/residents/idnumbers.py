"""Resident ID numbers (居民身份证号码, GB 11643-1999): structure, check digit, birth date
and gender."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum modulo 11
ID_RE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "M" or "F"
    region: str


def parse_id_number(raw: str) -> IdNumber:
    """Normalise (trim, upper-case x) and validate; raise ValidationError with a message that
    says what is wrong."""
    value = (raw or "").strip().replace(" ", "").upper()
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)s.") % {"n": len(value)},
            code="id_length",
        )
    if not ID_RE.match(value):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    if check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check every digit."),
            code="id_checksum",
        )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The birth date in this ID number (%(digits)s) is not a real date.")
            % {"digits": value[6:14]},
            code="id_birth_date",
        ) from exc
    if birth.year < 1900 or birth > date.today():
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not plausible.")
            % {"date": birth.isoformat()},
            code="id_birth_date",
        )
    gender = "M" if int(value[16]) % 2 else "F"
    return IdNumber(value=value, birth_date=birth, gender=gender, region=value[:6])


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """A valid ID number (for demo and generated data): region code, birth date, a 3-digit
    sequence whose last digit's parity is the gender (odd = male), and the check digit."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
