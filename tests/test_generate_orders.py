"""``linli generate_orders``: three years of synthetic work orders for a generated city,
written in bulk, added only once, and a work queue whose cost does not grow with them."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.core.actors import SYSTEM
from linli.places import tree
from linli.places.models import Organisation, Place
from linli.places.services import membership_add
from linli.residents.generate import district_name
from linli.workorders.generate import (
    OrdersGenerateError,
    generated_order_count,
    orders_generate,
)
from linli.workorders.models import OPEN_STATUSES, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

SEED = 11


@pytest.fixture
def city():
    call_command("generate", residents=2000, seed=SEED, stdout=StringIO())
    return Place.objects.get(parent=None, name=district_name(SEED))


def orders_in(district):
    return WorkOrder.objects.filter(tree.subtree_q(district.path, "place__path"))


def generate_orders(orders):
    out = StringIO()
    call_command("generate_orders", orders=orders, seed=SEED, stdout=out)
    return out.getvalue()


def test_orders_are_generated_with_their_timelines(city):
    output = generate_orders(3000)
    assert "added 3,000 orders" in output
    orders = orders_in(city)
    assert orders.count() == 3000 == generated_order_count(city)

    filed = Counter(
        WorkOrderEvent.objects.filter(order__in=orders, kind="filed").values_list(
            "order_id", flat=True
        )
    )
    assert len(filed) == 3000 and set(filed.values()) == {1}
    # the timeline leads to the order's status, step by step
    for order in orders.filter(status="closed")[:20]:
        steps = [e.kind for e in order.events.all()]
        assert steps == ["filed", "accepted", "dispatched", "signed", "resolved", "closed"]
        assert order.created_at < order.signed_at < order.due_at
        assert order.resolved_at < order.closed_at

    statuses = Counter(orders.values_list("status", flat=True))
    assert 0.78 < statuses["closed"] / 3000 < 0.92
    assert set(OPEN_STATUSES) | {"rejected"} <= set(statuses)
    assert orders.filter(status="in_progress", overdue=True).exists()
    channels = Counter(orders.values_list("channel", flat=True))
    assert {"hotline", "online", "counter", "phone"} <= set(channels)
    assert not orders.filter(channel="hotline", external_ticket="").exists()

    now = timezone.now()
    assert orders.filter(created_at__lt=now - timedelta(days=2 * 365)).exists()
    assert orders.filter(created_at__gt=now - timedelta(days=30)).exists()
    assert not orders.filter(created_at__gt=now).exists()
    assert {kind for (kind,) in orders.values_list("place__kind").distinct()} == {
        "compound",
        "building",
        "unit",
    }

    # every compound has its property company, and what is dispatched goes to it
    compounds = Place.objects.filter(tree.subtree_q(city.path), kind="compound")
    companies = Organisation.objects.filter(kind="property_company", place__in=compounds)
    assert companies.count() == compounds.count()
    assert {f"{c.name}物业" for c in compounds} == set(companies.values_list("name", flat=True))
    dispatched = orders.exclude(status__in=["submitted", "accepted", "rejected"])
    assert not dispatched.filter(organisation=None).exists()
    for order in dispatched.select_related("organisation__place", "place")[:50]:
        assert tree.in_subtree(order.place.path, order.organisation.place.path)


def test_running_again_adds_nothing_and_never_removes(city):
    generate_orders(500)
    assert "Nothing to add" in generate_orders(500)
    assert orders_in(city).count() == 500
    assert Organisation.objects.filter(name__endswith="物业", place__path__startswith=city.path)
    with pytest.raises(CommandError, match="more than 400"):
        generate_orders(400)
    # orders filed since (say, by the bench) are not taken for generated ones
    order = orders_in(city).first()
    WorkOrder.objects.create(
        title="不是生成的",
        category=order.category,
        appeal_kind=order.appeal_kind,
        channel="counter",
        place=order.place,
    )
    assert generated_order_count(city) == 500
    assert "added 100 orders" in generate_orders(600)
    assert orders_in(city).count() == 601
    organisations = Organisation.objects.values("place").annotate(n=Count("id")).filter(n__gt=1)
    assert not organisations.filter(place__path__startswith=city.path).exists()


def test_refuses_without_the_city():
    with pytest.raises(CommandError, match="run `linli generate"):
        generate_orders(100)
    with pytest.raises(OrdersGenerateError):
        orders_generate(seed=SEED, orders=100)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_work_queue_costs_the_same_with_100_and_3000_orders(city):
    street = Place.objects.filter(parent=city).order_by("path").first()
    community = Place.objects.filter(parent=street).order_by("path").first()
    worker = User.objects.create_user(username="gen-worker")
    grant_create(actor=SYSTEM, user=worker, role="community_worker", place=community)
    generate_orders(100)
    compound = Place.objects.filter(parent=community).order_by("path").first()
    staff = User.objects.create_user(username="gen-property")
    membership_add(
        actor=SYSTEM,
        user=staff,
        organisation=Organisation.objects.get(kind="property_company", place=compound),
    )
    urls = {
        worker: [
            "/orders/",
            "/orders/?status=closed",
            "/api/v1/orders?open=true",
            "/api/v1/orders?status=in_progress&overdue=true",
        ],
        staff: ["/orders/", "/api/v1/orders?open=true"],
    }
    clients = {}
    for user in urls:
        clients[user] = Client()
        clients[user].force_login(user)
    few = {(user.username, url): queries(clients[user], url) for user in urls for url in urls[user]}
    in_community = orders_in(community)
    assert in_community.count() <= 100

    generate_orders(3000)  # continues the first run: 2,900 more
    assert in_community.count() > 200
    assert in_community.filter(status__in=OPEN_STATUSES).count() > 50  # more than a page
    many = {
        (user.username, url): queries(clients[user], url) for user in urls for url in urls[user]
    }
    assert many == few
    page = clients[worker].get("/orders/")
    assert len(page.context["page"].object_list) == 50
