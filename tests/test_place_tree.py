"""The place tree: nesting rules, stored paths, subtree queries, moving and renaming."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.models import AuditEvent
from linli.places import selectors, tree
from linli.places.models import Place
from linli.places.services import place_create, place_move, place_update, places_bulk_create

pytestmark = pytest.mark.django_db


def test_demo_paths_read_from_the_district_down(demo):
    household = demo.resident_household
    assert household.name_path == "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/101"
    assert tree.path_ids(household.path)[-1] == household.pk
    assert household.ancestor_ids[0] == demo.district.pk
    assert household.depth == 7


@pytest.mark.parametrize(
    ("kind", "parent_path", "message"),
    [
        ("household", "平城区/鹿苑街道", "户不能隶属于街道"),
        ("street", None, "街道必须隶属于上级地点"),
        ("building", "平城区/鹿苑街道/站东社区", "楼栋不能隶属于社区"),
        ("district", "平城区", "区不能隶属于区"),
    ],
)
def test_nesting_rules_refuse_wrong_parents(demo, kind, parent_path, message):
    parent = demo.place(parent_path) if parent_path else None
    before = Place.objects.count()
    with pytest.raises(ValidationError) as exc:
        place_create(actor=SYSTEM, kind=kind, name="新地方", parent=parent)
    assert message in str(exc.value)
    assert Place.objects.count() == before


def test_a_name_with_a_slash_is_refused(demo):
    with pytest.raises(ValidationError, match="不能包含"):
        place_create(actor=SYSTEM, kind="community", name="东/西社区", parent=demo.luyuan)


def test_sibling_names_are_unique(demo):
    with pytest.raises(ValidationError):
        place_create(actor=SYSTEM, kind="community", name="站东社区", parent=demo.luyuan)


def test_subtree_is_exactly_the_descendants(demo):
    compound = demo.nanguanfang
    in_subtree = set(
        Place.objects.filter(tree.subtree_q(compound.path)).values_list("pk", flat=True)
    )
    walked = {compound.pk}
    frontier = [compound.pk]
    while frontier:
        children = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        walked.update(children)
        frontier = children
    assert in_subtree == walked
    # a sibling with a numerically adjacent id is never inside
    assert demo.zhandong.pk not in in_subtree


def test_renaming_rewrites_the_whole_subtree(demo):
    admin = demo.user("admin")
    building = demo.place("平城区/鹿苑街道/站东社区/南官房小区/6号楼")
    household_pk = demo.resident_household.pk
    other_building = Place.objects.filter(
        name_path__startswith="平城区/鹿苑街道/站东社区/南官房小区/5号楼/"
    )
    others = set(other_building.values_list("pk", "name_path"))
    assert others
    place_update(actor=admin, place=building, name="六号楼")
    household = Place.objects.get(pk=household_pk)
    assert household.name_path == "平城区/鹿苑街道/站东社区/南官房小区/六号楼/1单元/101"
    assert not Place.objects.filter(name_path__contains="/6号楼/").exists()
    # other buildings untouched
    assert set(other_building.values_list("pk", "name_path")) == others
    event = AuditEvent.objects.filter(action="place.update").latest("id")
    assert event.details["name"] == ["6号楼", "六号楼"]


def test_moving_a_community_moves_its_subtree(demo):
    admin = demo.user("admin")
    qingyuan = demo.place("平城区/清远街道")
    before = Place.objects.filter(tree.subtree_q(demo.zhandong.path)).count()
    street_before = Place.objects.filter(tree.subtree_q(demo.luyuan.path)).count()
    household_pk = demo.resident_household.pk
    moved = place_move(actor=admin, place=demo.zhandong, new_parent=qingyuan)
    assert moved.path.startswith(qingyuan.path)
    household = Place.objects.get(pk=household_pk)
    assert household.name_path == "平城区/清远街道/站东社区/南官房小区/6号楼/1单元/101"
    assert household.path.startswith(moved.path)
    assert Place.objects.filter(tree.subtree_q(moved.path)).count() == before
    assert Place.objects.filter(tree.subtree_q(demo.luyuan.path)).count() == street_before - before


def test_moving_into_own_subtree_is_refused(demo):
    admin = demo.user("admin")
    building = demo.place("平城区/鹿苑街道/站东社区/南官房小区/6号楼")
    with pytest.raises(LinliError, match="不能移动到其自身"):
        place_move(actor=admin, place=demo.nanguanfang, new_parent=building)


def test_moving_to_a_parent_of_the_wrong_kind_is_refused_and_changes_nothing(demo):
    admin = demo.user("admin")
    path_before = demo.zhandong.path
    with pytest.raises(ValidationError):
        place_move(actor=admin, place=demo.zhandong, new_parent=demo.district)
    assert Place.objects.get(pk=demo.zhandong.pk).path == path_before


def _street_with(n_places, demo, name):
    street = place_create(actor=SYSTEM, kind="street", name=name, parent=demo.district)
    communities = places_bulk_create(
        actor=SYSTEM,
        parent=street,
        kind="community",
        names=[f"社区{i}" for i in range(max(1, n_places // 100))],
    )
    remaining = n_places - len(communities)
    per = remaining // len(communities)
    for community in communities:
        places_bulk_create(
            actor=SYSTEM, parent=community, kind="compound", names=[f"小区{i}" for i in range(per)]
        )
    return street


def _queries_for_street_list(user, street):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.place_list(user=user, within=street.pk)[:50])
        total = selectors.place_list(user=user, within=street.pk).count()
    return len(ctx.captured_queries), len(rows), total


def test_subtree_listing_costs_the_same_for_10_and_10000_places(demo):
    small = _street_with(10, demo, "小街道")
    large = _street_with(10_000, demo, "大街道")
    district_user = demo.user("district")
    q_small, rows_small, total_small = _queries_for_street_list(district_user, small)
    # a fresh user object, so the scope is loaded again as on a new request
    district_user = demo.user("district")
    q_large, rows_large, total_large = _queries_for_street_list(district_user, large)
    assert total_small >= 10 and total_large >= 9_900
    assert rows_large == 50
    assert q_small == q_large <= 5
