"""A resident starts a case online (issue 15 item 2, channel `online`): from the public
matter page or My cases they choose the matter and situation, see what to bring, and the desk
of their compound sees the case at the counter; only for themselves, only online. And the
desk's 'would otherwise have called 12345' on a case it opens."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.places.services import place_create
from linli.residents.models import Resident
from linli.servicedesk import services
from linli.servicedesk.models import Case, CaseEvent, Matter

pytestmark = pytest.mark.django_db
DISABLED = "低保、特困等困难群众资助参保"
PROOF = "低保证、特困人员证或残疾人证"


@pytest.fixture
def resident(demo):
    return Resident.objects.select_related("place").get(user=demo.user("resident"))


@pytest.fixture
def dibao():
    return Matter.objects.select_related("current").get(
        current__name="城乡居民基本医疗保险参保登记"
    )


def situation_id(matter, name=DISABLED):
    return matter.current.situations.get(name=name).pk


def start(demo, resident, matter, **values) -> Case:
    values.setdefault("channel", "online")
    return services.case_open(
        actor=demo.user("resident"), resident=resident, matter=matter, **values
    )


def neighbour(demo, resident):
    other = (
        Resident.objects.filter(
            place__path__startswith=demo.nanguanfang.path, user__isnull=True, status="living"
        )
        .exclude(household=resident.household)
        .select_related("place")
        .first()
    )
    return other


def test_a_resident_starts_their_own_case_online(demo, resident, dibao):
    case = start(demo, resident, dibao, situation_id=situation_id(dibao))
    assert case.channel == "online" and case.status == "consulted"
    assert case.place == demo.nanguanfang and case.handled_by is None
    assert case.opened_by == demo.user("resident")
    assert PROOF in case.materials.values_list("name", flat=True)
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()


def test_a_resident_opens_for_nobody_else_and_only_online(demo, resident, dibao):
    before = Case.objects.count()
    with pytest.raises(ForbiddenError):
        start(demo, neighbour(demo, resident), dibao)
    with pytest.raises(ForbiddenError) as counter:
        start(demo, resident, dibao, channel="counter")
    assert counter.value.code == "online_only"
    start(demo, resident, dibao)
    with pytest.raises(ConflictError) as twice:
        start(demo, resident, dibao)
    assert twice.value.code == "already_open"
    for who in ("property", "street", "doctor"):
        with pytest.raises(ForbiddenError):
            services.case_open(
                actor=demo.user(who), resident=resident, matter=dibao, channel="online"
            )
    assert Case.objects.count() == before + 1


def test_the_desk_may_still_open_a_second_case_and_mark_12345(demo, resident, dibao):
    start(demo, resident, dibao)
    case = services.case_open(
        actor=demo.user("community"), resident=resident, matter=dibao, would_call_12345=True
    )
    assert case.would_call_12345 and case.channel == "counter"
    assert case.handled_by == demo.user("community")


def test_the_matter_page_offers_to_start_and_the_resident_sees_what_to_bring(
    demo, resident, dibao, client_for
):
    client = client_for("resident")
    page = client.get(f"/servicedesk/matters/{dibao.code}/").content.decode()
    assert 'data-testid="start-case"' in page
    anonymous = Client().get(f"/servicedesk/matters/{dibao.code}/").content.decode()
    assert 'data-testid="start-case"' not in anonymous
    assert 'data-testid="start-case"' not in (
        client_for("community").get(f"/servicedesk/matters/{dibao.code}/").content.decode()
    )
    form = client.get("/servicedesk/cases/start/", {"matter": dibao.code}).content.decode()
    assert DISABLED in form
    answer = client.post(
        "/servicedesk/cases/start/", {"matter": dibao.code, "situation": situation_id(dibao)}
    )
    case = Case.objects.get(resident=resident, version__matter=dibao)
    assert answer.status_code == 302 and answer["Location"] == f"/servicedesk/cases/{case.pk}/"
    detail = client.get(answer["Location"]).content.decode()
    assert 'data-testid="bring-hint"' in detail and PROOF in detail
    again = client.post("/servicedesk/cases/start/", {"matter": dibao.code})
    assert again.status_code == 400 and 'data-testid="start-error"' in again.content.decode()
    mine = client.get("/servicedesk/cases/mine/").content.decode()
    assert case.number in mine and 'data-testid="start-case"' in mine


def test_the_desk_sees_new_online_cases_at_the_counter(demo, resident, dibao, client_for):
    case = start(demo, resident, dibao)
    desk = client_for("secretary").get("/servicedesk/desk/").content.decode()
    online = desk.split('data-testid="online-cases"')[1].split("</ul>")[0]
    assert case.number in online
    services.case_take_step(actor=demo.user("secretary"), case=case, step="record_missing")
    desk = client_for("secretary").get("/servicedesk/desk/").content.decode()
    assert 'data-testid="online-cases"' not in desk
    # the desk of another compound does not
    compound = place_create(actor=SYSTEM, kind="compound", name="站东新村", parent=demo.zhandong)
    user = user_create(actor=SYSTEM, username="other-desk", password=None)
    grant_create(actor=SYSTEM, user=user, role="branch_secretary", place=compound)
    other = Client()
    other.force_login(user)
    assert case.number not in other.get("/servicedesk/desk/").content.decode()
    assert other.get(f"/servicedesk/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["property", "community", "street"])
def test_the_start_page_is_for_residents_only(demo, dibao, client_for, who):
    client = client_for(who)
    assert client.get("/servicedesk/cases/start/").status_code == 404
    assert client.post("/servicedesk/cases/start/", {"matter": dibao.code}).status_code == 404


def test_the_counter_form_marks_12345(demo, resident, dibao, client_for):
    client = client_for("community")
    form = client.get("/servicedesk/desk/", {"resident": resident.pk, "matter": dibao.code})
    assert 'name="would_call_12345"' in form.content.decode()
    client.post(
        "/servicedesk/cases/open/",
        {
            "resident": resident.pk,
            "matter": dibao.code,
            "situation": "",
            "channel": "counter",
            "would_call_12345": "on",
        },
    )
    assert Case.objects.get(resident=resident, version__matter=dibao).would_call_12345


def test_the_api_lets_a_resident_start_their_own_online(demo, resident, dibao, client_for):
    client = client_for("resident")

    def post(data):
        return client.post("/api/v1/servicedesk/cases", json.dumps(data), "application/json")

    counter = post({"resident": resident.pk, "matter": dibao.code})
    assert counter.status_code == 403 and counter.json()["code"] == "online_only"
    created = post({"resident": resident.pk, "matter": dibao.code, "channel": "online"})
    assert created.status_code == 201, created.content
    assert created.json()["channel"] == "online" and created.json()["status"] == "consulted"
    twice = post({"resident": resident.pk, "matter": dibao.code, "channel": "online"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_open"
    other = neighbour(demo, resident)
    assert (
        post({"resident": other.pk, "matter": dibao.code, "channel": "online"}).status_code == 404
    )


def test_the_start_page_is_read_in_bounded_queries(demo, resident, dibao, client_for):
    client = client_for("resident")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/servicedesk/cases/start/", {"matter": dibao.code}).status_code == 200
    assert len(queries) <= 15


def test_a_case_is_never_opened_without_an_actor(demo, resident, dibao):
    with pytest.raises(TypeError):
        services.case_open(actor=None, resident=resident, matter=dibao, channel="online")
    assert not Case.objects.filter(resident=resident, version__matter=dibao).exists()
