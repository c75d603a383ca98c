"""/api/v1/lending: the catalogue, loans and their steps, donations — statuses, scoping and
what each role sees."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.lending import services
from linli.lending.demo import demo_lending
from linli.lending.models import Item, Loan, LoanStatus
from linli.notices.models import Notice

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for):
    """Signed-in clients that see the English message ids, with JSON helpers."""

    def sign_in(username):
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


@pytest.fixture
def shelf(demo):
    demo_lending(demo.nanguanfang)
    return {i.name: i for i in Item.objects.filter(place=demo.nanguanfang)}


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_items_list_shows_availability(api, shelf, demo):
    response = api("resident").get("/api/v1/lending/items")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5
    by_name = {i["name"]: i for i in data["items"]}
    assert by_name["轮椅"]["available"] == 0 and by_name["轮椅"]["quantity"] == 1
    assert by_name["折叠椅"]["available"] == 8
    assert by_name["扇子"]["place"] == {"id": demo.nanguanfang.pk, "name": "南官房小区"}
    assert set(by_name["扇子"]) >= {"id", "name", "place", "quantity", "available", "condition"}
    assert by_name["扇子"]["location"].endswith("会客厅东侧储物柜")


def test_items_filter_by_place_subtree(api, shelf, demo):
    client = api("district")
    assert client.get(f"/api/v1/lending/items?place={demo.luyuan.pk}").json()["count"] == 5
    other = demo.place("平城区/清远街道")
    assert client.get(f"/api/v1/lending/items?place={other.pk}").json()["count"] == 0
    assert client.get("/api/v1/lending/items?category=fans").json()["count"] == 1


@pytest.mark.parametrize("username", ["property", "doctor", "patrol", "inspector"])
def test_roles_without_a_part_see_nothing(api, shelf, username):
    client = api(username)
    assert client.get("/api/v1/lending/items").json()["count"] == 0
    assert client.get("/api/v1/lending/loans").json()["count"] == 0
    assert client.get(f"/api/v1/lending/items/{shelf['扇子'].pk}").status_code == 404
    response = post(client, f"/api/v1/lending/items/{shelf['扇子'].pk}/loans")
    assert response.status_code == 404


def test_item_detail_hides_anonymous_donors_from_residents(api, shelf):
    drums = shelf["腰鼓"].pk
    resident = api("resident").get(f"/api/v1/lending/items/{drums}").json()
    assert resident["donations"][0]["donor"] == "a kind neighbour"
    fans = api("resident").get(f"/api/v1/lending/items/{shelf['扇子'].pk}").json()
    assert fans["donations"][0]["donor"] == "周桂兰"
    assert api("resident").get("/api/v1/lending/items/999999999").status_code == 404


def test_resident_requests_and_cancels(api, shelf, demo):
    client = api("resident")
    response = post(client, f"/api/v1/lending/items/{shelf['腰鼓'].pk}/loans", {"quantity": 2})
    assert response.status_code == 201, response.json()
    loan = response.json()
    assert loan["status"] == "requested" and loan["mine"] and loan["steps"] == ["cancel"]
    assert loan["borrower"] == "周桂兰"
    response = post(client, f"/api/v1/lending/loans/{loan['id']}/cancel", {"reason": "改天"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = post(client, f"/api/v1/lending/loans/{loan['id']}/cancel")
    assert response.status_code == 409 and response.json()["code"] == "illegal_step"


def test_not_enough_units_is_409_with_a_readable_message(api, shelf):
    response = post(api("resident"), f"/api/v1/lending/items/{shelf['轮椅'].pk}/loans")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_available"
    assert body["detail"].startswith("All of “轮椅” are lent out at the moment")


def test_rule_refusals_are_400(api, shelf):
    client = api("volunteer")
    response = post(
        client,
        f"/api/v1/lending/items/{shelf['轮椅'].pk}/loans",
        {"quantity": 5, "borrower_name": "王大爷"},
    )
    assert response.status_code == 400 and response.json()["code"] == "more_than_owned"
    response = post(client, f"/api/v1/lending/items/{shelf['扇子'].pk}/loans", {"quantity": 1})
    assert response.status_code == 400  # no borrower named: a rule for the desk alone
    response = post(client, f"/api/v1/lending/items/{shelf['扇子'].pk}/loans", {"days": 90})
    assert response.status_code == 422


def test_resident_may_not_lend_to_others_and_district_may_not_act(api, shelf):
    fans = shelf["扇子"].pk
    response = post(api("resident"), f"/api/v1/lending/items/{fans}/loans", {"days": 5})
    assert response.status_code == 403 and response.json()["code"] == "staff_only"
    response = post(api("district"), f"/api/v1/lending/items/{fans}/loans")
    assert response.status_code == 403
    loan = Loan.objects.get(item=shelf["象棋"], status=LoanStatus.OUT)
    assert post(api("district"), f"/api/v1/lending/loans/{loan.pk}/return").status_code == 403
    assert post(api("resident"), f"/api/v1/lending/loans/{loan.pk}/return").status_code == 403


def test_staff_lend_hand_over_renew_and_return(api, shelf, demo):
    client = api("volunteer")
    response = post(
        client,
        f"/api/v1/lending/items/{shelf['扇子'].pk}/loans",
        {"quantity": 4, "borrower_user": demo.user("resident").pk, "days": 10},
    )
    assert response.status_code == 201
    loan = response.json()
    assert loan["status"] == "out" and not loan["mine"] and loan["borrower"] == "周桂兰"
    assert loan["due_on"] == (timezone.localdate() + timedelta(days=10)).isoformat()
    response = post(client, f"/api/v1/lending/loans/{loan['id']}/renew")
    assert response.status_code == 200 and response.json()["renewals"] == 1
    response = post(
        client, f"/api/v1/lending/loans/{loan['id']}/return", {"condition": "worn", "note": "旧了"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "returned" and response.json()["return_condition"] == "worn"
    request = Loan.objects.get(status=LoanStatus.REQUESTED)
    response = post(client, f"/api/v1/lending/loans/{request.pk}/handover")
    assert response.status_code == 200 and response.json()["status"] == "out"
    response = post(
        client, f"/api/v1/lending/items/{shelf['扇子'].pk}/loans", {"borrower_user": 999999}
    )
    assert response.status_code == 400 and response.json()["code"] == "no_account"


def test_renewing_an_overdue_loan_is_400(api, shelf):
    wheelchair = Loan.objects.get(item=shelf["轮椅"])
    response = post(api("volunteer"), f"/api/v1/lending/loans/{wheelchair.pk}/renew")
    assert response.status_code == 400 and response.json()["code"] == "overdue"


def test_loans_are_mine_or_overseen(api, shelf, demo):
    neighbour = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居")
    grant_create(actor=SYSTEM, user=neighbour, role="resident", place=demo.place(UNIT + "/201"))
    services.loan_lend(actor=demo.user("volunteer"), item=shelf["腰鼓"], borrower_user=neighbour)
    mine = api("resident").get("/api/v1/lending/loans").json()
    assert mine["count"] == 3 and all(loan["mine"] for loan in mine["items"])
    assert "腰鼓" not in {loan["item"]["name"] for loan in mine["items"]}
    theirs = Loan.objects.get(borrower_user=neighbour)
    assert api("resident").get(f"/api/v1/lending/loans/{theirs.pk}").status_code == 404
    overseen = api("district").get("/api/v1/lending/loans").json()
    assert overseen["count"] == 5
    overdue = api("district").get("/api/v1/lending/loans?overdue=true").json()
    assert [loan["item"]["name"] for loan in overdue["items"]] == ["轮椅"]
    assert overdue["items"][0]["overdue"] is True
    assert api("district").get("/api/v1/lending/loans?mine=true").json()["count"] == 0


def test_donation_by_staff_thanks_the_compound(api, shelf, demo):
    url = f"/api/v1/lending/items/{shelf['象棋'].pk}/donations"
    response = post(api("secretary"), url, {"quantity": 2, "donor_name": "刘大爷"})
    assert response.status_code == 201
    assert response.json()["quantity"] == 2 and response.json()["notice"]
    assert Item.objects.get(pk=shelf["象棋"].pk).quantity == 6
    notice = Notice.objects.get(pk=response.json()["notice"])
    assert "刘大爷" in notice.title
    assert post(api("resident"), url, {"quantity": 1, "donor_name": "我"}).status_code == 403
    assert post(api("district"), url, {"quantity": 1, "donor_name": "我"}).status_code == 403
    assert post(api("secretary"), url, {"quantity": 0}).status_code == 422
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = post(
        api("secretary"), url, {"quantity": 1, "donor_name": "王", "donated_on": future}
    )
    assert response.status_code == 400  # a day the schema allows, refused by a rule


def test_malformed_input_is_never_a_500(api, shelf):
    client = api("volunteer")
    fans = shelf["扇子"].pk
    assert client.get("/api/v1/lending/items/0").status_code == 422
    assert client.get(f"/api/v1/lending/items/{2**70}").status_code == 422
    assert client.get("/api/v1/lending/items?place=abc").status_code == 422
    response = client.post(
        f"/api/v1/lending/items/{fans}/loans", "not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    response = post(client, f"/api/v1/lending/items/{fans}/loans", {"borrower_name": "a\x00b"})
    assert response.status_code == 422


def test_unauthenticated_is_401(client, shelf):
    assert client.get("/api/v1/lending/items").status_code == 401


def test_api_lists_cost_the_same_whatever_the_page_size(api, shelf):
    client = api("volunteer")
    for url in ("/api/v1/lending/items", "/api/v1/lending/loans"):
        with CaptureQueriesContext(connection) as small:
            client.get(url + "?limit=1")
        with CaptureQueriesContext(connection) as large:
            client.get(url + "?limit=100")
        assert len(small.captured_queries) == len(large.captured_queries), url
