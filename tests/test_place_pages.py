"""Editing places on the page and in the admin goes through the services."""

import pytest

from linli.core.models import AuditEvent
from linli.places.models import Place

pytestmark = pytest.mark.django_db


def test_editing_a_place_on_its_page_renames_the_subtree(client_for, demo):
    client = client_for("community")
    compound = demo.nanguanfang
    household_pk = demo.resident_household.pk
    response = client.post(
        f"/places/{compound.pk}/edit/",
        {
            "name": "南官房社区小区",
            "name_en": "Nanguanfang",
            "code": "",
            "address": "北苑路1号",
            "sort_key": 0,
        },
    )
    assert response.status_code == 302
    household = Place.objects.get(pk=household_pk)
    assert household.name_path.startswith("平城区/鹿苑街道/站东社区/南官房社区小区/")
    assert AuditEvent.objects.filter(action="place.update", actor__username="community").exists()


def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(client_for, demo):
    client = client_for("community")
    compound = demo.nanguanfang
    response = client.post(
        f"/places/{compound.pk}/edit/",
        {
            "name": "南官房/小区",
            "name_en": "Typed by hand",
            "code": "",
            "address": "北苑路",
            "sort_key": 0,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Typed by hand" in page
    assert "南官房/小区" in page
    assert "不能包含" in page
    assert Place.objects.get(pk=compound.pk).name == "南官房小区"


def test_admin_rename_and_move_keep_paths_consistent(client_for, demo):
    client = client_for("admin")
    assert client.get("/admin/places/place/").status_code == 200
    community = demo.zhandong
    qingyuan = demo.place("平城区/清远街道")
    household_pk = demo.resident_household.pk
    response = client.post(
        f"/admin/places/place/{community.pk}/change/",
        {
            "kind": "community",
            "name": "站东",
            "name_en": "Zhandong",
            "parent": qingyuan.pk,
            "code": community.code,
            "address": "",
            "sort_key": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Place.objects.get(pk=household_pk)
    assert household.name_path == "平城区/清远街道/站东/南官房小区/6号楼/1单元/101"
    assert household.path.startswith(qingyuan.path)
    assert AuditEvent.objects.filter(action="place.move").exists()


def test_admin_is_closed_to_non_staff(client_for):
    response = client_for("street").get("/admin/places/place/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_a_place_is_named_in_one_language(client_for, english):
    """Issue 14: the Chinese page said "社区 · Zhandong Community"."""
    from linli.places.models import Place

    zhandong = Place.objects.get(name="站东社区")
    chinese = client_for("street").get(f"/places/{zhandong.pk}/").content.decode()
    assert "站东社区" in chinese and zhandong.name_en not in chinese
    in_english = english("street").get(f"/places/{zhandong.pk}/").content.decode()
    assert "<h1>Zhandong Community</h1>" in in_english
