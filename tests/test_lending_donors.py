"""Whom the desk may name as a donor or a borrower (issue 13, item 3): as the volunteer,
recording a donation with ``donor_user`` set to a clinic doctor of another area answered
201 with the doctor's name, although the donation was anonymous, and posted a thank-you
notice; ids that did not exist answered 400 ``no_account``, so the answers told which
accounts exist. Now the account comes from a scoped selector (the residents who live near
the shelf, for those who run it); any other id answers exactly as a missing one, nothing is
written for it, and an anonymous donor is named in no answer and no notice."""

import json

import pytest

from linli.accounts.roles import Role
from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.ids import MAX_ID
from linli.lending import selectors
from linli.lending.demo import demo_lending
from linli.lending.models import Donation, Item, Loan
from linli.notices.models import Notice
from linli.places.models import Place

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(demo):
    demo_lending(demo.nanguanfang)
    return {i.name: i for i in Item.objects.filter(place=demo.nanguanfang)}


@pytest.fixture
def neighbour(demo):
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="吴桂芳")
    grant_create(actor=SYSTEM, user=user, role=Role.RESIDENT, place=demo.place(UNIT + "/201"))
    return user


@pytest.fixture
def far_doctor(demo):
    """A clinic doctor of another community: an account the volunteer has no business with."""
    elsewhere = (
        Place.objects.filter(kind="community").exclude(pk=demo.zhandong.pk).order_by("path").first()
    )
    user = user_create(actor=SYSTEM, username="far-doctor", password=None, full_name="郝远医")
    grant_create(actor=SYSTEM, user=user, role=Role.CLINIC_STAFF, place=elsewhere)
    return user


@pytest.fixture
def far_resident(demo):
    """A resident of another compound."""
    home = (
        Place.objects.filter(kind="household")
        .exclude(path__startswith=demo.nanguanfang.path)
        .order_by("path")
        .first()
    )
    user = user_create(actor=SYSTEM, username="far-resident", password=None, full_name="钱远邻")
    grant_create(actor=SYSTEM, user=user, role=Role.RESIDENT, place=home)
    return user


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def counts():
    return Donation.objects.count(), Notice.objects.count(), Loan.objects.count()


# -- the API ----------------------------------------------------------------------------------


def test_an_account_outside_the_shelf_answers_as_a_missing_one(
    english, shelf, demo, far_doctor, far_resident
):
    """The reproduction: the doctor of another area, the compound's own clinic doctor (staff,
    not a resident) and a resident elsewhere are each answered as an id that does not
    exist; nothing is recorded, no notice is posted."""
    client = english("volunteer")
    item = shelf["象棋"]
    url = f"/api/v1/lending/items/{item.pk}/donations"
    quantity = Item.objects.get(pk=item.pk).quantity
    before = counts()
    missing = post(client, url, {"quantity": 1, "donor_user": MAX_ID, "anonymous": True})
    assert missing.status_code == 400 and missing.json()["code"] == "no_account"
    for account in (far_doctor, demo.user("doctor"), far_resident, demo.user("community")):
        answer = post(client, url, {"quantity": 1, "donor_user": account.pk, "anonymous": True})
        assert (answer.status_code, answer.json()) == (400, missing.json()), account.username
        assert account.full_name not in answer.content.decode()
    assert counts() == before
    assert Item.objects.get(pk=item.pk).quantity == quantity


def test_lending_to_an_account_outside_the_shelf_answers_as_to_a_missing_one(
    english, shelf, demo, far_doctor, far_resident
):
    client = english("volunteer")
    url = f"/api/v1/lending/items/{shelf['扇子'].pk}/loans"
    before = counts()
    missing = post(client, url, {"borrower_user": MAX_ID})
    assert missing.status_code == 400 and missing.json()["code"] == "no_account"
    for account in (far_doctor, demo.user("doctor"), far_resident):
        answer = post(client, url, {"borrower_user": account.pk})
        assert (answer.status_code, answer.json()) == (400, missing.json()), account.username
        assert "南官房" not in answer.content.decode()
    assert counts() == before


def test_an_anonymous_donation_names_its_donor_nowhere(english, shelf, neighbour):
    client = english("volunteer")
    item = shelf["象棋"]
    notices = Notice.objects.count()
    answer = post(
        client,
        f"/api/v1/lending/items/{item.pk}/donations",
        {"quantity": 1, "donor_user": neighbour.pk, "anonymous": True},
    )
    assert answer.status_code == 201
    assert answer.json()["donor"] == "a kind neighbour" and answer.json()["anonymous"] is True
    assert neighbour.full_name not in answer.content.decode()
    donation = Donation.objects.get(pk=answer.json()["id"])
    assert donation.donor_user == neighbour  # the desk's record keeps who gave it
    assert Notice.objects.count() == notices + 1  # one thank-you per donation
    notice = Notice.objects.get(pk=answer.json()["notice"])
    assert neighbour.full_name not in notice.title + notice.body
    assert "热心邻居" in notice.title
    # residents reading the item see no name either
    detail = english("resident").get(f"/api/v1/lending/items/{item.pk}").content.decode()
    assert neighbour.full_name not in detail


def test_a_named_donation_by_a_neighbour_thanks_them_once(english, shelf, neighbour):
    client = english("secretary")
    notices = Notice.objects.count()
    answer = post(
        client,
        f"/api/v1/lending/items/{shelf['象棋'].pk}/donations",
        {"quantity": 2, "donor_user": neighbour.pk},
    )
    assert answer.status_code == 201 and answer.json()["donor"] == "吴桂芳"
    assert Notice.objects.count() == notices + 1
    assert "吴桂芳" in Notice.objects.get(pk=answer.json()["notice"]).title


def test_who_may_record_a_donation(english, shelf, neighbour):
    """Those who run the shelf (the duty volunteer, the branch secretary, the community
    worker); not those who only oversee it, nor residents."""
    url = f"/api/v1/lending/items/{shelf['象棋'].pk}/donations"
    for username in ("volunteer", "secretary", "community"):
        assert post(english(username), url, {"quantity": 1, "anonymous": True}).status_code == 201
    before = counts()
    for username in ("district", "street", "resident", "property", "doctor"):
        status = post(english(username), url, {"quantity": 1, "anonymous": True}).status_code
        assert status in (403, 404), username
        # naming an account changes nothing about the refusal
        named = post(english(username), url, {"quantity": 1, "donor_user": neighbour.pk})
        assert named.status_code == status, username
    assert counts() == before


# -- the pages --------------------------------------------------------------------------------


def test_the_donation_form_names_only_neighbours(english, demo, shelf, neighbour, far_resident):
    client = english("volunteer")
    item = shelf["象棋"]
    before = counts()
    answers = {}
    for username in ("nobody-at-all", far_resident.username, "doctor"):
        response = client.post(
            "/lending/donations/new/",
            {
                "item": item.pk,
                "quantity": "1",
                "donor_username": username,
                "anonymous": "on",
                "category": "other",
                "condition": "good",
            },
        )
        assert response.status_code == 200
        answers[username] = response.content.decode()
        assert "There is no account with this user name." in answers[username]
    assert counts() == before
    response = client.post(
        "/lending/donations/new/",
        {
            "item": item.pk,
            "quantity": "1",
            "donor_username": neighbour.username,
            "anonymous": "on",
            "category": "other",
            "condition": "good",
        },
    )
    assert response.status_code == 302
    donation = Donation.objects.latest("id")
    assert donation.donor_user == neighbour and donation.anonymous
    assert neighbour.full_name not in donation.notice.title + donation.notice.body


def test_the_lend_form_names_only_neighbours(english, shelf, neighbour, far_resident):
    client = english("volunteer")
    item = shelf["扇子"]
    before = counts()
    for username in ("nobody-at-all", far_resident.username, "doctor"):
        response = client.post(
            f"/lending/items/{item.pk}/action/",
            {"action": "lend", "quantity": "1", "borrower_username": username},
        )
        text = response.content.decode()
        assert "There is no account with this user name." in text, username
        assert "not a resident" not in text
    assert counts() == before
    response = client.post(
        f"/lending/items/{item.pk}/action/",
        {"action": "lend", "quantity": "1", "borrower_username": neighbour.username},
    )
    assert response.status_code == 302
    assert Loan.objects.filter(item=item, borrower_user=neighbour).exists()


# -- the selector -----------------------------------------------------------------------------


def test_the_desk_names_the_shelfs_neighbours_only(demo, shelf, neighbour, far_resident):
    place = shelf["象棋"].place
    volunteer = demo.user("volunteer")
    assert selectors.desk_account_get(user=volunteer, shelf=place, pk=neighbour.pk) == neighbour
    assert (
        selectors.desk_account_get(user=volunteer, shelf=place, username="neighbour") == neighbour
    )
    for pk in (far_resident.pk, demo.user("doctor").pk, MAX_ID):
        assert selectors.desk_account_get(user=volunteer, shelf=place, pk=pk) is None
    # one who does not run the shelf names no one
    for username in ("district", "property", "resident"):
        assert (
            selectors.desk_account_get(user=demo.user(username), shelf=place, pk=neighbour.pk)
            is None
        )
