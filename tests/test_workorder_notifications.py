"""Who hears of what, and the overdue check that flags and chases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.models import Notification
from linli.core.periodic import registered_jobs
from linli.workorders import services
from linli.workorders.models import Category, EventKind
from linli.workorders.seed import seed_categories
from linli.workorders.tasks import overdue_check

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


@pytest.fixture(autouse=True)
def _no_demo_orders(without_demo_orders):
    """These tests list or count every order; the demo's year of orders is set aside."""


@pytest.fixture
def order(demo, django_capture_on_commit_callbacks):
    seed_categories()
    with django_capture_on_commit_callbacks(execute=True):
        return services.order_file(
            actor=demo.user("resident"),
            category=Category.objects.get(code="corridor-light"),
            place=demo.place(UNIT),
            title="楼道灯坏了",
        )


def titles(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_the_reporter_and_the_handler_hear_of_the_steps_that_matter(
    demo, order, django_capture_on_commit_callbacks, client_for
):
    resident, community, property_ = (
        demo.user("resident"),
        demo.user("community"),
        demo.user("property"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_accept(actor=community, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_dispatch(actor=community, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_sign(actor=property_, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_progress(actor=property_, order=order, note="在修")
    assert titles(resident) == ["workorder.signed", "workorder.dispatched", "workorder.accepted"]
    assert titles(property_) == ["workorder.dispatched"]
    assert "workorder.dispatched" not in titles(community)  # the actor is not told of own steps
    page = client_for("resident").get("/notifications/").content.decode()
    assert "楼道灯坏了" in page
    assert 'data-testid="unread"' in client_for("resident").get("/").content.decode()


def test_the_handler_hears_of_a_dispatch(demo, order, django_capture_on_commit_callbacks):
    community, property_ = demo.user("community"), demo.user("property")
    services.order_accept(actor=community, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_dispatch(actor=community, order=order)
    assert titles(property_) == ["workorder.dispatched"]


def test_overdue_orders_are_flagged_chased_and_chased_again_a_day_later(
    demo, order, django_capture_on_commit_callbacks
):
    community, property_ = demo.user("community"), demo.user("property")
    services.order_accept(actor=community, order=order)
    services.order_dispatch(actor=community, order=order)
    signed = services.order_sign(actor=property_, order=order)
    assert overdue_check(now=signed.due_at - timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_check(now=signed.due_at + timedelta(minutes=1)) == 1
    signed.refresh_from_db()
    assert signed.overdue
    assert signed.events.filter(kind=EventKind.CHASED).count() == 1
    assert "workorder.chased" in titles(property_)
    assert "workorder.chased" in titles(community)
    assert overdue_check(now=signed.due_at + timedelta(hours=2)) == 0
    assert overdue_check(now=signed.due_at + timedelta(days=1, minutes=2)) == 1
    assert "linli.workorders.tasks.overdue_check_task" in {j.name for j in registered_jobs()}


def test_resolved_orders_are_not_chased(demo, order):
    community, property_ = demo.user("community"), demo.user("property")
    services.order_accept(actor=community, order=order)
    services.order_dispatch(actor=community, order=order)
    signed = services.order_sign(actor=property_, order=order)
    services.order_resolve(actor=property_, order=order, note="好了")
    assert overdue_check(now=signed.due_at + timedelta(days=3)) == 0
    assert timezone.now()
