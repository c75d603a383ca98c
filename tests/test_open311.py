"""Open311 GeoReport v2, used as a client uses it: a form-encoded POST with an organisation's
API key, then the request found by id, by token and by search, in JSON and XML; and every
refusal as the specification's error list with its HTTP status, never a 500."""

import hashlib
import io
import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.actors import SYSTEM
from linli.core.models import AuditEvent
from linli.open311.services import (
    open311_key_authenticate,
    open311_key_create,
    open311_key_revoke,
)
from linli.places.models import Organisation
from linli.workorders import services as orders
from linli.workorders.models import Category, Channel, Open311Key, Status, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
COMMITTEE = "站东社区居民委员会"
BUILDING = "平城区/鹿苑街道/站东社区/南官房小区/6号楼"
HOUSEHOLD = BUILDING + "/1单元/101"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture(autouse=True)
def _no_demo_orders(without_demo_orders):
    """These tests list or count every order; the demo's year of orders is set aside."""


@pytest.fixture
def categories(db):
    seed_categories()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def committee(db):
    return Organisation.objects.get(name=COMMITTEE)


@pytest.fixture
def api_key(committee):
    _key, secret = open311_key_create(actor=SYSTEM, organisation=committee)
    return secret


def post(client, fmt="json", **data):
    return client.post(
        f"{BASE}requests.{fmt}", urlencode(data, doseq=True).encode(), content_type=FORM
    )


def file_request(client, api_key, **data):
    fields = {
        "api_key": api_key,
        "service_code": "corridor-light",
        "description": "6号楼1单元楼道灯不亮，晚上很黑",
        "address_string": "南官房小区/6号楼",
        "lat": "40.093812",
        "long": "113.301234",
        "first_name": "桂兰",
        "last_name": "周",
        "phone": "13912345678",
        "email": "zhou@example.com",
        "device_id": "phone-1",
        **data,
    }
    response = post(client, **fields)
    assert response.status_code == 200, response.content.decode()
    return response.json()[0]


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ET.fromstring(response.content)


def errors(response, fmt="json") -> list[tuple[int, str]]:
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return [(e["code"], e["description"]) for e in response.json()]
    root = xml(response)
    assert root.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in root.iter("error")]


# -- discovery and services ------------------------------------------------------------------


def test_discovery_names_the_endpoint_and_its_formats(client):
    response = client.get(BASE + "discovery.json")
    assert response.status_code == 200
    document = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= document.keys()
    assert "90 days" in document["contact"] and "1000" in document["contact"]
    (endpoint,) = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2/",
        "changeset": document["changeset"],
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    assert document["changeset"].endswith("+08:00")

    root = xml(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]


def test_services_are_the_active_categories(client, categories):
    Category.objects.filter(code="street-vending").update(is_active=False)
    services = client.get(BASE + "services.json").json()
    codes = [s["service_code"] for s in services]
    assert "corridor-light" in codes and "street-vending" not in codes
    light = next(s for s in services if s["service_code"] == "corridor-light")
    assert light == {
        "service_code": "corridor-light",
        "service_name": "楼道照明",
        "description": None,
        "metadata": False,
        "type": "realtime",
        "keywords": "Corridor lighting",
        "group": "公共设施",
    }
    root = xml(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    service = next(s for s in root.iter("service") if s.findtext("service_code") == "order")
    assert service.findtext("service_name") == "公共秩序"
    assert service.findtext("metadata") == "false"
    assert service.find("group").text is None


ATTRIBUTES = [
    {
        "code": "floor",
        "description": "哪一层？",
        "datatype": "number",
        "required": True,
    },
    {
        "code": "kind",
        "description": "灯的类型",
        "datatype": "singlevaluelist",
        "required": False,
        "values": [{"key": "sensor", "name": "声控灯"}, {"key": "switch", "name": "开关灯"}],
    },
    "not a question",  # malformed configuration is skipped, not a crash
]


def test_a_service_definition_lists_the_extra_questions(client, categories):
    Category.objects.filter(code="corridor-light").update(attributes=ATTRIBUTES)
    services = client.get(BASE + "services.json").json()
    assert next(s for s in services if s["service_code"] == "corridor-light")["metadata"] is True

    definition = client.get(BASE + "services/corridor-light.json").json()
    assert definition["service_code"] == "corridor-light"
    floor, kind = definition["attributes"]
    assert floor == {
        "variable": True,
        "code": "floor",
        "datatype": "number",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "哪一层？",
        "values": [],
    }
    assert kind["order"] == 2 and kind["values"] == [
        {"key": "sensor", "name": "声控灯"},
        {"key": "switch", "name": "开关灯"},
    ]

    root = xml(client.get(BASE + "services/corridor-light.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "corridor-light"
    names = [v.findtext("name") for v in root.findall("attributes/attribute/values/value")]
    assert names == ["声控灯", "开关灯"]


def test_an_unknown_service_code_is_a_404(client, categories):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}services/no-such-thing.{fmt}")
        assert response.status_code == 404
        assert errors(response, fmt)[0][0] == 404


# -- a client files a request and follows it -------------------------------------------------


def test_a_client_files_a_request_and_finds_it_by_id_token_and_search(
    client, categories, committee, api_key
):
    answer = file_request(client, api_key)
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    assert answer["account_id"] is None and "working days" in answer["service_notice"]

    order = WorkOrder.objects.get(pk=int(answer["service_request_id"]))
    assert order.channel == Channel.OPEN311
    assert order.source_organisation == committee
    assert order.open311_token == answer["token"]
    assert order.reporter is None and order.created_by is None
    assert order.place.name_path == BUILDING
    assert order.address_string == "南官房小区/6号楼"
    assert str(order.lat) == "40.093812" and str(order.long) == "113.301234"
    assert order.title == "6号楼1单元楼道灯不亮，晚上很黑"
    assert order.reporter_name == "周桂兰" and order.reporter_phone == "13912345678"
    assert order.organisation is None  # set when the community dispatches it
    assert AuditEvent.objects.filter(action="open311.request", object_id=str(order.pk)).exists()

    (found,) = client.get(f"{BASE}requests/{order.pk}.json").json()
    assert found["service_request_id"] == str(order.pk)
    assert found["status"] == "open"
    assert found["service_code"] == "corridor-light" and found["service_name"] == "楼道照明"
    assert found["description"] == "6号楼1单元楼道灯不亮，晚上很黑"
    assert found["agency_responsible"] is None
    assert found["address"] == BUILDING and found["address_id"] == str(order.place_id)
    assert found["lat"] == 40.093812 and found["long"] == 113.301234
    assert found["requested_datetime"].endswith("+08:00")
    assert found["updated_datetime"].endswith("+08:00")
    assert found["expected_datetime"] is None  # due once the handler signs for it
    assert found["zipcode"] is None and found["media_url"] is None
    assert order.number in found["status_notes"]

    root = xml(client.get(f"{BASE}requests/{order.pk}.xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == str(order.pk)
    assert request.findtext("status") == "open"
    assert request.findtext("address") == BUILDING
    assert request.findtext("lat") == "40.093812"

    search = client.get(f"{BASE}requests.json?service_code=corridor-light&status=open").json()
    assert str(order.pk) in [r["service_request_id"] for r in search]
    closed = client.get(f"{BASE}requests.json?service_code=corridor-light&status=closed").json()
    assert str(order.pk) not in [r["service_request_id"] for r in closed]
    root = xml(client.get(f"{BASE}requests.xml?service_code=water-power,corridor-light"))
    assert str(order.pk) in [r.findtext("service_request_id") for r in root.iter("request")]

    token = client.get(f"{BASE}tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": str(order.pk), "token": answer["token"]}]
    root = xml(client.get(f"{BASE}tokens/{answer['token']}.xml"))
    assert root.findtext("request/service_request_id") == str(order.pk)


def test_a_request_can_be_filed_in_xml_without_a_csrf_token(categories, api_key):
    machine = Client(enforce_csrf_checks=True)
    response = post(
        machine,
        "xml",
        api_key=api_key,
        service_code="sanitation",
        description="垃圾桶满了",
        address_string="南官房小区",
    )
    assert response.status_code == 200
    root = xml(response)
    request_id = root.findtext("request/service_request_id")
    assert root.findtext("request/token")
    assert root.find("request/account_id").text is None
    assert WorkOrder.objects.get(pk=int(request_id)).category.code == "sanitation"


def test_the_public_never_sees_the_reporter_or_their_home(client, categories, api_key, demo):
    household = demo.place(HOUSEHOLD)
    answer = file_request(
        client,
        api_key,
        address_id=str(household.pk),
        address_string="",
        description="楼上漏水，请联系我 13811112222",
    )
    order = WorkOrder.objects.get(pk=int(answer["service_request_id"]))
    assert order.place == household  # the handlers know exactly where

    for url in (f"{BASE}requests.json", f"{BASE}requests/{order.pk}.json"):
        body = client.get(url).content.decode()
        for private in ("周", "桂兰", "13912345678", "13811112222", "101", "zhou@example.com"):
            assert private not in body, (url, private)
    (found,) = client.get(f"{BASE}requests/{order.pk}.json").json()
    assert found["address"] == BUILDING  # the building, not the household
    assert found["address_id"] == str(demo.place(BUILDING).pk)
    assert "138****2222" in found["description"]
    assert "周" not in client.get(f"{BASE}requests/{order.pk}.xml").content.decode()


def test_where_a_request_is_filed(client, categories, committee, api_key, demo):
    def place_of(**location):
        fields = {"lat": "", "long": "", "address_string": "", **location}
        answer = file_request(client, api_key, **fields)
        return WorkOrder.objects.get(pk=int(answer["service_request_id"])).place

    unit = demo.place(BUILDING + "/1单元")
    assert place_of(address_id=str(unit.pk)) == unit
    assert place_of(address_string=BUILDING) == demo.place(BUILDING)  # the full path
    assert place_of(address_string="6号楼/1单元") == unit  # its end
    assert place_of(address_string="1单元, 6号楼, 南官房小区") == unit  # specific first
    assert place_of(address_string="北苑路 88 号") == committee.place  # unknown: the community
    only_coordinates = place_of(lat="40.1", long="113.3")
    assert only_coordinates == committee.place
    assert WorkOrder.objects.latest("id").lat is not None


def test_a_request_moves_between_open_and_closed_with_public_notes(
    client, categories, api_key, demo
):
    community = demo.user("community")
    first = WorkOrder.objects.get(pk=file_request(client, api_key)["service_request_id"])
    second = WorkOrder.objects.get(pk=file_request(client, api_key)["service_request_id"])
    orders.order_accept(actor=community, order=first, note="已受理，物业今天处理")
    orders.order_dispatch(actor=community, order=first)
    orders.order_sign(actor=demo.user("property"), order=first)
    orders.order_progress(actor=demo.user("property"), order=first, note="内部：库存不足")
    orders.order_reject(actor=community, order=second, reason="重复反映，已合并处理")

    (open_,) = client.get(f"{BASE}requests/{first.pk}.json").json()
    assert open_["status"] == "open"
    assert "已受理，物业今天处理" in open_["status_notes"]
    with translation.override("zh-hans"):
        assert str(Status.IN_PROGRESS.label) in open_["status_notes"]  # the richer status
    assert "库存不足" not in open_["status_notes"]  # staff notes stay inside
    assert open_["expected_datetime"].endswith("+08:00")
    assert open_["agency_responsible"] == "南官房物业服务有限公司"

    (rejected,) = client.get(f"{BASE}requests/{second.pk}.json").json()
    assert rejected["status"] == "closed"
    assert "重复反映" in rejected["status_notes"]
    second.refresh_from_db()
    assert rejected["updated_datetime"] == timezone.localtime(second.closed_at).isoformat(
        timespec="seconds"
    )
    closed = client.get(f"{BASE}requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [str(second.pk)]


def test_the_list_defaults_to_90_days_and_takes_ids_and_date_ranges(client, categories, api_key):
    old = WorkOrder.objects.get(pk=file_request(client, api_key)["service_request_id"])
    new = WorkOrder.objects.get(pk=file_request(client, api_key)["service_request_id"])
    WorkOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))

    def ids(query):
        response = client.get(f"{BASE}requests.json?{urlencode(query)}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids({}) == {str(new.pk)}
    window = {"start_date": (timezone.now() - timedelta(days=125)).isoformat()}
    assert str(old.pk) in ids(window) and str(new.pk) not in ids(window)
    assert ids({"end_date": (timezone.now() - timedelta(days=100)).isoformat()}) == {str(old.pk)}
    # service_request_id overrides every other filter
    assert ids({"service_request_id": f"{old.pk},{new.pk},nonsense", "status": "closed"}) == {
        str(old.pk),
        str(new.pk),
    }
    assert ids({"start_date": "2026-01-01", "end_date": "2026-02-01T00:00:00Z"}) == set()


def test_the_list_costs_the_same_for_3_and_30_requests(client, categories, api_key):
    def cost():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(BASE + "requests.json")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    for _ in range(3):
        file_request(client, api_key)
    few, count = cost()
    assert count == 3
    for _ in range(27):
        file_request(client, api_key)
    many, count = cost()
    assert count == 30
    assert few == many


def test_answers_to_extra_questions_are_checked_and_kept(client, categories, api_key):
    Category.objects.filter(code="corridor-light").update(attributes=ATTRIBUTES)
    response = post(
        client,
        api_key=api_key,
        service_code="corridor-light",
        description="灯坏了",
        address_string="6号楼",
    )
    assert response.status_code == 400
    assert errors(response) == [(400, "attribute[floor] is required.")]
    response = post(
        client,
        api_key=api_key,
        service_code="corridor-light",
        description="灯坏了",
        address_string="6号楼",
        **{"attribute[floor]": "3", "attribute[kind]": "laser"},
    )
    assert response.status_code == 400
    assert "attribute[kind] must be one of: sensor, switch." in dict(errors(response)).values()

    answer = file_request(client, api_key, **{"attribute[floor]": "3", "attribute[kind]": "sensor"})
    order = WorkOrder.objects.get(pk=answer["service_request_id"])
    assert order.description.endswith("哪一层？: 3\n灯的类型: 声控灯")


# -- the key ---------------------------------------------------------------------------------


def test_the_command_prints_a_key_that_works_and_stores_only_its_hash(
    client, categories, committee
):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311-key", COMMITTEE, stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("o311_") and len(secret) > 40
    assert "not shown again" in err.getvalue()
    key = Open311Key.objects.get(organisation=committee)
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {key.key_hash, key.hint} and secret.startswith(key.hint)
    assert open311_key_authenticate(secret) == key
    file_request(client, secret)


def test_the_command_refuses_an_unknown_organisation():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311-key", "没有这个组织", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_revoked_key_or_an_inactive_organisation_is_refused(
    client, categories, committee, api_key
):
    key = open311_key_authenticate(api_key)
    open311_key_revoke(actor=None, key=key)
    response = post(client, api_key=api_key, service_code="sanitation", description="x", lat="1")
    assert response.status_code == 403

    _key, other = open311_key_create(actor=SYSTEM, organisation=committee)
    Organisation.objects.filter(pk=committee.pk).update(is_active=False)
    assert open311_key_authenticate(other) is None


# -- refusals --------------------------------------------------------------------------------


def test_post_refusals_are_the_specifications_errors(client, categories, api_key, demo):
    good = {
        "api_key": api_key,
        "service_code": "corridor-light",
        "description": "灯坏了",
        "lat": "40.1",
        "long": "113.3",
    }

    def refused(status, fmt="json", **changes):
        response = post(client, fmt, **{k: v for k, v in {**good, **changes}.items() if v})
        assert response.status_code == status, response.content.decode()
        found = errors(response, fmt)
        assert found and all(code == status for code, _text in found)
        return " ".join(text for _code, text in found)

    assert "api_key" in refused(403, api_key="")
    assert "api_key" in refused(403, api_key="o311_wrong")
    assert "api_key" in refused(403, "xml", api_key="wrong")
    assert "not found" in refused(404, service_code="no-such-service")
    assert "not found" in refused(404, service_code="../../etc/passwd")
    assert "not provided" in refused(400, service_code="")
    assert "location" in refused(400, lat="", long="")
    assert "both" in refused(400, long="")
    assert "lat" in refused(400, lat="91")
    assert "long" in refused(400, long="nan")
    assert "description" in refused(400, "xml", description="")
    assert "4000" in refused(400, description="长" * 4001)
    outside = demo.place("平城区/清远街道/苹果园社区")
    assert "address_id" in refused(400, lat="", long="", address_id=str(outside.pk))
    assert "address_id" in refused(400, lat="", long="", address_id="99999999999999999999999")
    both = refused(400, lat="", long="", description="")
    assert "description" in both and "location" in both  # all problems at once
    assert WorkOrder.objects.count() == 0


def test_get_refusals_are_the_specifications_errors(client, categories):
    def refused(status, url):
        response = client.get(BASE + url)
        assert response.status_code == status, (url, response.content)
        fmt = "json" if ".json" in url else "xml"  # XML unless the path asks for JSON
        assert errors(response, fmt)[0][0] == status

    refused(404, "requests/123456789.json")
    refused(404, "requests/123456789.xml")
    refused(404, "requests/99999999999999999999999999.json")
    refused(404, "requests/-1.json")
    refused(404, "requests/abc.xml")
    refused(404, "tokens/unknown-token.json")
    refused(404, "tokens/unknown-token.xml")
    refused(404, "services/%00.json")
    refused(400, "requests.json?start_date=yesterday")
    refused(400, "requests.xml?end_date=2026-13-45T00:00:00Z")
    refused(400, "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
    refused(400, "requests.json?start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z")
    refused(400, "requests.json?status=pending")
    refused(404, "nothing-here.json")
    refused(404, "requests/1/edit.xml")
    refused(404, "discovery.html")

    assert client.head(BASE + "services.json").status_code == 200
    response = client.delete(BASE + "requests.json")
    assert response.status_code == 400 and "GET" in response["Allow"]
    response = client.post(BASE + "services.xml")
    assert response.status_code == 400 and errors(response, "xml")[0][0] == 400


def test_an_error_in_xml_is_the_specifications_list(client):
    response = client.get(BASE + "requests/42.xml")
    root = xml(response)
    assert root.tag == "errors"
    (error,) = root.findall("error")
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == "404" and "42" in error.findtext("description")


NASTY = [
    "",
    " ",
    "\x00",
    "\x01\x02",
    "9" * 400,
    "-1",
    "0",
    "1e999",
    "nan",
    "inf",
    "<a>&amp;</a>",
    "'; DROP TABLE workorders_workorder; --",
    "%",
    "_",
    "楼" * 5000,
    "2026-02-30T25:61:00+99:00",
    "99999-01-01",
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59-08:00",
    "9999-12-31",
    "open,closed,,",
    "attribute[x]",
]


@pytest.mark.parametrize("value", NASTY)
def test_garbage_in_any_parameter_is_never_a_500(client, categories, api_key, value):
    fields = [
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "description",
        "phone",
        "first_name",
        "last_name",
        "email",
        "media_url",
        "attribute[floor]",
    ]
    for name in fields:
        data = {
            "api_key": api_key,
            "service_code": "corridor-light",
            "description": "灯坏了",
            "lat": "40.1",
            "long": "113.3",
            name: value,
        }
        for fmt in ("json", "xml"):
            response = post(client, fmt, **data)
            assert response.status_code in (200, 400, 404), (name, value, response.content)
            if fmt == "xml":
                ET.fromstring(response.content)  # always a well-formed document
    for name in ["service_request_id", "service_code", "start_date", "end_date", "status"]:
        response = client.get(f"{BASE}requests.json?{urlencode({name: value})}")
        assert response.status_code in (200, 400), (name, value)
        response = client.get(f"{BASE}requests.xml?{urlencode({name: value})}")
        ET.fromstring(response.content)
    for path in ("requests", "tokens", "services"):
        url = f"{BASE}{path}/{urlencode({'': value})[1:]}.json"
        assert client.get(url).status_code in (200, 404), url


def test_bytes_that_are_not_utf8_are_refused_cleanly(client, categories, api_key):
    body = b"api_key=" + api_key.encode() + b"&service_code=%C3%28&description=%FF%FE&lat=%80"
    response = client.post(BASE + "requests.json", body, content_type=FORM)
    assert response.status_code in (400, 404)
    body = b"api_key=%FF&service_code=corridor-light"
    assert client.post(BASE + "requests.xml", body, content_type=FORM).status_code == 403
    assert client.get(BASE + "requests.json?status=%FF%FE").status_code == 400
    assert client.get(BASE + "tokens/%FF%FE.json").status_code == 404
    response = client.post(
        BASE + "requests.json", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code in (400, 403)


def test_oversized_bodies_and_queries_are_400s(client, categories, api_key):
    body = urlencode({"api_key": api_key, "description": "长" * 1_000_000}).encode()
    response = client.post(BASE + "requests.xml", body, content_type=FORM)
    assert response.status_code == 400 and errors(response, "xml")[0][0] == 400
    many_fields = "&".join(f"f{i}=1" for i in range(1500))
    assert client.get(f"{BASE}requests.json?{many_fields}").status_code == 400
    assert client.post(BASE + "requests.json", many_fields, content_type=FORM).status_code == 400


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(st.sampled_from(["lat", "long", "address_string", "description",
                                              "address_id", "service_code", "phone"]),
                            st.text(max_size=60)))  # fmt: skip
def test_any_text_in_a_post_is_answered_by_the_specification(client, categories, api_key, data):
    response = post(client, api_key=api_key, **data)
    assert response.status_code in (200, 400, 404)
    json.loads(response.content)


# -- admin -----------------------------------------------------------------------------------


def test_an_administrator_issues_a_key_and_sees_it_once(client_for, committee, categories):
    client = client_for("admin")
    response = client.post(
        "/admin/workorders/open311key/add/", {"organisation": committee.pk}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    (message,) = [m for m in shown if "仅显示这一次" in m]
    secret = message[message.index("o311_") :].split()[0]
    key = open311_key_authenticate(secret)
    assert key is not None and key.organisation == committee
    assert secret not in client.get("/admin/workorders/open311key/").content.decode()

    response = client.post(
        "/admin/workorders/open311key/",
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    assert open311_key_authenticate(secret) is None


def test_category_changes_are_kept_as_its_history(client_for, categories):
    client = client_for("admin")
    light = categories["corridor-light"]
    url = f"/admin/workorders/category/{light.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(name="楼道灯", urgent="", is_active="on", attributes="[]")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Category.objects.get(pk=light.pk).name == "楼道灯"
    event = AuditEvent.objects.get(action="category.change", object_id=str(light.pk))
    assert "name" in event.details
    assert "category.change" in client.get(url).content.decode()
    assert client_for("community").get(url).status_code in (302, 403)


def test_work_orders_are_read_only_in_the_admin(client_for, categories, api_key, client):
    answer = file_request(client, api_key)
    admin_client = client_for("admin")
    url = f"/admin/workorders/workorder/{answer['service_request_id']}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "13912345678" not in response.content.decode()  # the phone is masked
    response = admin_client.post(url, {"title": "改掉"})
    assert response.status_code == 403
    assert admin_client.get("/admin/workorders/workorder/").status_code == 200
