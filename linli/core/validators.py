"""Validation shared by every app: mainland mobile numbers (11 digits, 1[3-9]…, optional +86)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix; refuse anything that is not a mainland
    mobile number."""
    cleaned = re.sub(r"[\s\-]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if cleaned.startswith(prefix) and len(cleaned) == len(prefix) + 11:
            cleaned = cleaned[len(prefix) :]
            break
    if not MOBILE_RE.match(cleaned):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 13–19, e.g. 13812345678."),
            code="mobile",
        )
    return cleaned


def looks_like_mobile(value: str) -> bool:
    try:
        normalise_mobile(value)
    except ValidationError:
        return False
    return True
