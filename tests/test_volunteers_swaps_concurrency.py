"""Two volunteers taking the same offer at the same moment, on the database the tests run on
(SQLite file or PostgreSQL), each in its own thread, connection and real transaction: one
takes it, the other is refused; the shift holds as many people as it needs."""

import threading

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.core.errors import ConflictError
from linli.volunteers import services, services_swaps
from linli.volunteers.models import Assignment, AssignmentStatus, SwapOffer, SwapStatus

from .volunteers_helpers import join, make_group, make_shift, make_type, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def _run(swap_id, user_ids):
    barrier = threading.Barrier(len(user_ids))
    outcomes = []
    lock = threading.Lock()

    def take(user_id):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            swap = SwapOffer.objects.get(pk=swap_id)
            barrier.wait(timeout=30)
            services_swaps.swap_take(actor=user, swap=swap)
            outcome = ("ok", "")
        except ConflictError as exc:
            outcome = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=take, args=(pk,)) for pk in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.parametrize("approval", [False, True])
def test_two_takers_at_once_give_one_taker(demo_world_tx, approval):
    group = make_group(name=f"并发换班小组{int(approval)}")
    if approval:
        type(group).objects.filter(pk=group.pk).update(swap_needs_approval=True)
    shift_type = make_type(group, needed=2)
    volunteers = [make_volunteer() for _n in range(4)]
    for volunteer in volunteers:
        join(volunteer, group)
    shift = make_shift(shift_type, needed=2)
    offered = services.shift_sign_up(actor=volunteers[0].user, shift=shift)
    services.shift_sign_up(actor=volunteers[1].user, shift=shift)  # the shift is full
    swap = services_swaps.swap_offer(actor=volunteers[0].user, assignment=offered)
    outcomes = _run(swap.pk, [v.user_id for v in volunteers[2:]])
    assert sorted(code for code, _m in outcomes) == ["illegal_step", "ok"], outcomes
    swap.refresh_from_db()
    assert swap.status == (SwapStatus.PENDING if approval else SwapStatus.DONE)
    active = Assignment.objects.filter(
        shift=shift, status__in=[AssignmentStatus.ASSIGNED, "on_duty", "served"]
    )
    assert active.count() == 2
    if not approval:
        assert swap.taker_id in {volunteers[2].pk, volunteers[3].pk}
        assert active.filter(volunteer=swap.taker).exists()
