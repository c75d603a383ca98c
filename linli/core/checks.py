"""System checks of the project's own settings: keys too weak to protect what they protect,
and rate limits that cannot be exact. Weak keys are errors in production (nothing starts
with them) and warnings elsewhere. Django's own deploy check covers ``SECRET_KEY``."""

import base64
import math
import re
import string

from django.conf import settings
from django.core import checks

# What a key must at least hold: 128 bits, e.g. 22 random URL-safe characters.
MIN_KEY_BITS = 128
MIN_DISTINCT = 10
MAKE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
# The smallest alphabet holding every character of a key, and its size.
_ALPHABETS = [
    (frozenset(string.digits), 10),
    (frozenset(string.hexdigits), 16),
    (frozenset(string.ascii_letters + string.digits + "-_+/="), 64),
]
_RATE = re.compile(r"[1-9]\d*/\d*[smhd]")
_PLACEHOLDERS = ("changeme", "changethis", "insecure", "placeholder", "yourkey")


def key_weakness(value: str) -> str | None:
    """Why a key written as text is too weak, or None. The measure is generous — it counts
    every character as random within the smallest usual alphabet that holds them all — so it
    catches only keys that cannot be strong: short ones, ones of few characters or one
    repeated pattern, and placeholders."""
    if not value:
        return "is empty"
    folded = re.sub(r"[\s_\-]", "", value.lower())
    if any(word in folded for word in _PLACEHOLDERS):
        return "looks like a placeholder"
    chars = set(value)
    size = next((n for alphabet, n in _ALPHABETS if chars <= alphabet), 95)
    bits = len(value) * math.log2(size)
    if bits < MIN_KEY_BITS:
        length = f"{len(value)} character" + ("s" if len(value) != 1 else "")
        return f"holds at most {int(bits)} bits in its {length}; it needs {MIN_KEY_BITS}"
    if len(chars) < MIN_DISTINCT:
        return f"uses fewer than {MIN_DISTINCT} different characters"
    if re.fullmatch(r"(.+?)\1+", value, flags=re.DOTALL):
        return "repeats one pattern"
    return None


def _fernet_weakness(key: str) -> str | None:
    # A Fernet key is 32 bytes in URL-safe base64; settings refuse anything else. Random
    # bytes have about 30 different values; fewer than half is a made-up key (all zeros…).
    raw = base64.urlsafe_b64decode(key.encode())
    if len(set(raw)) < 16:
        return "is not random (too few different bytes)"
    return None


@checks.register(checks.Tags.security)
def check_keys(app_configs=None, **kwargs):
    """``LINLI_LOOKUP_KEY`` and ``LINLI_DATA_KEYS`` are strong and are not reused."""
    production = getattr(settings, "PRODUCTION", False)
    level, prefix = (checks.Error, "linli.E") if production else (checks.Warning, "linli.W")
    issues = []
    lookup = settings.LINLI_LOOKUP_KEY
    weakness = key_weakness(lookup)
    if weakness:
        issues.append(
            level(
                f"LINLI_LOOKUP_KEY {weakness}.",
                hint="The keyed hashes of mobile and ID numbers are only as strong as this "
                f"key. Make one with {MAKE_KEY} (changing it needs the hashes recomputed).",
                id=prefix + "001",
            )
        )
    for position, key in enumerate(settings.LINLI_DATA_KEYS, start=1):
        weakness = _fernet_weakness(key)
        if weakness:
            issues.append(
                level(
                    f"Key {position} of LINLI_DATA_KEYS {weakness}.",
                    hint="Make one with python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())' and rotate to it "
                    "(linli rotate-data-key).",
                    id=prefix + "002",
                )
            )
    if lookup == settings.SECRET_KEY or lookup in settings.LINLI_DATA_KEYS:
        issues.append(
            level(
                "LINLI_LOOKUP_KEY is the same as SECRET_KEY or a key of LINLI_DATA_KEYS.",
                hint="Give each its own key, so that one leaked key does not open the rest.",
                id=prefix + "003",
            )
        )
    return issues


@checks.register()
def check_rate_limits(app_configs=None, **kwargs):
    """Every rate of ``LINLI_RATE_LIMITS`` is one django-ratelimit reads (or None: off)."""
    return [
        checks.Error(
            f"LINLI_RATE_LIMITS[{group!r}] is {rate!r}, not a rate.",
            hint='Write "count/period", the period in s, m, h or d, e.g. "20/10m".',
            id="linli.E004",
        )
        for group, rate in settings.LINLI_RATE_LIMITS.items()
        if rate is not None and not _RATE.fullmatch(str(rate))
    ]


@checks.register(checks.Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs=None, **kwargs):
    """Production without Redis counts rate limits per process (see settings/env.py)."""
    backend = settings.CACHES["default"]["BACKEND"]
    local = backend == "django.core.cache.backends.locmem.LocMemCache"
    if getattr(settings, "PRODUCTION", False) and local:
        return [
            checks.Info(
                "Without REDIS_URL each app server process counts rate limits for itself.",
                hint="An address then gets up to as many times each limit as there are "
                "processes (WEB_CONCURRENCY per server). Set REDIS_URL for exact limits.",
                id="linli.I001",
            )
        ]
    return []
