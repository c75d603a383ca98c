"""The system checks of the project's keys: a weak or reused LINLI_LOOKUP_KEY or data key is
an error in production and a warning elsewhere; the keys CI generates pass
``check --deploy``."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core import checks

from linli.core.checks import check_keys, check_rate_limits, key_weakness

ROOT = Path(__file__).resolve().parent.parent


def ci_lookup_key() -> str:
    # As .ci/run makes it: "ci-lookup-$(head -c 16 /dev/urandom | base64 | tr -d '/+=')"
    encoded = base64.b64encode(os.urandom(16)).decode()
    return "ci-lookup-" + encoded.translate(str.maketrans("", "", "/+="))


@pytest.mark.parametrize(
    "key",
    [
        "",
        "x",
        "short-key-123",
        "0123456789abcdef",  # 64 bits of hex
        "a" * 64,
        "ab12" * 16,
        "0123456789" * 4,
        "please-change-me-before-going-live-2031",
        "INSECURE-lookup-key-for-local-use-only",
    ],
)
def test_weak_keys_are_named_with_the_reason(key):
    assert key_weakness(key)


def test_strong_keys_pass():
    for _ in range(200):
        assert key_weakness(secrets.token_urlsafe(32)) is None  # what settings generate
        assert key_weakness(secrets.token_urlsafe(16)) is None  # 22 characters, 128 bits
        assert key_weakness(secrets.token_hex(16)) is None
        assert key_weakness(ci_lookup_key()) is None


def _issues(settings, **values):
    for name, value in values.items():
        setattr(settings, name, value)
    return [(type(issue), issue.id) for issue in check_keys()]


def test_a_weak_lookup_key_is_an_error_in_production_and_a_warning_elsewhere(settings):
    assert _issues(settings, LINLI_LOOKUP_KEY="x", PRODUCTION=True) == [
        (checks.Error, "linli.E001")
    ]
    assert _issues(settings, LINLI_LOOKUP_KEY="x", PRODUCTION=False) == [
        (checks.Warning, "linli.W001")
    ]
    assert _issues(settings, LINLI_LOOKUP_KEY=secrets.token_urlsafe(32), PRODUCTION=True) == []


def test_a_made_up_data_key_and_a_reused_key_are_errors(settings):
    zeros = base64.urlsafe_b64encode(bytes(32)).decode()  # a valid Fernet key, all zeros
    good = Fernet.generate_key().decode()
    assert _issues(settings, LINLI_DATA_KEYS=[good, zeros], PRODUCTION=True) == [
        (checks.Error, "linli.E002")
    ]
    reused = {"LINLI_DATA_KEYS": [good], "LINLI_LOOKUP_KEY": settings.SECRET_KEY}
    assert _issues(settings, **reused, PRODUCTION=False) == [(checks.Warning, "linli.W003")]
    assert _issues(settings, LINLI_LOOKUP_KEY=good, PRODUCTION=True) == [
        (checks.Error, "linli.E003")
    ]


def test_a_rate_limit_that_cannot_be_read_is_an_error(settings):
    settings.LINLI_RATE_LIMITS = {"open311_post": "120/h", "device_post": None}
    assert check_rate_limits() == []
    settings.LINLI_RATE_LIMITS = {"open311_post": "120 per hour", "device_post": "0/h"}
    assert [issue.id for issue in check_rate_limits()] == ["linli.E004", "linli.E004"]


def _deploy_check(lookup_key: str) -> subprocess.CompletedProcess:
    # Only what CI's step sets (the test run's own environment holds more, e.g.
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check refuses).
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "linli.settings.production",
        "SECRET_KEY": "ci-" + secrets.token_urlsafe(64),
        "LINLI_DATA_KEYS": Fernet.generate_key().decode(),
        "LINLI_LOOKUP_KEY": lookup_key,
        "ALLOWED_HOSTS": "linli.example.org",
    }
    return subprocess.run(
        [sys.executable, "-m", "linli.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_keys_pass_the_deploy_check_and_a_weak_lookup_key_fails_it():
    passed = _deploy_check(ci_lookup_key())
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = _deploy_check("x")
    assert failed.returncode != 0
    assert "linli.E001" in failed.stdout + failed.stderr
