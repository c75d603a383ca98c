"""The last place of a shift under concurrency, on the database the tests run on (SQLite
file or PostgreSQL): volunteers signing up at the same moment, each in its own thread,
connection and real transaction, give exactly as many assignments as the shift needs."""

import threading

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.core.errors import ConflictError
from linli.volunteers import services
from linli.volunteers.models import Assignment, AssignmentStatus

from .volunteers_helpers import join, make_group, make_shift, make_type, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 10


def _run(shift, user_ids):
    barrier = threading.Barrier(len(user_ids))
    outcomes = []
    lock = threading.Lock()

    def sign_up(user_id):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=30)
            services.shift_sign_up(actor=user, shift=shift)
            outcome = ("ok", "")
        except ConflictError as exc:
            outcome = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=sign_up, args=(pk,)) for pk in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.fixture
def duty(demo_world_tx):
    group = make_group(name="并发测试小组")
    shift_type = make_type(group, needed=3)
    volunteers = []
    for _n in range(THREADS + 1):
        volunteer = make_volunteer()
        join(volunteer, group)
        volunteers.append(volunteer)
    return shift_type, volunteers


def test_two_volunteers_taking_the_last_place_give_one_assignment(duty):
    shift_type, volunteers = duty
    shift = make_shift(shift_type, needed=2)
    services.shift_sign_up(actor=volunteers[0].user, shift=shift)  # one place left
    outcomes = _run(shift, [v.user_id for v in volunteers[1:3]])
    assert sorted(code for code, _m in outcomes) == ["ok", "shift_full"], outcomes
    assert Assignment.objects.filter(shift=shift, status=AssignmentStatus.ASSIGNED).count() == 2


def test_ten_at_once_for_three_places(duty):
    shift_type, volunteers = duty
    shift = make_shift(shift_type, needed=3)
    outcomes = _run(shift, [v.user_id for v in volunteers[1:]])
    codes = [code for code, _m in outcomes]
    assert codes.count("ok") == 3 and codes.count("shift_full") == THREADS - 3, outcomes
    assert Assignment.objects.filter(shift=shift, status=AssignmentStatus.ASSIGNED).count() == 3
