"""Work orders through the pages and the API, as the people involved use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.workorders import services
from linli.workorders.models import Category, EventKind, Status, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


@pytest.fixture(autouse=True)
def _no_demo_orders(without_demo_orders):
    """These tests list or count every order; the demo's year of orders is set aside."""


@pytest.fixture(autouse=True)
def categories(db):
    seed_categories()


def step(client, order_id, **data):
    response = client.post(
        f"/api/v1/orders/{order_id}/steps", data, content_type="application/json"
    )
    return response


def test_a_report_followed_to_the_end_through_pages_and_api(client_for, demo):
    resident = client_for("resident")
    unit = demo.place(UNIT)
    form = resident.get("/orders/new/")
    assert form.status_code == 200 and ">6号楼1单元</option>" in form.content.decode()
    light = Category.objects.get(code="corridor-light")
    response = resident.post(
        "/orders/new/",
        {
            "category": light.pk,
            "place": unit.pk,
            "title": "6栋1单元楼道灯总是坏",
            "description": "可能电路存在问题",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    order = WorkOrder.objects.get(title="6栋1单元楼道灯总是坏")
    assert response.url == f"/orders/{order.pk}/"
    assert "6栋1单元楼道灯总是坏" in resident.get("/orders/mine/").content.decode()

    community = client_for("community")
    assert step(community, order.pk, step="accept").status_code == 200
    dispatched = step(community, order.pk, step="dispatch")
    assert dispatched.json()["status"] == "dispatched"

    property_ = client_for("property")
    queue = property_.get("/orders/").content.decode()
    assert "6栋1单元楼道灯总是坏" in queue
    page = property_.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="step-sign"' in page
    assert property_.post(f"/orders/{order.pk}/step/", {"step": "sign"}).status_code == 302
    assert (
        step(property_, order.pk, step="resolve", note="更换了老化线路").json()["status"]
        == "resolved"
    )

    rated = step(resident, order.pk, step="feedback", satisfaction="unsatisfied", note="又坏了")
    assert rated.json()["status"] == "in_progress"
    assert step(property_, order.pk, step="resolve", note="整条线路更换").status_code == 200
    resident.post(f"/orders/{order.pk}/step/", {"step": "feedback", "satisfaction": "satisfied"})
    detail = resident.get(f"/api/v1/orders/{order.pk}").json()
    assert detail["status"] == "closed"
    assert [e["kind"] for e in detail["timeline"]] == [
        "filed",
        "accepted",
        "dispatched",
        "signed",
        "resolved",
        "feedback",
        "reopened",
        "resolved",
        "feedback",
        "closed",
    ]
    assert detail["allowed_steps"] == []


def test_illegal_or_foreign_steps_answer_clearly(client_for, demo):
    order = services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(UNIT),
        title="楼道灯",
    )
    assert step(client_for("property"), order.pk, step="sign").status_code == 404  # not theirs yet
    refused = step(client_for("community"), order.pk, step="resolve", note="x")
    assert refused.status_code == 409 and refused.json()["code"] == "illegal_step"
    assert step(client_for("resident"), order.pk, step="accept").status_code == 403
    unknown = step(client_for("community"), order.pk, step="fly")  # not one of the schema's
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"][-1] == "step"
    assert WorkOrder.objects.get(pk=order.pk).status == Status.SUBMITTED


def test_residents_see_their_own_reports_and_the_board_without_names(client_for, demo):
    mine = services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="ebike-parking"),
        place=demo.place(UNIT),
        title="电动车进楼道",
    )
    other = services.order_file(
        actor=demo.user("community"),
        category=Category.objects.get(code="sanitation"),
        place=demo.nanguanfang,
        title="垃圾桶满了",
        channel="phone",
        reporter_name="李大爷",
        reporter_phone="13512345678",
    )
    resident = client_for("resident")
    assert resident.get(f"/orders/{mine.pk}/").status_code == 200
    assert resident.get(f"/orders/{other.pk}/").status_code == 404
    assert resident.get(f"/api/v1/orders/{other.pk}").status_code == 404
    board = resident.get("/orders/board/").content.decode()
    assert "垃圾桶满了" in board and "李大爷" not in board and "1351" not in board
    assert client_for("patrol").get("/orders/board/").status_code == 404
    assert resident.post(f"/api/v1/orders/{other.pk}/support").status_code == 200
    assert resident.post(f"/api/v1/orders/{other.pk}/support").status_code == 409
    assert WorkOrder.objects.get(pk=other.pk).supporter_count == 1


def test_likely_duplicates_are_offered_before_filing(client_for, demo):
    services.order_file(
        actor=demo.user("community"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(UNIT),
        title="楼道灯坏了",
        channel="counter",
    )
    resident = client_for("resident")
    data = {
        "category": Category.objects.get(code="corridor-light").pk,
        "place": demo.place(UNIT).pk,
        "title": "灯不亮",
    }
    offered = resident.post("/orders/new/", data)
    assert offered.status_code == 200
    assert 'data-testid="duplicates"' in offered.content.decode()
    assert not WorkOrder.objects.filter(title="灯不亮").exists()
    filed = resident.post("/orders/new/", {**data, "file_anyway": "True"})
    assert filed.status_code == 302
    assert WorkOrder.objects.filter(title="灯不亮").exists()


def test_api_filing_and_validation(client_for, demo):
    community = client_for("community")
    ok = community.post(
        "/api/v1/orders",
        {
            "category": "sanitation",
            "place": demo.nanguanfang.pk,
            "title": "垃圾清运",
            "channel": "hotline",
            "external_ticket": "12345-001",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["channel"] == "hotline"
    no_ticket = community.post(
        "/api/v1/orders",
        {
            "category": "sanitation",
            "place": demo.nanguanfang.pk,
            "title": "垃圾清运",
            "channel": "hotline",
        },
        content_type="application/json",
    )
    assert no_ticket.status_code == 400  # a rule of the channel
    bad_category = community.post(
        "/api/v1/orders",
        {"category": "nope", "place": demo.nanguanfang.pk, "title": "x"},
        content_type="application/json",
    )
    assert bad_category.status_code == 400
    elsewhere = client_for("resident").post(
        "/api/v1/orders",
        {
            "category": "sanitation",
            "place": demo.place("平城区/清远街道/苹果园社区").pk,
            "title": "x",
        },
        content_type="application/json",
    )
    assert elsewhere.status_code == 404


def _queue_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/orders/").status_code == 200
    return len(ctx.captured_queries)


def test_the_work_queue_costs_the_same_for_10_and_1000_orders(client_for, demo):
    category = Category.objects.get(code="sanitation")
    community = demo.user("community")

    def make(n):
        WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    title=f"工单{i}",
                    category=category,
                    appeal_kind="complaint",
                    channel="counter",
                    place=demo.nanguanfang,
                    organisation=category.organisation,
                    created_by=community,
                )
                for i in range(n)
            ]
        )

    client = client_for("community")
    make(10)
    small = _queue_queries(client)
    make(990)
    assert WorkOrder.objects.count() >= 1000
    assert _queue_queries(client) == small
    api = CaptureQueriesContext(connection)
    with api:
        client.get("/api/v1/orders", {"limit": 500})
    api_small = CaptureQueriesContext(connection)
    with api_small:
        client.get("/api/v1/orders", {"limit": 5})
    assert len(api.captured_queries) == len(api_small.captured_queries)


def test_place_page_offers_reporting_and_the_board(client_for, demo):
    page = client_for("resident").get(f"/places/{demo.resident_household.pk}/").content.decode()
    assert f"/orders/new/?place={demo.resident_household.pk}" in page  # e.g. a leak at home
    page = client_for("community").get(f"/places/{demo.nanguanfang.pk}/").content.decode()
    assert f"/orders/new/?place={demo.nanguanfang.pk}" in page
    assert f"/orders/board/?place={demo.nanguanfang.pk}" in page
    assert EventKind.FILED == "filed"


def test_api_photos(client_for, demo, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    order = services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(UNIT),
        title="楼道灯",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")
    resident = client_for("resident")
    added = resident.post(
        f"/api/v1/orders/{order.pk}/photos",
        {"photo": SimpleUploadedFile("x.png", buffer.getvalue())},
    )
    assert added.status_code == 201, added.content
    photo = added.json()
    assert photo["content_type"] == "image/png" and photo["width"] == 64
    assert resident.get(photo["thumbnail_url"]).status_code == 200
    assert client_for("patrol").get(photo["url"]).status_code == 404
    detail = resident.get(f"/api/v1/orders/{order.pk}").json()
    assert [p["id"] for p in detail["photos"]] == [photo["id"]]
    bad = resident.post(
        f"/api/v1/orders/{order.pk}/photos", {"photo": SimpleUploadedFile("x.jpg", b"not an image")}
    )
    assert bad.status_code == 400
