"""Role × scope: each demo role sees exactly its part of the tree, the same through pages and
API; anything outside answers 404."""

import pytest

from linli.accounts.scope import scope_of
from linli.places import selectors
from linli.places.models import Organisation, Place

pytestmark = pytest.mark.django_db

DISTRICT = "平城区"
LUYUAN = "平城区/鹿苑街道"
QINGYUAN = "平城区/清远街道"
ZHANDONG = "平城区/鹿苑街道/站东社区"
PINGGUOYUAN = "平城区/清远街道/苹果园社区"
NANGUANFANG = "平城区/鹿苑街道/站东社区/南官房小区"
BUILDING6 = NANGUANFANG + "/6号楼"
OWN_HOUSEHOLD = NANGUANFANG + "/6号楼/1单元/101"
NEIGHBOUR = NANGUANFANG + "/6号楼/1单元/102"

PLACES = [
    DISTRICT,
    LUYUAN,
    QINGYUAN,
    ZHANDONG,
    PINGGUOYUAN,
    NANGUANFANG,
    BUILDING6,
    OWN_HOUSEHOLD,
    NEIGHBOUR,
]

# what each role sees of PLACES
VISIBLE = {
    "admin": set(PLACES),
    "district": set(PLACES),
    "street": {LUYUAN, ZHANDONG, NANGUANFANG, BUILDING6, OWN_HOUSEHOLD, NEIGHBOUR},
    "community": {ZHANDONG, NANGUANFANG, BUILDING6, OWN_HOUSEHOLD, NEIGHBOUR},
    "secretary": {NANGUANFANG, BUILDING6, OWN_HOUSEHOLD, NEIGHBOUR},
    "property": {NANGUANFANG, BUILDING6, OWN_HOUSEHOLD, NEIGHBOUR},
    "doctor": {NANGUANFANG, BUILDING6},
    "volunteer": {NANGUANFANG, BUILDING6},
    "patrol": {DISTRICT, LUYUAN, QINGYUAN, ZHANDONG, PINGGUOYUAN, NANGUANFANG, BUILDING6},
    "inspector": {DISTRICT, LUYUAN, QINGYUAN, ZHANDONG, PINGGUOYUAN, NANGUANFANG, BUILDING6},
    "resident": {OWN_HOUSEHOLD},
}
MATRIX = [(user, path, path in seen) for user, seen in VISIBLE.items() for path in PLACES]


@pytest.mark.parametrize(("username", "path", "visible"), MATRIX)
def test_place_page_and_api_agree_with_the_role(client_for, demo, username, path, visible):
    client = client_for(username)
    place = demo.place(path)
    page = client.get(f"/places/{place.pk}/")
    api = client.get(f"/api/v1/places/{place.pk}")
    expected = 200 if visible else 404
    assert page.status_code == expected
    assert api.status_code == expected
    if visible:
        assert api.json()["path"] == path
        assert place.name in page.content.decode()
    else:
        assert api.json()["code"] == "not_found"
        assert api.json()["detail"]


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_the_list_and_the_single_checks_never_disagree(demo, username):
    user = demo.user(username)
    listed = set(selectors.place_list(user=user).values_list("pk", flat=True))
    checked = {p.pk for p in Place.objects.all() if user.has_perm("places.view_place", p)}
    assert listed == checked
    orgs_listed = set(selectors.organisation_list(user=user).values_list("pk", flat=True))
    orgs_checked = {
        o.pk
        for o in Organisation.objects.select_related("place")
        if user.has_perm("places.view_organisation", o)
    }
    assert orgs_listed == orgs_checked


def test_street_admin_lists_its_communities_and_compounds_but_not_other_streets(client_for, demo):
    client = client_for("street")
    data = client.get("/api/v1/places", {"kind": "community", "limit": 100}).json()
    names = {item["name"] for item in data["items"]}
    assert names == {"站东社区"}
    assert data["count"] == 1
    compounds = client.get("/api/v1/places", {"within": demo.luyuan.pk, "kind": "compound"}).json()
    assert [c["path"] for c in compounds["items"]] == [NANGUANFANG]
    other = client.get("/api/v1/places", {"within": demo.place(QINGYUAN).pk}).json()
    assert other == {"items": [], "count": 0}


def test_resident_sees_only_their_household(client_for, demo):
    client = client_for("resident")
    data = client.get("/api/v1/places").json()
    assert data["count"] == 1
    assert data["items"][0]["path"] == OWN_HOUSEHOLD
    assert data["items"][0]["kind"] == "household"
    # the place list page goes straight to the household
    response = client.get("/places/")
    assert response.status_code == 302
    assert response.url == f"/places/{demo.resident_household.pk}/"


def test_children_filter_by_parent(client_for, demo):
    client = client_for("community")
    data = client.get("/api/v1/places", {"parent": demo.nanguanfang.pk, "limit": 100}).json()
    assert data["count"] == 13  # 12 buildings and the party-branch service centre
    assert {item["parent"] for item in data["items"]} == {demo.nanguanfang.pk}


def test_volunteer_does_not_see_households_even_through_filters(client_for, demo):
    client = client_for("volunteer")
    data = client.get("/api/v1/places", {"kind": "household"}).json()
    assert data == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("community", "南官房物业服务有限公司", "登黄堂中医馆"),
        ("street", "站东社区居民委员会", "文兴社区卫生服务站"),
        ("resident", "南官房物业服务有限公司", "登黄堂中医馆"),
        ("doctor", "南官房小区义诊站", "文博苑社区卫生服务站"),
        ("patrol", "登黄堂中医馆", None),
    ],
)
def test_organisations_follow_the_scope(client_for, username, sees, does_not_see):
    client = client_for(username)
    names = {o["name"] for o in client.get("/api/v1/organisations", {"limit": 500}).json()["items"]}
    assert sees in names
    page = client.get("/organisations/").content.decode()
    assert sees in page
    if does_not_see:
        assert does_not_see not in names
        assert does_not_see not in page
        org = Organisation.objects.get(name=does_not_see)
        assert client.get(f"/organisations/{org.pk}/").status_code == 404
        assert client.get(f"/api/v1/organisations/{org.pk}").status_code == 404


def test_organisations_filter_by_place(client_for, demo):
    client = client_for("community")
    data = client.get("/api/v1/organisations", {"place": demo.nanguanfang.pk}).json()
    assert {o["kind"] for o in data["items"]} >= {
        "property_company",
        "property_committee",
        "party_branch",
    }
    assert all(o["place"] == demo.nanguanfang.pk for o in data["items"])


def test_only_managers_may_edit_places(client_for, demo):
    compound = demo.nanguanfang
    assert client_for("community").get(f"/places/{compound.pk}/edit/").status_code == 200
    for username in ("secretary", "property", "resident", "patrol"):
        assert client_for(username).get(f"/places/{compound.pk}/edit/").status_code == 404


def test_scope_is_loaded_once_per_request(demo, django_assert_num_queries):
    user = demo.user("street")
    places = [demo.nanguanfang, demo.zhandong, demo.luyuan, demo.place(QINGYUAN)]
    with django_assert_num_queries(1):
        answers = [scope_of(user).can_view_place(place) for place in places]
        answers.append(user.has_perm("places.view_place", places[0]))
    assert answers == [True, True, True, False, True]


def test_anonymous_users_are_sent_to_sign_in_and_api_says_401(client, demo):
    response = client.get(f"/places/{demo.district.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    api = client.get("/api/v1/places")
    assert api.status_code == 401
    assert api.json()["code"] == "unauthenticated"
