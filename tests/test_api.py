"""The API: /me, bearer tokens, pagination shape, JSON errors, no 500 on malformed input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linli.accounts.models import ApiToken
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def create_token(username):
    out, err = StringIO(), StringIO()
    call_command("token", "create", username, "--name", "test", stdout=out, stderr=err)
    return out.getvalue().strip()


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_lists_the_role_grants(client_for):
    data = client_for("secretary").get("/api/v1/me").json()
    assert data["username"] == "secretary"
    assert data["full_name"] == "赵晓红"
    assert data["mobile"] == "139****0004"
    assert data["grants"] == [
        {
            "role": "branch_secretary",
            "place": data["grants"][0]["place"],
            "place_path": "平城区/鹿苑街道/站东社区/南官房小区",
            "place_kind": "compound",
            "organisation": data["grants"][0]["organisation"],
            "valid_until": None,
        }
    ]


def test_a_token_from_the_command_line_authenticates_and_is_stored_hashed(client, demo):
    secret = create_token("community")
    assert secret.startswith("linli_")
    token = ApiToken.objects.get(user__username="community")
    assert secret not in (token.key_hash, token.hint)
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "community"
    places = client.get("/api/v1/places", {"kind": "compound"}, **bearer(secret)).json()
    assert [p["name"] for p in places["items"]] == ["南官房小区"]
    assert AuditEvent.objects.filter(action="token.create").exists()


def test_a_revoked_token_no_longer_works(client, demo):
    secret = create_token("community")
    token = ApiToken.objects.get(user__username="community")
    call_command("token", "revoke", str(token.pk), stdout=StringIO())
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    with pytest.raises(CommandError, match="已被撤销"):
        call_command("token", "revoke", str(token.pk), stdout=StringIO())


def test_token_for_unknown_user_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="No user named"):
        call_command("token", "create", "nobody", stdout=StringIO())


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer linli_nonsense",
        "Basic Zm9vOmJhcg==",
        "Bearer " + "x" * 5000,
        "Bearer \x00",
    ],
)
def test_malformed_authorization_is_401_json(client, demo, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "query",
    [
        {"parent": "abc"},
        {"within": "-1"},
        {"kind": "castle"},
        {"limit": "0"},
        {"limit": "100000"},
        {"offset": "-5"},
        {"parent": "9" * 40},
    ],
)
def test_malformed_filters_are_422_with_a_readable_message(client_for, query):
    response = client_for("district").get("/api/v1/places", query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert body["errors"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/places/abc", 422),
        ("/api/v1/nothing", 404),
        ("/api/v1/places/0", 422),
        ("/api/v1/places/99999999999999999999999", 422),
        ("/api/v1/organisations/99999999999999999999999", 422),
        ("/places/99999999999999999999999/", 404),
        ("/organisations/99999999999999999999999/", 404),
        ("/places/0/", 404),
    ],
)
def test_odd_paths_never_fail_the_server(client_for, path, status):
    response = client_for("district").get(path)
    assert response.status_code == status
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


def test_a_missing_place_and_a_hidden_place_look_the_same(client_for, demo):
    client = client_for("community")
    hidden = client.get(f"/api/v1/places/{demo.place('平城区/清远街道').pk}")
    missing = client.get("/api/v1/places/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_lists_are_paginated_as_items_and_count(client_for):
    data = client_for("district").get("/api/v1/places", {"limit": 10, "offset": 5}).json()
    assert set(data) == {"items", "count"}
    assert len(data["items"]) == 10
    assert data["count"] > 400


def test_place_fields(client_for, demo):
    data = client_for("resident").get(f"/api/v1/places/{demo.resident_household.pk}").json()
    assert data == {
        "id": demo.resident_household.pk,
        "kind": "household",
        "name": "101",
        "name_en": "",
        "code": "",
        "parent": demo.resident_household.parent_id,
        "path": "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/101",
    }


def test_openapi_documents_every_status(client):
    spec = client.get("/api/v1/openapi.json").json()
    places = spec["paths"]["/api/v1/places"]["get"]["responses"]
    assert {"200", "401", "422"} <= set(places) and "404" not in places  # a list never is
    place = spec["paths"]["/api/v1/places/{place_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(place)
    me = spec["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"200", "401", "422"} <= set(me)
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_unsafe_methods_with_a_session_need_csrf(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("district"))
    response = client.post("/api/v1/places", {})
    assert response.status_code in (401, 403, 405)
