"""A believable year of work orders for Nanguanfang (the demo world): what residents report
in an old compound, most of it handled and closed, 12345 transfers falling month by month as
local handling takes over (as the seed reports), and the seed's open issues."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.core.workdays import UnknownCalendarYear
from linli.places.models import Organisation, Place

from . import services
from .models import Category, Channel, EventKind, Satisfaction, Status, WorkOrder, WorkOrderEvent
from .seed import seed_categories

SEED = 20230715

# (category code, titles)
TOPICS = [
    ("corridor-light", ["楼道灯不亮", "楼道声控灯失灵", "单元门口灯坏了"]),
    ("water-power", ["家里停水", "暖气不热", "楼道有煤气味"]),
    ("ebike-parking", ["电动车停在楼道里", "电动车私拉电线充电", "车棚电动车乱停"]),
    ("sanitation", ["垃圾桶满了没人清", "楼道堆放杂物", "绿化带有垃圾"]),
    ("property-service", ["单元门禁坏了", "下水道堵了", "屋顶漏雨"]),
    ("neighbour-dispute", ["楼上噪音扰民", "邻居占用楼道", "宠物扰民"]),
    ("policy-question", ["低保怎么申请", "高龄津贴何时发放", "医保怎么缴费"]),
]
WEIGHTS = [5, 2, 4, 4, 4, 2, 3]


def _history_rows(*, compound: Place, rng: random.Random, now):
    categories = {c.code: c for c in Category.objects.all()}
    units = list(Place.objects.filter(kind="unit", path__startswith=compound.path))
    residents = list(
        User.objects.filter(
            role_grants__role="resident", role_grants__place__path__startswith=compound.path
        )
    )
    worker = User.objects.get(username="community")
    handler = User.objects.get(username="property")
    for month in range(12, 0, -1):
        month_start = now - timedelta(days=30 * month)
        hotline_share = 0.45 * month / 12  # 12345 transfers fall month by month
        for _n in range(rng.randint(18, 28)):
            code, titles = rng.choices(TOPICS, weights=WEIGHTS)[0]
            category = categories[code]
            filed = month_start + timedelta(days=rng.uniform(0, 29), hours=rng.uniform(8, 12))
            channel = (
                Channel.HOTLINE
                if rng.random() < hotline_share
                else rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.COUNTER, Channel.PHONE])
            )
            yield {
                "category": category,
                "title": rng.choice(titles),
                "place": rng.choice(units),
                "filed": filed,
                "channel": channel,
                "reporter": rng.choice(residents)
                if channel == Channel.ONLINE and residents
                else None,
                "worker": worker,
                "handler": handler,
                "satisfaction": rng.choices(
                    [Satisfaction.SATISFIED, Satisfaction.FAIRLY, Satisfaction.UNSATISFIED],
                    weights=[7, 2, 1],
                )[0],
                "ticket": f"12345-{filed:%Y%m%d}-{rng.randint(1000, 9999)}",
            }


@transaction.atomic
def demo_orders(compound: Place) -> int:
    """Idempotent: a compound with orders gets none."""
    seed_categories()
    if WorkOrder.objects.filter(place__path__startswith=compound.path).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now()
    property_company = Organisation.objects.get(name="南官房物业服务有限公司")
    orders, plans = [], []
    for row in _history_rows(compound=compound, rng=rng, now=now):
        category = row["category"]
        organisation = category.organisation or property_company
        filed = row["filed"]
        accepted = filed + timedelta(hours=rng.uniform(0.5, 4))
        signed = accepted + timedelta(hours=rng.uniform(0.5, 6))
        try:
            due = services.due_from(signed, category=category, urgent=category.urgent)
        except UnknownCalendarYear:
            due = signed + timedelta(days=category.time_limit_days * 1.4)
        resolved = signed + (due - signed) * rng.uniform(0.2, 1.15)
        closed = resolved + timedelta(hours=rng.uniform(2, 48))
        order = WorkOrder(
            title=row["title"],
            category=category,
            appeal_kind=category.appeal_kind,
            channel=row["channel"],
            external_ticket=row["ticket"] if row["channel"] == Channel.HOTLINE else "",
            place=row["place"],
            reporter=row["reporter"],
            reporter_name=row["reporter"].display_name if row["reporter"] else "",
            organisation=organisation,
            status=Status.CLOSED,
            urgent=category.urgent,
            signed_at=signed,
            due_at=due,
            resolved_at=resolved,
            closed_at=closed,
            satisfaction=row["satisfaction"] if row["reporter"] else "",
            overdue=resolved > due,
        )
        orders.append(order)
        plans.append((row, filed, accepted, signed, resolved, closed))
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    events, times = [], []
    for order, (row, filed, accepted, signed, resolved, closed) in zip(orders, plans, strict=True):
        steps = [
            (
                filed,
                EventKind.FILED,
                row["worker"] if not row["reporter"] else row["reporter"],
                "",
                Status.SUBMITTED,
            ),
            (accepted, EventKind.ACCEPTED, row["worker"], Status.SUBMITTED, Status.ACCEPTED),
            (accepted, EventKind.DISPATCHED, row["worker"], Status.ACCEPTED, Status.DISPATCHED),
            (signed, EventKind.SIGNED, row["handler"], Status.DISPATCHED, Status.IN_PROGRESS),
            (resolved, EventKind.RESOLVED, row["handler"], Status.IN_PROGRESS, Status.RESOLVED),
            (
                closed,
                EventKind.CLOSED,
                row["reporter"] or row["worker"],
                Status.RESOLVED,
                Status.CLOSED,
            ),
        ]
        for at, kind, actor, before, after in steps:
            events.append(
                WorkOrderEvent(
                    order=order, kind=kind, actor=actor, from_status=before, to_status=after
                )
            )
            times.append(at)
    WorkOrderEvent.objects.bulk_create(events, batch_size=1000)
    # auto_now_add fields take "now" on insert; the history gets its real dates afterwards
    for order, (_row, filed, *_rest) in zip(orders, plans, strict=True):
        order.created_at = filed
    WorkOrder.objects.bulk_update(orders, ["created_at"], batch_size=500)
    for event, at in zip(events, times, strict=True):
        event.at = at
    WorkOrderEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    _open_issues(compound)
    return len(orders) + 2


def _open_issues(compound: Place) -> None:
    """The seed's open issues, through the real services."""
    resident = User.objects.get(username="resident")
    worker = User.objects.get(username="community")
    handler = User.objects.get(username="property")
    unit = Place.objects.get(path__startswith=compound.path, name="1单元", parent__name="6号楼")
    light = services.order_file(
        actor=resident,
        category=Category.objects.get(code="corridor-light"),
        place=unit,
        title="6栋1单元楼道的灯总是坏",
        description="修了好几次还是坏，可能电路存在问题。",
    )
    services.order_accept(actor=worker, order=light)
    services.order_dispatch(actor=worker, order=light)
    services.order_sign(actor=handler, order=light)
    services.order_progress(actor=handler, order=light, note="电工检查发现线路老化，需整体更换。")
    bikes = services.order_file(
        actor=worker,
        category=Category.objects.get(code="ebike-parking"),
        place=compound,
        title="小区电动车进楼道、停放无序",
        description="多个单元楼道内停放电动车并私拉电线充电，存在消防隐患。",
        channel=Channel.COUNTER,
        reporter_name="居民代表",
    )
    services.order_accept(actor=worker, order=bikes)
    services.order_refer(
        actor=worker, order=bikes, note="提交民情议事厅，与物业共同研究车辆停放方案。"
    )
