"""The register: validation, protection at rest, masking and reveal, search, scope, pages
and API."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.actors import SYSTEM
from linli.core.crypto import lookup_hash
from linli.core.models import AuditEvent
from linli.places.services import place_create, places_bulk_create
from linli.residents import selectors
from linli.residents.models import ResidencyRecord, Resident, ResidentStatus
from linli.residents.services import resident_clean, resident_move, resident_update
from tests.factories import id_number, make_many, make_resident

pytestmark = pytest.mark.django_db

HOUSEHOLD = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/101"
NEIGHBOUR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/102"


@pytest.fixture
def worker(demo):
    return demo.user("community")


@pytest.fixture
def own(demo, worker):
    """A resident in the demo resident's own household (6号楼1单元101)."""
    return make_resident(worker, demo.place(HOUSEHOLD), name="周建国", phone="13611112222")


@pytest.fixture
def neighbour(demo, worker):
    return make_resident(worker, demo.place(NEIGHBOUR), name="张晓明", phone="+86 136 3333 4444")


@pytest.fixture
def pingguoyuan_resident(demo, worker):
    street = demo.place("平城区/清远街道/苹果园社区")
    compound = place_create(actor=SYSTEM, kind="compound", name="果园小区", parent=street)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    (household,) = places_bulk_create(
        actor=SYSTEM, parent=building, kind="household", names=["101"]
    )
    return make_resident(SYSTEM, household, name="苹果园居民")


# -- validation ------------------------------------------------------------------------------


def test_birth_date_and_gender_are_taken_from_the_id_number():
    clean = resident_clean(name="李四", id_number=id_number(date(1944, 5, 6), male=False))
    assert clean.birth_date == date(1944, 5, 6)
    assert clean.gender == "F"


def test_a_birth_date_that_disagrees_with_the_id_number_is_named():
    number = id_number(date(1944, 5, 6))
    with pytest.raises(ValidationError) as exc:
        resident_clean(name="李四", id_number=number, birth_date=date(1945, 5, 6), gender="F")
    errors = exc.value.message_dict
    assert "1944-05-06" in errors["birth_date"][0]
    assert "gender" in errors


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "23812345678", "电话"])
def test_bad_mobile_numbers_are_refused(phone):
    with pytest.raises(ValidationError) as exc:
        resident_clean(name="李四", birth_date=date(1980, 1, 1), gender="M", phone=phone)
    assert "phone" in exc.value.message_dict


def test_a_duplicate_id_number_is_refused(demo, worker, own):
    with pytest.raises(ValidationError) as exc:
        resident_update(
            actor=worker,
            resident=make_resident(worker, demo.place(NEIGHBOUR)),
            id_number=own.id_number,
        )
    assert "id_number" in exc.value.message_dict


# -- protection -----------------------------------------------------------------------------


def test_the_raw_row_holds_no_plaintext_id_or_phone(own):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash, phone_hash"
            " FROM residents_resident WHERE id = %s",
            [own.pk],
        )
        raw_id, raw_phone, id_hash, phone_hash = cursor.fetchone()
    assert own.id_number not in raw_id and own.id_number[-8:] not in raw_id
    assert "13611112222" not in raw_phone and "11112222" not in raw_phone
    assert id_hash == lookup_hash(own.id_number)
    assert phone_hash == lookup_hash("13611112222")
    fresh = Resident.objects.get(pk=own.pk)
    assert fresh.phone == "13611112222"
    assert fresh.phone_masked == "136****2222"
    assert fresh.id_number_masked == own.id_number[:6] + "********" + own.id_number[-4:]


def test_pages_and_api_show_numbers_masked(client_for, own):
    client = client_for("community")
    page = client.get(f"/residents/{own.pk}/").content.decode()
    assert own.id_number_masked in page and own.id_number not in page
    assert "136****2222" in page and "13611112222" not in page
    data = client.get(f"/api/v1/residents/{own.pk}").json()
    assert data["id_number"] == own.id_number_masked
    assert data["phone"] == "136****2222"


def test_the_community_worker_may_reveal_and_it_is_audited(client_for, own):
    client = client_for("community")
    response = client.post(f"/api/v1/residents/{own.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {"id_number": own.id_number, "phone": "13611112222"}
    page = client.post(f"/residents/{own.pk}/reveal/").content.decode()
    assert own.id_number in page
    events = AuditEvent.objects.filter(action="resident.reveal", object_id=str(own.pk))
    assert events.count() == 2
    assert all(own.id_number not in str(e.details) for e in events)


@pytest.mark.parametrize("username", ["street", "district", "secretary"])
def test_other_roles_see_but_may_not_reveal(client_for, own, username):
    client = client_for(username)
    assert client.get(f"/api/v1/residents/{own.pk}").status_code == 200
    assert client.post(f"/api/v1/residents/{own.pk}/reveal").status_code == 403
    assert client.post(f"/residents/{own.pk}/reveal/").status_code == 404
    assert 'data-testid="reveal"' not in client.get(f"/residents/{own.pk}/").content.decode()
    assert not AuditEvent.objects.filter(action="resident.reveal").exists()


def test_a_resident_may_reveal_their_own_numbers(client_for, demo, worker):
    account = demo.user("resident")
    me = Resident.objects.filter(user=account).first() or make_resident(
        worker, demo.place(HOUSEHOLD), name="本人", user=account
    )
    client = client_for("resident")
    assert client.post(f"/api/v1/residents/{me.pk}/reveal").json()["id_number"] == me.id_number


# -- scope ----------------------------------------------------------------------------------


def test_a_resident_sees_their_household_and_nothing_else(client_for, own, neighbour):
    client = client_for("resident")
    assert client.get(f"/residents/{own.pk}/").status_code == 200
    assert client.get(f"/residents/{neighbour.pk}/").status_code == 404
    assert client.get(f"/api/v1/residents/{neighbour.pk}").status_code == 404
    assert client.post(f"/api/v1/residents/{neighbour.pk}/reveal").status_code == 404
    assert client.get(f"/households/{neighbour.household_id}/").status_code == 404
    assert client.get(f"/api/v1/households/{neighbour.household_id}").status_code == 404
    names = {r["name"] for r in client.get("/api/v1/residents", {"limit": 500}).json()["items"]}
    assert "周建国" in names and "张晓明" not in names
    listed = client.get("/residents/").content.decode()
    assert "周建国" in listed and "张晓明" not in listed
    assert client.get("/residents/export.xlsx").status_code == 404
    assert client.get(f"/api/v1/residents/{neighbour.pk + 100000}").status_code == 404


def test_community_sees_only_its_community(client_for, own, pingguoyuan_resident):
    client = client_for("community")
    names = {r["name"] for r in client.get("/api/v1/residents", {"limit": 500}).json()["items"]}
    assert "周建国" in names and "苹果园居民" not in names
    assert client.get(f"/residents/{pingguoyuan_resident.pk}/").status_code == 404
    assert client_for("district").get(f"/residents/{pingguoyuan_resident.pk}/").status_code == 200


@pytest.mark.parametrize("username", ["property", "doctor", "patrol", "inspector", "volunteer"])
def test_roles_without_the_register_see_none_of_it(client_for, own, username):
    client = client_for(username)
    assert client.get("/residents/").status_code == 404
    assert client.get(f"/residents/{own.pk}/").status_code == 404
    assert client.get("/api/v1/residents").json() == {"items": [], "count": 0}
    assert client.get(f"/api/v1/residents/{own.pk}").status_code == 404


# -- list, filters, search ------------------------------------------------------------------


def test_search_by_pinyin_initials_full_pinyin_name_id_and_phone(demo, worker, neighbour):
    user = demo.user("community")

    def names(q):
        return {r.name for r in selectors.resident_list(user=user, q=q)}

    assert "张晓明" in names("zxm")
    assert "张晓明" in names("ZXM")
    assert "张晓明" in names("zhangxiao")
    assert "张晓明" in names("晓明")
    assert names(neighbour.id_number) == {"张晓明"}
    assert names(neighbour.id_number.lower()) == {"张晓明"}
    assert names("13633334444") == {"张晓明"}
    assert names("+8613633334444") == {"张晓明"}


def test_tag_and_age_filters(demo, worker):
    place = demo.place(NEIGHBOUR)
    old = make_resident(worker, place, name="老人甲", birth=date(1940, 1, 1), lives_alone=True)
    child = make_resident(worker, place, name="孩子乙", birth=date(date.today().year - 8, 1, 1))
    user = demo.user("community")
    elderly = set(selectors.resident_list(user=user, tag="elderly", place=place.pk))
    assert old in elderly and child not in elderly
    assert child in set(selectors.resident_list(user=user, tag="child", place=place.pk))
    assert old in set(selectors.resident_list(user=user, tag="lives_alone", place=place.pk))
    assert old in set(selectors.resident_list(user=user, age_band="80+", place=place.pk))
    assert child in set(selectors.resident_list(user=user, age_band="0-13", place=place.pk))
    assert "elderly" in old.tags and "lives_alone" in old.tags and "child" in child.tags


def test_list_page_filters_through_the_form(client_for, demo, worker):
    make_resident(worker, demo.place(NEIGHBOUR), name="老人丙", birth=date(1935, 1, 1))
    client = client_for("community")
    page = client.get("/residents/", {"tag": "elderly", "q": "lrb"}).content.decode()
    assert "老人丙" in page
    bad = client.get("/residents/", {"tag": "nonsense", "place": "abc"})
    assert bad.status_code == 200


def _list_queries(client, place):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/residents/", {"place": place.pk})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_resident_list_costs_the_same_for_10_and_1000_rows(client_for, demo):
    building = place_create(actor=SYSTEM, kind="building", name="99号楼", parent=demo.nanguanfang)
    small, large = places_bulk_create(
        actor=SYSTEM, parent=building, kind="household", names=["101", "102"]
    )
    make_many(small, 10, name="少")
    make_many(large, 1000, name="多")
    client = client_for("community")
    assert _list_queries(client, small) == _list_queries(client, large)
    api_small = CaptureQueriesContext(connection)
    with api_small:
        client.get("/api/v1/residents", {"place": small.pk, "limit": 500})
    api_large = CaptureQueriesContext(connection)
    with api_large:
        client.get("/api/v1/residents", {"place": large.pk, "limit": 500})
    assert len(api_small.captured_queries) == len(api_large.captured_queries)


# -- forms ----------------------------------------------------------------------------------


def test_a_wrong_field_keeps_what_was_typed(client_for, demo):
    client = client_for("community")
    household = demo.place(NEIGHBOUR)
    number = id_number(date(1950, 3, 1))
    response = client.post(
        f"/residents/new/?household={household.pk}",
        {
            "household": household.pk,
            "name": "王大妈",
            "id_number": number,
            "birth_date": "1951-03-01",
            "phone": "12345",
            "relation": "head",
            "notes": "爱下象棋",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    for typed in ("王大妈", number, "1951-03-01", "12345", "爱下象棋"):
        assert typed in page
    assert "1950-03-01" in page  # the message names the ID number's birth date
    assert not Resident.objects.filter(name="王大妈").exists()
    fixed = client.post(
        f"/residents/new/?household={household.pk}",
        {
            "household": household.pk,
            "name": "王大妈",
            "id_number": number,
            "phone": "13812345678",
            "relation": "head",
        },
    )
    assert fixed.status_code == 302
    created = Resident.objects.get(name="王大妈")
    assert created.birth_date == date(1950, 3, 1)
    assert created.phone == "13812345678"


def test_edit_page(client_for, own):
    client = client_for("community")
    form_page = client.get(f"/residents/{own.pk}/edit/").content.decode()
    assert own.id_number not in form_page and "13611112222" not in form_page
    assert own.id_number_masked in form_page
    response = client.post(
        f"/residents/{own.pk}/edit/",
        {"name": "周建国", "phone": "13699990000", "relation": "spouse", "party_member": "on"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.phone == "13699990000" and own.party_member and own.relation == "spouse"
    event = AuditEvent.objects.filter(action="resident.update").latest("id")
    assert "phone" in event.details["fields"] and "13699990000" not in str(event.details)
    assert client_for("street").get(f"/residents/{own.pk}/edit/").status_code == 404


def test_moving_away_keeps_the_history(demo, worker, own):
    resident_move(
        actor=worker,
        resident=own,
        place=demo.place(NEIGHBOUR),
        relation="other",
        reason="搬到邻居家",
    )
    resident_move(actor=worker, resident=own, place=None, reason="去外地")
    own.refresh_from_db()
    assert own.status == ResidentStatus.MOVED_AWAY
    stays = list(ResidencyRecord.objects.filter(resident=own).order_by("id"))
    assert len(stays) == 2
    assert all(s.ended_on for s in stays)
    assert Resident.objects.filter(pk=own.pk).exists()
    user = demo.user("community")
    assert own not in set(selectors.resident_list(user=user))
    assert own in set(selectors.resident_list(user=user, status=None))


# -- API writes -----------------------------------------------------------------------------


def test_api_create_update_and_errors(client_for, demo):
    client = client_for("community")
    household = demo.place(NEIGHBOUR)
    number = id_number(date(1960, 7, 7), male=False)
    created = client.post(
        "/api/v1/residents",
        {"name": "刘芳", "place": household.pk, "id_number": number.lower(), "relation": "spouse"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["gender"] == "F" and body["birth_date"] == "1960-07-07"
    assert body["place_path"] == NEIGHBOUR
    assert body["id_number"] == number[:6] + "********" + number[-4:]
    again = client.post(
        "/api/v1/residents",
        {"name": "刘芳", "place": household.pk, "id_number": number},
        content_type="application/json",
    )
    assert again.status_code == 400  # schema-valid, refused by a rule: with its field
    assert again.json()["errors"][0]["loc"] == ["id_number"]
    patched = client.patch(
        f"/api/v1/residents/{body['id']}", {"phone": "13700001111"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["phone"] == "137****1111"
    wrong_kind = client.post(
        "/api/v1/residents",
        {"name": "刘芳", "place": demo.nanguanfang.pk, "birth_date": "1960-07-07", "gender": "F"},
        content_type="application/json",
    )
    assert wrong_kind.status_code == 400
    malformed = client.post("/api/v1/residents", "{not json", content_type="application/json")
    assert malformed.status_code in (400, 422)


def test_api_writes_need_the_manage_role(client_for, demo):
    for username in ("street", "resident"):
        response = client_for(username).post(
            "/api/v1/residents",
            {
                "name": "某人",
                "place": demo.place(HOUSEHOLD).pk,
                "birth_date": "1960-01-01",
                "gender": "M",
            },
            content_type="application/json",
        )
        assert response.status_code == 403


def test_api_households(client_for, demo, own):
    client = client_for("community")
    listed = client.get(
        "/api/v1/households", {"place": demo.place("平城区/鹿苑街道/站东社区/南官房小区/6号楼").pk}
    ).json()
    assert own.household_id in {h["id"] for h in listed["items"]}
    detail = client.get(f"/api/v1/households/{own.household_id}").json()
    assert detail["place_path"] == HOUSEHOLD
    assert "周建国" in {m["name"] for m in detail["members"]}
    opened = client.post(
        "/api/v1/households", {"place": demo.place(HOUSEHOLD).pk}, content_type="application/json"
    )
    assert opened.status_code == 200 and opened.json()["id"] == own.household_id


def test_place_page_links_to_its_residents(client_for, demo):
    page = client_for("community").get(f"/places/{demo.nanguanfang.pk}/").content.decode()
    assert f"/residents/?place={demo.nanguanfang.pk}" in page
    page = client_for("patrol").get(f"/places/{demo.nanguanfang.pk}/").content.decode()
    assert "/residents/?place=" not in page
