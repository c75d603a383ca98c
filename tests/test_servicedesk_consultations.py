"""Policy consultations (政策咨询, issue 15 item 4): quick cases — question, answer, matter,
minutes taken — recorded at the counter, seen by the desk of the compound and by the resident
who asked (never by property staff), and turned into a case or a work order once."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.places.services import place_create
from linli.residents.models import Resident
from linli.servicedesk import services
from linli.servicedesk.models import Case, CaseEvent, Consultation, Matter
from linli.workorders.models import Category, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(demo):
    return Resident.objects.select_related("place").get(user=demo.user("resident"))


@pytest.fixture
def matter(demo):
    return Matter.objects.get(current__name="高龄津贴申领")


@pytest.fixture
def category():
    return Category.objects.filter(is_active=True).order_by("code").first()


def record(demo, resident=None, who="community", **values) -> Consultation:
    values.setdefault("question", "八十岁以上老人的高龄津贴怎么申请？")
    values.setdefault("answer", "带身份证和户口簿到服务台办理，每月发放。")
    if resident is None and "place" not in values:
        values["place"] = demo.nanguanfang
    if resident is None:
        values.setdefault("asker", "路过的王先生")
    return services.consultation_record(actor=demo.user(who), resident=resident, **values)


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def other_desk(demo) -> Client:
    """The branch secretary of another compound of the same community."""
    compound = place_create(actor=SYSTEM, kind="compound", name="站东新村", parent=demo.zhandong)
    user = user_create(actor=SYSTEM, username="other-desk", password=None, full_name="外小区书记")
    grant_create(actor=SYSTEM, user=user, role="branch_secretary", place=compound)
    client = Client()
    client.force_login(user)
    return client


# -- services -------------------------------------------------------------------------------


def test_recording_keeps_the_question_and_answer_encrypted(demo, resident, matter):
    consultation = record(demo, resident, matter=matter, minutes=7, would_call_12345=True)
    assert consultation.place == demo.nanguanfang and consultation.asker == ""
    assert consultation.number.startswith("ZX") and consultation.minutes == 7
    assert consultation.answered_by == demo.user("community") and consultation.would_call_12345
    with connection.cursor() as cursor:
        cursor.execute(
            "select question, answer from servicedesk_consultation where id = %s",
            [consultation.pk],
        )
        stored = cursor.fetchone()
    assert all(value and "津贴" not in value and "户口簿" not in value for value in stored)
    passer_by = record(demo, channel="phone")
    assert passer_by.asker == "路过的王先生" and passer_by.resident is None


def test_recording_refusals(demo, resident, matter):
    before = Consultation.objects.count()
    with pytest.raises(ValidationError) as no_one:
        record(demo, asker="  ")
    assert "asker" in no_one.value.message_dict
    with pytest.raises(ValidationError) as no_question:
        record(demo, resident, question=" ")
    assert "question" in no_question.value.message_dict
    with pytest.raises(ValidationError) as no_answer:
        record(demo, resident, answer="")
    assert "answer" in no_answer.value.message_dict
    with pytest.raises(ValidationError) as bad_channel:
        record(demo, resident, channel="online")
    assert "channel" in bad_channel.value.message_dict
    with pytest.raises(ValidationError) as not_a_compound:
        record(demo, place=demo.zhandong)
    assert "place" in not_a_compound.value.message_dict
    with pytest.raises(ValidationError) as too_long:
        record(demo, resident, minutes=601)
    assert "minutes" in too_long.value.message_dict
    Matter.objects.filter(pk=matter.pk).update(is_active=False)
    matter.refresh_from_db()
    with pytest.raises(ValidationError) as unlisted:
        record(demo, resident, matter=matter)
    assert "matter" in unlisted.value.message_dict
    for who in ("property", "street", "resident", "doctor"):
        with pytest.raises(ForbiddenError):
            record(demo, resident, who=who)
    assert Consultation.objects.count() == before


def test_a_consultation_becomes_a_case(demo, resident, matter):
    consultation = record(demo, resident, matter=matter, channel="phone", would_call_12345=True)
    case = services.consultation_to_case(actor=demo.user("secretary"), consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.case == case
    assert case.resident == resident and case.version.matter == matter
    assert case.channel == "phone" and case.would_call_12345
    opened = CaseEvent.objects.get(case=case, kind="opened")
    assert consultation.number in opened.note
    assert opened.data["consultation"] == consultation.pk
    with pytest.raises(ConflictError) as again:
        services.consultation_to_case(actor=demo.user("secretary"), consultation=consultation)
    assert again.value.code == "converted"


def test_turning_into_a_case_refusals(demo, resident, matter, category):
    passer_by = record(demo, matter=matter)
    with pytest.raises(ConflictError) as no_resident:
        services.consultation_to_case(actor=demo.user("community"), consultation=passer_by)
    assert no_resident.value.code == "no_resident"
    no_matter = record(demo, resident)
    with pytest.raises(ConflictError) as refusal:
        services.consultation_to_case(actor=demo.user("community"), consultation=no_matter)
    assert refusal.value.code == "no_matter"
    later_unlisted = record(demo, resident, matter=matter)
    Matter.objects.filter(pk=matter.pk).update(is_active=False)
    with pytest.raises(ConflictError) as unlisted:
        services.consultation_to_case(actor=demo.user("community"), consultation=later_unlisted)
    assert unlisted.value.code == "matter_unlisted"
    Matter.objects.filter(pk=matter.pk).update(is_active=True)
    with pytest.raises(ForbiddenError):
        services.consultation_to_case(actor=demo.user("property"), consultation=later_unlisted)
    situation_of_other = Matter.objects.exclude(pk=matter.pk).filter(
        current__situations__isnull=False
    )[0]
    with pytest.raises(ValidationError):
        services.consultation_to_case(
            actor=demo.user("community"),
            consultation=later_unlisted,
            situation_id=situation_of_other.current.situations.first().pk,
        )
    ordered = record(demo, resident, matter=matter)
    services.consultation_to_order(
        actor=demo.user("community"), consultation=ordered, category=category, title="楼道灯不亮"
    )
    with pytest.raises(ConflictError) as converted:
        services.consultation_to_case(actor=demo.user("community"), consultation=ordered)
    assert converted.value.code == "converted"
    assert not Consultation.objects.filter(
        pk__in=[passer_by.pk, no_matter.pk, later_unlisted.pk], case__isnull=False
    ).exists()


def test_a_consultation_becomes_a_work_order(demo, resident, category):
    consultation = record(demo, resident, question="楼道灯坏了归谁管？", answer="物业负责维修")
    order = services.consultation_to_order(
        actor=demo.user("community"),
        consultation=consultation,
        category=category,
        title="6号楼1单元楼道灯不亮",
        description="居民来服务台咨询时反映",
    )
    consultation.refresh_from_db()
    assert consultation.work_order == order
    assert order.channel == "counter" and order.place == demo.nanguanfang
    assert order.reporter == resident.user and order.reporter_name == resident.name
    by_phone = record(demo, channel="phone")
    phoned = services.consultation_to_order(
        actor=demo.user("community"), consultation=by_phone, category=category, title="路灯不亮"
    )
    assert phoned.channel == "phone" and phoned.place == demo.nanguanfang
    assert phoned.reporter is None and phoned.reporter_name == "路过的王先生"
    with pytest.raises(ConflictError) as again:
        services.consultation_to_order(
            actor=demo.user("community"), consultation=by_phone, category=category, title="x"
        )
    assert again.value.code == "converted"


def test_turning_into_a_work_order_refusals(demo, resident, category):
    consultation = record(demo, resident)
    orders = WorkOrder.objects.count()
    with pytest.raises(ValidationError) as no_title:
        services.consultation_to_order(
            actor=demo.user("community"), consultation=consultation, category=category, title=" "
        )
    assert "title" in no_title.value.message_dict
    with pytest.raises(ValidationError):
        services.consultation_to_order(
            actor=demo.user("community"), consultation=consultation, category=None, title="灯"
        )
    Category.objects.filter(pk=category.pk).update(is_active=False)
    category.refresh_from_db()
    with pytest.raises(ValidationError):
        services.consultation_to_order(
            actor=demo.user("community"), consultation=consultation, category=category, title="灯"
        )
    with pytest.raises(ForbiddenError):
        services.consultation_to_order(
            actor=demo.user("resident"), consultation=consultation, category=category, title="灯"
        )
    consultation.refresh_from_db()
    assert consultation.work_order_id is None and WorkOrder.objects.count() == orders


# -- pages ----------------------------------------------------------------------------------


def test_the_counter_records_a_consultation_in_one_form(demo, resident, matter, client_for):
    client = client_for("community")
    desk = client.get("/servicedesk/desk/", {"resident": resident.pk}).content.decode()
    assert 'data-testid="consult-form"' in desk
    answer = client.post(
        "/servicedesk/consultations/new/",
        {
            "resident": resident.pk,
            "matter": matter.pk,
            "channel": "counter",
            "question": "高龄津贴多少钱？",
            "answer": "八十至八十九岁每月一百元",
            "minutes": 3,
            "would_call_12345": "on",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/servicedesk/desk/"
    consultation = Consultation.objects.filter(resident=resident).latest("id")
    assert consultation.matter == matter and consultation.would_call_12345
    assert consultation.minutes == 3
    # a passer-by, with a name only; a refusal comes back with what was typed
    refused = client.post(
        "/servicedesk/consultations/new/",
        {"asker": "", "channel": "counter", "question": "问题", "answer": "回答", "minutes": 2},
    )
    assert refused.status_code == 400 and "问题" in refused.content.decode()
    ok = client.post(
        "/servicedesk/consultations/new/",
        {"asker": "张女士", "channel": "phone", "question": "问", "answer": "答", "minutes": 2},
    )
    assert ok.status_code == 302
    assert Consultation.objects.get(asker="张女士").place == demo.nanguanfang


def test_the_list_filters_by_month_and_matter(demo, resident, matter, client_for):
    now = timezone.now()
    this_month = record(demo, resident, matter=matter)
    long_ago = record(demo, resident, answered_at=now - timedelta(days=70))
    client = client_for("secretary")
    every = client.get("/servicedesk/consultations/").content.decode()
    assert this_month.number in every and long_ago.number in every
    month = timezone.localtime(now).strftime("%Y-%m")
    filtered = client.get("/servicedesk/consultations/", {"month": month}).content.decode()
    assert this_month.number in filtered and long_ago.number not in filtered
    by_matter = client.get("/servicedesk/consultations/", {"matter": matter.pk}).content.decode()
    assert this_month.number in by_matter and long_ago.number not in by_matter


def test_the_detail_page_turns_it_into_a_case_or_an_order(
    demo, resident, matter, category, client_for
):
    client = client_for("community")
    consultation = record(demo, resident, matter=matter)
    page = client.get(f"/servicedesk/consultations/{consultation.pk}/").content.decode()
    assert 'data-testid="to-case-submit"' in page and 'data-testid="to-order-submit"' in page
    answer = client.post(f"/servicedesk/consultations/{consultation.pk}/case/", {"situation": ""})
    case = Case.objects.get(consultation=consultation)
    assert answer.status_code == 302 and answer["Location"] == f"/servicedesk/cases/{case.pk}/"
    again = client.post(f"/servicedesk/consultations/{consultation.pk}/case/", {"situation": ""})
    assert (
        again.status_code == 400
        and Case.objects.filter(resident=resident, version__matter=matter).count() == 1
    )
    page = client.get(f"/servicedesk/consultations/{consultation.pk}/").content.decode()
    assert 'data-testid="became-case"' in page and 'data-testid="to-case-submit"' not in page
    other = record(demo)
    blocked = client.get(f"/servicedesk/consultations/{other.pk}/").content.decode()
    assert 'data-testid="to-case-blocked"' in blocked
    filed = client.post(
        f"/servicedesk/consultations/{other.pk}/order/",
        {"category": category.pk, "title": "小区路灯不亮", "description": ""},
    )
    other.refresh_from_db()
    assert filed.status_code == 302 and other.work_order is not None
    assert filed["Location"] == f"/orders/{other.work_order.pk}/"


@pytest.mark.parametrize("who", ["property", "street", "district", "doctor", "volunteer"])
def test_no_one_else_sees_a_consultation(demo, resident, client_for, who):
    consultation = record(demo, resident)
    client = client_for(who)
    assert client.get(f"/servicedesk/consultations/{consultation.pk}/").status_code == 404
    assert client.get("/servicedesk/consultations/").status_code == 404
    assert client.post(f"/servicedesk/consultations/{consultation.pk}/case/").status_code == 404
    assert client.post(f"/servicedesk/consultations/{consultation.pk}/order/").status_code == 404
    assert client.post("/servicedesk/consultations/new/", {}).status_code == 404
    url = f"/api/v1/servicedesk/consultations/{consultation.pk}"
    assert client.get(url).status_code == 404
    listing = client.get("/api/v1/servicedesk/consultations")
    assert consultation.pk not in [c["id"] for c in listing.json().get("items", [])]


def test_another_compounds_desk_gets_404(demo, resident):
    consultation = record(demo, resident)
    client = other_desk(demo)
    assert client.get(f"/servicedesk/consultations/{consultation.pk}/").status_code == 404
    listing = client.get("/servicedesk/consultations/").content.decode()
    assert consultation.number not in listing
    assert client.get(f"/api/v1/servicedesk/consultations/{consultation.pk}").status_code == 404
    assert (
        post(client, f"/api/v1/servicedesk/consultations/{consultation.pk}/case", {}).status_code
        == 404
    )


def test_the_resident_sees_their_own_only(demo, resident, matter, client_for):
    mine = record(demo, resident, matter=matter)
    theirs = record(demo, asker="别人")
    client = client_for("resident")
    page = client.get("/servicedesk/cases/mine/").content.decode()
    assert mine.number in page and theirs.number not in page
    detail = client.get(f"/servicedesk/consultations/{mine.pk}/").content.decode()
    assert "八十岁以上老人" in detail and 'data-testid="to-case-submit"' not in detail
    assert client.get(f"/servicedesk/consultations/{theirs.pk}/").status_code == 404
    assert client.post(f"/servicedesk/consultations/{mine.pk}/case/").status_code == 404
    assert client.get("/servicedesk/consultations/").status_code == 404
    api = client.get("/api/v1/servicedesk/consultations", {"mine": "true"}).json()
    own = set(Consultation.objects.filter(resident=resident).values_list("id", flat=True))
    assert mine.pk in own and {c["id"] for c in api["items"]} == own


def test_list_pages_are_read_in_bounded_queries(demo, resident, matter, client_for):
    client = client_for("community")
    record(demo, resident, matter=matter)

    def count(c, url):
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        return len(queries)

    few = count(client, "/servicedesk/consultations/")
    mine_few = count(client_for("resident"), "/servicedesk/cases/mine/")
    for i in range(8):
        record(demo, resident if i % 2 else None, matter=matter if i % 3 else None)
    services.consultation_to_case(
        actor=demo.user("community"), consultation=record(demo, resident, matter=matter)
    )
    assert count(client, "/servicedesk/consultations/") == few
    assert count(client_for("resident"), "/servicedesk/cases/mine/") == mine_few


# -- API ------------------------------------------------------------------------------------


def test_the_api_records_lists_and_converts(demo, resident, matter, category, client_for):
    client = client_for("secretary")
    created = post(
        client,
        "/api/v1/servicedesk/consultations",
        {
            "resident": resident.pk,
            "matter": matter.pk,
            "question": "高龄津贴要什么材料？",
            "answer": "身份证、户口簿",
            "minutes": 4,
            "would_call_12345": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["matter"]["code"] == matter.code and body["minutes"] == 4
    assert body["asker"] == resident.name and body["question"] == "高龄津贴要什么材料？"
    assert body["case"] is None and body["work_order"] is None
    url = f"/api/v1/servicedesk/consultations/{body['id']}"
    assert client.get(url).json()["answer"] == "身份证、户口簿"
    listing = client.get("/api/v1/servicedesk/consultations").json()
    row = next(c for c in listing["items"] if c["id"] == body["id"])
    assert "question" not in row and row["would_call_12345"] is True
    bad = post(client, "/api/v1/servicedesk/consultations", {"question": "问", "answer": "答"})
    assert bad.status_code == 400
    turned = post(client, f"{url}/case", {})
    assert turned.status_code == 200, turned.content
    assert turned.json()["case"] == Case.objects.get(consultation__pk=body["id"]).pk
    assert post(client, f"{url}/case", {}).status_code == 409
    assert post(client, f"{url}/order", {"category": category.code, "title": "灯"}).status_code == (
        409
    )
    passer_by = post(
        client,
        "/api/v1/servicedesk/consultations",
        {"asker": "李先生", "place": demo.nanguanfang.pk, "question": "问", "answer": "答"},
    ).json()
    ordered = post(
        client,
        f"/api/v1/servicedesk/consultations/{passer_by['id']}/order",
        {"category": category.code, "title": "路灯不亮"},
    )
    assert ordered.status_code == 200 and ordered.json()["work_order"]
    assert (
        post(
            client_for("property"),
            "/api/v1/servicedesk/consultations",
            {"asker": "x", "place": demo.nanguanfang.pk, "question": "问", "answer": "答"},
        ).status_code
        == 403
    )


def test_the_demo_has_a_year_of_consultations_and_loads_once(demo):
    from linli.servicedesk.demo import demo_consultations

    consultations = Consultation.objects.filter(place=demo.nanguanfang)
    assert consultations.count() >= 28
    assert consultations.filter(case__isnull=False).count() >= 3
    assert consultations.filter(work_order__isnull=False).count() == 1
    assert consultations.values("matter").distinct().count() >= 12
    days = consultations.values_list("answered_at", flat=True)
    assert max(days) - min(days) > timedelta(days=300)
    assert consultations.filter(resident__user__username="resident").exists()
    assert demo_consultations(demo.nanguanfang) == 0
    assert Consultation.objects.filter(place=demo.nanguanfang).count() == consultations.count()
