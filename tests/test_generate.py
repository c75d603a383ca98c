"""``linli generate``: a reproducible synthetic city written through the register's bulk
path."""

from collections import Counter
from datetime import date
from io import StringIO
from itertools import islice

import pytest
from django.core.management import CommandError, call_command

from linli.core.crypto import lookup_hash
from linli.places import tree
from linli.places.models import Place
from linli.residents.generate import (
    GenerateError,
    city_generate,
    district_name,
    resident_rows,
)
from linli.residents.idnumbers import parse_id_number
from linli.residents.models import Relation, Resident

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 1, 1)


def generated(seed):
    district = Place.objects.get(parent=None, name=district_name(seed))
    residents = Resident.objects.filter(tree.subtree_q(district.path, "place__path"))
    return district, residents.select_related("place").order_by("id")


def test_the_command_writes_a_city_and_reports_what_it_did():
    out = StringIO()
    call_command("generate", residents=2000, seed=7, as_of=AS_OF, stdout=out)
    district, residents = generated(7)
    assert residents.count() == 2000
    assert district.code == "900007"
    assert "2,000 residents" in out.getvalue() and "Done in" in out.getvalue()


def test_the_same_seed_gives_the_same_people():
    city_generate(residents=1500, seed=7, as_of=AS_OF)
    _district, residents = generated(7)
    written = [(r.name, r.birth_date, r.id_number_hash) for r in residents[:50]]
    expected = [
        (row.values["name"], row.values["birth_date"], lookup_hash(row.values["id_number"]))
        for row in islice(resident_rows(seed=7, residents=1500, as_of=AS_OF), 50)
    ]
    assert written == expected


def test_another_seed_gives_other_people():
    def people(seed):
        return [
            (row.values["name"], row.values["id_number"])
            for row in resident_rows(seed=seed, residents=200, as_of=AS_OF)
        ]

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_generated_places_and_residents_respect_the_tree():
    city_generate(residents=3000, seed=8, as_of=AS_OF)
    district, residents = generated(8)
    places = list(Place.objects.filter(tree.subtree_q(district.path)).select_related("parent"))
    kinds = Counter(p.kind for p in places)
    assert kinds["street"] >= 1 and kinds["compound"] >= 1 and kinds["household"] >= 1200
    for place in places:
        if place.parent_id:
            assert place.path == tree.child_path(place.parent.path, place.pk)
            assert place.name_path == f"{place.parent.name_path}/{place.name}"
    for resident in residents:
        assert resident.place.kind == "household"
        assert resident.place.name_path.startswith(district_name(8) + "/")
        assert resident.household.place_id == resident.place_id


def test_generated_residents_are_valid_and_unique():
    rows = list(resident_rows(seed=9, residents=3000, as_of=AS_OF))
    numbers = [row.values["id_number"] for row in rows]
    assert len(set(numbers)) == len(numbers)
    for row in rows:
        parsed = parse_id_number(row.values["id_number"])
        assert parsed.birth_date == row.values["birth_date"]
        assert parsed.gender == row.values["gender"]
        assert parsed.region == "900009"
    phones = [row.values["phone"] for row in rows if row.values["phone"]]
    assert len(set(phones)) == len(phones) > 1500
    heads = Counter(row.flat for row in rows if row.values["relation"] == Relation.HEAD)
    # every household has one head (the last may be cut short by the count)
    assert all(heads[flat] == 1 for flat in {row.flat for row in rows[:-10]})
    ages = [AS_OF.year - row.values["birth_date"].year for row in rows]
    assert sum(a >= 65 for a in ages) > 0.25 * len(ages)
    flats = rows[-1].flat + 1
    assert 2.1 < len(rows) / flats < 2.7  # about 2.4 residents a flat, some flats empty


def test_a_city_is_never_generated_twice():
    city_generate(residents=100, seed=11, as_of=AS_OF)
    with pytest.raises(GenerateError):
        city_generate(residents=100, seed=11, as_of=AS_OF)
    with pytest.raises(CommandError, match="exists already"):
        call_command("generate", residents=100, seed=11, stdout=StringIO())
    assert generated(11)[1].count() == 100


def test_the_generated_district_does_not_touch_the_demo(demo):
    before = Resident.objects.filter(tree.subtree_q(demo.district.path, "place__path")).count()
    city_generate(residents=500, seed=12, as_of=AS_OF)
    after = Resident.objects.filter(tree.subtree_q(demo.district.path, "place__path")).count()
    assert before == after
