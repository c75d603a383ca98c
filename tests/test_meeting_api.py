"""/api/v1/meetings: who sees which meetings, the notes rule on a meeting's detail, residents'
proposals and their support, and the organisers' steps and decisions through the API."""

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.meetings import services
from linli.meetings.models import AttendanceStatus, Meeting, MeetingSeries
from linli.places.models import Organisation
from linli.places.services import place_create
from linli.workorders import services as orders
from linli.workorders.models import Category, Channel, Status, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"
NOTES = "物业担心费用，私下意见：不对外"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def series(demo) -> MeetingSeries:
    """Nanguanfang's series, whether or not the demo already holds one, with the property
    company, the committee and the secretary among its standing participants."""
    secretary = demo.user("secretary")
    found = services.series_of_compound(demo.nanguanfang) or services.series_create(
        actor=secretary, place=demo.nanguanfang, venue="党支部服务中心·议事厅", chair=secretary
    )
    present = found.participants.filter(left_at__isnull=True)
    organisations = {p.organisation_id for p in present}
    for name, role in [("南官房物业服务有限公司", "物业公司"), ("南官房小区物管会", "物管会")]:
        organisation = Organisation.objects.get(name=name)
        if organisation.pk not in organisations:
            services.participant_add(
                actor=secretary, series=found, organisation=organisation, role=role
            )
    if not present.filter(user=secretary).exists():
        services.participant_add(actor=secretary, series=found, user=secretary, role="支部书记")
    return found


def extra_meeting(series, actor, *, title="API测试议事会", start=None) -> Meeting:
    """A meeting going on now (its record can be opened today)."""
    start = (start or timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    return services.meeting_create_extra(
        actor=actor, series=series, start=start, end=start + timedelta(hours=2), title=title
    )


@pytest.fixture
def elsewhere(demo):
    """Another compound of the same community with its own meeting and a resident."""
    worker = demo.user("community")
    compound = place_create(actor=SYSTEM, kind="compound", name="站东新村", parent=demo.zhandong)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    unit = place_create(actor=SYSTEM, kind="unit", name="1单元", parent=building)
    household = place_create(actor=SYSTEM, kind="household", name="101", parent=unit)
    user = user_create(actor=SYSTEM, username="outsider", password=None, full_name="外小区居民")
    grant_create(actor=SYSTEM, user=user, role="resident", place=household)
    other = services.series_create(actor=worker, place=compound, venue="新村活动室")
    meeting = extra_meeting(other, worker, title="站东新村议事会")
    return {"compound": compound, "user": user, "meeting": meeting}


@pytest.fixture
def neighbour(demo):
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居甲")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def whole(response) -> str:
    """The whole JSON answer as text (non-ASCII unescaped), to look for a string anywhere."""
    return json.dumps(response.json(), ensure_ascii=False)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {m["id"] for m in response.json()["items"]}


# -- the list -------------------------------------------------------------------------------


def test_the_list_shows_each_role_its_meetings(client_for, demo, series, elsewhere):
    ours = extra_meeting(series, demo.user("secretary"))
    theirs = elsewhere["meeting"]
    seen = {
        username: ids(client_for(username).get("/api/v1/meetings", {"limit": 500}))
        for username in ("secretary", "community", "property", "resident", "street", "patrol")
    }
    assert ours.pk in seen["resident"] and theirs.pk not in seen["resident"]
    assert ours.pk in seen["property"] and theirs.pk not in seen["property"]  # a participant
    assert ours.pk in seen["secretary"]
    assert {ours.pk, theirs.pk} <= seen["community"]
    assert {ours.pk, theirs.pk} <= seen["street"]
    assert seen["patrol"] == set()
    outsider = ids(signed_in(elsewhere["user"]).get("/api/v1/meetings"))
    assert outsider == {theirs.pk}
    # every meeting residents see is their own compound's
    rows = client_for("resident").get("/api/v1/meetings", {"limit": 500}).json()["items"]
    assert {row["series"]["place"]["id"] for row in rows} == {demo.nanguanfang.pk}


def test_the_list_filters_by_place_status_and_time_and_pages(client_for, demo, series, elsewhere):
    secretary = demo.user("secretary")
    now = extra_meeting(series, secretary, title="本次")
    past = extra_meeting(
        series, secretary, title="上次", start=timezone.now() - timedelta(days=400)
    )
    street = client_for("street")
    in_community = ids(street.get("/api/v1/meetings", {"place": demo.zhandong.pk, "limit": 500}))
    assert {now.pk, past.pk, elsewhere["meeting"].pk} <= in_community
    in_compound = ids(street.get("/api/v1/meetings", {"place": demo.nanguanfang.pk, "limit": 500}))
    assert {now.pk, past.pk} <= in_compound and elsewhere["meeting"].pk not in in_compound
    assert ids(street.get("/api/v1/meetings", {"place": elsewhere["compound"].pk})) == {
        elsewhere["meeting"].pk
    }
    # meetings belong to the compound: a building below it holds none
    building = demo.place("平城区/鹿苑街道/站东社区/南官房小区/6号楼")
    assert ids(street.get("/api/v1/meetings", {"place": building.pk})) == set()
    # an unknown place filters to nothing, as on the other lists
    assert ids(street.get("/api/v1/meetings", {"place": 987654321})) == set()

    upcoming = ids(street.get("/api/v1/meetings", {"upcoming": "true", "limit": 500}))
    assert now.pk in upcoming and past.pk not in upcoming
    gone = ids(street.get("/api/v1/meetings", {"upcoming": "false", "limit": 500}))
    assert past.pk in gone and now.pk not in gone
    services.meeting_cancel(actor=secretary, meeting=past, reason="场地维修")
    assert past.pk in ids(street.get("/api/v1/meetings", {"status": "cancelled", "limit": 500}))
    assert now.pk not in ids(street.get("/api/v1/meetings", {"status": "cancelled"}))
    assert street.get("/api/v1/meetings", {"status": "postponed"}).status_code == 422
    assert street.get("/api/v1/meetings", {"place": "9" * 30}).status_code == 422

    everything = street.get("/api/v1/meetings", {"limit": 500}).json()
    assert everything["count"] >= 3
    first = street.get("/api/v1/meetings", {"limit": 2}).json()
    second = street.get("/api/v1/meetings", {"limit": 2, "offset": 2}).json()
    assert set(first) == {"items", "count"} and first["count"] == everything["count"]
    assert [m["id"] for m in first["items"] + second["items"]] == [
        m["id"] for m in everything["items"][:4]
    ]


def test_list_fields(client_for, demo, series):
    meeting = extra_meeting(series, demo.user("secretary"))
    rows = client_for("resident").get("/api/v1/meetings", {"limit": 500}).json()["items"]
    [row] = [r for r in rows if r["id"] == meeting.pk]
    assert row == {
        "id": meeting.pk,
        "series": {
            "id": series.pk,
            "name": series.name,
            "place": {"id": demo.nanguanfang.pk, "name": "南官房小区"},
        },
        "title": "API测试议事会",
        "start": timezone.localtime(meeting.start).isoformat(),
        "end": timezone.localtime(meeting.end).isoformat(),
        "room": series.venue,
        "status": "scheduled",
        "extra": True,
    }
    assert row["start"].endswith("+08:00")


def test_the_list_costs_the_same_for_few_and_many_meetings(client_for, demo, series):
    secretary = demo.user("secretary")
    client = client_for("street")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/meetings", {"limit": 500}).status_code == 200
        return len(captured.captured_queries)

    extra_meeting(series, secretary)
    few = queries()
    start = timezone.now() - timedelta(days=30)
    for day in range(20):
        extra_meeting(series, secretary, start=start + timedelta(days=day))
    assert queries() == few


# -- one meeting: agenda, decisions, notes ---------------------------------------------------


@pytest.fixture
def held(demo, series):
    """A meeting with two topics on its agenda, opened and with notes on the first."""
    seed_categories()
    secretary = demo.user("secretary")
    meeting = extra_meeting(series, secretary)
    light = services.topic_create(actor=secretary, series=series, title="楼道灯线路老化")
    bikes = services.topic_create(actor=secretary, series=series, title="电动车进楼道")
    first = services.agenda_add(actor=secretary, meeting=meeting, topic=light)
    services.agenda_add(actor=secretary, meeting=meeting, topic=bikes)
    services.meeting_publish_agenda(actor=secretary, meeting=meeting)
    services.meeting_hold(actor=secretary, meeting=meeting)
    services.item_save_notes(actor=secretary, item=first, notes=NOTES)
    return meeting


def detail(client, meeting):
    response = client.get(f"/api/v1/meetings/{meeting.pk}")
    assert response.status_code == 200, response.content
    return response


def test_participants_and_overseers_see_the_record_residents_never_the_notes(client_for, held):
    secretary = client_for("secretary")
    decided = post(
        secretary,
        f"/api/v1/meetings/{held.pk}/agenda/{held.items.first().pk}/decisions",
        {"text": "更换6号楼楼道灯线路"},
    )
    assert decided.status_code == 201, decided.content
    for username in ("secretary", "community", "street", "property"):
        data = detail(client_for(username), held).json()
        assert [i["topic"]["title"] for i in data["agenda"]] == ["楼道灯线路老化", "电动车进楼道"]
        assert data["agenda"][0]["notes"] == NOTES, username
        assert data["agenda"][0]["orders"] == []
        assert [d["text"] for d in data["decisions"]] == ["更换6号楼楼道灯线路"]
    # Held, not published: residents see the agenda, no decisions, no notes.
    response = detail(client_for("resident"), held)
    assert NOTES not in whole(response)
    data = response.json()
    assert data["status"] == "held"
    assert [i["topic"]["title"] for i in data["agenda"]] == ["楼道灯线路老化", "电动车进楼道"]
    assert all(i["notes"] is None and i["orders"] is None for i in data["agenda"])
    assert data["decisions"] == [] and data["agenda"][0]["decisions"] == []
    assert data["follow_ups"] == []
    assert client_for("patrol").get(f"/api/v1/meetings/{held.pk}").status_code == 404


def test_a_scheduled_meetings_draft_agenda_is_for_participants_only(client_for, demo, series):
    secretary = demo.user("secretary")
    meeting = extra_meeting(series, secretary)
    topic = services.topic_create(actor=secretary, series=series, title="草拟议题")
    services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    assert len(detail(client_for("property"), meeting).json()["agenda"]) == 1
    assert detail(client_for("resident"), meeting).json()["agenda"] == []


def test_missing_and_hidden_meetings_look_the_same(client_for, demo, elsewhere):
    resident = client_for("resident")
    hidden = resident.get(f"/api/v1/meetings/{elsewhere['meeting'].pk}")
    missing = resident.get("/api/v1/meetings/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert resident.get("/api/v1/meetings/0").status_code == 422


# -- the organisers' steps and decisions ------------------------------------------------------


def test_a_meeting_run_through_the_api_from_agenda_to_published_decisions(client_for, demo, series):
    seed_categories()
    secretary, resident = client_for("secretary"), client_for("resident")
    meeting = extra_meeting(series, demo.user("secretary"))
    url = f"/api/v1/meetings/{meeting.pk}"
    # A resident's complaint, accepted by the community, goes onto the agenda as an order.
    complaint = orders.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="ebike-parking"),
        place=demo.place(UNIT),
        title="楼道里电动车充电",
    )
    orders.order_accept(actor=demo.user("community"), order=complaint)
    topic = services.topic_create(actor=demo.user("secretary"), series=series, title="楼道灯")

    assert post(secretary, f"{url}/steps", {"step": "publish_agenda"}).status_code == 409  # empty
    added = post(secretary, f"{url}/agenda", {"topic": topic.pk})
    assert added.status_code == 201, added.content
    assert added.json()["topic"] == {
        "id": topic.pk, "title": "楼道灯", "source": "chair", "status": "open"
    }  # fmt: skip
    from_order = post(secretary, f"{url}/agenda", {"order": complaint.pk})
    assert from_order.status_code == 201, from_order.content
    assert from_order.json()["position"] == 2
    assert from_order.json()["orders"][0]["number"] == complaint.number
    assert post(secretary, f"{url}/agenda", {"topic": topic.pk}).status_code == 409  # twice
    assert post(secretary, f"{url}/agenda", {}).status_code == 422
    assert post(secretary, f"{url}/agenda", {"topic": topic.pk, "order": 1}).status_code == 422
    assert post(secretary, f"{url}/agenda", {"topic": 987654321}).status_code == 404
    assert post(resident, f"{url}/agenda", {"topic": topic.pk}).status_code in (403, 404)

    sent = post(secretary, f"{url}/steps", {"step": "publish_agenda"})
    assert sent.status_code == 200 and sent.json()["status"] == "agenda_published"
    assert post(resident, f"{url}/steps", {"step": "hold"}).status_code == 403
    assert post(client_for("patrol"), f"{url}/steps", {"step": "hold"}).status_code == 404
    assert post(secretary, f"{url}/steps", {"step": "fly"}).status_code == 422
    assert post(secretary, f"{url}/steps", {"step": "publish_minutes"}).status_code == 409
    assert post(secretary, f"{url}/steps", {"step": "hold"}).json()["status"] == "held"
    meeting.refresh_from_db()
    marks = {row.pk: (AttendanceStatus.PRESENT, "") for row in meeting.attendance.all()}
    services.attendance_mark(actor=demo.user("secretary"), meeting=meeting, marks=marks)
    voters = services.quorum(meeting)["voters"]
    [light, bikes] = meeting.items.order_by("position")
    services.item_save_notes(actor=demo.user("secretary"), item=bikes, notes=NOTES)

    # A decision by vote that files work for the property company.
    company = Organisation.objects.get(name="南官房物业服务有限公司")
    recorded = post(
        secretary,
        f"{url}/agenda/{bikes.pk}/decisions",
        {
            "text": "在3号楼东侧建电动车充电棚，楼道内禁止充电",
            "votes_for": voters,
            "votes_against": 0,
            "votes_abstain": 0,
            "responsible_organisation": company.pk,
            "due_date": "2026-11-30",
            "new_order": {"category": "ebike-parking", "title": "建设电动车充电棚"},
            "link_orders": [complaint.pk],
        },
    )
    assert recorded.status_code == 201, recorded.content
    decision = recorded.json()
    assert decision["vote_result"] == "passed" and decision["status"] == "open"
    assert decision["responsible_organisation"] == "南官房物业服务有限公司"
    assert decision["due_date"] == "2026-11-30"
    work = WorkOrder.objects.get(pk__in=[o["id"] for o in decision["orders"]], channel="meeting")
    assert work.channel == Channel.MEETING and work.status == Status.DISPATCHED
    assert work.organisation == company
    assert {o["number"] for o in decision["orders"]} == {work.number, complaint.number}
    # The other topic: a decision without a vote, its work ordered by category id.
    category = Category.objects.get(code="corridor-light")
    plain = post(
        secretary,
        f"{url}/agenda/{light.pk}/decisions",
        {"text": "物业更换楼道灯线路", "new_order": {"category": category.pk, "title": "换线"}},
    )
    assert plain.status_code == 201, plain.content
    assert plain.json()["vote_result"] == "" and len(plain.json()["orders"]) == 1

    # Refusals.
    other = f"{url}/agenda/{light.pk}/decisions"
    assert post(secretary, other, {"text": " "}).status_code == 422
    # rules the schema cannot say (all three votes or none; a category that exists): 400
    assert post(secretary, other, {"text": "x", "votes_for": 1}).status_code == 400
    bad_category = {"text": "x", "new_order": {"category": "no-such", "title": "x"}}
    assert post(secretary, other, bad_category).status_code == 400
    assert post(resident, other, {"text": "x"}).status_code == 403
    assert post(secretary, f"{url}/agenda/987654321/decisions", {"text": "x"}).status_code == 404

    # Before publication residents see no decisions; after it they do, never the notes.
    assert detail(resident, meeting).json()["decisions"] == []
    published = post(secretary, f"{url}/steps", {"step": "publish_minutes", "summary": "两项决议"})
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    response = detail(resident, meeting)
    assert NOTES not in whole(response)
    data = response.json()
    assert data["summary"] == "两项决议"
    assert {d["text"] for d in data["decisions"]} == {
        "在3号楼东侧建电动车充电棚，楼道内禁止充电",
        "物业更换楼道灯线路",
    }
    assert all(i["notes"] is None and i["orders"] is None for i in data["agenda"])
    assert NOTES in whole(detail(secretary, meeting))
    assert post(secretary, f"{url}/steps", {"step": "publish_minutes"}).status_code == 409


def test_the_next_meeting_shows_the_follow_up_of_earlier_decisions(client_for, demo, series):
    secretary = demo.user("secretary")
    first = extra_meeting(series, secretary, start=timezone.now() - timedelta(days=1, hours=1))
    topic = services.topic_create(actor=secretary, series=series, title="更新公告栏")
    item = services.agenda_add(actor=secretary, meeting=first, topic=topic)
    services.meeting_hold(actor=secretary, meeting=first)
    decision = services.decision_record(actor=secretary, item=item, text="自治小组更新公告栏")
    services.meeting_publish_minutes(actor=secretary, meeting=first)
    second = extra_meeting(series, secretary)
    follow_ups = detail(client_for("secretary"), second).json()["follow_ups"]
    assert decision.pk in {f["decision"] for f in follow_ups}
    assert detail(client_for("resident"), second).json()["follow_ups"] == []
    services.meeting_hold(actor=secretary, meeting=second)
    services.decision_mark_done(actor=secretary, decision=decision, meeting=second, note="已换")
    services.meeting_publish_minutes(actor=secretary, meeting=second)
    follow_ups = detail(client_for("resident"), second).json()["follow_ups"]
    [checked] = [f for f in follow_ups if f["decision"] == decision.pk]
    assert checked["status"] == "done" and checked["note"] == "已换"
    assert checked["meeting"] == first.pk and checked["text"] == "自治小组更新公告栏"


# -- proposals ------------------------------------------------------------------------------


def test_residents_propose_and_support_once_until_proposals_close(
    client_for, demo, series, neighbour, elsewhere, monkeypatch
):
    resident = client_for("resident")
    created = post(
        resident,
        "/api/v1/meetings/proposals",
        {"place": demo.resident_household.pk, "title": "会客厅周末延长开放", "description": "周末"},
    )
    assert created.status_code == 201, created.content
    proposal = created.json()
    assert proposal["support_count"] == 0 and not proposal["supported"] and proposal["mine"]
    assert proposal["place"] == {"id": demo.nanguanfang.pk, "name": "南官房小区"}
    assert proposal["status"] == "open" and proposal["meeting"]
    assert proposal["closes_at"].endswith("+08:00")
    support = f"/api/v1/meetings/proposals/{proposal['id']}/support"

    assert post(resident, support).status_code == 409  # one's own proposal counts already
    neighbour_client = signed_in(neighbour)
    supported = post(neighbour_client, support)
    assert supported.status_code == 200, supported.content
    assert supported.json()["support_count"] == 1 and supported.json()["supported"]
    assert not supported.json()["mine"]
    twice = post(neighbour_client, support)
    assert twice.status_code == 409 and twice.json()["code"] == "supported"

    # Another compound's resident neither sees nor supports it.
    outsider = signed_in(elsewhere["user"])
    assert proposal["id"] not in ids(outsider.get("/api/v1/meetings/proposals"))
    assert post(outsider, support).status_code == 404
    foreign = {"place": demo.nanguanfang.pk, "title": "外人提议"}
    assert post(outsider, "/api/v1/meetings/proposals", foreign).status_code == 404
    # Staff see it but propose and support nothing.
    assert post(client_for("community"), "/api/v1/meetings/proposals", foreign).status_code == 403
    assert post(client_for("street"), support).status_code == 403
    assert proposal["id"] in ids(client_for("street").get("/api/v1/meetings/proposals"))

    # The list, filtered, with the caller's own support.
    listed = neighbour_client.get(
        "/api/v1/meetings/proposals", {"place": demo.nanguanfang.pk, "open": "true"}
    ).json()
    [row] = [p for p in listed["items"] if p["id"] == proposal["id"]]
    assert row["supported"] and row["support_count"] == 1
    assert ids(resident.get("/api/v1/meetings/proposals", {"place": 987654321})) == set()

    # Once proposals close, support is refused.
    closes = datetime.fromisoformat(proposal["closes_at"])
    late = user_create(actor=SYSTEM, username="late", password=None, full_name="晚到")
    grant_create(actor=SYSTEM, user=late, role="resident", place=demo.place(UNIT + "/202"))
    monkeypatch.setattr(timezone, "now", lambda: closes + timedelta(minutes=1))
    closed = post(signed_in(late), support)
    assert closed.status_code == 409 and closed.json()["code"] == "closed"


def test_proposal_input_is_checked(client_for, demo, series):
    resident = client_for("resident")
    url = "/api/v1/meetings/proposals"
    place = demo.resident_household.pk
    assert post(resident, url, {"place": place, "title": ""}).status_code == 422
    assert post(resident, url, {"place": place, "title": "   "}).status_code == 422
    assert post(resident, url, {"place": place, "title": "x" * 121}).status_code == 422
    assert post(resident, url, {"place": place, "title": "a\x00b"}).status_code == 422
    assert post(resident, url, {"place": 0, "title": "x"}).status_code == 422
    assert post(resident, url, {"place": 987654321, "title": "x"}).status_code == 404


def test_no_meeting_to_take_proposals_is_a_conflict(client_for, demo, series):
    secretary = demo.user("secretary")
    services.series_update(actor=secretary, series=series, recurrence="none")
    for meeting in Meeting.objects.filter(series=series, start__gt=timezone.now()):
        services.meeting_cancel(actor=secretary, meeting=meeting, reason="停办")
    response = post(
        client_for("resident"),
        "/api/v1/meetings/proposals",
        {"place": demo.resident_household.pk, "title": "加装健身器材"},
    )
    assert response.status_code == 409 and response.json()["code"] == "no_meeting"


def test_openapi_documents_the_meeting_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"200", "401", "422"} <= set(spec["/api/v1/meetings"]["get"]["responses"])
    steps = spec["/api/v1/meetings/{meeting_id}/steps"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(steps)
    assert "201" in spec["/api/v1/meetings/proposals"]["post"]["responses"]
