"""The smaller work-order problems of issue 14, item 14, as residents and staff meet them:
"me too" shows that it was pressed and is not offered once an order is resolved; the
public board's entries open what the viewer may see; "my reports" say when each was
reported; the admin's place fields can be searched."""

import re

import pytest

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.places.services import place_create
from linli.workorders import services
from linli.workorders.models import Category, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"


@pytest.fixture(autouse=True)
def _no_demo_orders(without_demo_orders):
    """The board lists every order of the compound; the demo's year of them is set aside."""


@pytest.fixture(autouse=True)
def _categories(db):
    seed_categories()


@pytest.fixture
def neighbour(demo):
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居吴")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


def file(demo, title="楼道灯坏了", by="resident", place=UNIT):
    return services.order_file(
        actor=demo.user(by),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(place),
        title=title,
        **({} if by == "resident" else {"channel": "counter"}),
    )


def resolve(demo, order):
    community, property_ = demo.user("community"), demo.user("property")
    services.order_accept(actor=community, order=order)
    services.order_dispatch(actor=community, order=WorkOrder.objects.get(pk=order.pk))
    services.order_sign(actor=property_, order=WorkOrder.objects.get(pk=order.pk))
    return services.order_resolve(
        actor=property_, order=WorkOrder.objects.get(pk=order.pk), note="换了灯泡"
    )


def row(html: str, title: str) -> str:
    """The board's row of the order titled ``title``."""
    return next(r for r in html.split("<tr>") if title in r)


# -- "me too" ---------------------------------------------------------------------------------


def test_me_too_shows_that_it_was_pressed(demo, client_for, neighbour):
    order = file(demo)
    client = client_for("neighbour")
    before = row(client.get("/orders/board/").content.decode(), "楼道灯坏了")
    assert 'data-testid="me-too"' in before and 'data-testid="supported"' not in before
    response = client.post(f"/orders/{order.pk}/support/", {"next": "/orders/board/"})
    assert response.status_code == 302 and response["Location"] == "/orders/board/"
    after = row(client.get("/orders/board/", follow=True).content.decode(), "楼道灯坏了")
    assert 'data-testid="supported"' in after and 'data-testid="me-too"' not in after
    assert re.search(r'data-testid="supporter-count">1 ', after)
    entry = client.get(f"/orders/board/{order.pk}/").content.decode()
    assert 'data-testid="supported"' in entry and 'data-testid="me-too"' not in entry


def test_me_too_is_not_offered_on_a_resolved_order(demo, english, neighbour):
    order = resolve(demo, file(demo))
    client = english("neighbour")
    board = row(client.get("/orders/board/").content.decode(), "楼道灯坏了")
    assert 'data-testid="me-too"' not in board
    assert 'data-testid="me-too"' not in client.get(f"/orders/board/{order.pk}/").content.decode()
    page = client.post(f"/orders/{order.pk}/support/", {"next": "/orders/board/"}, follow=True)
    assert "marked resolved" in page.content.decode()  # says why, in words
    api = client.post(f"/api/v1/orders/{order.pk}/support")
    assert api.status_code == 409 and api.json()["code"] == "closed"
    assert "marked resolved" in api.json()["detail"]
    assert WorkOrder.objects.get(pk=order.pk).supporter_count == 0


# -- the public board --------------------------------------------------------------------------


def test_board_entries_open_what_the_viewer_may_see(demo, client_for, neighbour):
    mine = file(demo, title="我报的灯")
    theirs = file(demo, title="别人报的垃圾", by="community", place=COMPOUND)
    resident = client_for("resident")
    board = resident.get("/orders/board/").content.decode()
    assert f'href="/orders/{mine.pk}/"' in row(board, "我报的灯")  # the reporter's own order
    link = f'href="/orders/board/{theirs.pk}/"'
    assert link in row(board, "别人报的垃圾")
    entry = resident.get(f"/orders/board/{theirs.pk}/")
    assert entry.status_code == 200 and "别人报的垃圾" in entry.content.decode()
    assert resident.get(f"/orders/{theirs.pk}/").status_code == 404  # still not the order
    # the worker who oversees the compound opens the order itself
    community = client_for("community")
    staff_board = community.get(f"/orders/board/?place={demo.nanguanfang.pk}").content.decode()
    assert f'href="/orders/{theirs.pk}/"' in row(staff_board, "别人报的垃圾")


def test_a_board_entry_of_another_compound_is_not_found(demo, client_for):
    other = place_create(actor=SYSTEM, kind="compound", name="东城小区", parent=demo.zhandong)
    elsewhere = services.order_file(
        actor=demo.user("community"),
        category=Category.objects.get(code="sanitation"),
        place=other,
        title="东城的垃圾",
        channel="counter",
    )
    assert client_for("resident").get(f"/orders/board/{elsewhere.pk}/").status_code == 404
    assert client_for("resident").get("/orders/board/999999/").status_code == 404


def test_the_board_costs_a_bounded_number_of_queries(
    demo, client_for, neighbour, django_assert_max_num_queries
):
    for i in range(12):
        file(demo, title=f"问题{i}", by="community", place=COMPOUND)
    client = client_for("neighbour")
    client.get("/orders/board/")
    with django_assert_max_num_queries(14):
        assert client.get("/orders/board/").status_code == 200


# -- my reports --------------------------------------------------------------------------------


def test_my_reports_show_when_each_was_reported_and_its_status(demo, client_for):
    order = file(demo)
    services.order_accept(actor=demo.user("community"), order=order)
    services.order_dispatch(actor=demo.user("community"), order=WorkOrder.objects.get(pk=order.pk))
    services.order_sign(actor=demo.user("property"), order=WorkOrder.objects.get(pk=order.pk))
    order.refresh_from_db()
    assert order.due_at is not None
    html = client_for("resident").get("/orders/mine/").content.decode()
    from django.utils import timezone

    reported = timezone.localtime(order.created_at).strftime("%Y-%m-%d")
    assert re.search(rf'data-testid="reported"><time[^>]*>{reported}</time>', html)
    assert timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M") not in html
    assert "处理中" in html or order.get_status_display() in html
    assert "6号楼1单元" in html and "南官房小区/6号楼" not in html


# -- the admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/admin/bookings/room/add/", "/admin/lending/item/add/", "/admin/meetings/meetingseries/add/"],
)
def test_the_admins_place_field_can_be_searched(client_for, url):
    admin = client_for("admin")
    html = admin.get(url).content.decode()
    field = re.search(r'<select[^>]*name="place"[^>]*>', html)
    assert field and "admin-autocomplete" in field.group(0)  # not an empty id box
    _admin, app_label, model_name, *_rest = url.split("/")[1:]
    query = {"app_label": app_label, "model_name": model_name, "field_name": "place"}
    found = admin.get("/admin/autocomplete/", {**query, "term": "6号楼"}).json()
    assert any("6号楼" in result["text"] for result in found["results"])
    said = admin.get(  # as people say it, without the path's slashes
        "/admin/autocomplete/",
        {**query, "term": "6号楼1单元"},
    ).json()
    assert any(result["text"].endswith("6号楼/1单元") for result in said["results"])


def test_the_api_names_the_place_as_people_say_it(demo, client_for):
    order = file(demo)
    answer = client_for("resident").get(f"/api/v1/orders/{order.pk}").json()
    assert answer["place_name"] == "6号楼1单元"
    assert answer["place_path"] == UNIT  # the full path stays for clients that read it
