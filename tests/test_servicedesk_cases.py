"""The service desk's cases (办件, issue 15 item 2): opened under the version of a matter in
force, a checklist copied from it and ticked as materials arrive, the 一次告知单 and the
受理回执, due dates on the working-day calendar, the steps, and who may see a case."""

import json
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.lifecycle import field_values
from linli.residents.models import Resident
from linli.servicedesk import services
from linli.servicedesk.models import Case, CaseEvent, CaseStatus, MatterKind
from linli.servicedesk.services import MaterialSpec, VersionSpec

pytestmark = pytest.mark.django_db
DISABLED = "家中有残疾人"
STUDENT = "家中有在校学生"


def spec(*, extra_common=(), promised=5, **overrides) -> VersionSpec:
    materials = [
        MaterialSpec("测试申请书", "original", 1, "现场填写"),
        MaterialSpec("户口簿", "both", 2),
        *[MaterialSpec(name, "copy", 1) for name in extra_common],
        MaterialSpec("残疾人证", "both", 1, situations=[DISABLED]),
        MaterialSpec("在校证明", "original", 1, situations=[STUDENT]),
    ]
    values = {
        "name": "测试办件事项",
        "department": "测试民政局",
        "implementing_body": "测试街道办事处",
        "legal_basis": "《社会救助暂行办法》",
        "promised_days": promised,
        "statutory_days": 30,
        "situations": [DISABLED, STUDENT],
        "materials": materials,
    }
    values.update(overrides)
    return VersionSpec(**values)


@pytest.fixture
def matter(demo):
    return services.matter_create(
        actor=demo.user("street"),
        place=demo.luyuan,
        kind=MatterKind.BENEFIT,
        spec=spec(extra_common=["收入证明"]),
    )


@pytest.fixture
def resident(demo):
    return Resident.objects.select_related("place").get(user=demo.user("resident"))


def situation(matter, name):
    return matter.current.situations.get(name=name).pk


def open_case(demo, matter, resident, name=DISABLED, who="community") -> Case:
    return services.case_open(
        actor=demo.user(who),
        resident=resident,
        matter=matter,
        situation_id=situation(matter, name) if name else None,
        note="家中老人行动不便",
    )


def line_names(case) -> list[str]:
    return list(case.materials.order_by("position", "id").values_list("name", flat=True))


def tick(demo, case, *names, who="community"):
    for line in case.materials.filter(name__in=names):
        services.case_material_mark(
            actor=demo.user(who), case=case, material_id=line.pk, received=True
        )


def tick_all(demo, case):
    tick(demo, case, *line_names(case))


def step(demo, case, name, who="community", **values):
    return services.case_take_step(actor=demo.user(who), case=case, step=name, **values)


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def by_testid(response, testid) -> list[str]:
    html = response.content.decode()
    marker = f'data-testid="{testid}">'
    return [part.split("<", 1)[0].strip() for part in html.split(marker)[1:]]


def test_a_case_keeps_its_checklist_after_the_matter_is_revised(demo, matter, resident):
    case = open_case(demo, matter, resident)
    assert line_names(case) == ["测试申请书", "户口簿", "收入证明", "残疾人证"]
    services.matter_revise(
        actor=demo.user("street"),
        matter=matter,
        spec=spec(extra_common=["银行卡复印件"]),
        change_note="收入证明改为授权核对，增加银行卡",
    )
    matter.refresh_from_db()
    case.refresh_from_db()
    assert case.version.number == 1 and matter.current.number == 2
    assert line_names(case) == ["测试申请书", "户口簿", "收入证明", "残疾人证"]
    # the old situation (of version 1) is the case's still; a new case takes version 2
    assert case.situation.version_id == case.version_id
    newer = open_case(demo, matter, resident, name=None)
    assert newer.version.number == 2
    assert line_names(newer) == ["测试申请书", "户口簿", "银行卡复印件"]
    page = demo_client(demo, "community").get(f"/servicedesk/cases/{case.pk}/")
    assert by_testid(page, "case-material-name") == ["测试申请书", "户口簿", "收入证明", "残疾人证"]


def demo_client(demo, username):
    from django.test import Client

    client = Client()
    client.force_login(demo.user(username))
    return client


def test_the_missing_notice_lists_exactly_the_missing_materials(demo, matter, resident):
    case = open_case(demo, matter, resident)
    tick(demo, case, "测试申请书", "残疾人证")
    client = demo_client(demo, "secretary")
    notice = client.get(f"/servicedesk/cases/{case.pk}/missing/")
    assert notice.status_code == 200
    assert by_testid(notice, "missing-name") == ["户口簿", "收入证明"]
    step(demo, case, "record_missing")
    event = CaseEvent.objects.filter(case=case, kind="missing").get()
    assert event.data["missing"] == ["户口簿", "收入证明"]
    tick(demo, case, "户口簿", "收入证明")
    notice = client.get(f"/servicedesk/cases/{case.pk}/missing/")
    assert by_testid(notice, "missing-name") == []
    assert 'data-testid="nothing-missing"' in notice.content.decode()


def test_unticking_puts_a_material_back_on_the_missing_list(demo, matter, resident):
    case = open_case(demo, matter, resident, name=STUDENT)
    tick_all(demo, case)
    line = case.materials.get(name="在校证明")
    services.case_material_mark(
        actor=demo.user("community"), case=case, material_id=line.pk, received=False
    )
    assert [m.name for m in services.missing_materials(case)] == ["在校证明"]
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("received") == 4 and kinds[-1] == "unticked"


def test_the_due_date_counts_working_days_across_national_day(
    demo, resident, monkeypatch, client_for
):
    matter = services.matter_create(
        actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
    )
    accepted = timezone.make_aware(datetime(2026, 9, 29, 10, 0))  # a Tuesday
    monkeypatch.setattr(timezone, "now", lambda: accepted)
    case = open_case(demo, matter, resident, name=None)
    tick_all(demo, case)
    case = step(demo, case, "accept")
    # 30 Sep; 1–7 Oct off; 8, 9, Sat 10 (worked), 12 Oct
    assert case.due_on == date(2026, 10, 12)
    assert case.accepted_at == accepted and case.status == CaseStatus.ACCEPTED
    receipt = client_for("resident").get(f"/servicedesk/cases/{case.pk}/receipt/")
    assert receipt.status_code == 200
    assert by_testid(receipt, "number") == [case.number]
    assert by_testid(receipt, "accepted") == ["2026-09-29"]
    assert by_testid(receipt, "due")[0].startswith("2026-10-12")
    assert "测试办件事项" in receipt.content.decode()


def test_refusals_change_nothing(demo, matter, resident):
    case = open_case(demo, matter, resident)
    tick(demo, case, "测试申请书")
    before = field_values(Case.objects.get(pk=case.pk))
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ConflictError) as refusal:
        step(demo, case, "accept")
    assert refusal.value.code == "materials_missing"
    assert "户口簿" in refusal.value.message and "收入证明" in refusal.value.message
    with pytest.raises(ConflictError):
        step(demo, case, "approve")
    with pytest.raises(ForbiddenError):
        step(demo, case, "record_missing", who="property")
    with pytest.raises(ForbiddenError):
        services.case_material_mark(
            actor=demo.user("resident"),
            case=case,
            material_id=case.materials.first().pk,
            received=True,
        )
    tick_all(demo, case)
    case = step(demo, case, "accept")
    before = field_values(Case.objects.get(pk=case.pk))
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError):
        step(demo, case, "refuse", reason="  ")
    with pytest.raises(ValidationError):
        step(demo, case, "forward", department="")
    with pytest.raises(ConflictError) as closed:
        services.case_material_mark(
            actor=demo.user("community"),
            case=case,
            material_id=case.materials.first().pk,
            received=False,
        )
    assert closed.value.code == "checklist_closed"
    assert field_values(Case.objects.get(pk=case.pk)) == before
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not services.missing_materials(case)


def test_forward_then_refuse_with_a_reason_then_done(demo, matter, resident, client_for):
    case = open_case(demo, matter, resident)
    tick_all(demo, case)
    step(demo, case, "accept")
    step(demo, case, "forward", department="平城区民政局")
    case = step(demo, case, "refuse", reason="家庭人均收入高于低保标准", answer="经核对不符合条件")
    assert case.status == CaseStatus.REFUSED and case.forwarded_to == "平城区民政局"
    step(demo, case, "finish", who="secretary")
    page = client_for("resident").get(f"/servicedesk/cases/{case.pk}/")
    html = page.content.decode()
    assert "家庭人均收入高于低保标准" in html and "平城区民政局" in html
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[0] == "opened" and kinds[-4:] == ["accepted", "forwarded", "refused", "done"]
    # personal text is encrypted at rest, and never on the timeline
    with connection.cursor() as cursor:
        cursor.execute(
            "select refusal_reason, note, answer from servicedesk_case where id = %s", [case.pk]
        )
        stored = cursor.fetchone()
    assert all(value and "低保" not in value and "老人" not in value for value in stored)
    assert not CaseEvent.objects.filter(case=case, note__contains="人均收入").exists()


def other_resident_user(demo, resident):
    other = (
        Resident.objects.filter(
            place__path__startswith=demo.nanguanfang.path, user__isnull=True, status="living"
        )
        .exclude(household=resident.household)
        .select_related("place")
        .first()
    )
    user = user_create(actor=SYSTEM, username="neighbour-sd", password=None)
    Resident.objects.filter(pk=other.pk).update(user=user)
    grant_create(actor=SYSTEM, user=user, role="resident", place=other.place)
    return user


@pytest.mark.parametrize("who", ["property", "street", "district", "doctor", "volunteer", "other"])
def test_no_one_else_sees_a_case(demo, matter, resident, client_for, who):
    case = open_case(demo, matter, resident)
    if who == "other":
        from django.test import Client

        client = Client()
        client.force_login(other_resident_user(demo, resident))
    else:
        client = client_for(who)
    for suffix in ("", "missing/", "receipt/"):
        assert client.get(f"/servicedesk/cases/{case.pk}/{suffix}").status_code == 404
    assert client.get(f"/api/v1/servicedesk/cases/{case.pk}").status_code == 404
    assert client.get("/servicedesk/desk/").status_code == 404
    listing = client.get("/api/v1/servicedesk/cases").json()
    assert case.pk not in [c["id"] for c in listing["items"]]
    line = case.materials.first()
    url = f"/api/v1/servicedesk/cases/{case.pk}/materials/{line.pk}"
    assert post(client, url, {"received": True}).status_code == 404
    assert (
        post(client, f"/api/v1/servicedesk/cases/{case.pk}/steps", {"step": "withdraw"}).status_code
        == 404
    )
    assert not case.materials.filter(received=True).exists()


def test_the_resident_follows_their_case_and_may_withdraw_it(demo, matter, resident, client_for):
    case = open_case(demo, matter, resident)
    client = client_for("resident")
    mine = client.get("/servicedesk/cases/mine/")
    assert case.number in by_testid(mine, "case-number")
    other = Case.objects.exclude(resident=resident).first()
    assert other is None or other.number not in by_testid(mine, "case-number")
    page = client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    assert 'data-testid="tick"' not in page and 'data-testid="step-accept"' not in page
    assert 'data-testid="step-withdraw"' in page
    response = client.post(f"/servicedesk/cases/{case.pk}/step/", {"step": "withdraw"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_counter_finds_a_resident_opens_a_case_and_ticks(demo, matter, resident, client_for):
    client = client_for("community")
    found = client.get("/servicedesk/desk/", {"q": resident.name})
    assert f"?resident={resident.pk}" in found.content.decode()
    form = client.get("/servicedesk/desk/", {"resident": resident.pk, "matter": matter.code})
    assert DISABLED in form.content.decode()
    opened = client.post(
        "/servicedesk/cases/open/",
        {
            "resident": resident.pk,
            "matter": matter.code,
            "situation": situation(matter, STUDENT),
            "channel": "home_visit",
            "note": "",
        },
    )
    case = Case.objects.get(resident=resident, version__matter=matter)
    assert opened.status_code == 302 and opened["Location"] == f"/servicedesk/cases/{case.pk}/"
    assert case.channel == "home_visit" and line_names(case)[-1] == "在校证明"
    for line in case.materials.all():
        client.post(f"/servicedesk/cases/{case.pk}/materials/{line.pk}/", {"received": "1"})
    client.post(f"/servicedesk/cases/{case.pk}/step/", {"step": "accept"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.due_on is not None
    desk = client.get("/servicedesk/desk/")
    assert case.number in by_testid(desk, "case-number")


def test_the_counter_refuses_a_situation_of_another_matter(demo, matter, resident, client_for):
    other = services.matter_create(
        actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
    )
    response = client_for("community").post(
        "/servicedesk/cases/open/",
        {
            "resident": resident.pk,
            "matter": matter.code,
            "situation": other.current.situations.first().pk,
            "channel": "counter",
        },
    )
    assert response.status_code == 400
    assert not Case.objects.filter(resident=resident, version__matter=matter).exists()


def test_the_api_opens_ticks_and_steps(demo, matter, resident, client_for):
    client = client_for("secretary")
    created = post(
        client,
        "/api/v1/servicedesk/cases",
        {"resident": resident.pk, "matter": matter.code, "situation": situation(matter, DISABLED)},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "consulted" and body["matter"]["version"] == 1
    assert body["missing"] == ["测试申请书", "户口簿", "收入证明", "残疾人证"]
    url = f"/api/v1/servicedesk/cases/{body['id']}"
    refused = post(client, f"{url}/steps", {"step": "accept"})
    assert refused.status_code == 409 and refused.json()["code"] == "materials_missing"
    for line in body["materials"]:
        answer = post(client, f"{url}/materials/{line['id']}", {"received": True})
        assert answer.status_code == 200
    assert answer.json()["missing"] == []
    accepted = post(client, f"{url}/steps", {"step": "accept"})
    assert accepted.status_code == 200 and accepted.json()["due_on"]
    assert "forward" in accepted.json()["steps"]
    bad = post(client, f"{url}/steps", {"step": "forward"})
    assert bad.status_code == 400
    mine = client_for("resident").get("/api/v1/servicedesk/cases", {"mine": "true"}).json()
    assert body["id"] in [c["id"] for c in mine["items"]]
    assert set(Case.objects.filter(resident=resident).values_list("id", flat=True)) == {
        c["id"] for c in mine["items"]
    }
    assert post(
        client_for("resident"),
        "/api/v1/servicedesk/cases",
        {"resident": resident.pk, "matter": matter.code},
    ).status_code in (403, 404)


def test_pages_are_read_in_bounded_queries(demo, matter, resident, client_for):
    client = client_for("community")
    few = open_case(demo, matter, resident, name=None)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count(f"/servicedesk/cases/{few.pk}/")
    big = services.matter_create(
        actor=demo.user("street"),
        place=demo.luyuan,
        kind=MatterKind.BENEFIT,
        spec=spec(extra_common=[f"材料{i}" for i in range(12)]),
    )
    many = open_case(demo, big, resident, name=None)
    tick(demo, many, "材料1", "材料2", "材料3")
    assert count(f"/servicedesk/cases/{many.pk}/") <= small + 1
    desk_one = count("/servicedesk/desk/")
    for _ in range(6):
        open_case(demo, matter, resident)
    assert count("/servicedesk/desk/") == desk_one
    mine = client_for("resident")
    with CaptureQueriesContext(connection) as queries:
        mine.get("/servicedesk/cases/mine/")
    assert len(queries) <= 13  # the cases, and one more: the consultations the resident asked


def test_a_material_ticked_with_a_note_keeps_it_encrypted(demo, matter, resident, client_for):
    case = open_case(demo, matter, resident)
    line = case.materials.get(name="户口簿")
    client = client_for("community")
    client.post(
        f"/servicedesk/cases/{case.pk}/materials/{line.pk}/",
        {"received": "1", "note": "复印件缺户主页，已现场补印"},
    )
    line.refresh_from_db()
    assert line.received and line.note == "复印件缺户主页，已现场补印"
    with connection.cursor() as cursor:
        cursor.execute("select note from servicedesk_casematerial where id = %s", [line.pk])
        assert "户主" not in cursor.fetchone()[0]
    page = client_for("resident").get(f"/servicedesk/cases/{case.pk}/").content.decode()
    assert "复印件缺户主页" in page


def test_a_case_past_its_due_date_reads_as_overdue(demo, matter, resident, client_for):
    case = open_case(demo, matter, resident)
    tick_all(demo, case)
    step(demo, case, "accept")
    client = client_for("community")
    assert (
        'data-testid="overdue"' not in client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    )
    Case.objects.filter(pk=case.pk).update(due_on=date(2026, 1, 5))
    assert 'data-testid="overdue"' in client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    step(demo, case, "approve")
    assert (
        'data-testid="overdue"' not in client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    )


def test_the_counter_lists_cases_due_soon_or_overdue_first(demo, matter, resident, client_for):
    late, later = open_case(demo, matter, resident), open_case(demo, matter, resident)
    for case in (late, later):
        tick_all(demo, case)
        step(demo, case, "accept")
    Case.objects.filter(pk=late.pk).update(due_on=date(2026, 1, 5))
    Case.objects.filter(pk=later.pk).update(due_on=date(2099, 1, 5))
    desk = client_for("secretary").get("/servicedesk/desk/").content.decode()
    due = desk.split('data-testid="due-cases"')[1].split("</ul>")[0]
    assert late.number in due and later.number not in due
    assert client_for("property").get("/servicedesk/desk/").status_code == 404


def test_the_api_lists_cases_with_their_steps_in_queries_that_do_not_grow(
    demo, matter, resident, client_for
):
    client = client_for("community")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/servicedesk/cases", {"open": "true"})
        assert response.status_code == 200
        return len(queries), response.json()

    ready = open_case(demo, matter, resident)
    tick_all(demo, ready)
    open_case(demo, matter, resident)  # materials missing: it cannot be accepted yet
    few, body = count()
    steps = {row["id"]: row["steps"] for row in body["items"]}
    assert "accept" in steps[ready.pk]
    assert not any("accept" in s for pk, s in steps.items() if pk != ready.pk and pk in steps)
    for _ in range(8):
        open_case(demo, matter, resident)
    many, _body = count()
    assert many == few
