"""The hours ledger under concurrency, on the database the tests run on (SQLite file or
PostgreSQL): two coordinators confirming the same served assignment at the same moment (two
tabs, two people), each in its own thread, connection and real transaction, write one
ledger entry; the other is told the hours are already confirmed."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.core.errors import ConflictError
from linli.volunteers import services
from linli.volunteers.models import HoursEntry

from .volunteers_helpers import join, make_group, make_shift, make_type, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_coordinators_confirming_at_once_write_one_entry(demo_world_tx):
    secretary = User.objects.get(username="secretary")
    group = make_group(name="并发时长小组")
    shift_type = make_type(group, needed=1)
    volunteer = make_volunteer()
    join(volunteer, group)
    shift = make_shift(shift_type, day=-1)
    assignment = services.shift_assign(
        actor=secretary, shift=shift, volunteer=volunteer, now=shift.start
    )
    services.assignment_sign_in(
        actor=secretary, assignment=assignment, at=shift.start, now=shift.end
    )
    services.assignment_sign_out(
        actor=secretary, assignment=assignment, at=shift.end - timedelta(minutes=30), now=shift.end
    )
    coordinators = [secretary.pk, User.objects.get(username="community").pk]
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def confirm(user_id):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=30)
            services.assignment_confirm_hours(actor=user, assignment=assignment)
            outcome = "ok"
        except ConflictError as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=confirm, args=(pk,)) for pk in coordinators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["already_confirmed", "ok"], outcomes
    entries = HoursEntry.objects.filter(assignment=assignment)
    assert entries.count() == 1 and str(entries.get().hours) == "2.50"
