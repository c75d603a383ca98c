"""The wait list of an item with nothing free (issue 14, item 8): the demo's wheelchair is
lent out and overdue. Its page offers no borrow form but says it is overdue — never a date
that has passed — and lets a resident join the wait list (once; they can leave). First come
first served: when the wheelchair comes back the first waiter is told (after commit) and it
is held for them for a set time, then for the next; the desk sees the wait list."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError
from linli.core.models import Notification
from linli.lending import services
from linli.lending.models import (
    Category,
    Item,
    Loan,
    LoanStatus,
    WaitEntry,
    WaitEvent,
    WaitStatus,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2031, 6, 2, 10, 0, tzinfo=SH)
TODAY = NOW.date()
NEIGHBOUR_DOOR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/102"
THIRD_DOOR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/201"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def resident(demo, username, full_name, door):
    user = user_create(actor=SYSTEM, username=username, password=None, full_name=full_name)
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(door))
    return user


@pytest.fixture
def neighbour(demo):
    return resident(demo, "neighbour", "王邻居", NEIGHBOUR_DOOR)


@pytest.fixture
def third(demo):
    return resident(demo, "third", "李三", THIRD_DOOR)


@pytest.fixture
def drum(demo):
    """A new item of one unit, lent at the desk to someone named at the counter and
    overdue by ten days (the probe's wheelchair)."""
    item = services.donation_record(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        name="测试轮椅",
        quantity=1,
        category=Category.MOBILITY,
        donor_name="王建国",
        donated_on=TODAY - timedelta(days=60),
        now=NOW - timedelta(days=60),
    ).item
    loan = services.loan_lend(
        actor=demo.user("volunteer"),
        item=item,
        borrower_name="赵大爷",
        days=30,
        now=NOW - timedelta(days=40),
    )
    assert loan.due_on == TODAY - timedelta(days=10)
    return item


def test_the_refusal_never_promises_a_date_that_has_passed(demo, drum, neighbour):
    with pytest.raises(ConflictError) as refused:
        services.loan_request(actor=neighbour, item=drum, now=NOW)
    message = str(refused.value.message)
    assert (TODAY - timedelta(days=10)).isoformat() not in message
    assert "overdue" in message and "reminded" in message


def test_a_future_due_date_is_given_beside_the_overdue_one(demo, drum, neighbour):
    services.item_update(actor=demo.user("secretary"), item=drum, quantity=2)
    services.loan_lend(
        actor=demo.user("volunteer"), item=drum, borrower_name="钱阿姨", days=5, now=NOW
    )
    with pytest.raises(ConflictError) as refused:
        services.loan_request(actor=neighbour, item=drum, now=NOW)
    message = str(refused.value.message)
    assert (TODAY + timedelta(days=5)).isoformat() in message
    assert (TODAY - timedelta(days=10)).isoformat() not in message and "overdue" in message


def test_first_come_first_served_with_a_hold_that_lapses(
    demo, drum, neighbour, third, django_capture_on_commit_callbacks, settings
):
    settings.LINLI_LENDING_HOLD_HOURS = 24
    first = services.wait_join(actor=neighbour, item=drum, now=NOW)
    second = services.wait_join(actor=third, item=drum, now=NOW + timedelta(minutes=1))
    with pytest.raises(ConflictError) as again:
        services.wait_join(actor=neighbour, item=drum, now=NOW)
    assert again.value.code == "already_waiting"

    # The wheelchair comes back: it is held for the first waiter, who is told after commit.
    loan = Loan.objects.get(item=drum, status=LoanStatus.OUT)
    back = NOW + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(actor=demo.user("volunteer"), loan=loan, now=back)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitStatus.OFFERED and second.status == WaitStatus.WAITING
    assert first.hold_until == back + timedelta(hours=24)
    told = Notification.objects.filter(user=neighbour, kind="lending.wait_offered")
    assert told.count() == 1 and "测试轮椅" in told.get().title
    assert not Notification.objects.filter(user=third, kind="lending.wait_offered").exists()
    drum.refresh_from_db()
    assert drum.available == 0 and drum.units_on_hold == 1

    # Nobody else may take the held unit, not even the desk for a walk-in.
    with pytest.raises(ConflictError):
        services.loan_request(actor=third, item=drum, now=back)
    with pytest.raises(ConflictError):
        services.loan_lend(actor=demo.user("volunteer"), item=drum, borrower_name="路人", now=back)

    # Not taken up in time: the hold lapses and passes to the next.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.holds_expire(now=back + timedelta(hours=23)) == 0
        assert services.holds_expire(now=back + timedelta(hours=25)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitStatus.EXPIRED and second.status == WaitStatus.OFFERED
    assert Notification.objects.filter(user=third, kind="lending.wait_offered").count() == 1

    # The second waiter borrows the unit held for them.
    request = services.loan_request(actor=third, item=drum, now=back + timedelta(hours=26))
    second.refresh_from_db()
    drum.refresh_from_db()
    assert second.status == WaitStatus.BORROWED and second.loan == request
    assert drum.units_on_hold == 0 and drum.units_out == 1
    kinds = list(WaitEvent.objects.filter(entry=second).values_list("kind", flat=True))
    assert kinds == ["joined", "offered", "borrowed"]


def test_leaving_passes_a_held_unit_on(demo, drum, neighbour, third):
    first = services.wait_join(actor=neighbour, item=drum, now=NOW)
    second = services.wait_join(actor=third, item=drum, now=NOW + timedelta(minutes=1))
    loan = Loan.objects.get(item=drum, status=LoanStatus.OUT)
    services.loan_return(actor=demo.user("volunteer"), loan=loan, now=NOW + timedelta(hours=1))
    services.wait_leave(actor=neighbour, entry=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitStatus.LEFT and second.status == WaitStatus.OFFERED
    # Having left, one may join again, at the end of the queue.
    again = services.wait_join(actor=neighbour, item=drum, now=NOW + timedelta(hours=2))
    assert again.status == WaitStatus.WAITING


def test_one_cannot_wait_for_what_is_free(demo, neighbour):
    item = Item.objects.filter(place=demo.nanguanfang, name="腰鼓").get()
    assert item.available > 0
    with pytest.raises(ConflictError) as refused:
        services.wait_join(actor=neighbour, item=item)
    assert refused.value.code == "available"


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_demo_wheelchair_page_offers_the_wait_list_not_the_borrow_form(
    demo, neighbour, english
):
    """The probe: 轮椅 is out and overdue; the page offered the borrow form, and the refusal
    promised a return on a date ten days past."""
    wheelchair = Item.objects.get(place=demo.nanguanfang, name="轮椅")
    overdue_on = Loan.objects.get(item=wheelchair, status=LoanStatus.OUT).due_on
    assert overdue_on < timezone.localdate()
    client = english("neighbour")
    url = f"/lending/items/{wheelchair.pk}/"
    html = _html(client, url)
    assert 'data-testid="submit-request"' not in html
    assert "Nothing is free to borrow at the moment." in html
    assert "overdue" in html and overdue_on.isoformat() not in html
    assert 'data-testid="join-wait"' in html

    client.post(f"/lending/items/{wheelchair.pk}/action/", {"action": "wait"})
    html = _html(client, url)
    # The demo resident joined first: the neighbour is second.
    assert "You are number 2 on the wait list" in html
    mine = _html(client, "/lending/loans/")
    assert 'data-testid="my-waits"' in mine and "number 2" in mine
    assert f'href="/lending/items/{wheelchair.pk}/"' in mine.split('data-testid="my-waits"')[1]
    assert 'data-testid="join-wait"' not in html and 'data-testid="leave-wait"' in html
    entry = WaitEntry.objects.get(item=wheelchair, user=neighbour)
    client.post(f"/lending/waits/{entry.pk}/action/", {"action": "leave"})
    entry.refresh_from_db()
    assert entry.status == WaitStatus.LEFT
    assert 'data-testid="join-wait"' in _html(client, url)


def test_the_desk_sees_the_wait_list(demo, english, django_assert_max_num_queries):
    wheelchair = Item.objects.get(place=demo.nanguanfang, name="轮椅")
    client = english("volunteer")
    with django_assert_max_num_queries(40):
        desk = _html(client, "/lending/desk/")
    entry = WaitEntry.objects.get(item=wheelchair, status=WaitStatus.WAITING)
    waits = desk.split('data-testid="desk-waits"')[1]
    assert f'data-testid="wait-{entry.pk}"' in waits and "周桂兰" in waits
    item_page = _html(client, f"/lending/items/{wheelchair.pk}/")
    assert 'data-testid="wait-list"' in item_page and "周桂兰" in item_page
    assert "number 1" in item_page
    # Residents never see who else waits.
    assert english("resident").get("/lending/desk/").status_code == 404


# -- the API --------------------------------------------------------------------------------


def test_the_api_joins_lists_and_leaves_the_wait_list(demo, neighbour, client_for):
    wheelchair = Item.objects.get(place=demo.nanguanfang, name="轮椅")
    api = client_for("neighbour")
    joined = api.post(f"/api/v1/lending/items/{wheelchair.pk}/waitlist")
    assert joined.status_code == 201, joined.content
    body = joined.json()
    assert body["status"] == "waiting" and body["position"] == 2 and body["mine"] is True
    assert body["steps"] == ["leave"]
    again = api.post(f"/api/v1/lending/items/{wheelchair.pk}/waitlist")
    assert again.status_code == 409 and again.json()["code"] == "already_waiting"
    # The waiter sees only their own entry; the desk sees the whole queue.
    mine = api.get("/api/v1/lending/waits").json()["items"]
    assert [e["id"] for e in mine] == [body["id"]]
    desk = client_for("volunteer").get(f"/api/v1/lending/waits?item={wheelchair.pk}").json()
    assert [e["waiter"] for e in desk["items"]] == ["周桂兰", "王邻居"]
    assert client_for("doctor").get(f"/api/v1/lending/waits/{body['id']}").status_code == 404
    left = api.post(f"/api/v1/lending/waits/{body['id']}/leave")
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert api.post(f"/api/v1/lending/waits/{body['id']}/leave").status_code == 409


def test_the_api_refuses_to_wait_for_what_is_free(demo, neighbour, client_for):
    drums = Item.objects.get(place=demo.nanguanfang, name="腰鼓")
    answer = client_for("neighbour").post(f"/api/v1/lending/items/{drums.pk}/waitlist")
    assert answer.status_code == 409 and answer.json()["code"] == "available"
    staff = client_for("volunteer").post(f"/api/v1/lending/items/{drums.pk}/waitlist")
    assert staff.status_code == 403 and staff.json()["code"] == "not_resident"


def test_the_first_waiter_finds_the_unit_held_and_borrows_it_on_the_page(
    demo, english, django_capture_on_commit_callbacks
):
    wheelchair = Item.objects.get(place=demo.nanguanfang, name="轮椅")
    loan = Loan.objects.get(item=wheelchair, status=LoanStatus.OUT)
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_return(actor=demo.user("volunteer"), loan=loan)
    told = Notification.objects.get(user=demo.user("resident"), kind="lending.wait_offered")
    assert told.url == f"/lending/items/{wheelchair.pk}/"
    client = english("resident")
    html = _html(client, told.url)
    assert 'data-testid="held-for-you"' in html and 'data-testid="submit-request"' in html
    client.post(f"/lending/items/{wheelchair.pk}/action/", {"action": "request", "quantity": 1})
    entry = WaitEntry.objects.get(item=wheelchair, user=demo.user("resident"))
    assert entry.status == WaitStatus.BORROWED
    assert entry.loan.status == LoanStatus.REQUESTED
