"""Dispute mediation (人民调解): registering a dispute with its parties and mediators, the
steps to an agreement with the contents of 人民调解法 art. 29 or to a failure with its
referral, the follow-up visit, the 30-day window for judicial confirmation and its
reminder, encryption at rest, who may see what (404 for everyone else), the pages, the
printed agreement and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.models import AuditEvent, Notification
from linli.mediation import selectors, services
from linli.mediation.models import (
    DisputeKind,
    Mediation,
    MediationEvent,
    MediationStatus,
    Referral,
)
from linli.mediation.notify import confirmations_remind
from linli.residents.models import Resident
from tests.factories import earlier_today

from .matrix_mediation import agreed_near_deadline

pytestmark = pytest.mark.django_db

FACTS = "楼上卫生间漏水三个月，楼下天花板发霉，双方多次争吵。"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def resident_row(demo):
    return Resident.objects.get(user=demo.user("resident"))


def open_one(demo, resident_row, **kwargs):
    kwargs.setdefault("actor", demo.user("secretary"))
    kwargs.setdefault("mediators", [demo.user("secretary")])
    kwargs.setdefault(
        "parties",
        [
            {"side": "a", "resident": resident_row, "details": "女，71岁，退休"},
            {"side": "b", "name": "钱立新", "phone": "13800001111", "address": "6号楼1单元201"},
        ],
    )
    return services.mediation_open(
        place=demo.nanguanfang,
        kind=DisputeKind.NEIGHBOURS,
        subject="楼上漏水",
        facts=FACTS,
        **kwargs,
    )


def agree(demo, mediation, **kwargs):
    today = timezone.localdate()
    fields = {
        "agreed_on": today,
        "facts": "201室卫生间防水层破损，致101室天花板渗水发霉。",
        "matters": "漏水的维修及101室的损失；201室负主要责任。",
        "terms": "201室于两周内修好防水层，并赔偿101室粉刷费800元。",
        "method": "201室请物业维修；赔偿款当面现金交付。",
        "due": today + timedelta(days=14),
    }
    fields.update(kwargs)
    return services.mediation_agree(actor=demo.user("secretary"), mediation=mediation, **fields)


def test_an_agreement_carried_out_from_registered_to_closed(demo, resident_row):
    secretary = demo.user("secretary")
    mediation = open_one(demo, resident_row)
    assert mediation.status == MediationStatus.REGISTERED
    assert mediation.number.startswith("TJ")
    mediation = services.mediation_accept(actor=secretary, mediation=mediation)
    session = services.mediation_session_record(
        actor=secretary,
        mediation=mediation,
        held_at=earlier_today(),
        venue="议事厅",
        attendees="周桂兰、钱立新、赵晓红",
        notes="双方同意先修后赔。",
    )
    assert session.notes == "双方同意先修后赔。"
    mediation = agree(demo, mediation)
    assert mediation.status == MediationStatus.AGREED
    mediation = services.mediation_follow_up(
        actor=secretary,
        mediation=mediation,
        visited_on=timezone.localdate(),
        carried_out=True,
        note="已修好，赔偿已付。",
    )
    assert mediation.status == MediationStatus.CLOSED and mediation.carried_out is True
    kinds = list(MediationEvent.objects.filter(mediation=mediation).values_list("kind", flat=True))
    assert kinds == ["registered", "accepted", "session", "agreed", "followed_up"]
    # The timeline says a session was held, not what was said there.
    assert not MediationEvent.objects.filter(note__contains="先修后赔").exists()


def test_the_agreement_needs_every_content_of_art_29(demo, resident_row):
    mediation = services.mediation_accept(
        actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
    )
    for field in ("facts", "matters", "terms", "method"):
        with pytest.raises(ValidationError):
            agree(demo, mediation, **{field: "  "})
    with pytest.raises(ValidationError):
        agree(demo, mediation, due=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        agree(demo, mediation, agreed_on=timezone.localdate() + timedelta(days=1))
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.IN_MEDIATION and mediation.agreed_on is None
    assert MediationEvent.objects.filter(mediation=mediation).count() == 2


def test_the_30_day_window_and_its_reminder(demo, resident_row):
    mediation = services.mediation_accept(
        actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
    )
    mediation = agree(demo, mediation)
    today = timezone.localdate()
    last_day = mediation.confirmation_last_day
    assert today + timedelta(days=30) <= last_day <= today + timedelta(days=45)
    now = timezone.now()
    days_left = (last_day - today).days
    # Six days before the last day: not yet; five days before: the reminder.
    assert confirmations_remind(now=now + timedelta(days=days_left - 6)) == 0
    assert confirmations_remind(now=now + timedelta(days=days_left - 5)) == 1
    told = Notification.objects.filter(kind="mediation.confirmation")
    assert {n.user.username for n in told} == {"secretary", "resident"}
    assert last_day.isoformat() in told.first().title
    # Once only.
    assert confirmations_remind(now=now + timedelta(days=days_left - 4)) == 0
    assert MediationEvent.objects.filter(mediation=mediation, kind="reminded").count() == 1


def test_the_reminder_is_the_jobs_alone(demo, resident_row):
    mediation = agree(
        demo,
        services.mediation_accept(
            actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
        ),
    )
    Mediation.objects.filter(pk=mediation.pk).update(agreed_on=agreed_near_deadline())
    mediation.refresh_from_db()
    with pytest.raises(ForbiddenError):
        services.mediation_remind(actor=demo.user("secretary"), mediation=mediation)
    services.mediation_remind(actor=SYSTEM, mediation=mediation)
    with pytest.raises(ConflictError):
        services.mediation_remind(actor=SYSTEM, mediation=mediation)


def test_a_failed_mediation_is_referred(demo, resident_row):
    secretary = demo.user("secretary")
    mediation = services.mediation_accept(actor=secretary, mediation=open_one(demo, resident_row))
    with pytest.raises(ValidationError):
        services.mediation_fail(
            actor=secretary,
            mediation=mediation,
            failed_on=timezone.localdate(),
            referral="police",
            note="x",
        )
    mediation = services.mediation_fail(
        actor=secretary,
        mediation=mediation,
        failed_on=timezone.localdate(),
        referral=Referral.COURT,
        note="告知双方可向平城区人民法院起诉。",
    )
    assert mediation.status == MediationStatus.FAILED
    assert mediation.get_referral_display() == "a people's court (lawsuit)"
    with pytest.raises(ConflictError) as refused:
        services.mediation_follow_up(
            actor=secretary,
            mediation=mediation,
            visited_on=timezone.localdate(),
            carried_out=True,
            note="x",
        )
    assert refused.value.code == "illegal_step"


def test_refusals_on_opening(demo, resident_row):
    parties = [{"side": "a", "resident": resident_row}]
    with pytest.raises(ValidationError):
        open_one(demo, resident_row, parties=parties)  # no side B
    with pytest.raises(ValidationError):
        open_one(demo, resident_row, mediators=[demo.user("property")])
    with pytest.raises(ValidationError):
        open_one(
            demo,
            resident_row,
            parties=[*parties, {"side": "b", "name": "钱立新", "phone": "12345"}],
        )
    for username in ("property", "doctor", "street", "resident"):
        with pytest.raises(ForbiddenError):
            open_one(demo, resident_row, actor=demo.user(username))
    with pytest.raises(LinliError):
        services.mediation_withdraw(
            actor=demo.user("secretary"), mediation=open_one(demo, resident_row), reason=" "
        )
    assert Mediation.objects.filter(status=MediationStatus.WITHDRAWN).count() == 0


def test_facts_notes_and_phones_are_encrypted_at_rest(demo, resident_row):
    mediation = open_one(demo, resident_row)
    with connection.cursor() as cursor:
        cursor.execute("select facts from mediation_mediation where id = %s", [mediation.pk])
        (raw,) = cursor.fetchone()
        cursor.execute(
            "select phone from mediation_mediationparty where mediation_id = %s", [mediation.pk]
        )
        phones = [row[0] for row in cursor.fetchall()]
    assert "漏水" not in raw and raw.startswith("gAAAA")
    assert "13800001111" not in phones and all(p.startswith("gAAAA") for p in phones)
    assert Mediation.objects.get(pk=mediation.pk).facts == FACTS


def test_who_may_see_a_mediation(demo, resident_row):
    mediation = open_one(demo, resident_row)
    for username in ("secretary", "community", "resident"):
        assert selectors.mediation_get(user=demo.user(username), pk=mediation.pk) == mediation
    for username in (
        "property",
        "doctor",
        "patrol",
        "inspector",
        "volunteer",
        "street",
        "district",
    ):
        with pytest.raises(Http404):
            selectors.mediation_get(user=demo.user(username), pk=mediation.pk)
        assert mediation not in selectors.mediation_list(user=demo.user(username))
    # The district and the street count it.
    counts = selectors.mediation_counts(user=demo.user("street"))
    assert {s: n for s, _label, n in counts["by_status"]}["registered"] >= 1
    assert selectors.mediation_counts(user=demo.user("property"))["total"] == 0


# -- pages ------------------------------------------------------------------------------------


def test_registering_on_the_page_finds_a_resident_by_phone(demo, resident_row, client_for):
    client = client_for("secretary")
    page = client.get("/servicedesk/mediations/new/")
    assert page.status_code == 200
    response = client.post(
        "/servicedesk/mediations/new/",
        {
            "place": str(demo.nanguanfang.pk),
            "kind": "neighbours",
            "subject": "噪音",
            "facts": "楼上夜里跳绳。",
            "mediators": [str(demo.user("secretary").pk)],
            "a0_name": "随便写",
            "a0_phone": resident_row.phone,
            "b0_name": "钱立新",
            "b0_phone": "13800001111",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mediation = Mediation.objects.get(subject="噪音")
    a = mediation.parties.get(side="a")
    assert a.resident == resident_row and a.name == resident_row.name
    # Nothing registered for a form missing side B.
    response = client.post(
        "/servicedesk/mediations/new/",
        {
            "place": str(demo.nanguanfang.pk),
            "kind": "neighbours",
            "subject": "噪音2",
            "facts": "x",
            "mediators": [str(demo.user("secretary").pk)],
            "a0_name": "甲",
        },
    )
    assert response.status_code == 200 and not Mediation.objects.filter(subject="噪音2").exists()


def test_the_page_shows_to_whom_it_may(demo, resident_row, client_for):
    mediation = open_one(demo, resident_row)
    url = f"/servicedesk/mediations/{mediation.pk}/"
    page = client_for("secretary").get(url).content.decode()
    assert FACTS in page and "138****1111" in page
    assert AuditEvent.objects.filter(action="mediation.read", object_id=str(mediation.pk)).exists()
    mine = client_for("resident").get(url).content.decode()
    assert FACTS in mine and "138****1111" not in mine  # not the other side's phone
    for username in ("property", "doctor", "patrol", "street", "district", "volunteer"):
        client = client_for(username)
        assert client.get(url).status_code == 404, username
        assert client.post(url + "action/", {"action": "accept"}).status_code == 404
    assert client_for("secretary").get(url + "agreement/").status_code == 404  # no agreement yet
    counts = client_for("street").get("/servicedesk/mediations/").content.decode()
    assert 'data-testid="counts"' in counts and "楼上漏水" not in counts


def test_steps_on_the_page_and_the_printed_agreement(demo, resident_row, client_for):
    mediation = open_one(demo, resident_row)
    client = client_for("secretary")
    url = f"/servicedesk/mediations/{mediation.pk}/"
    assert client.post(url + "action/", {"action": "accept"}).status_code == 302
    today = timezone.localdate()
    refused = client.post(url + "action/", {"action": "agree", "agreed_on": today.isoformat()})
    assert refused.status_code == 400
    done = client.post(
        url + "action/",
        {
            "action": "agree",
            "agreed_on": today.isoformat(),
            "facts": "防水层破损致渗水。",
            "matters": "维修与赔偿；201室负全部责任。",
            "terms": "赔偿800元。",
            "method": "现金当面交付。",
            "due": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert done.status_code == 302
    last_day = Mediation.objects.get(pk=mediation.pk).confirmation_last_day.isoformat()
    assert last_day in client.get(url).content.decode()
    assert last_day in client.get("/servicedesk/mediations/").content.decode()
    printed = client.get(url + "agreement/").content.decode()
    for text in (
        "防水层破损致渗水。",
        "维修与赔偿；201室负全部责任。",
        "赔偿800元。",
        "现金当面交付。",
        (today + timedelta(days=10)).isoformat(),
        last_day,
        resident_row.name,
        "钱立新",
        "女，71岁，退休",
        demo.user("secretary").display_name,
    ):
        assert text in printed, text
    assert "minutes-print.css" in printed
    assert "13800001111" not in printed and "138****1111" not in printed
    assert AuditEvent.objects.filter(action="mediation.print").exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_cost_bounded_queries(demo, resident_row, client_for):
    client = client_for("secretary")
    first = open_one(demo, resident_row)
    services.mediation_accept(actor=demo.user("secretary"), mediation=first)
    detail = f"/servicedesk/mediations/{first.pk}/"

    def session():
        services.mediation_session_record(
            actor=demo.user("secretary"),
            mediation=first,
            held_at=earlier_today(),
            venue="议事厅",
            attendees="双方",
            notes="记录",
        )

    session()
    few_list, few_detail = _queries(client, "/servicedesk/mediations/"), _queries(client, detail)
    for _i in range(4):
        open_one(demo, resident_row)
        session()
    assert _queries(client, "/servicedesk/mediations/") == few_list
    assert _queries(client, detail) == few_detail


# -- the API ----------------------------------------------------------------------------------


def api_post(client, url, data):
    import json

    return client.post(url, json.dumps(data), content_type="application/json")


API = "/api/v1/servicedesk/mediations"


def test_the_api_from_opening_to_the_follow_up(demo, resident_row, client_for):
    client = client_for("secretary")
    opened = api_post(
        client,
        API,
        {
            "place": demo.nanguanfang.pk,
            "kind": "neighbours",
            "subject": "占用楼道",
            "facts": "楼道堆放杂物，邻居出入不便。",
            "parties": [
                {"side": "a", "resident": resident_row.pk},
                {"side": "b", "name": "钱立新", "phone": "13800001111"},
            ],
            "mediators": [demo.user("secretary").pk],
        },
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["status"] == "registered"
    assert set(body["steps"]) == {"accept", "withdraw"}
    pk = body["id"]
    assert {p["phone"] for p in body["parties"]} >= {"138****1111"}
    assert api_post(client, f"{API}/{pk}/accept", {}).status_code == 200
    today = timezone.localdate()
    refused = api_post(
        client,
        f"{API}/{pk}/follow-up",
        {"visited_on": today.isoformat(), "carried_out": True, "note": "x"},
    )
    assert refused.status_code == 409 and refused.json()["code"] == "illegal_step"
    agreed = api_post(
        client,
        f"{API}/{pk}/agreement",
        {
            "agreed_on": today.isoformat(),
            "facts": "杂物堵塞楼道。",
            "matters": "楼道占用；乙方负责。",
            "terms": "乙方三日内清理。",
            "method": "自行清理，网格员查看。",
            "due": (today + timedelta(days=3)).isoformat(),
        },
    )
    assert agreed.status_code == 200, agreed.content
    assert (
        agreed.json()["agreement"]["confirmation_last_day"]
        == Mediation.objects.get(pk=pk).confirmation_last_day.isoformat()
    )
    closed = api_post(
        client,
        f"{API}/{pk}/follow-up",
        {"visited_on": today.isoformat(), "carried_out": True, "note": "已清理"},
    )
    assert closed.json()["status"] == "closed"
    mine = client_for("resident").get(f"{API}/{pk}").json()
    assert [p["phone"] for p in mine["parties"] if p["side"] == "b"] == [""]
    assert all(s["notes"] is None for s in mine["sessions"])
    for username in ("property", "doctor", "street"):
        assert client_for(username).get(f"{API}/{pk}").status_code == 404
        assert api_post(client_for(username), f"{API}/{pk}/accept", {}).status_code == 404
    assert client_for("street").get(f"{API}/counts").json()["total"] >= 1
    assert client_for("property").get(API).json()["items"] == []


def test_a_neighbour_dispute_order_becomes_a_mediation(demo, resident_row, client_for):
    from linli.workorders.models import WorkOrder

    order = (
        WorkOrder.objects.filter(
            category__code="neighbour-dispute",
            place__path__startswith=demo.nanguanfang.path,
        )
        .exclude(mediations__isnull=False)
        .first()
    )
    other = (
        WorkOrder.objects.exclude(category__code="neighbour-dispute")
        .filter(place__path__startswith=demo.nanguanfang.path)
        .first()
    )
    client = client_for("secretary")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/servicedesk/mediations/new/?order={order.pk}" in page
    assert "start-mediation" not in client.get(f"/orders/{other.pk}/").content.decode()
    form = client.get(f"/servicedesk/mediations/new/?order={order.pk}").content.decode()
    assert order.title in form and order.number in form
    data = {
        "order": str(order.pk),
        "place": str(demo.nanguanfang.pk),
        "kind": "neighbours",
        "subject": order.title,
        "facts": "由工单转来。",
        "mediators": [str(demo.user("secretary").pk)],
        "a0_name": "甲",
        "b0_name": "乙",
    }
    assert client.post("/servicedesk/mediations/new/", data).status_code == 302
    mediation = Mediation.objects.get(source_order=order)
    assert order.number in client.get(f"/servicedesk/mediations/{mediation.pk}/").content.decode()
    # Once only.
    again = client.post("/servicedesk/mediations/new/", data)
    assert again.status_code == 200 and Mediation.objects.filter(source_order=order).count() == 1


def test_the_resident_finds_their_mediation_at_home_and_the_desk_its_count(
    demo, resident_row, client_for
):
    mediation = open_one(demo, resident_row)
    home = client_for("resident").get("/").content.decode()
    assert f"/servicedesk/mediations/{mediation.pk}/" in home
    workbench = client_for("secretary").get("/").content.decode()
    assert "/servicedesk/mediations/?status=registered" in workbench
    register = client_for("community").get(f"/residents/{resident_row.pk}/").content.decode()
    assert f"/servicedesk/mediations/{mediation.pk}/" in register
    assert f"/servicedesk/mediations/{mediation.pk}/" not in (
        client_for("property").get("/").content.decode()
    )


def test_a_last_day_off_moves_to_the_next_working_day():
    """民法典 art. 203: 30 days from 2 September 2025 end on 2 October, inside the National
    Day holiday (1–8 October): the last day is Thursday 9 October. From 29 August they end
    on Sunday 28 September, a make-up working day: it stays. From 9 October, on Saturday
    8 November: Monday 10 November."""
    from datetime import date

    def last(day):
        return Mediation(agreed_on=day).confirmation_last_day

    assert last(date(2025, 9, 2)) == date(2025, 10, 9)
    assert last(date(2025, 8, 29)) == date(2025, 9, 28)
    assert last(date(2025, 10, 9)) == date(2025, 11, 10)
    assert last(date(2025, 10, 6)) == date(2025, 11, 5)
