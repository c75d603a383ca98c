"""Rate limits on what machines call: failed bearer and device tokens per address (then
every token from it is refused), Open311 filings per address, posts per home device —
each answered 429 with Retry-After in the format of its API."""

import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import django_ratelimit.core
import pytest
from django.core.cache import cache
from django.test import Client

from linli.accounts.services import token_create
from linli.api.v1 import api
from linli.core.actors import SYSTEM
from linli.health import services as health
from linli.health.models import HealthCard
from linli.open311.services import open311_key_create
from linli.places.models import Organisation
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db

HERE, ELSEWHERE = "10.30.0.1", "10.30.0.2"


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()  # the counts of other tests' requests
    settings.LINLI_RATE_LIMITS = {
        "token_failures": "3/h",
        "open311_post": "2/h",
        "device_post": "2/h",
    }
    yield settings.LINLI_RATE_LIMITS
    cache.clear()


def me(token, address=HERE, **headers):
    return Client().get(
        "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address, **headers
    )


def assert_rate_limited(response, *, period=3600):
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= period


@pytest.fixture
def token(demo):
    return token_create(actor=SYSTEM, user=demo.user("street"))[1]


def test_failed_bearer_tokens_lock_the_address_out_even_for_a_valid_token(demo, token):
    assert me(token).status_code == 200
    for _ in range(3):
        assert me("lnl_wrong").status_code == 401
    refused = me("lnl_wrong")
    assert_rate_limited(refused)
    assert refused.json()["code"] == "rate_limited" and refused.json()["detail"]
    assert_rate_limited(me(token))
    # Another address, and the browser session from this one, are not refused.
    assert me(token, address=ELSEWHERE).status_code == 200
    session = Client()
    session.force_login(demo.user("street"))
    assert session.get("/api/v1/me", REMOTE_ADDR=HERE).status_code == 200


def test_the_address_is_let_in_again_when_the_window_has_passed(demo, token, monkeypatch):
    for _ in range(4):
        me("lnl_wrong")
    retry_after = int(me(token)["Retry-After"])
    later = time.time() + retry_after + 1
    monkeypatch.setattr(django_ratelimit.core, "time", type("Clock", (), {"time": lambda: later}))
    assert me(token).status_code == 200


def test_a_forwarded_for_header_does_not_escape_the_limit(demo, token):
    # The embedded server is reached directly: X-Forwarded-For is the client's own words.
    for n in range(4):
        me("lnl_wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert_rate_limited(me(token, HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_behind_a_trusted_proxy_the_forwarded_address_counts(demo, token, settings):
    settings.LINLI_TRUSTED_PROXIES = 1
    proxy = "127.0.0.9"
    for _ in range(4):
        me("lnl_wrong", address=proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.7, {HERE}")
    assert_rate_limited(me(token, address=proxy, HTTP_X_FORWARDED_FOR=HERE))
    # Someone else behind the same proxy is not refused.
    assert me(token, address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 200


def test_the_openapi_document_lists_429_for_every_operation():
    operations = [
        (path, method, operation)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, operation in methods.items()
    ]
    assert operations
    missing = [(p, m) for p, m, op in operations if 429 not in op["responses"]]
    assert missing == []


# -- home devices ----------------------------------------------------------------------------


@pytest.fixture
def devices(demo):
    card = HealthCard.objects.get(resident__user=demo.user("resident"))  # her family doctor's
    return [
        health.device_register(
            actor=demo.user("doctor"), card=card, kind="bp_monitor", name=f"monitor {n}"
        )[1]
        for n in range(2)
    ]


def check_in(token, address=HERE):
    return Client().post(
        "/api/v1/health/device/check-in",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
        REMOTE_ADDR=address,
    )


def test_a_device_that_posts_too_often_is_slowed_down_alone(devices):
    first, second = devices
    assert check_in(first).status_code == 201
    assert check_in(first).status_code == 201
    refused = check_in(first)
    assert_rate_limited(refused)
    assert refused.json()["code"] == "rate_limited"
    assert check_in(second).status_code == 201


def test_failed_device_tokens_lock_the_address_out_for_every_token(devices, token):
    for _ in range(3):
        assert check_in("not-a-device-token").status_code == 401
    assert_rate_limited(check_in("not-a-device-token"))
    assert_rate_limited(check_in(devices[0]))
    # Failed tokens of either kind count together.
    assert_rate_limited(me(token))
    assert check_in(devices[0], address=ELSEWHERE).status_code == 201


# -- Open311 -----------------------------------------------------------------------------------


@pytest.fixture
def api_key(db):
    seed_categories()
    committee = Organisation.objects.get(name="站东社区居民委员会")
    return open311_key_create(actor=SYSTEM, organisation=committee)[1]


def file(key, fmt="json", address=HERE):
    data = {
        "api_key": key,
        "service_code": "corridor-light",
        "description": "6号楼1单元楼道灯不亮",
        "address_string": "南官房小区/6号楼",
    }
    return Client().post(
        f"/open311/v2/requests.{fmt}",
        urlencode(data).encode(),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR=address,
    )


def test_open311_filings_are_limited_per_address_in_the_specifications_format(api_key):
    assert file(api_key).status_code == 200
    assert file("wrong-key").status_code == 403  # a guessed key counts too
    refused = file(api_key)
    assert_rate_limited(refused)
    errors = json.loads(refused.content)
    assert [e["code"] for e in errors] == [429] and errors[0]["description"]
    as_xml = file(api_key, fmt="xml")
    assert_rate_limited(as_xml)
    root = ET.fromstring(as_xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == "429"
    assert file(api_key, address=ELSEWHERE).status_code == 200
    # Reading is not limited.
    assert Client().get("/open311/v2/services.json", REMOTE_ADDR=HERE).status_code == 200
