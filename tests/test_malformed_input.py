"""Malformed input anywhere answers 4xx, never 500, and changes nothing: the API in its JSON
error format ({detail, code}, with errors for invalid input), pages with the site's error
pages, Open311 in its own format, and so under every settings module."""

import importlib.util
import json
import os
import pkgutil
import sys
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import linli.settings
from linli.accounts.services import token_create
from linli.core.actors import SYSTEM
from linli.health import services as health_services
from linli.health.models import HealthCard
from linli.residents.models import Resident
from linli.workorders.models import Category, WorkOrder

NUL, SURROGATE = "a\x00b", "a\ud800b"
# Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), as in the report: a long description.
HUGE = "长" * 1_000_000  # 3,000,000 bytes in UTF-8
STAFF, RESIDENT = "street", "resident"


def bearer(username):
    _, secret = token_create(actor=SYSTEM, user=User_(username))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def User_(username):
    from linli.accounts.models import User

    return User.objects.get(username=username)


def json_post(client, url, body, method="post", content_type="application/json", **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.generic(method.upper(), url, data=data, content_type=content_type, **extra)


def assert_api_error(response, status=None, code=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert body["detail"] and body["code"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_error_page(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    names = {t.name for t in response.templates}
    assert names & {f"errors/{status}.html"}, names


def row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def staff(demo):
    return bearer(STAFF)


@pytest.fixture
def resident_token(demo):
    return bearer(RESIDENT)


@pytest.fixture
def filing(demo):
    """A body the resident may file an order with."""
    return {
        "category": Category.objects.order_by("pk").values_list("code", flat=True).first(),
        "place": demo.resident_household.pk,
        "title": "楼道灯不亮",
        "description": "三楼",
    }


# -- the reproductions (DEBUG on, as in linli.settings.dev, the command line's default) ------


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_a_photo_upload_without_a_boundary_is_400(client, staff, debug):
    order = WorkOrder.objects.order_by("pk").first()
    response = client.post(
        f"/api/v1/orders/{order.pk}/photos",
        data=b"--x\r\nContent-Disposition: form-data; name=photo\r\n\r\nabc\r\n--x--",
        content_type="multipart/form-data",
        **staff,
    )
    assert_api_error(response, 400, "bad_form")


def test_a_json_body_over_the_upload_limit_is_413(client, resident_token, filing, debug):
    before = WorkOrder.objects.count()
    response = json_post(
        client, "/api/v1/orders", {**filing, "description": HUGE}, **resident_token
    )
    assert_api_error(response, 413, "too_large")
    assert WorkOrder.objects.count() == before


def test_nul_in_a_residents_name_is_422(client, demo):
    client.force_login(demo.user("community"))
    body = {
        "name": "刘\x00芳",
        "place": demo.resident_household.pk,
        "gender": "F",
        "birth_date": "1960-07-07",
    }
    before = Resident.objects.count()
    refused = assert_api_error(json_post(client, "/api/v1/residents", body), 422, "invalid")
    assert [e["loc"] for e in refused["errors"]] == [["body", "name"]]
    assert Resident.objects.count() == before
    # the same body without the NUL is a resident the community worker may register
    accepted = json_post(client, "/api/v1/residents", {**body, "name": "刘芳"})
    assert accepted.status_code == 201, accepted.content


def test_nul_in_an_orders_title_is_422(client, resident_token, filing):
    before = WorkOrder.objects.count()
    refused = json_post(client, "/api/v1/orders", {**filing, "title": "灯\x00"}, **resident_token)
    assert [e["loc"] for e in assert_api_error(refused, 422, "invalid")["errors"]] == [
        ["body", "title"]
    ]
    assert WorkOrder.objects.count() == before
    accepted = json_post(client, "/api/v1/orders", filing, **resident_token)
    assert accepted.status_code == 201, accepted.content


# -- the API: bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,code",
    [
        (b'{"title": ', "bad_json"),
        (b'{"title": "\xff"}', "bad_json"),  # not UTF-8
        (b'{"title": "\xed\xa0\x80"}', "bad_json"),  # a surrogate encoded as UTF-8
        (b'{"place": NaN}', "bad_json"),  # not JSON (RFC 8259)
        (b"\xef\xbb\xbf{}", "bad_json"),  # a byte order mark
        (b"[" * 100_000 + b"]" * 100_000, "bad_json"),  # deeper than any parser goes
        (b'{"place": 1' + b"0" * 5000 + b"}", "bad_json"),  # more digits than Python reads
    ],
)
def test_a_body_that_is_not_json_is_400(client, resident_token, data, code):
    assert_api_error(json_post(client, "/api/v1/orders", data, **resident_token), 400, code)


def test_bad_text_is_found_anywhere_in_the_body_and_named(client, resident_token, filing):
    body = {**filing, "extra": [{"deep": ["ok", SURROGATE]}], "k\x00ey": 1}
    refused = assert_api_error(json_post(client, "/api/v1/orders", body, **resident_token), 422)
    assert [e["loc"] for e in refused["errors"]] == [
        ["body", "extra", "0", "deep", "1"],
        ["body", "k\ufffdey"],  # the key is shown without the NUL
    ]


def test_a_body_not_sent_as_json_is_415(client, resident_token, filing):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = json_post(
            client, "/api/v1/orders", filing, content_type=content_type, **resident_token
        )
        assert_api_error(response, 415, "unsupported_media_type")
    # a form with its boundary is read as a form, so it is not JSON either
    response = client.post("/api/v1/orders", filing, **resident_token)
    assert_api_error(response, 415, "unsupported_media_type")


def test_too_many_fields_is_400(client, staff):
    query = "&".join(f"f{i}=1" for i in range(1100))
    assert_api_error(client.get(f"/api/v1/residents?{query}", **staff), 400, "too_many_fields")


def test_too_large_for_an_endpoint_that_takes_no_body(client, resident_token, filing):
    order = json_post(client, "/api/v1/orders", filing, **resident_token).json()
    response = json_post(client, f"/api/v1/orders/{order['id']}/support", HUGE, **resident_token)
    assert_api_error(response, 413, "too_large")


def test_nul_in_a_form_field_beside_an_upload_is_422(client, staff):
    # (Django itself drops unprintable characters from an upload's file name.)
    order = WorkOrder.objects.order_by("pk").first()
    upload = SimpleUploadedFile("a.png", b"x", content_type="image/png")
    before = row_counts()
    response = client.post(
        f"/api/v1/orders/{order.pk}/photos", {"photo": upload, "n": NUL}, **staff
    )
    assert [e["loc"] for e in assert_api_error(response, 422)["errors"]] == [["form", "n"]]
    assert row_counts() == before


def test_the_parser_refuses_without_the_middleware(client, staff, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "linli.core.middleware.MalformedInputMiddleware"
    ]
    refused = assert_api_error(client.get("/api/v1/residents", {"q": NUL}, **staff), 422)
    assert [e["loc"] for e in refused["errors"]] == [["query", "q"]]
    order = WorkOrder.objects.order_by("pk").first()
    assert_api_error(
        client.post(
            f"/api/v1/orders/{order.pk}/photos",
            data=b"x",
            content_type="multipart/form-data",
            **staff,
        ),
        400,
        "bad_form",
    )
    assert_api_error(json_post(client, "/api/v1/orders", {"d": HUGE}, **staff), 413, "too_large")


# -- the API: every operation, as staff and as a resident ------------------------------------


def _spec(client):
    return client.get("/api/v1/openapi.json").json()


def _resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(s, components) for s in schema[key]]
            typed = [s for s in options if s.get("type") not in (None, "null")]
            return typed[0] if typed else {}
    return schema


def string_fields(schema, components, path=()):
    """The path of every string field of a request body, nested objects and lists included."""
    schema = _resolve(schema, components)
    kind = schema.get("type")
    if kind == "string":
        return [path]
    if kind == "array":
        return string_fields(schema.get("items", {}), components, (*path, 0))
    found = []
    for name, prop in schema.get("properties", {}).items():
        found += string_fields(prop, components, (*path, name))
    return found


def with_value(path, value):
    """A body holding ``value`` at ``path`` (a list index is always 0)."""
    body = value
    for part in reversed(path):
        body = [body] if isinstance(part, int) else {part: body}
    return body


def body_operations(spec):
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if "requestBody" in op:
                url = path
                for param in op.get("parameters", []):
                    if param["in"] == "path":
                        url = url.replace("{" + param["name"] + "}", "1")
                yield method, url, op


@pytest.fixture
def device_token(demo):
    """The home-device endpoints take a device's token, not a user's."""
    for card in HealthCard.objects.order_by("pk"):
        try:
            return health_services.device_register(
                actor=demo.user("doctor"), card=card, kind="bp_monitor", name="血压计"
            )[1]
        except Exception:  # noqa: BLE001 - a card the doctor may not manage, or not active
            continue
    pytest.fail("no card a device can be registered to")


@pytest.mark.parametrize("who", [STAFF, RESIDENT])
def test_every_operation_with_a_body_refuses_every_kind_of_malformed_input(
    client, demo, who, device_token
):
    spec = _spec(client)
    components = spec["components"]["schemas"]
    user_auth = bearer(who)
    operations = list(body_operations(spec))
    assert len(operations) >= 20  # the sweep sees the whole API
    before = row_counts()
    tried = 0
    for method, url, op in operations:
        auth = {"HTTP_AUTHORIZATION": f"Device {device_token}"} if "/device/" in url else user_auth
        content = op["requestBody"]["content"]

        def send(data, content_type="application/json", expect=None, code=None, at=(url, method)):
            response = json_post(client, at[0], data, at[1], content_type, **auth)  # noqa: B023
            assert_api_error(response, expect, code)
            return response

        send({"x": HUGE}, expect=413, code="too_large")
        send(b"\x00", content_type="multipart/form-data", expect=None)  # no boundary
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            send(b'{"a": [1, ', expect=400, code="bad_json")
            send(b'{"a": "\xc3\x28"}', expect=400, code="bad_json")
            send(b'{"a": 1}', content_type="text/plain", expect=415)
            fields = string_fields(schema, components)
            for field in fields:
                for bad in (NUL, SURROGATE):
                    refused = send(with_value(field, bad), expect=422, code="invalid")
                    assert refused.json()["errors"][0]["loc"] == ["body", *map(str, field)]
                    tried += 1
        else:  # a photo: a form with a file
            upload = SimpleUploadedFile("a.png", b"x", content_type="image/png")
            assert_api_error(client.post(url, {"photo": upload, "note": NUL}, **auth), 422)
            send(b'{"a": 1}', expect=422)  # JSON, where a form with a file is needed
            tried += 1
    assert tried > 50
    assert row_counts() == before


def test_every_operation_with_a_body_documents_413_and_415(client):
    for method, url, op in body_operations(_spec(client)):
        assert {"400", "413", "422"} <= set(op["responses"]), (method, url)
        # 415 where a JSON body is read; a form with a file sent as JSON lacks its file (422)
        json_body = "application/json" in op["requestBody"]["content"]
        assert ("415" in op["responses"]) == json_body, (method, url)


def test_every_string_query_parameter_and_path_refuses_nul(client, staff):
    # (A surrogate cannot arrive in a URL: Django decodes it as U+FFFD.)
    spec = _spec(client)
    components = spec["components"]["schemas"]
    queries = paths = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            url = bad_url = path
            for param in params:
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", "1")
                    bad_url = bad_url.replace("{" + param["name"] + "}", "%00")
            if bad_url != path:
                refused = assert_api_error(client.generic(method.upper(), bad_url, **staff), 422)
                assert refused["errors"][0]["loc"] == ["path"]
                paths += 1
            if method != "get":
                continue
            for param in params:
                schema = _resolve(param.get("schema", {}), components)
                if param["in"] == "query" and schema.get("type") == "string":
                    refused = assert_api_error(client.get(url, {param["name"]: NUL}, **staff), 422)
                    assert refused["errors"][0]["loc"] == ["query", param["name"]]
                    queries += 1
    assert queries >= 5 and paths >= 20


# -- pages ------------------------------------------------------------------------------------


@pytest.fixture
def worker(client_for):
    return client_for("community")


@pytest.mark.parametrize("url", ["/residents/", "/lending/", "/health/", "/"])
def test_a_search_box_with_nul_is_the_400_page(worker, url):
    assert_error_page(worker.get(url, {"q": NUL}), 400)


def test_a_page_upload_without_a_boundary_is_the_400_page(worker):
    response = worker.post("/residents/import/", data=b"x", content_type="multipart/form-data")
    assert_error_page(response, 400)


def test_a_form_too_large_is_the_413_page(worker):
    response = worker.post("/residents/new/", {"name": "刘芳", "notes": HUGE})
    assert_error_page(response, 413)


def test_nul_in_a_form_field_or_the_path_is_the_400_page(worker):
    before = Resident.objects.count()
    assert_error_page(worker.post("/residents/new/", {"name": NUL}), 400)
    assert_error_page(worker.get("/residents/%00/"), 400)
    assert Resident.objects.count() == before


def test_a_session_cookie_with_nul_counts_as_signed_out(client):
    client.cookies["sessionid"] = "\x00abcdefghijklmnop"
    response = client.get("/residents/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert_api_error(client.get("/api/v1/me"), 401)


def test_a_bad_csrf_cookie_is_the_403_page(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("community"))
    client.cookies["csrftoken"] = "\x00" * 32
    assert_error_page(client.post("/residents/new/", {"name": "刘芳"}), 403)


# -- Open311 keeps its own error format -------------------------------------------------------


@pytest.mark.parametrize(
    "data,content_type",
    [
        (b"x", "multipart/form-data"),
        (("a=" + HUGE).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_open311_answers_malformed_bodies_in_its_own_format(client, data, content_type):
    response = client.post("/open311/v2/requests.json", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "The request is malformed."}]


# -- under every settings module --------------------------------------------------------------

# What the test database and its data need, and what only speeds tests up: kept as in
# linli.settings.test whatever the module says. Production's manifest storage needs
# `collectstatic`, which a deployment runs and a test does not.
KEEP = {
    "DATABASES",
    "SECRET_KEY",
    "LINLI_DATA_KEYS",
    "LINLI_LOOKUP_KEY",
    "STORAGES",
    "PASSWORD_HASHERS",
    "TASKS",
    "EMAIL_BACKEND",
    "CACHES",
    "SESSION_ENGINE",
    "LOGGING",
}
PRODUCTION_ENV = {
    "SECRET_KEY": "test-" + "x" * 60,
    "LINLI_DATA_KEYS": Fernet.generate_key().decode(),
    "LINLI_LOOKUP_KEY": "test-lookup-" + "y" * 30,
    "ALLOWED_HOSTS": "testserver",
}
SETTINGS_MODULES = sorted(
    f"linli.settings.{m.name}"
    for m in pkgutil.iter_modules(linli.settings.__path__)
    if m.name != "env"
)


def settings_differences(module: str, current) -> dict:
    # A fresh copy of the module, outside sys.modules, in an environment restored afterwards
    # (the bench settings set DATABASE_URL).
    # Its base is imported afresh too: settings modules change base's dicts and lists in place
    # (test.py sets DATABASES["default"]["TEST"]), and the running settings share those.
    spec = importlib.util.find_spec(module)
    copy = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, PRODUCTION_ENV), mock.patch.dict(sys.modules):
        for name in [n for n in sys.modules if n.startswith("linli.settings.")]:
            del sys.modules[name]
        spec.loader.exec_module(copy)
    values = vars(copy)
    return {
        name: value
        for name, value in values.items()
        if name.isupper() and name not in KEEP and value != getattr(current, name, object())
    }


def test_every_settings_module_is_covered():
    assert {"linli.settings.dev", "linli.settings.production", "linli.settings.test"} <= set(
        SETTINGS_MODULES
    )


@pytest.mark.parametrize("module", SETTINGS_MODULES)
def test_malformed_input_is_4xx_under_every_settings_module(
    module, settings, demo, resident_token, filing
):
    for name, value in settings_differences(module, settings).items():
        setattr(settings, name, value)
    # as Django's test environment does for any ALLOWED_HOSTS
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client(raise_request_exception=False)
    api = {"secure": True, **resident_token}
    page = Client(raise_request_exception=False)
    page.force_login(demo.user("community"))
    before = row_counts()
    order = WorkOrder.objects.order_by("pk").first()
    for data, content_type, status in [
        ({**filing, "description": HUGE}, "application/json", 413),
        (b'{"title": ', "application/json", 400),
        (b'{"title": "\xff"}', "application/json", 400),
        ({**filing, "title": NUL}, "application/json", 422),
        ({**filing, "title": SURROGATE}, "application/json", 422),
        (filing, "text/plain", 415),
        (b"x", "multipart/form-data", 400),
    ]:
        assert_api_error(
            json_post(client, "/api/v1/orders", data, "post", content_type, **api), status
        )
    assert_api_error(
        client.post(
            f"/api/v1/orders/{order.pk}/photos",
            data=b"x",
            content_type="multipart/form-data",
            **api,
        ),
        400,
    )
    assert_api_error(client.get("/api/v1/orders", {"q": NUL}, **api), 422)

    assert_error_page(page.get("/residents/", {"q": NUL}, secure=True), 400)
    assert_error_page(page.get("/residents/%00/", secure=True), 400)
    assert_error_page(
        page.post("/residents/import/", data=b"x", content_type="multipart/form-data", secure=True),
        400,
    )
    assert_error_page(page.post("/residents/new/", {"notes": HUGE}, secure=True), 413)
    assert_error_page(page.post("/residents/new/", {"name": NUL}, secure=True), 400)
    page.cookies["sessionid"] = "\x00abcdefghijklmnop"
    assert page.get("/residents/", secure=True).status_code == 302
    assert row_counts() == before
