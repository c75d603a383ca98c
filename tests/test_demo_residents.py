"""The demo compound's residents: about a thousand believable people of an old compound."""

from collections import Counter

import pytest
from django.db import connection

from linli.demo.residents import demo_residents
from linli.places import tree
from linli.places.models import Place
from linli.residents.idnumbers import parse_id_number
from linli.residents.models import Relation, Resident
from linli.residents.selectors import resident_list

pytestmark = pytest.mark.django_db

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"


@pytest.fixture
def residents(demo):
    return list(
        Resident.objects.filter(tree.subtree_q(demo.nanguanfang.path, "place__path")).order_by("id")
    )


def test_the_compound_has_about_a_thousand_residents(residents):
    assert 900 <= len(residents) <= 1100


def test_id_numbers_are_valid_unique_and_agree_with_birth_date_and_gender(residents):
    numbers = [r.id_number for r in residents]
    assert all(numbers)
    assert len(set(numbers)) == len(numbers)
    for resident in residents:
        parsed = parse_id_number(resident.id_number)
        assert parsed.birth_date == resident.birth_date
        assert parsed.gender == resident.gender
        assert parsed.region.startswith("1402")  # Datong


def test_mobile_numbers_are_plausible_and_unique(residents):
    phones = [r.phone for r in residents if r.phone]
    adults = [r for r in residents if r.age >= 18]
    assert len(phones) > len(adults) * 0.7
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and p[0] == "1" and p[1] in "3456789" for p in phones)


def test_an_old_compound_is_mostly_elderly(residents):
    ages = [r.age for r in residents]
    n = len(ages)
    assert sum(a >= 65 for a in ages) >= 0.25 * n
    assert sum(a >= 80 for a in ages) >= 0.05 * n
    assert sum(a < 14 for a in ages) >= 0.03 * n
    assert sum(18 <= a < 35 for a in ages) < sum(a >= 65 for a in ages)


def test_every_occupied_flat_has_exactly_one_head(residents, demo):
    heads = Counter(r.place_id for r in residents if r.relation == Relation.HEAD)
    flats = {r.place_id for r in residents}
    assert all(heads[flat] == 1 for flat in flats)
    assert all(r.household.place_id == r.place_id for r in residents)
    flats_in_compound = Place.objects.filter(
        tree.subtree_q(demo.nanguanfang.path), kind="household"
    ).count()
    assert len(flats) < flats_in_compound  # some flats stand empty


def test_those_living_alone_are_elderly_and_alone(residents):
    alone = [r for r in residents if r.lives_alone]
    assert alone
    sizes = Counter(r.place_id for r in residents)
    assert all(r.age >= 65 and sizes[r.place_id] == 1 for r in alone)


def test_tags_are_as_common_as_in_a_real_register(residents):
    n = len(residents)
    adults = [r for r in residents if r.age >= 18]
    assert 0.01 * n <= sum(r.low_income for r in residents) <= 0.06 * n
    assert 0.01 * n <= sum(r.disabled for r in residents) <= 0.06 * n
    assert 0.06 * len(adults) <= sum(r.party_member for r in adults) <= 0.15 * len(adults)
    assert 0.02 * len(adults) <= sum(r.volunteer for r in adults) <= 0.09 * len(adults)


def test_zhou_guilan_is_the_demo_residents_account(demo):
    zhou = Resident.objects.get(user=demo.user("resident"))
    assert zhou.name == "周桂兰"
    assert zhou.place.name_path == f"{COMPOUND}/6号楼/1单元/101"
    assert zhou.relation == Relation.HEAD
    assert zhou.phone == "13903520006"
    assert zhou.gender == "F" and zhou.birth_date.year == 1951
    household = list(zhou.household.members.all())
    assert {m.relation for m in household} == {Relation.HEAD, Relation.SPOUSE}


def test_zhang_xiaoming_is_found_by_his_pinyin_initials(demo):
    found = resident_list(user=demo.user("community"), q="zxm")
    assert "张晓明" in {r.name for r in found}


def test_the_table_holds_no_plaintext_numbers(residents):
    ids = {r.pk: (r.id_number, r.phone) for r in residents}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, phone FROM residents_resident")
        raw = {pk: (id_number, phone) for pk, id_number, phone in cursor.fetchall() if pk in ids}
    assert len(raw) == len(ids)
    for pk, (raw_id, raw_phone) in raw.items():
        id_number, phone = ids[pk]
        assert raw_id.startswith("gAAAA") and id_number not in raw_id  # a Fernet token
        assert raw_phone == "" if not phone else phone not in raw_phone
    plaintext = {number for pair in ids.values() for number in pair if number}
    assert not plaintext & {value for pair in raw.values() for value in pair}


def test_loading_again_adds_nobody(demo, residents):
    assert demo_residents(demo.nanguanfang) == 0
    count = Resident.objects.filter(tree.subtree_q(demo.nanguanfang.path, "place__path")).count()
    assert count == len(residents)
