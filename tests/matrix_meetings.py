"""Matrix specs of the deliberation meeting: meetings, topics, agenda items' outcomes and
decisions (see lifecycle_matrix). Each record is new, in the demo compound's series."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from linli.meetings import services
from linli.meetings.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Outcome,
    Topic,
    TopicSource,
    TopicStatus,
)
from linli.places.models import Place
from linli.workorders import services as order_services
from linli.workorders.models import Category, Status, WorkOrder
from linli.workorders.seed import seed_categories

from .lifecycle_matrix import MatrixSpec, actor_named

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"
# The compound's community worker and its party branch secretary run its meetings.
ORGANISERS = {"community", "secretary"}


def _series() -> MeetingSeries:
    return MeetingSeries.objects.select_related("place").get(place__name_path=COMPOUND)


def _meeting(status: str, *, days: float = 0) -> Meeting:
    """A meeting that began an hour ago (so the record may open today), ``days`` later."""
    series = _series()
    start = timezone.now() - timedelta(hours=1) + timedelta(days=days)
    return Meeting.objects.create(
        series=series,
        place=series.place,
        title="矩阵测试",
        start=start,
        end=start + timedelta(hours=2),
        venue=series.venue,
        status=status,
    )


def _topic(status: str = TopicStatus.OPEN) -> Topic:
    series = _series()
    return Topic.objects.create(
        series=series, place=series.place, title="矩阵测试", source=TopicSource.CHAIR, status=status
    )


def _item(meeting: Meeting, outcome: str = Outcome.PENDING) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, topic=_topic(), position=99, outcome=outcome)


# -- meetings -----------------------------------------------------------------------------


def _make_meeting(status: str) -> Meeting:
    meeting = _meeting(status)
    # An agenda to send, and nothing pending when the minutes go out.
    _item(meeting, Outcome.DROPPED)
    return Meeting.objects.select_related("series", "place").get(pk=meeting.pk)


def _take_meeting_step(step: str, actor, meeting: Meeting):
    return services.meeting_take_step(
        actor=actor, meeting=meeting, step=step, reason="矩阵测试", summary="矩阵测试"
    )


MEETING_SPEC = MatrixSpec(
    lifecycle=services.MEETING,
    make=_make_meeting,
    take=_take_meeting_step,
    holders={"meetings.manage_meeting": ORGANISERS},
)


# -- topics -------------------------------------------------------------------------------


def _take_topic_step(step: str, actor, topic: Topic):
    # A topic is decided or dropped only by the outcome of an agenda item (decision_record,
    # item_drop), which take more than the topic's own step; its table is taken directly.
    with transaction.atomic():
        return services.TOPIC.take(step, actor=actor, obj=topic, note="矩阵测试")


TOPIC_SPEC = MatrixSpec(
    lifecycle=services.TOPIC,
    make=_topic,
    take=_take_topic_step,
    holders={"meetings.manage_meeting": ORGANISERS},
)


# -- agenda items ---------------------------------------------------------------------------


def _make_item(outcome: str) -> AgendaItem:
    item = _item(_meeting(MeetingStatus.HELD), outcome)
    return AgendaItem.objects.select_related("meeting__series", "meeting__place", "topic").get(
        pk=item.pk
    )


def _take_item_step(step: str, actor, item: AgendaItem):
    if step == "decide":
        return services.decision_record(actor=actor, item=item, text="矩阵测试")
    if step == "carry":
        return services.item_carry(actor=actor, item=item, note="矩阵测试")
    return services.item_drop(actor=actor, item=item, reason="矩阵测试")


ITEM_SPEC = MatrixSpec(
    lifecycle=services.ITEM,
    make=_make_item,
    take=_take_item_step,
    holders={"meetings.manage_item": ORGANISERS},
)


# -- decisions ----------------------------------------------------------------------------


def _closed_order() -> WorkOrder:
    if not Category.objects.filter(code="corridor-light").exists():
        seed_categories()
    order = order_services.order_file(
        actor=actor_named("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=Place.objects.get(name_path=UNIT),
        title="矩阵测试",
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    return order


def _make_decision(status: str) -> Decision:
    """A decision of a meeting forty days ago whose work order is closed; a meeting held
    now checks it."""
    earlier = _meeting(MeetingStatus.PUBLISHED, days=-40)
    item = _item(earlier, Outcome.DECIDED)
    decision = Decision.objects.create(
        item=item,
        meeting=earlier,
        topic=item.topic,
        series=earlier.series,
        text="矩阵测试",
        status=status,
    )
    decision.orders.add(_closed_order())
    return Decision.objects.select_related("meeting", "series__place").get(pk=decision.pk)


def _take_decision_step(step: str, actor, decision: Decision):
    if step == "complete":
        return services.decision_complete(actor=actor, decision=decision)
    checking = _meeting(MeetingStatus.HELD)
    return services.decision_mark_done(
        actor=actor, decision=decision, meeting=checking, note="矩阵测试"
    )


DECISION_SPEC = MatrixSpec(
    lifecycle=services.DECISION,
    make=_make_decision,
    take=_take_decision_step,
    holders={
        "meetings.follow_up_decision": ORGANISERS,
        "meetings.complete_decision": {"SYSTEM"},
    },
)

SPECS = (MEETING_SPEC, TOPIC_SPEC, ITEM_SPEC, DECISION_SPEC)
