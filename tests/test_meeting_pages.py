"""The deliberation meeting's pages as the people involved use them: the secretary prepares
the agenda and writes the record, the property company reads it, residents propose and see
the published decisions — never the private notes."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.meetings import services
from linli.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingStatus,
    Outcome,
    Topic,
    TopicSource,
)
from linli.notices.models import Notice
from linli.places.models import Organisation
from linli.places.services import place_create
from linli.workorders import services as order_services
from linli.workorders.models import Category, Status, WorkOrder
from linli.workorders.seed import seed_categories
from linli.workorders.services import photo_add

pytestmark = pytest.mark.django_db

UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"
PRIVATE = "私密记录：三楼住户家里的困难情况"


@pytest.fixture(autouse=True)
def categories(db):
    seed_categories()


@pytest.fixture
def series(demo):
    """The compound's series (the demo's, when it has one), with the property company, the
    property-management committee and the secretary among its standing participants."""
    secretary = demo.user("secretary")
    series = services.series_of_compound(demo.nanguanfang) or services.series_create(
        actor=secretary, place=demo.nanguanfang, venue="党群服务中心议事厅", chair=secretary
    )
    current = series.participants.filter(left_at__isnull=True)
    for name in ("南官房物业服务有限公司", "南官房小区物管会"):
        organisation = Organisation.objects.get(name=name)
        if not current.filter(organisation=organisation).exists():
            services.participant_add(
                actor=secretary, series=series, role="参会单位", organisation=organisation
            )
    if not current.filter(user=secretary).exists():
        services.participant_add(actor=secretary, series=series, role="支部书记", user=secretary)
    return series


@pytest.fixture
def meeting(demo, series):
    """An extra meeting today (so that its record can be opened now)."""
    now = timezone.now()
    return services.meeting_create_extra(
        actor=demo.user("secretary"),
        series=series,
        start=now - timedelta(minutes=30),
        end=now + timedelta(minutes=90),
        title="测试议事会",
    )


def order_at(demo, title="楼道灯总是坏", place=UNIT):
    return order_services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(place),
        title=title,
    )


def topic_on(demo, meeting, title, *, orders=()):
    topic = services.topic_create(
        actor=demo.user("secretary"), series=meeting.series, title=title, orders=orders
    )
    return services.agenda_add(actor=demo.user("secretary"), meeting=meeting, topic=topic)


def act(client, meeting, **data):
    return client.post(f"/meetings/{meeting.pk}/action/", data)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def hold_with_everyone_present(demo, meeting):
    secretary = demo.user("secretary")
    services.meeting_hold(actor=secretary, meeting=meeting)
    marks = {row.pk: ("present", "") for row in meeting.attendance.all()}
    services.attendance_mark(actor=secretary, meeting=meeting, marks=marks)


@pytest.fixture
def other_compound_resident(demo):
    compound = place_create(actor=SYSTEM, kind="compound", name="别的小区", parent=demo.zhandong)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    unit = place_create(actor=SYSTEM, kind="unit", name="1单元", parent=building)
    home = place_create(actor=SYSTEM, kind="household", name="101", parent=unit)
    user = user_create(actor=SYSTEM, username="elsewhere", password=None, full_name="外小区居民")
    grant_create(actor=SYSTEM, user=user, role="resident", place=home)
    return user


@pytest.fixture
def other_street_admin(demo):
    user = user_create(actor=SYSTEM, username="qingyuan", password=None, full_name="清远街道管理员")
    grant_create(actor=SYSTEM, user=user, role="street_admin", place=demo.place("平城区/清远街道"))
    return user


def client_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# -- who sees what -------------------------------------------------------------------------


def test_list_and_series_pages_by_role(client_for, demo, series, meeting):
    for username in ("secretary", "community", "property", "resident", "street", "district"):
        listing = page(client_for(username), "/meetings/")
        assert f"/meetings/{meeting.pk}/" in listing, username
        assert f"/meetings/series/{series.pk}/" in listing, username
    filtered = page(client_for("secretary"), f"/meetings/?place={demo.nanguanfang.pk}")
    assert f"/meetings/{meeting.pk}/" in filtered
    assert client_for("secretary").get("/meetings/?place=abc").status_code == 404
    assert client_for("secretary").get("/meetings/?place=99999999999").status_code == 404
    assert f"/meetings/{meeting.pk}/" not in page(client_for("patrol"), "/meetings/")

    managed = page(client_for("secretary"), f"/meetings/series/{series.pk}/")
    assert 'value="add_meeting"' in managed and "南官房物业服务有限公司" in managed
    seen = page(client_for("property"), f"/meetings/series/{series.pk}/")
    assert "南官房物业服务有限公司" in seen and 'value="add_meeting"' not in seen
    public = page(client_for("resident"), f"/meetings/series/{series.pk}/")
    assert 'value="add_meeting"' not in public and 'data-testid="participants"' not in public
    assert client_for("patrol").get(f"/meetings/series/{series.pk}/").status_code == 404
    assert client_for("secretary").get("/meetings/series/0/").status_code == 404


def test_organisers_plan_extra_meetings_and_participants(client_for, demo, series):
    secretary = client_for("secretary")
    url = f"/meetings/series/{series.pk}/action/"
    start = timezone.localtime() + timedelta(days=3)
    planned = secretary.post(
        url,
        {
            "action": "add_meeting",
            "title": "临时议事会",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert planned.status_code == 302
    assert Meeting.objects.filter(series=series, title="临时议事会", extra=True).exists()
    backwards = secretary.post(
        url,
        {
            "action": "add_meeting",
            "title": "倒着的会",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert backwards.status_code == 200 and "倒着的会" in backwards.content.decode()
    assert not Meeting.objects.filter(title="倒着的会").exists()

    added = secretary.post(url, {"action": "add_participant", "role": "居民代表", "name": "王大爷"})
    assert added.status_code == 302
    participant = series.participants.get(name="王大爷")
    missing_role = secretary.post(url, {"action": "add_participant", "name": "李大妈"})
    assert missing_role.status_code == 200 and "李大妈" in missing_role.content.decode()
    removed = secretary.post(
        url, {"action": "remove_participant", "participant": str(participant.pk)}
    )
    assert removed.status_code == 302
    participant.refresh_from_db()
    assert participant.left_at is not None
    assert (
        secretary.post(url, {"action": "remove_participant", "participant": "x"}).status_code == 404
    )
    assert secretary.post(url, {"action": "bogus"}).status_code == 302
    assert client_for("property").post(url, {"action": "add_meeting"}).status_code == 403
    assert client_for("patrol").post(url, {"action": "add_meeting"}).status_code == 404


def test_meeting_page_by_role(
    client_for, demo, meeting, other_compound_resident, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    order = order_at(demo)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "PNG")
    photo = photo_add(
        actor=demo.user("resident"),
        order=order,
        upload=SimpleUploadedFile("x.png", buffer.getvalue()),
    )
    item = topic_on(demo, meeting, "楼道灯线路老化", orders=[order])
    AgendaItem.objects.filter(pk=item.pk).update(notes=PRIVATE)
    url = f"/meetings/{meeting.pk}/"
    photo_url = f"/meetings/{meeting.pk}/photos/{photo.pk}/thumb/"

    for username in ("secretary", "community"):
        html = page(client_for(username), url)
        assert "楼道灯线路老化" in html and PRIVATE in html and order.number in html
        assert 'value="publish_agenda"' in html and 'data-testid="suggestions"' in html
        assert photo_url in html

    participant = page(client_for("property"), url)
    assert "楼道灯线路老化" in participant and PRIVATE in participant and photo_url in participant
    assert 'value="publish_agenda"' not in participant and "suggestions" not in participant
    assert client_for("property").get(photo_url).status_code == 200
    assert client_for("property").get(photo_url.replace("thumb", "full")).status_code == 200
    assert client_for("property").get(photo_url.replace("thumb", "huge")).status_code == 404
    assert act(client_for("property"), meeting, action="publish_agenda").status_code == 403

    # a draft agenda is not for residents
    draft = page(client_for("resident"), url)
    assert "楼道灯线路老化" not in draft and PRIVATE not in draft
    assert client_for("resident").get(photo_url).status_code == 404
    assert client_for("resident").get(f"/meetings/{meeting.pk}/print/").status_code == 404

    services.meeting_publish_agenda(actor=demo.user("secretary"), meeting=meeting)
    sent = page(client_for("resident"), url)
    assert "楼道灯线路老化" in sent and PRIVATE not in sent and order.number not in sent

    for outsider in (client_for("patrol"), client_of(other_compound_resident)):
        assert outsider.get(url).status_code == 404
        assert outsider.get(photo_url).status_code == 404
        assert outsider.get(f"/meetings/{meeting.pk}/print/").status_code == 404
        assert act(outsider, meeting, action="hold").status_code == 404

    # a photo of an order that is not on this agenda is not served through it
    elsewhere = order_at(demo, title="别的事")
    other_photo = photo_add(
        actor=demo.user("resident"),
        order=elsewhere,
        upload=SimpleUploadedFile("y.png", buffer.getvalue()),
    )
    assert (
        client_for("property")
        .get(f"/meetings/{meeting.pk}/photos/{other_photo.pk}/thumb/")
        .status_code
        == 404
    )
    assert client_for("secretary").get("/meetings/99999999999999999999/").status_code == 404


def test_staff_of_another_street_see_nothing(demo, meeting, other_street_admin):
    client = client_of(other_street_admin)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/meetings/series/{meeting.series_id}/").status_code == 404
    assert f"/meetings/{meeting.pk}/" not in page(client, "/meetings/")


# -- the whole loop through the pages ------------------------------------------------------


def test_from_a_referred_order_to_the_notice_on_the_residents_home_page(
    client_for, demo, meeting, other_compound_resident
):
    community = demo.user("community")
    order = order_at(demo, title="6栋1单元楼道灯总是坏")
    order_services.order_accept(actor=community, order=order)
    order_services.order_refer(actor=community, order=order, note="反复维修无效，提交议事")
    secretary = client_for("secretary")
    url = f"/meetings/{meeting.pk}/"

    html = page(secretary, url)
    topic = Topic.objects.filter(orders=order, status="open").first()
    if topic is not None:  # the referral made it a topic of the series
        assert f'data-testid="add-topic-{topic.pk}"' in html
        added = act(secretary, meeting, action="add_topic", topic=str(topic.pk))
    else:
        assert f'data-testid="add-order-{order.pk}"' in html
        added = act(secretary, meeting, action="add_order", order=str(order.pk))
    assert added.status_code == 302
    item = meeting.items.get(topic__orders=order)
    assert item.topic.source == TopicSource.REFERRED

    act(secretary, meeting, action="new_topic", title="电动车进楼道", description="充电安全")
    assert meeting.items.count() == 2
    second = meeting.items.get(topic__title="电动车进楼道")
    act(secretary, meeting, action="move", item=str(second.pk), direction="up")
    second.refresh_from_db()
    assert second.position == 1

    assert act(secretary, meeting, action="publish_agenda").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_PUBLISHED
    assert act(secretary, meeting, action="hold").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    rows = list(meeting.attendance.filter(participant__isnull=False))
    marks = {f"status_{row.pk}": "present" for row in rows}
    marks[f"status_{rows[0].pk}"] = "proxy"
    marks[f"proxy_{rows[0].pk}"] = "张代表"
    saved = act(
        secretary, meeting, action="attendance", guest_name="街道观察员", guest_role="列席", **marks
    )
    assert saved.status_code == 302
    assert Attendance.objects.get(pk=rows[0].pk).proxy_name == "张代表"
    assert meeting.attendance.filter(name="街道观察员", status="present").exists()
    assert 'data-testid="quorum"' in page(secretary, url)

    act(secretary, meeting, action="notes", item=str(item.pk), notes=PRIVATE)
    company = Organisation.objects.get(name="南官房物业服务有限公司")
    due = timezone.localdate() + timedelta(days=14)
    decided = act(
        secretary,
        meeting,
        action="decision",
        item=str(item.pk),
        text="物业两周内更换6栋1单元楼道照明线路",
        votes_for="3",
        votes_against="0",
        votes_abstain="0",
        responsible_organisation=str(company.pk),
        due_date=due.isoformat(),
        create_order="on",
        category=str(Category.objects.get(code="corridor-light").pk),
        order_place=str(demo.place(UNIT).pk),
        order_title="更换楼道照明线路",
    )
    assert decided.status_code == 302, decided.content.decode()[:2000]
    decision = Decision.objects.get(item=item)
    assert decision.vote_result == "passed" and decision.due_date == due
    new_order = decision.orders.get()
    assert new_order.title == "更换楼道照明线路" and new_order.status == Status.DISPATCHED
    assert new_order.organisation == company

    dropped = act(
        secretary, meeting, action="drop", item=str(second.pk), reason="已由业主大会另行讨论"
    )
    assert dropped.status_code == 302
    # the property company reads the record while it is written, and cannot change it
    record = page(client_for("property"), url)
    assert PRIVATE in record and "物业两周内更换" in record
    assert 'value="decision"' not in record

    published = act(secretary, meeting, action="publish_minutes", summary="本次议事会议定两项。")
    assert published.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED

    resident = client_for("resident")
    home = page(resident, "/")
    notice = Notice.objects.get(kind="meetings.minutes", url=url)
    assert f"/notices/{notice.pk}/" in home and 'data-testid="home-notices"' in home
    told = page(resident, f"/notices/{notice.pk}/")
    assert "物业两周内更换" in told and PRIVATE not in told
    assert f"/notices/{notice.pk}/" in page(resident, "/notices/")
    shown = page(resident, url)
    assert (
        "物业两周内更换" in shown
        and "已由业主大会另行讨论" in shown
        and "本次议事会议定两项" in shown
    )
    assert PRIVATE not in shown and "张代表" not in shown and "街道观察员" not in shown
    assert new_order.number in shown and "更换楼道照明线路" not in shown  # numbers, not titles
    printed = page(resident, f"/meetings/{meeting.pk}/print/")
    assert "物业两周内更换" in printed and "/static/linli/minutes-print.css" in printed
    assert PRIVATE not in printed and "张代表" not in printed
    assert PRIVATE not in page(client_for("secretary"), f"/meetings/{meeting.pk}/print/")
    # a resident of another compound is not told
    assert client_of(other_compound_resident).get(f"/notices/{notice.pk}/").status_code == 404


def test_follow_up_marked_done_at_a_later_meeting(client_for, demo, series, meeting):
    secretary = demo.user("secretary")
    item = topic_on(demo, meeting, "小区停车研究")
    hold_with_everyone_present(demo, meeting)
    decision = services.decision_record(actor=secretary, item=item, text="组织停车调研")
    services.meeting_publish_minutes(actor=secretary, meeting=meeting)
    later = services.meeting_create_extra(
        actor=secretary,
        series=series,
        # it starts now, so that its record opens today even just before midnight
        start=meeting.start + timedelta(minutes=30),
        end=meeting.end + timedelta(minutes=30),
        title="后续议事会",
    )
    url = f"/meetings/{later.pk}/"
    assert "组织停车调研" in page(client_for("property"), url)
    services.meeting_hold(actor=secretary, meeting=later)
    client = client_for("secretary")
    empty = act(client, later, action="done", decision=str(decision.pk), note="")
    assert empty.status_code == 200
    decision.refresh_from_db()
    assert decision.status == "open"
    assert act(client, later, action="done", decision="999999999", note="x").status_code == 404
    done = act(client, later, action="done", decision=str(decision.pk), note="调研报告已完成")
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "done" and decision.done_meeting == later


# -- refusals ------------------------------------------------------------------------------


def _snapshot(meeting):
    return (
        Meeting.objects.get(pk=meeting.pk).status,
        list(Decision.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        list(meeting.attendance.values_list("pk", "status", "proxy_name")),
        list(meeting.items.values_list("pk", "position", "outcome", "notes")),
        WorkOrder.objects.count(),
    )


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client_for, demo, meeting):
    item = topic_on(demo, meeting, "垃圾分类点位")
    hold_with_everyone_present(demo, meeting)
    client = client_for("secretary")
    before = _snapshot(meeting)
    row = meeting.attendance.filter(participant__isnull=False).first()
    decision = {"action": "decision", "item": str(item.pk), "text": "设置新的分类点"}
    cases = [
        {**decision, "votes_for": "-1", "votes_against": "0", "votes_abstain": "0"},
        {**decision, "votes_for": "abc", "votes_against": "0", "votes_abstain": "0"},
        {**decision, "votes_for": "3"},  # against and abstain missing
        {**decision, "votes_for": "99", "votes_against": "0", "votes_abstain": "0"},
        {**decision, "text": "  "},
        {**decision, "create_order": "on"},  # no category, no title
        {**decision, "link_orders": "12ab"},
        {**decision, "link_orders": "99999999"},
        {**decision, "responsible_organisation": "999999999"},
        {**decision, "due_date": "2025-13-45"},
        {"action": "attendance", f"status_{row.pk}": "proxy", f"proxy_{row.pk}": ""},
        {"action": "attendance", f"status_{row.pk}": "maybe"},
        {"action": "drop", "item": str(item.pk), "reason": ""},
        {"action": "publish_minutes"},  # a topic has no outcome yet
        {"action": "cancel", "reason": "下雨"},  # a held meeting cannot be cancelled
        {"action": "publish_agenda"},
        {"action": "move", "item": str(item.pk), "direction": "sideways"},
        {"action": "frobnicate"},
        {"action": ""},
        {},
    ]
    for data in cases:
        response = client.post(f"/meetings/{meeting.pk}/action/", data)
        assert response.status_code in (200, 302), (data, response.status_code)
        if response.status_code == 200:
            html = response.content.decode()
            assert 'role="alert"' in html, data
            if data.get("text", "").strip():
                assert data["text"] in html, data  # what was typed is kept
        else:
            followed = client.get(response["Location"])
            assert 'class="message message-error"' in followed.content.decode(), data
        assert _snapshot(meeting) == before, data

    proxy_row = client.post(
        f"/meetings/{meeting.pk}/action/",
        {"action": "attendance", f"status_{row.pk}": "proxy", f"proxy_{row.pk}": ""},
    )
    assert "message-error" in proxy_row.content.decode()
    for bogus in (
        {"action": "notes", "item": "999999999", "notes": "x"},
        {"action": "notes", "item": "abc", "notes": "x"},
        {"action": "notes", "notes": "x"},
        {"action": "add_topic", "topic": "999999999"},
        {"action": "add_topic", "topic": "-3"},
        {"action": "add_order", "order": "99999999999999999999999"},
        {"action": "done", "decision": "abc", "note": "x"},
    ):
        response = client.post(f"/meetings/{meeting.pk}/action/", bogus)
        assert response.status_code == 404, bogus
    assert client.post("/meetings/999999999/action/", {"action": "hold"}).status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/action/").status_code == 405
    assert _snapshot(meeting) == before


def test_a_topic_of_another_compound_cannot_join_the_agenda(client_for, demo, meeting):
    community = demo.user("community")
    compound = place_create(actor=SYSTEM, kind="compound", name="隔壁小区", parent=demo.zhandong)
    other = services.series_create(actor=community, place=compound, venue="隔壁议事厅")
    topic = services.topic_create(actor=community, series=other, title="隔壁的事")
    response = act(client_for("community"), meeting, action="add_topic", topic=str(topic.pk))
    assert response.status_code == 302
    assert not meeting.items.filter(topic=topic).exists()


# -- cost --------------------------------------------------------------------------------


def test_meeting_page_costs_the_same_for_2_and_12_agenda_items(client_for, demo, series):
    secretary = demo.user("secretary")
    now = timezone.now()

    def meeting_with(n, hour):
        meeting = services.meeting_create_extra(
            actor=secretary,
            series=series,
            start=now - timedelta(minutes=30 + hour),
            end=now + timedelta(minutes=90 - hour),
            title=f"{n}项议题",
        )
        for i in range(n):
            topic_on(demo, meeting, f"议题{n}-{i}", orders=[order_at(demo, title=f"工单{n}-{i}")])
        return meeting

    few, many = meeting_with(2, 0), meeting_with(12, 1)
    client = client_for("secretary")

    def cost(meeting):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/meetings/{meeting.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert cost(few) == cost(many)  # preparing the agenda
    for meeting in (few, many):
        hold_with_everyone_present(demo, meeting)
        decision = services.decision_record(
            actor=secretary, item=meeting.items.first(), text="已议定"
        )
        assert decision.pk
    assert cost(few) == cost(many)  # writing the record
    assert many.items.count() == 12


# -- proposals ---------------------------------------------------------------------------


def test_proposal_board(client_for, demo, series, other_compound_resident):
    resident = client_for("resident")
    made = resident.post(
        "/meetings/proposals/", {"title": "小区增设充电桩", "description": "电动车没处充电"}
    )
    assert made.status_code == 302
    topic = Topic.objects.get(title="小区增设充电桩")
    assert topic.source == TopicSource.PROPOSAL and topic.proposer == demo.user("resident")
    board = page(resident, "/meetings/proposals/")
    support_url = f"/meetings/proposals/{topic.pk}/support/"
    assert "小区增设充电桩" in board and support_url not in board  # own proposal

    missing = resident.post("/meetings/proposals/", {"title": ""})
    assert missing.status_code == 200 and 'role="alert"' in missing.content.decode()

    neighbour = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居")
    grant_create(actor=SYSTEM, user=neighbour, role="resident", place=demo.place(UNIT + "/201"))
    other = client_of(neighbour)
    assert support_url in page(other, "/meetings/proposals/")
    assert other.post(f"/meetings/proposals/{topic.pk}/support/").status_code == 302
    topic.refresh_from_db()
    assert topic.support_count == 1
    again = other.post(f"/meetings/proposals/{topic.pk}/support/", follow=True)
    assert "message-error" in again.content.decode()
    topic.refresh_from_db()
    assert topic.support_count == 1
    assert support_url not in page(other, "/meetings/proposals/")

    # staff in scope read the board; residents elsewhere do not see it
    staff = page(client_for("community"), "/meetings/proposals/")
    assert "小区增设充电桩" in staff and 'data-testid="support"' not in staff
    assert 'name="title"' not in staff
    assert client_for("community").post("/meetings/proposals/", {"title": "x"}).status_code == 403
    outsider = client_of(other_compound_resident)
    assert "小区增设充电桩" not in page(outsider, "/meetings/proposals/")
    assert outsider.post(f"/meetings/proposals/{topic.pk}/support/").status_code == 404
    assert resident.post("/meetings/proposals/abc/support/").status_code == 404
    assert resident.post("/meetings/proposals/999999999/support/").status_code == 404


def test_support_after_proposals_closed_is_refused(client_for, demo, series, meeting):
    topic = services.proposal_create(
        actor=demo.user("resident"),
        place=demo.resident_household,
        title="晚到的提议",
        now=timezone.now() - timedelta(days=5),
    )
    assert services.proposals_close_at(topic.proposed_for) < timezone.now()
    neighbour = user_create(actor=SYSTEM, username="neighbour2", password=None, full_name="邻居二")
    grant_create(actor=SYSTEM, user=neighbour, role="resident", place=demo.place(UNIT + "/202"))
    other = client_of(neighbour)
    board = page(other, "/meetings/proposals/")
    assert "晚到的提议" in board and f"/meetings/proposals/{topic.pk}/support/" not in board
    refused = other.post(f"/meetings/proposals/{topic.pk}/support/", follow=True)
    assert "message-error" in refused.content.decode()
    topic.refresh_from_db()
    assert topic.support_count == 0


# -- notices -------------------------------------------------------------------------------


def test_notices_pages(client_for, demo, other_compound_resident):
    from linli.notices.services import notice_publish

    notice = notice_publish(
        actor=demo.user("secretary"), place=demo.nanguanfang, kind="test", title="停水通知"
    )
    resident = client_for("resident")
    assert "停水通知" in page(resident, "/notices/")
    assert "停水通知" in page(resident, f"/notices/{notice.pk}/")
    assert "停水通知" in page(resident, "/")
    assert client_of(other_compound_resident).get(f"/notices/{notice.pk}/").status_code == 404
    assert resident.get("/notices/999999999/").status_code == 404
    assert resident.get("/notices/?page=abc").status_code == 200


def test_outcomes_constants_are_what_the_template_compares():
    assert Outcome.PENDING == "pending" and AttendanceStatus.PROXY == "proxy"


def test_the_organisers_see_the_meetings_history_from_its_events(client_for, demo, meeting):
    topic_on(demo, meeting, "电动车停放")
    secretary = client_for("secretary")
    act(secretary, meeting, action="publish_agenda")
    html = page(secretary, f"/meetings/{meeting.pk}/")
    history = html[html.index('data-testid="timeline"') :]
    assert "已排期" in history and "议程已发出" in history
    assert history.index("已排期") < history.index("议程已发出")
    resident = page(client_for("resident"), f"/meetings/{meeting.pk}/")
    assert 'data-testid="timeline"' not in resident
