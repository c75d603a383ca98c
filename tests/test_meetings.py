"""The deliberation meeting through its services: the loop from a resident's issue to a
decision, the work it creates, the check at the next meeting and the published notice;
proposals and their support; quorum and votes; carrying a topic across meetings."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.meetings import selectors, services
from linli.meetings.models import (
    AttendanceStatus,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    Topic,
    TopicSource,
    TopicStatus,
    VoteResult,
)
from linli.notices.selectors import notice_list
from linli.places.models import Organisation
from linli.places.services import place_create
from linli.workorders import services as orders
from linli.workorders.models import Category, Channel, Status
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


def at(day: date, hour=10):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


@pytest.fixture
def series(demo):
    """A fresh series for the compound: whatever the demo holds is set aside (the test's
    transaction restores it)."""
    from linli.meetings.models import MeetingSeries

    MeetingSeries.objects.filter(place=demo.nanguanfang).update(is_active=False)
    secretary = demo.user("secretary")
    created = services.series_create(
        actor=secretary,
        place=demo.nanguanfang,
        venue="党支部服务中心·议事厅",
        chair=secretary,
        quorum_percent=50,
    )
    for name, role in [
        ("南官房小区物管会", "物管会"),
        ("南官房物业服务有限公司", "物业公司"),
        ("站东社区居民委员会", "社区"),
    ]:
        services.participant_add(
            actor=secretary,
            series=created,
            organisation=Organisation.objects.get(name=name),
            role=role,
        )
    services.participant_add(actor=secretary, series=created, user=secretary, role="支部书记")
    return created


def meeting_on(series, day: date) -> Meeting:
    start, end = services._occurrence(series, day)
    meeting = Meeting(
        series=series, place=series.place, title=series.name, start=start, end=end, venue="议事厅"
    )
    meeting.full_clean()
    meeting.save()
    return meeting


def all_present(secretary, meeting):
    marks = {row.pk: (AttendanceStatus.PRESENT, "") for row in meeting.attendance.all()}
    services.attendance_mark(actor=secretary, meeting=meeting, marks=marks)


def test_a_resident_issue_from_filing_to_a_done_decision_in_the_published_notice(demo, series):
    seed_categories()
    resident, worker = demo.user("resident"), demo.user("community")
    secretary, handler = demo.user("secretary"), demo.user("property")
    # 1. A resident reports; the worker accepts and refers it to the meeting.
    order = orders.order_file(
        actor=resident,
        category=Category.objects.get(code="ebike-parking"),
        place=demo.place(UNIT),
        title="电动车停在楼道里充电",
        description="6号楼1单元楼道里天天有电动车充电，很危险。",
    )
    orders.order_accept(actor=worker, order=order)
    orders.order_refer(actor=worker, order=order, note="请议事厅研究")
    topic = Topic.objects.get(orders=order)
    assert topic.source == TopicSource.REFERRED and topic.series == series

    # 2. The chair puts it on the agenda of the meeting on the 15th and sends it.
    first = meeting_on(series, date(2026, 10, 15))
    assert [t.pk for t in selectors.topic_suggestions(first)["topics"]] == [topic.pk]
    item = services.agenda_add(actor=secretary, meeting=first, topic=topic)
    services.meeting_publish_agenda(actor=secretary, meeting=first)

    # 3. The meeting decides, by vote, and the decision files a work order.
    services.meeting_hold(actor=secretary, meeting=first, now=at(date(2026, 10, 15)))
    all_present(secretary, first)
    services.item_save_notes(actor=secretary, item=item, notes="物业担心充电桩费用，私下意见")
    decision = services.decision_record(
        actor=secretary,
        item=item,
        text="在3号楼东侧建电动车充电棚，楼道内禁止停放充电",
        votes_for=3,
        votes_against=1,
        votes_abstain=0,
        responsible_organisation=Organisation.objects.get(name="南官房物业服务有限公司"),
        due_date=date(2026, 11, 30),
        new_order={
            "category": Category.objects.get(code="ebike-parking"),
            "title": "建设电动车充电棚",
        },
    )
    assert decision.vote_result == VoteResult.PASSED and decision.status == DecisionStatus.OPEN
    work = decision.orders.get(channel=Channel.MEETING)
    assert work.status == Status.DISPATCHED
    assert work.organisation.name == "南官房物业服务有限公司"
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECIDED
    services.meeting_publish_minutes(actor=secretary, meeting=first)

    # 4. The property company does the work; the resident's order is closed too.
    orders.order_sign(actor=handler, order=work)
    orders.order_resolve(actor=handler, order=work, note="充电棚已建成投用")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN  # resolved is not closed yet
    orders.order_close(actor=worker, order=work, note="现场核实")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE
    assert decision.done_note

    # 5. The next meeting's follow-up shows it done, and so does its published notice.
    second = meeting_on(series, date(2026, 11, 15))
    assert [d.pk for d in selectors.follow_ups(second)] == [decision.pk]
    services.meeting_hold(actor=secretary, meeting=second, now=at(date(2026, 11, 15)))
    services.meeting_publish_minutes(actor=secretary, meeting=second)
    [review] = selectors.reviews(second)
    assert review.decision == decision and review.status == DecisionStatus.DONE
    assert review.orders[0]["status"] == Status.CLOSED
    notices = list(notice_list(user=resident).filter(url=f"/meetings/{second.pk}/"))
    assert len(notices) == 1
    assert "在3号楼东侧建电动车充电棚" in notices[0].body
    assert "已完成" in notices[0].body or "done" in notices[0].body
    # The first meeting's notice holds the decision, never the private notes.
    first_notice = notice_list(user=resident).get(url=f"/meetings/{first.pk}/")
    assert "在3号楼东侧建电动车充电棚" in first_notice.body
    assert "私下意见" not in first_notice.body
    # Reported done once, it drops out of the meeting after.
    third = meeting_on(series, date(2026, 12, 15))
    assert selectors.follow_ups(third) == []


def test_an_unfinished_decision_stays_on_the_follow_up_until_a_meeting_marks_it_done(demo, series):
    secretary = demo.user("secretary")
    first = meeting_on(series, date(2026, 8, 15))
    topic = services.topic_create(actor=secretary, series=series, title="更新小区公告栏")
    item = services.agenda_add(actor=secretary, meeting=first, topic=topic)
    services.meeting_hold(actor=secretary, meeting=first, now=at(date(2026, 8, 15)))
    decision = services.decision_record(actor=secretary, item=item, text="自治小组更新公告栏")
    services.meeting_publish_minutes(actor=secretary, meeting=first)
    second = meeting_on(series, date(2026, 9, 15))
    services.meeting_hold(actor=secretary, meeting=second, now=at(date(2026, 9, 15)))
    services.meeting_publish_minutes(actor=secretary, meeting=second)
    assert [r.status for r in selectors.reviews(second)] == [DecisionStatus.OPEN]
    third = meeting_on(series, date(2026, 10, 15))
    assert [d.pk for d in selectors.follow_ups(third)] == [decision.pk]
    services.meeting_hold(actor=secretary, meeting=third, now=at(date(2026, 10, 15)))
    with pytest.raises(ValidationError):
        services.decision_mark_done(actor=secretary, decision=decision, meeting=third, note=" ")
    with pytest.raises(ConflictError):  # the first meeting's record is closed
        services.decision_mark_done(actor=secretary, decision=decision, meeting=first, note="x")
    services.decision_mark_done(
        actor=secretary, decision=decision, meeting=third, note="公告栏已更换并张贴"
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE and decision.done_meeting == third


def test_a_topic_carried_spans_several_meetings_until_decided(demo, series):
    secretary = demo.user("secretary")
    study = services.topic_create(actor=secretary, series=series, title="小区车辆分布管理研究")
    meetings = [meeting_on(series, date(2026, month, 15)) for month in (7, 8, 9)]
    item = services.agenda_add(actor=secretary, meeting=meetings[0], topic=study)
    for meeting in meetings[:2]:
        services.meeting_hold(actor=secretary, meeting=meeting, now=at(meeting.start.date()))
        item = meeting.items.get(topic=study)
        services.item_carry(actor=secretary, item=item, note="物业测量车位，下次再议")
        services.meeting_publish_minutes(actor=secretary, meeting=meeting)
    last = meetings[2].items.get(topic=study)
    assert last.carried
    services.meeting_hold(actor=secretary, meeting=meetings[2], now=at(date(2026, 9, 15)))
    services.decision_record(actor=secretary, item=last, text="划定62个车位，外来车辆限时停放")
    assert study.agenda_items.count() == 3
    assert [i.outcome for i in study.agenda_items.order_by("meeting__start")] == [
        Outcome.CARRIED,
        Outcome.CARRIED,
        Outcome.DECIDED,
    ]


def test_a_vote_needs_the_quorum_and_a_failed_vote_creates_no_work(demo, series):
    seed_categories()
    secretary = demo.user("secretary")
    meeting = meeting_on(series, date(2026, 10, 15))
    topic = services.topic_create(actor=secretary, series=series, title="广场舞音响限时")
    item = services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    services.meeting_hold(actor=secretary, meeting=meeting, now=at(date(2026, 10, 15)))
    rows = list(meeting.attendance.all())
    assert len(rows) == 4 and all(r.status == AttendanceStatus.ABSENT for r in rows)
    with pytest.raises(ConflictError, match="法定人数"):  # no quorum
        services.decision_record(
            actor=secretary, item=item, text="晚九点后停止", votes_for=1, votes_against=0,
            votes_abstain=0,
        )  # fmt: skip
    with pytest.raises(ValidationError):  # a proxy needs a name
        services.attendance_mark(
            actor=secretary, meeting=meeting, marks={rows[0].pk: (AttendanceStatus.PROXY, "")}
        )
    services.attendance_mark(
        actor=secretary,
        meeting=meeting,
        marks={
            rows[0].pk: (AttendanceStatus.PRESENT, ""),
            rows[1].pk: (AttendanceStatus.PROXY, "王大姐"),
        },
    )
    assert services.quorum(meeting) | {} == {
        "standing": 4, "represented": 2, "needed": 2, "voters": 2, "met": True
    }  # fmt: skip
    with pytest.raises(ValidationError):  # more votes than people present
        services.decision_record(
            actor=secretary, item=item, text="晚九点后停止", votes_for=2, votes_against=1,
            votes_abstain=0,
        )  # fmt: skip
    failed = services.decision_record(
        actor=secretary,
        item=item,
        text="晚九点后停止",
        votes_for=1,
        votes_against=1,
        votes_abstain=0,
        new_order={"category": Category.objects.get(code="sanitation"), "title": "不应创建"},
    )
    assert failed.vote_result == VoteResult.FAILED
    assert failed.status == DecisionStatus.NOT_ADOPTED
    assert not failed.orders.exists()
    item.refresh_from_db()
    assert item.outcome == Outcome.PENDING  # the chair may still carry or drop it


@pytest.mark.parametrize(
    ("rule", "votes", "voters", "passes"),
    [
        ("simple", (3, 2), 6, True),
        ("simple", (2, 2), 6, False),
        ("absolute", (3, 0), 6, False),
        ("absolute", (4, 0), 6, True),
        ("two_thirds", (3, 0), 5, False),
        ("two_thirds", (4, 0), 6, True),
    ],
)
def test_pass_rules(rule, votes, voters, passes):
    assert (
        services.vote_passes(rule=rule, votes_for=votes[0], votes_against=votes[1], voters=voters)
        is passes
    )


# -- proposals ------------------------------------------------------------------------------


@pytest.fixture
def neighbour(demo):
    """Another resident of Nanguanfang."""
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居甲")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


@pytest.fixture
def outsider(demo):
    """A resident of another compound of the same community."""
    compound = place_create(actor=SYSTEM, kind="compound", name="站东新村", parent=demo.zhandong)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    unit = place_create(actor=SYSTEM, kind="unit", name="1单元", parent=building)
    household = place_create(actor=SYSTEM, kind="household", name="101", parent=unit)
    user = user_create(actor=SYSTEM, username="outsider", password=None, full_name="外小区居民")
    grant_create(actor=SYSTEM, user=user, role="resident", place=household)
    return user


def test_proposals_close_on_time_and_are_supported_once(demo, series, neighbour):
    resident = demo.user("resident")
    now = at(date(2026, 12, 1))
    proposal = services.proposal_create(
        actor=resident, place=demo.place(UNIT), title="会客厅周末延长开放", now=now
    )
    meeting = proposal.proposed_for
    assert timezone.localdate(meeting.start) == date(2026, 12, 15)
    closes = services.proposals_close_at(meeting)
    assert closes == meeting.start - timedelta(days=3)
    with pytest.raises(ConflictError):  # one's own proposal already counts
        services.proposal_support(actor=resident, topic=proposal, now=now)
    services.proposal_support(actor=neighbour, topic=proposal, now=now)
    with pytest.raises(ConflictError, match="已附议"):
        services.proposal_support(actor=neighbour, topic=proposal, now=now)
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    # The last moment before closing counts; at closing time it is refused.
    late = user_create(actor=SYSTEM, username="late", password=None, full_name="晚到")
    grant_create(actor=SYSTEM, user=late, role="resident", place=demo.place(UNIT + "/202"))
    with pytest.raises(ConflictError) as closed:
        services.proposal_support(actor=late, topic=proposal, now=closes)
    assert closed.value.code == "closed"
    services.proposal_support(actor=late, topic=proposal, now=closes - timedelta(seconds=1))
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    # A proposal made after closing goes to the following meeting.
    later = services.proposal_create(
        actor=neighbour, place=demo.place(UNIT), title="增设快递柜", now=closes
    )
    assert later.proposed_for.start > meeting.start
    assert timezone.localdate(later.proposed_for.start) == date(2027, 1, 15)


def test_a_resident_of_another_compound_cannot_see_or_support_a_proposal(demo, series, outsider):
    resident = demo.user("resident")
    now = at(date(2026, 12, 1))
    proposal = services.proposal_create(
        actor=resident, place=demo.place(UNIT), title="楼道加装扶手", now=now
    )
    assert not selectors.proposal_list(user=outsider).filter(pk=proposal.pk).exists()
    assert selectors.proposal_list(user=resident).filter(pk=proposal.pk).exists()
    assert not selectors.meeting_list(user=outsider).filter(pk=proposal.proposed_for_id).exists()
    with pytest.raises(ForbiddenError):
        services.proposal_support(actor=outsider, topic=proposal, now=now)
    with pytest.raises(ForbiddenError):
        services.proposal_create(actor=outsider, place=demo.nanguanfang, title="外人提议", now=now)
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_only_organisers_run_the_meeting(demo, series):
    meeting = meeting_on(series, date(2026, 10, 15))
    topic = services.topic_create(actor=demo.user("secretary"), series=series, title="议题")
    for username in ("resident", "property", "street", "patrol", "doctor"):
        with pytest.raises(ForbiddenError):
            services.agenda_add(actor=demo.user(username), meeting=meeting, topic=topic)
    services.agenda_add(actor=demo.user("community"), meeting=meeting, topic=topic)


def test_meeting_steps_follow_the_table(demo, series):
    secretary = demo.user("secretary")
    meeting = meeting_on(series, date(2026, 12, 15))
    with pytest.raises(ConflictError, match="议题"):
        services.meeting_publish_agenda(actor=secretary, meeting=meeting)
    with pytest.raises(ConflictError):  # the record opens on the day, not before
        services.meeting_hold(actor=secretary, meeting=meeting, now=at(date(2026, 12, 14)))
    with pytest.raises(ConflictError):
        services.meeting_publish_minutes(actor=secretary, meeting=meeting)
    topic = services.topic_create(actor=secretary, series=series, title="议题")
    services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    services.meeting_hold(actor=secretary, meeting=meeting, now=at(date(2026, 12, 15)))
    with pytest.raises(ConflictError, match="议题"):  # every topic needs an outcome
        services.meeting_publish_minutes(
            actor=secretary, meeting=meeting, now=at(date(2026, 12, 15))
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(ConflictError):
        services.meeting_cancel(actor=secretary, meeting=meeting, reason="下雪")


def test_regular_meetings_are_scheduled_on_the_day_and_only_once(demo, series):
    now = at(date(2027, 1, 20))
    created = services.meetings_schedule(series=series, count=3, now=now)
    assert [timezone.localdate(m.start) for m in created] == [
        date(2027, 2, 15),
        date(2027, 3, 15),
        date(2027, 4, 15),
    ]
    assert timezone.localtime(created[0].start).hour == 9
    assert services.meetings_schedule(series=series, count=3, now=now) == []


def test_overdue_and_reopened_orders_are_suggested(demo, series, without_demo_orders):
    seed_categories()
    resident, worker = demo.user("resident"), demo.user("community")
    meeting = meeting_on(series, date(2026, 12, 15))
    order = orders.order_file(
        actor=resident,
        category=Category.objects.get(code="property-service"),
        place=demo.place(UNIT),
        title="屋顶漏雨",
    )
    orders.order_accept(actor=worker, order=order)
    assert selectors.topic_suggestions(meeting)["orders"] == []
    type(order).objects.filter(pk=order.pk).update(overdue=True)
    assert [o.pk for o in selectors.topic_suggestions(meeting)["orders"]] == [order.pk]
    order.refresh_from_db()
    item = services.agenda_add_order(
        actor=demo.user("secretary"),
        meeting=meeting,
        order=order,
        source=selectors.order_topic_source(order),
    )
    assert item.topic.source == TopicSource.OVERDUE
    assert selectors.topic_suggestions(meeting)["orders"] == []


def test_sending_the_agenda_notifies_the_standing_participants(
    demo, series, django_capture_on_commit_callbacks
):
    from linli.core.models import Notification

    secretary = demo.user("secretary")
    meeting = meeting_on(series, date(2026, 12, 15))
    topic = services.topic_create(actor=secretary, series=series, title="楼顶防水维修")
    services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish_agenda(actor=secretary, meeting=meeting)
    sent = Notification.objects.exclude(pk__in=before).filter(kind="meetings.agenda")
    recipients = {n.user.username for n in sent}
    assert {"property", "community"} <= recipients  # staff of participating organisations
    assert "secretary" not in recipients  # who sent it is not told
    assert "resident" not in recipients
    assert all("楼顶防水维修" in n.body and n.url == f"/meetings/{meeting.pk}/" for n in sent)


def test_the_hourly_check_marks_decisions_done_whose_work_closed_elsewhere(demo, series):
    secretary = demo.user("secretary")
    seed_categories()
    meeting = meeting_on(series, date(2026, 10, 15))
    topic = services.topic_create(actor=secretary, series=series, title="清理楼道杂物")
    item = services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    services.meeting_hold(actor=secretary, meeting=meeting, now=at(date(2026, 10, 15)))
    decision = services.decision_record(
        actor=secretary,
        item=item,
        text="物业两周内清理",
        new_order={"category": Category.objects.get(code="sanitation"), "title": "清理楼道杂物"},
    )
    work = decision.orders.get()
    assert services.decisions_refresh(actor=SYSTEM) == 0
    # e.g. closed by an import or an admin repair that bypassed the steps
    type(work).objects.filter(pk=work.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    assert services.decisions_refresh(actor=SYSTEM) == 1
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE
