"""Never more units out than exist under concurrency, on the database the tests run on
(SQLite file or PostgreSQL): many requests for the last unit of an item at the same moment,
each in its own thread and connection, each in its own real transaction."""

import threading

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError
from linli.lending import services
from linli.lending.models import ACTIVE_STATUSES, Donation, Item, Loan, LoanEvent, WaitEntry
from linli.places.models import Place

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
HOUSEHOLD = COMPOUND + "/6号楼/1单元/101"
THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wheelchairs(demo_world_tx):
    """Two wheelchairs, one of them already lent: one unit is left. (The demo world's shelf
    is emptied first; the database is emptied after each such test anyway.)"""
    LoanEvent.objects.all().delete()
    Loan.objects.all().delete()
    Donation.objects.all().delete()
    WaitEntry.objects.all().delete()  # the wait list of the demo shelf
    Item.objects.all().delete()
    compound = Place.objects.get(name_path=COMPOUND)
    item = services.donation_record(
        actor=User.objects.get(username="secretary"),
        place=compound,
        name="轮椅",
        category="mobility",
        quantity=2,
        donor_name="王建国",
    ).item
    services.loan_lend(
        actor=User.objects.get(username="volunteer"), item=item, borrower_name="李奶奶"
    )
    return item


def _users(role: str, place_name_path: str) -> list[int]:
    place = Place.objects.get(name_path=place_name_path)
    ids = []
    for number in range(THREADS):
        user = User.objects.create(username=f"{role}{number}", full_name=f"{role}{number}")
        grant_create(actor=SYSTEM, user=user, role=role, place=place)
        ids.append(user.pk)
    return ids


def _run(user_ids: list[int], act) -> list[tuple[str, str]]:
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def borrow(user_id):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=30)
            act(user)
            outcome = ("ok", "")
        except ConflictError as exc:
            outcome = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=borrow, args=(user_id,)) for user_id in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _check(item: Item, outcomes) -> None:
    assert len(outcomes) == THREADS
    assert [code for code, _m in outcomes].count("ok") == 1, outcomes
    refusals = [message for code, message in outcomes if code == "not_available"]
    assert len(refusals) == THREADS - 1, outcomes
    for message in refusals:
        assert message.startswith("All of “轮椅” are lent out")
    item.refresh_from_db()
    assert (item.quantity, item.units_out, item.available) == (2, 2, 0)
    assert Loan.objects.filter(item=item, status__in=ACTIVE_STATUSES).count() == 2


def test_twenty_volunteers_lending_the_last_unit_give_one_loan(wheelchairs):
    volunteers = _users("volunteer", COMPOUND)
    outcomes = _run(
        volunteers,
        lambda user: services.loan_lend(
            actor=user, item=wheelchairs, borrower_name=f"{user.username}的邻居"
        ),
    )
    _check(wheelchairs, outcomes)


def test_twenty_residents_asking_for_the_last_unit_give_one_request(wheelchairs):
    residents = _users("resident", HOUSEHOLD)
    outcomes = _run(residents, lambda user: services.loan_request(actor=user, item=wheelchairs))
    _check(wheelchairs, outcomes)
