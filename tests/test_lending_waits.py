"""A wait-list entry on the home page and on its own page (issue 14): the resident finds their
place on a wait list among their open matters and follows it to the entry's page — the
item, the place in line, the status in words, the timeline and the steps that are theirs;
the desk's workbench counts the wait lists only the desk can move on (an item that is not
being lent) and links to exactly those; whoever may not see an entry gets 404."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.roles import Role
from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.lending import services
from linli.lending.models import (
    Category,
    Condition,
    Loan,
    LoanStatus,
    WaitEntry,
    WaitStatus,
)
from linli.places.models import Place

from .test_home import counts

NEIGHBOUR_DOOR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/102"
THIRD_DOOR = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/201"

pytestmark = pytest.mark.django_db


def resident(demo, username, full_name, door):
    user = user_create(actor=SYSTEM, username=username, password=None, full_name=full_name)
    grant_create(actor=SYSTEM, user=user, role=Role.RESIDENT, place=demo.place(door))
    return user


@pytest.fixture
def neighbour(demo):
    return resident(demo, "neighbour", "王邻居", NEIGHBOUR_DOOR)


@pytest.fixture
def third(demo):
    return resident(demo, "third", "李三", THIRD_DOOR)


@pytest.fixture
def far_worker(demo):
    """The community worker of another community."""
    elsewhere = (
        Place.objects.filter(kind="community").exclude(pk=demo.zhandong.pk).order_by("path").first()
    )
    user = user_create(actor=SYSTEM, username="far-worker", password=None, full_name="郝远")
    grant_create(actor=SYSTEM, user=user, role=Role.COMMUNITY_WORKER, place=elsewhere)
    return user


@pytest.fixture
def drum(demo):
    """A new item of one unit, lent at the desk to someone named at the counter."""
    now = timezone.now()
    item = services.donation_record(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        name="测试鼓",
        quantity=1,
        category=Category.INSTRUMENTS,
        donor_name="王建国",
        donated_on=timezone.localdate() - timedelta(days=20),
        now=now - timedelta(days=20),
    ).item
    services.loan_lend(
        actor=demo.user("volunteer"), item=item, borrower_name="赵大爷", days=30, now=now
    )
    return item


def take_back(demo, item, **kwargs):
    loan = Loan.objects.get(item=item, status=LoanStatus.OUT)
    return services.loan_return(actor=demo.user("volunteer"), loan=loan, **kwargs)


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(ul|section|table|ol|article)>', page, re.S)
    assert match, testid
    return match.group(0)


def wait_rows(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-testid="wait-(\d+)"', page)}


# -- the resident ---------------------------------------------------------------------------


def test_the_resident_follows_their_wait_from_home_to_its_page(demo, drum, neighbour, english):
    entry = services.wait_join(actor=neighbour, item=drum)
    client = english("neighbour")

    home = section(html(client, "/"), "open-waits")
    assert "测试鼓" in home and "number 1" in home
    link = f"/lending/waits/{entry.pk}/"
    assert f'href="{link}"' in home

    page = html(client, link)
    assert "You are number 1 on the wait list" in section(page, "status-note")
    assert f'href="/lending/items/{drum.pk}/"' in page
    timeline = section(page, "timeline")
    assert "joined the wait list" in timeline
    steps = section(page, "steps")
    assert 'data-testid="wait-leave"' in steps and "Leave the wait list" in steps
    assert 'data-testid="wait-borrow"' not in steps and 'data-testid="wait-lend"' not in steps
    # a resident is not told who took each step, nor who else waits
    assert 'data-testid="waiter"' not in page

    # The drum comes back: it is held for the neighbour, who borrows it from the page.
    take_back(demo, drum)
    page = html(client, link)
    assert "is held for you until" in section(page, "status-note")
    assert "told a unit is held" in section(page, "timeline")
    assert "a unit is held until" in section(html(client, "/"), "open-waits")
    client.post(f"/lending/items/{drum.pk}/action/", {"action": "request", "quantity": 1})
    entry.refresh_from_db()
    assert entry.status == WaitStatus.BORROWED
    assert entry.loan.status == LoanStatus.REQUESTED and entry.loan.borrower_user == neighbour
    page = html(client, link)
    assert 'data-testid="steps"' not in page
    assert "borrowed the held unit" in section(page, "timeline")
    # borrowed, the entry is no longer an open matter
    assert 'data-testid="open-waits"' not in html(client, "/")


def test_the_resident_leaves_the_list_from_the_entrys_page(drum, neighbour, english):
    entry = services.wait_join(actor=neighbour, item=drum)
    client = english("neighbour")
    link = f"/lending/waits/{entry.pk}/"
    answer = client.post(
        f"/lending/waits/{entry.pk}/action/", {"action": "leave", "next": link}, follow=True
    )
    assert answer.redirect_chain[-1][0] == link
    entry.refresh_from_db()
    assert entry.status == WaitStatus.LEFT
    page = answer.content.decode()
    assert "Taken off the wait list." in section(page, "status-note")
    assert "left the wait list" in section(page, "timeline")
    assert 'data-testid="steps"' not in page


def test_my_loans_and_the_desk_link_to_the_entrys_page(demo, drum, neighbour, english):
    entry = services.wait_join(actor=neighbour, item=drum)
    link = f'href="/lending/waits/{entry.pk}/"'
    assert link in section(html(english("neighbour"), "/lending/loans/"), "my-waits")
    assert link in section(html(english("volunteer"), "/lending/desk/"), "desk-waits")
    assert link in section(html(english("volunteer"), f"/lending/items/{drum.pk}/"), "wait-list")


# -- the desk -------------------------------------------------------------------------------


def test_the_desk_sees_the_waiter_and_its_steps(demo, drum, neighbour, english):
    entry = services.wait_join(actor=neighbour, item=drum)
    take_back(demo, drum)
    page = html(english("volunteer"), f"/lending/waits/{entry.pk}/")
    assert "王邻居" in section(page, "waiter")
    assert "A unit is held for 王邻居 until" in section(page, "status-note")
    steps = section(page, "steps")
    assert "Lend it to 王邻居 now" in steps and "Take off the list" in steps
    # who took each step: the resident joined; the system held the unit
    timeline = section(page, "timeline")
    assert "王邻居" in timeline and "the system" in timeline
    # the district oversees the shelf but does not run it: no steps
    overseer = html(english("district"), f"/lending/waits/{entry.pk}/")
    assert 'data-testid="steps"' not in overseer and "王邻居" in overseer

    english("volunteer").post(
        f"/lending/items/{drum.pk}/action/",
        {"action": "lend", "quantity": 1, "borrower_username": "neighbour"},
    )
    entry.refresh_from_db()
    assert entry.status == WaitStatus.BORROWED and entry.loan.status == LoanStatus.OUT


def test_the_workbench_counts_the_wait_lists_only_the_desk_can_move(
    demo, drum, neighbour, third, english
):
    worker = english("volunteer")
    before, url = counts(html(worker, "/"))["waits-held-up"]
    assert url == "/lending/waits/held-up/"
    first = services.wait_join(actor=neighbour, item=drum)
    second = services.wait_join(actor=third, item=drum)
    # Waiting for an item being lent moves on by itself: not the desk's work.
    assert counts(html(worker, "/"))["waits-held-up"][0] == before

    # The drum comes back broken: nothing is held while it waits for repair.
    take_back(demo, drum, condition=Condition.NEEDS_REPAIR)
    first.refresh_from_db()
    assert first.status == WaitStatus.WAITING
    n, url = counts(html(worker, "/"))["waits-held-up"]
    assert n == before + 2
    listed = html(worker, url)
    rows = wait_rows(section(listed, "held-up"))
    assert {first.pk, second.pk} <= rows and len(rows) == n
    assert "not being lent" in listed
    # the demo resident waits for the wheelchair, which is being lent: not listed
    wheelchair_wait = WaitEntry.objects.get(item__name="轮椅", status=WaitStatus.WAITING)
    assert wheelchair_wait.pk not in rows
    page = html(worker, f"/lending/waits/{first.pk}/")
    assert 'data-testid="held-up"' in page and 'data-testid="wait-lend"' not in page

    # Mended, the drum is held for the first waiter and the wait lists move again.
    services.item_update(actor=demo.user("secretary"), item=drum, condition=Condition.GOOD)
    first.refresh_from_db()
    assert first.status == WaitStatus.OFFERED
    assert counts(html(worker, "/"))["waits-held-up"][0] == before
    assert not {first.pk, second.pk} & wait_rows(html(worker, url))


def test_only_the_desk_opens_the_held_up_list(english, client_for):
    assert english("resident").get("/lending/waits/held-up/").status_code == 404
    assert client_for("doctor").get("/lending/waits/held-up/").status_code == 404
    assert "waits-held-up" not in counts(html(english("doctor"), "/"))
    assert "waits-held-up" not in counts(html(english("district"), "/"))


# -- who may see an entry -------------------------------------------------------------------


def test_whoever_may_not_see_an_entry_gets_404(
    demo, drum, neighbour, third, far_worker, client_for
):
    entry = services.wait_join(actor=neighbour, item=drum)
    url = f"/lending/waits/{entry.pk}/"
    for outsider in ("third", "far-worker", "doctor", "property"):
        client = client_for(outsider)
        assert client.get(url).status_code == 404, outsider
        assert client.post(f"{url}action/", {"action": "leave"}).status_code == 404, outsider
    entry.refresh_from_db()
    assert entry.status == WaitStatus.WAITING
    assert client_for("community").get(url).status_code == 200
    assert client_for("neighbour").get("/lending/waits/999999/").status_code == 404


# -- cost -----------------------------------------------------------------------------------


def test_the_entrys_page_takes_a_bounded_number_of_queries(
    demo, drum, neighbour, third, english, django_assert_max_num_queries, settings
):
    settings.LINLI_LENDING_HOLD_HOURS = 1
    first = services.wait_join(actor=neighbour, item=drum)
    entry = services.wait_join(actor=third, item=drum)
    back = timezone.now()
    take_back(demo, drum, now=back)
    services.holds_expire(now=back + timedelta(hours=2))  # the hold passes to the third
    first.refresh_from_db()
    entry.refresh_from_db()
    assert first.status == WaitStatus.EXPIRED and entry.status == WaitStatus.OFFERED
    for username, pk in (("neighbour", first.pk), ("third", entry.pk), ("volunteer", entry.pk)):
        client = english(username)
        client.get("/")  # the session and the language are settled
        # the entry, the viewer's grants and the timeline with its actors; the rest is the
        # menu's and the header's, the same on every page
        with django_assert_max_num_queries(16):
            page = html(client, f"/lending/waits/{pk}/")
        shown = section(page, "timeline").count("<li")
        assert shown == WaitEntry.objects.get(pk=pk).events.count() >= 2
