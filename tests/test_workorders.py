"""Work orders: the whole lifecycle, refusals, time limits on the official calendar, and two
handlers acting at once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.workdays import UnknownCalendarYear, add_working_days
from linli.places.models import Organisation
from linli.workorders import services
from linli.workorders.models import Category, EventKind, Status, WorkOrder
from linli.workorders.seed import seed_categories

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


@pytest.fixture
def categories(db):
    seed_categories()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def light_order(demo, categories):
    return services.order_file(
        actor=demo.user("resident"),
        category=categories["corridor-light"],
        place=demo.place(UNIT),
        title="6栋1单元楼道灯总是坏",
        description="可能电路存在问题",
    )


@pytest.mark.django_db
def test_the_whole_lifecycle_with_a_reopen(demo, light_order):
    community, property_, resident = (
        demo.user("community"),
        demo.user("property"),
        demo.user("resident"),
    )
    order = light_order
    assert order.status == Status.SUBMITTED and order.reporter == resident
    order = services.order_accept(actor=community, order=order)
    order = services.order_dispatch(actor=community, order=order)
    assert order.organisation.name == "南官房物业服务有限公司"
    order = services.order_sign(actor=property_, order=order)
    assert order.status == Status.IN_PROGRESS and order.due_at > order.signed_at
    order = services.order_progress(actor=property_, order=order, note="电工已检查线路")
    order = services.order_resolve(actor=property_, order=order, note="更换了老化的线路")
    order = services.order_feedback(
        actor=resident, order=order, satisfaction="unsatisfied", note="第二天又坏了"
    )
    assert order.status == Status.IN_PROGRESS and order.reopen_count == 1
    order = services.order_resolve(actor=property_, order=order, note="更换了整条线路和灯具")
    order = services.order_feedback(actor=resident, order=order, satisfaction="satisfied")
    assert order.status == Status.CLOSED and order.closed_at
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.FILED,
        EventKind.ACCEPTED,
        EventKind.DISPATCHED,
        EventKind.SIGNED,
        EventKind.PROGRESS,
        EventKind.RESOLVED,
        EventKind.FEEDBACK,
        EventKind.REOPENED,
        EventKind.RESOLVED,
        EventKind.FEEDBACK,
        EventKind.CLOSED,
    ]
    actors = list(order.events.values_list("actor__username", flat=True))
    assert actors == [
        "resident",
        "community",
        "community",
        "property",
        "property",
        "property",
        "resident",
        "resident",
        "property",
        "resident",
        "resident",
    ]


@pytest.mark.django_db
def test_illegal_steps_are_refused_with_a_message_and_change_nothing(demo, light_order):
    community, property_, resident = (
        demo.user("community"),
        demo.user("property"),
        demo.user("resident"),
    )
    with pytest.raises(ConflictError) as exc:
        services.order_sign(actor=property_, order=light_order)
    assert exc.value.message
    with pytest.raises(ForbiddenError):
        services.order_accept(actor=resident, order=light_order)
    with pytest.raises(ForbiddenError):
        services.order_accept(actor=property_, order=light_order)
    with pytest.raises(ValidationError):
        services.order_reject(actor=community, order=light_order, reason="  ")
    fresh = WorkOrder.objects.get(pk=light_order.pk)
    assert fresh.status == Status.SUBMITTED
    assert fresh.events.count() == 1


@pytest.mark.django_db
def test_a_returned_order_goes_back_for_dispatch(demo, light_order):
    community, property_ = demo.user("community"), demo.user("property")
    order = services.order_accept(actor=community, order=light_order)
    order = services.order_dispatch(actor=community, order=order)
    order = services.order_return(actor=property_, order=order, reason="不属于物业管辖")
    assert order.status == Status.ACCEPTED and order.due_at is None
    bureau = Organisation.objects.get(name="站东社区居民委员会")
    order = services.order_dispatch(actor=community, order=order, organisation=bureau)
    assert order.organisation == bureau


@pytest.mark.django_db
def test_a_12345_transfer_needs_its_ticket(demo, categories):
    with pytest.raises(ValidationError):
        services.order_file(
            actor=demo.user("community"),
            category=categories["sanitation"],
            place=demo.nanguanfang,
            title="垃圾清运不及时",
            channel="hotline",
        )
    order = services.order_file(
        actor=demo.user("community"),
        category=categories["sanitation"],
        place=demo.nanguanfang,
        title="垃圾清运不及时",
        channel="hotline",
        external_ticket="12345-2026-0815-001",
    )
    assert order.reporter is None and order.external_ticket == "12345-2026-0815-001"


@pytest.mark.django_db
def test_me_too_instead_of_a_duplicate(demo, categories, light_order):
    duplicates = services.likely_duplicates(
        category=categories["corridor-light"], place=demo.place(UNIT + "/201")
    )
    assert light_order in duplicates
    neighbour = demo.user("volunteer")  # not a resident of the compound
    with pytest.raises(ForbiddenError):
        services.order_support(actor=neighbour, order=light_order)


# -- time limits ----------------------------------------------------------------------------


def at(y, m, d, h=10):
    return datetime(y, m, d, h, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October
        # are make-up working days.
        (at(2025, 9, 26), 2, at(2025, 9, 29)),  # Fri → Sun 28 (make-up) → Mon 29
        (at(2025, 9, 30), 1, at(2025, 10, 9)),  # the holiday is skipped
        (at(2025, 9, 30), 2, at(2025, 10, 10)),
        (at(2025, 9, 30), 3, at(2025, 10, 11)),  # Saturday 11 October is a working day
        (at(2025, 10, 3), 1, at(2025, 10, 9)),  # filed during the holiday
        # Spring Festival 2026: 15–23 February off, Saturday 14 February a make-up day
        (at(2026, 2, 13), 2, at(2026, 2, 24)),
        (at(2025, 12, 31), 15, at(2026, 1, 22)),  # across New Year
    ],
)
def test_due_dates_follow_the_official_calendar(start, days, due):
    assert add_working_days(start, days) == due


def test_the_year_after_the_last_published_one_is_counted_provisionally():
    from datetime import date

    from linli.core.workdays import is_working_day, last_known_year

    year = last_known_year() + 1
    assert not is_working_day(date(year, 1, 1))  # New Year's Day
    days = [date(year, 3, d) for d in range(1, 8)]
    assert [is_working_day(d) for d in days] == [d.weekday() < 5 for d in days]
    # A deadline running from December into that year is computed, not refused.
    due = add_working_days(at(year - 1, 12, 24), 10)
    assert due.year == year


def test_a_year_the_calendar_does_not_know_is_a_clear_error():
    with pytest.raises(UnknownCalendarYear) as exc:
        add_working_days(at(2031, 6, 1), 2)
    assert "2031" in exc.value.message


@pytest.mark.django_db
def test_urgent_orders_are_due_in_hours(demo, categories):
    community, property_ = demo.user("community"), demo.user("property")
    order = services.order_file(
        actor=demo.user("resident"),
        category=categories["water-power"],
        place=demo.place(UNIT),
        title="停水了",
    )
    assert order.urgent
    order = services.order_accept(actor=community, order=order)
    order = services.order_dispatch(actor=community, order=order)
    order = services.order_sign(actor=property_, order=order)
    assert (order.due_at - order.signed_at).total_seconds() == 2 * 3600


# -- concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_handlers_acting_at_once_cannot_both_apply(demo_world_tx):
    from django.contrib.auth import get_user_model

    from linli.places.models import Place

    User = get_user_model()
    seed_categories()
    community = User.objects.get(username="community")
    property_ = User.objects.get(username="property")
    second = User.objects.create(username="property2")
    from linli.places.services import membership_add

    membership_add(
        actor=SYSTEM,
        user=second,
        organisation=Organisation.objects.get(name="南官房物业服务有限公司"),
    )
    order = services.order_file(
        actor=community,
        category=Category.objects.get(code="corridor-light"),
        place=Place.objects.get(name_path=UNIT),
        title="楼道灯坏了",
        channel="counter",
    )
    order = services.order_accept(actor=community, order=order)
    order = services.order_dispatch(actor=community, order=order)

    barrier = threading.Barrier(2)
    outcomes = []

    def sign(user):
        try:
            barrier.wait(timeout=10)
            services.order_sign(actor=user, order=order)
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (property_, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["illegal_step", "ok"], outcomes
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS
    assert list(order.events.values_list("kind", flat=True)).count(EventKind.SIGNED) == 1
