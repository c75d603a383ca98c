"""The demo's year of the 民情议事厅 in Nanguanfang: twelve published meetings on the 15th, the
next one in preparation, the seed's stories (corridor light, e-bikes, the parking study),
decisions done by closed work or by a later meeting, open proposals with support; loading
the demo again adds nothing, and the year can be loaded whatever the date."""

from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import User
from linli.meetings import selectors
from linli.meetings.demo import demo_meetings, meeting_days
from linli.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Outcome,
    Topic,
    TopicSource,
    TopicStatus,
    VoteResult,
)
from linli.notices.models import Notice
from linli.workorders.models import Channel, Status, WorkOrder

pytestmark = pytest.mark.django_db
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"


def the_series(demo) -> MeetingSeries:
    return MeetingSeries.objects.get(place=demo.nanguanfang)


def past_meetings(series):
    return list(
        Meeting.objects.filter(series=series, status=MeetingStatus.PUBLISHED).order_by("start")
    )


def test_a_year_of_monthly_meetings_on_the_15th_and_the_next_in_preparation(demo):
    series = the_series(demo)
    assert (series.name, series.venue, series.day_of_month) == (
        "民情议事厅",
        "党支部服务中心·议事厅",
        15,
    )
    assert series.chair == demo.user("secretary") and series.quorum_percent == 50
    roles = [p.role for p in series.participants.all()]
    assert roles[:4] == ["物管会", "物业公司", "支部书记", "社区"]
    assert 2 <= roles.count("居民代表") <= 3
    now = timezone.now()
    published = past_meetings(series)
    assert len(published) == 12
    months = []
    for meeting in published:
        start = timezone.localtime(meeting.start)
        assert (start.day, start.time()) == (15, time(9, 0)) and not meeting.extra
        assert meeting.agenda_published_at < meeting.held_at <= meeting.published_at < now
        assert meeting.attendance.filter(participant__isnull=False).count() == len(roles)
        assert not meeting.items.filter(outcome=Outcome.PENDING).exists()
        months.append(start.year * 12 + start.month)
    assert months == list(range(months[0], months[0] + 12))
    upcoming = Meeting.objects.filter(series=series, start__gt=now).order_by("start")
    following = upcoming.first()
    assert following.status == MeetingStatus.SCHEDULED
    start = timezone.localtime(following.start)
    assert start.day == 15 and start.year * 12 + start.month == months[-1] + 1
    assert following.items.exists()  # the agenda in preparation
    assert following.items.filter(carried=True).exists()
    # the follow-up of unfinished decisions is on it by itself
    assert any(d.status == DecisionStatus.OPEN for d in selectors.follow_ups(following))
    assert not Meeting.objects.filter(series=series, status=MeetingStatus.HELD).exists()


def test_the_parking_study_spans_several_meetings_and_is_decided(demo):
    topic = Topic.objects.get(series=the_series(demo), title="小区车辆停放统筹管理研究")
    items = list(topic.agenda_items.order_by("meeting__start"))
    assert len(items) >= 3
    assert [i.outcome for i in items[:-1]] == [Outcome.CARRIED] * (len(items) - 1)
    assert items[-1].outcome == Outcome.DECIDED and topic.status == TopicStatus.DECIDED
    results = [d.vote_result for d in items[-1].decisions.all()]
    assert VoteResult.FAILED in results and VoteResult.PASSED in results


def test_the_corridor_light_decision_links_the_seed_order_and_the_rewiring(demo):
    light = WorkOrder.objects.get(title="6栋1单元楼道的灯总是坏")
    decision = Decision.objects.get(orders=light)
    assert decision.responsible_organisation.name == "南官房物业服务有限公司"
    rewiring = decision.orders.exclude(pk=light.pk).get()
    assert rewiring.channel == Channel.MEETING and rewiring.place.name == "1单元"
    assert rewiring.place.parent.name == "6号楼"
    assert light.status == Status.IN_PROGRESS
    if decision.status == DecisionStatus.OPEN:  # still in progress: a follow-up of the next
        following = Meeting.objects.filter(start__gt=decision.meeting.start).order_by("start")
        assert decision in selectors.follow_ups(following.first())


def test_the_referred_e_bike_order_became_a_topic_with_decisions(demo):
    bikes = WorkOrder.objects.get(title="小区电动车进楼道、停放无序")
    assert bikes.referred_to_meeting
    topic = bikes.meeting_topics.get()
    assert topic.source == TopicSource.REFERRED and topic.status == TopicStatus.DECIDED
    decisions = list(topic.decisions.all())
    assert len(decisions) == 3
    assert any(d.orders.filter(pk=bikes.pk).exists() for d in decisions)
    assert any(d.orders.filter(channel=Channel.MEETING).exists() for d in decisions)
    assert bikes.created_at < topic.created_at < decisions[0].created_at


def test_decisions_are_done_by_closed_work_or_by_a_later_meeting_and_some_are_open(demo):
    decisions = Decision.objects.filter(series=the_series(demo))
    by_orders = [
        d
        for d in decisions.filter(status=DecisionStatus.DONE, done_meeting__isnull=True)
        if d.orders.exists()
    ]
    assert by_orders
    for decision in by_orders:
        closed = [o.closed_at for o in decision.orders.all()]
        assert all(o.status == Status.CLOSED for o in decision.orders.all())
        assert decision.done_at == max(closed) and decision.created_at < decision.done_at
    marked = decisions.filter(status=DecisionStatus.DONE, done_meeting__isnull=False)
    assert marked.exists()
    for decision in marked:
        assert decision.done_note and decision.done_meeting.start > decision.meeting.start
    assert decisions.filter(status=DecisionStatus.OPEN).exists()
    # the orders the meetings filed have a timeline in the past, in order
    now = timezone.now()
    for order in WorkOrder.objects.filter(channel=Channel.MEETING):
        times = list(order.events.values_list("at", flat=True))
        assert times == sorted(times) and times[-1] < now
        assert order.created_at == times[0]


def test_residents_proposals_are_open_with_supports(demo):
    now = timezone.now()
    proposals = Topic.objects.filter(
        series=the_series(demo), source=TopicSource.PROPOSAL, status=TopicStatus.OPEN
    )
    assert proposals.count() >= 2
    for topic in proposals:
        meeting = topic.proposed_for
        assert meeting.start - timedelta(days=meeting.series.proposal_close_days) > now
        assert topic.support_count == topic.supports.count() >= 1
        assert topic.proposer_id not in topic.supports.values_list("user_id", flat=True)
        assert topic.created_at < now
    assert proposals.filter(proposer=demo.user("resident")).exists()


def test_each_published_meeting_has_its_notice(demo):
    for meeting in past_meetings(the_series(demo)):
        notice = Notice.objects.get(
            kind="meetings.minutes", url=reverse("meetings:meeting-detail", args=[meeting.pk])
        )
        assert notice.published_at == meeting.published_at
        assert timezone.localdate(meeting.start).isoformat() in notice.title


def test_loading_the_demo_again_adds_nothing(demo):
    counts = [
        m.objects.count()
        for m in (MeetingSeries, Meeting, Topic, Decision, AgendaItem, WorkOrder, Notice, User)
    ]
    assert demo_meetings(demo.nanguanfang) == 0
    call_command("demo", verbosity=0)
    assert counts == [
        m.objects.count()
        for m in (MeetingSeries, Meeting, Topic, Decision, AgendaItem, WorkOrder, Notice, User)
    ]


@pytest.mark.parametrize(
    ("now", "past", "upcoming"),
    [
        (datetime(2026, 11, 27, 10), date(2026, 11, 15), date(2026, 12, 15)),
        (datetime(2026, 12, 15, 8, 59), date(2026, 11, 15), date(2026, 12, 15)),
        (datetime(2026, 12, 15, 9, 0), date(2026, 12, 15), date(2027, 1, 15)),
        (datetime(2026, 12, 31, 23, 30), date(2026, 12, 15), date(2027, 1, 15)),
        (datetime(2027, 1, 1, 0, 10), date(2026, 12, 15), date(2027, 1, 15)),
        (datetime(2028, 2, 29, 12), date(2028, 2, 15), date(2028, 3, 15)),
    ],
)
def test_meeting_days_around_month_and_year_ends(now, past, upcoming):
    days, following = meeting_days(timezone.make_aware(now), 15, time(9, 0))
    assert following == upcoming and days[-1] == past and len(days) == 12
    assert days[0].year * 12 + days[0].month == past.year * 12 + past.month - 11
    assert len(set(days)) == 12 and days == sorted(days)


def _forget_the_year(series) -> None:
    Decision.objects.filter(series=series).delete()
    AgendaItem.objects.filter(meeting__series=series).delete()
    Attendance.objects.filter(meeting__series=series).delete()
    Topic.objects.filter(series=series).delete()
    Meeting.objects.filter(series=series).delete()
    series.delete()


def _later(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next_15th() -> int:
    """Days from today to the next 15th."""
    days = 1
    while (timezone.localdate() + timedelta(days=days)).day != 15:
        days += 1
    return days


@pytest.mark.parametrize(
    "now",
    [
        # on the day of a meeting, after it started; late on a month's last day; and far
        # enough ahead that the holiday calendar of the year is not known
        lambda: _later(_next_15th(), 10),
        lambda: _later(400, 23, 50),
    ],
    ids=["meeting-day", "next-year"],
)
def test_the_year_loads_whatever_the_date(demo, now):
    _forget_the_year(the_series(demo))
    moment = now()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert demo_meetings(demo.nanguanfang) == 13
        series = the_series(demo)
        published = past_meetings(series)
        assert len(published) == 12 and all(m.published_at <= moment for m in published)
        following = Meeting.objects.filter(series=series, start__gt=moment).order_by("start")
        assert following.first().status == MeetingStatus.SCHEDULED
        proposals = Topic.objects.filter(series=series, source=TopicSource.PROPOSAL)
        assert proposals.filter(status=TopicStatus.OPEN, support_count__gt=0).exists()
