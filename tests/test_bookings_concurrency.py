"""No double booking under concurrency, on the database the tests run on (SQLite file or
PostgreSQL): many requests for one room at the same moment, each in its own thread and
connection, each in its own real transaction."""

import threading
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.bookings import services
from linli.bookings.models import ACTIVE_STATUSES, Booking, Purpose, Room
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError
from linli.places.models import Place

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2031, 6, 2, 9, 0, tzinfo=SH)
CENTRE = "平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"
THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room_and_users(demo_world_tx):
    """A room without approval, and twenty volunteers on duty to book it."""
    compound = Place.objects.get(name_path="平城区/鹿苑街道/站东社区/南官房小区")
    room = services.room_create(
        actor=User.objects.get(username="secretary"),
        place=Place.objects.get(name_path=CENTRE),
        name="文体活动室",
        kind="recreation",
        opens=time(8),
        closes=time(21),
        max_hours=4,
        approval_required=False,
    )
    users = []
    for number in range(THREADS):
        user = User.objects.create(username=f"duty{number}")
        grant_create(actor=SYSTEM, user=user, role="volunteer", place=compound)
        users.append(user.pk)
    return room, users


def _run(room: Room, user_ids: list[int], slots: list[tuple[datetime, datetime]]):
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def book(user_id, start, end):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=30)
            services.booking_request(
                actor=user, room=room, start=start, end=end, purpose=Purpose.ACTIVITY, now=NOW
            )
            outcome = ("ok", "")
        except ConflictError as exc:
            outcome = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=book, args=(user_id, *slot))
        for user_id, slot in zip(user_ids, slots, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_twenty_requests_for_one_slot_give_one_booking(room_and_users):
    room, users = room_and_users
    start = datetime(2031, 6, 10, 14, 0, tzinfo=SH)
    end = datetime(2031, 6, 10, 16, 0, tzinfo=SH)
    outcomes = _run(room, users, [(start, end)] * THREADS)

    assert len(outcomes) == THREADS
    assert [code for code, _m in outcomes].count("ok") == 1, outcomes
    refusals = [message for code, message in outcomes if code == "slot_taken"]
    assert len(refusals) == THREADS - 1, outcomes
    for message in refusals:
        assert "already taken" in message
        assert "2031-06-10 14:00–16:00" in message
    assert Booking.objects.filter(room=room).count() == 1


def test_staggered_requests_never_overlap(room_and_users):
    """Twenty overlapping one-hour requests, each half an hour after the previous: whatever
    order they arrive in, the saved bookings never overlap."""
    room, users = room_and_users
    slots = []
    for number in range(THREADS):
        minutes = 8 * 60 + number * 30
        start = datetime(2031, 6, 10, minutes // 60, minutes % 60, tzinfo=SH)
        end = datetime(2031, 6, 10, minutes // 60 + 1, minutes % 60, tzinfo=SH)
        slots.append((start, end))
    outcomes = _run(room, users, slots)

    codes = [code for code, _m in outcomes]
    assert set(codes) <= {"ok", "slot_taken"}, outcomes
    saved = list(Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES).order_by("start"))
    # each booking blocks at most its two neighbours: at least a third get through
    assert len(saved) == codes.count("ok") >= THREADS // 3
    for earlier, later in zip(saved, saved[1:], strict=False):
        assert earlier.end <= later.start
