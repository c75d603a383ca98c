"""The order-actions registry (``workorders.actions``): modules built on work orders offer
their actions on an order's page without work orders naming them — mediation's "start a
mediation" on a neighbour dispute is one; each registered function costs a bounded number
of queries, none where it does not apply."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import linli.workorders
from linli.mediation import order_actions as mediation_actions
from linli.mediation import services
from linli.mediation.models import DisputeKind, Mediation
from linli.workorders import actions
from linli.workorders.actions import OrderAction
from linli.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

WORKORDERS = Path(linli.workorders.__file__).parent


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def _order(demo, dispute: bool) -> WorkOrder:
    qs = WorkOrder.objects.filter(place__path__startswith=demo.nanguanfang.path)
    if dispute:
        return qs.filter(category__code="neighbour-dispute").exclude(mediations__isnull=False)[0]
    return qs.exclude(category__code="neighbour-dispute")[0]


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.fixture
def registered():
    """Functions registered by a test, taken off again afterwards."""
    added = []

    def register(fn):
        added.append(fn)
        return actions.register_order_action(fn)

    yield register
    for fn in added:
        actions.unregister_order_action(fn)


def test_workorders_templates_and_code_no_longer_name_mediation():
    """Work orders sit below mediation: none of their templates names it, none of their
    modules imports it or one of its templates."""
    templates = [
        str(path.relative_to(WORKORDERS))
        for path in (WORKORDERS / "templates").rglob("*")
        if path.is_file() and re.search(r"mediation", path.read_text(encoding="utf-8"), re.I)
    ]
    assert templates == []
    modules = [
        str(path.relative_to(WORKORDERS))
        for path in WORKORDERS.rglob("*.py")
        if re.search(r"linli\.mediation|mediation/", path.read_text(encoding="utf-8"))
    ]
    assert modules == []


def test_mediation_registers_its_action_once(demo):
    from django.apps import apps

    assert actions._ACTIONS.count(mediation_actions.from_order) == 1
    apps.get_app_config("mediation").ready()  # ready() run again registers nothing new
    assert actions._ACTIONS.count(mediation_actions.from_order) == 1


def test_a_registered_action_is_rendered_with_its_context(demo, client_for, registered):
    order = _order(demo, dispute=False)
    url = f"/orders/{order.pk}/"
    client = client_for("secretary")
    before = client.get(url).content.decode()
    assert 'data-testid="start-mediation"' not in before
    seen = []

    def offer(request, o):
        seen.append((request.user.username, o.pk))
        return OrderAction("mediation/_from_order.html", {"may_open": True})

    def nothing(request, o):
        return None

    registered(nothing)
    registered(offer)
    registered(offer)  # twice: still once
    page = client.get(url).content.decode()
    assert seen == [("secretary", order.pk)]
    assert page.count('data-testid="start-mediation"') == 1
    assert f"/servicedesk/mediations/new/?order={order.pk}" in page
    actions.unregister_order_action(offer)
    assert 'data-testid="start-mediation"' not in client.get(url).content.decode()


def test_the_mediation_action_costs_a_query_on_disputes_only(demo, client_for):
    client = client_for("secretary")
    other, dispute = _order(demo, dispute=False), _order(demo, dispute=True)
    with_action = {o.pk: _queries(client, f"/orders/{o.pk}/")[0] for o in (other, dispute)}
    actions.unregister_order_action(mediation_actions.from_order)
    try:
        without = {o.pk: _queries(client, f"/orders/{o.pk}/")[0] for o in (other, dispute)}
    finally:
        actions.register_order_action(mediation_actions.from_order)
    assert with_action[other.pk] == without[other.pk]
    assert with_action[dispute.pk] - without[dispute.pk] <= 1


def test_a_mediated_order_links_to_its_mediation_for_those_who_may_see_it(
    demo, client_for, django_assert_max_num_queries
):
    order = _order(demo, dispute=True)
    url = f"/orders/{order.pk}/"
    client = client_for("secretary")
    count, page = _queries(client, url)
    assert f"/servicedesk/mediations/new/?order={order.pk}" in page
    mediation = services.mediation_open(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        kind=DisputeKind.NEIGHBOURS,
        subject="噪音",
        facts="楼上夜里跳绳。",
        parties=[{"side": "a", "name": "甲"}, {"side": "b", "name": "乙"}],
        mediators=[demo.user("secretary")],
        source_order=order,
    )
    with django_assert_max_num_queries(count):
        page = client.get(url).content.decode()
    assert f"/servicedesk/mediations/{mediation.pk}/" in page and mediation.number in page
    assert 'data-testid="start-mediation"' not in page
    # A withdrawn mediation leaves the order free to be mediated again.
    Mediation.objects.filter(pk=mediation.pk).update(status="withdrawn")
    page = client.get(url).content.decode()
    assert f"/servicedesk/mediations/new/?order={order.pk}" in page
    assert f"/servicedesk/mediations/{mediation.pk}/" not in page


def test_those_who_may_not_mediate_are_offered_nothing(demo, client_for):
    order = _order(demo, dispute=True)
    mediation = services.mediation_open(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        kind=DisputeKind.NEIGHBOURS,
        subject="噪音",
        facts="楼上夜里跳绳。",
        parties=[{"side": "a", "name": "甲"}, {"side": "b", "name": "乙"}],
        mediators=[demo.user("secretary")],
        source_order=order,
    )
    seen = 0
    for username in ("property", "patrol", "street", "district", "inspector"):
        response = client_for(username).get(f"/orders/{order.pk}/")
        if response.status_code != 200:
            continue
        seen += 1
        page = response.content.decode()
        assert 'data-testid="order-mediation"' not in page, username
        assert 'data-testid="start-mediation"' not in page, username
        assert f"/servicedesk/mediations/{mediation.pk}/" not in page, username
    assert seen  # someone outside the desk does see the order itself
