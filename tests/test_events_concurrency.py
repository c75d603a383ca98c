"""The last places of an event under concurrency, on the database the tests run on (SQLite
file or PostgreSQL): twenty residents registering at the same moment, each in its own thread,
connection and real transaction, for the last two places give two registrations and eighteen
wait-list entries; the held places never exceed the capacity."""

import threading

import pytest
from django.db import connections
from django.utils import translation

from linli.accounts.models import User
from linli.events import services
from linli.events.models import Event, Registration, RegistrationStatus
from linli.residents.models import Resident

from .events_helpers import doors, make_event, make_person, register

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def _run(event_id, user_ids):
    barrier = threading.Barrier(len(user_ids))
    outcomes = []
    lock = threading.Lock()

    def sign_up(user_id):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_id)
            resident = Resident.objects.get(user=user)
            event = Event.objects.get(pk=event_id)
            barrier.wait(timeout=30)
            registration = services.registration_create(actor=user, event=event, people=[resident])
            outcome = registration.status
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = f"error {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=sign_up, args=(pk,)) for pk in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return outcomes


def test_twenty_at_once_for_the_last_two_places(demo_world_tx):
    door_list = doors(THREADS + 3)
    event = make_event(capacity=5)
    for door in door_list[:3]:
        register(make_person(door), event)  # three of five taken: two places left
    people = [make_person(door) for door in door_list[3 : 3 + THREADS]]
    outcomes = _run(event.pk, [p.user_id for p in people])
    assert sorted(outcomes) == sorted(["registered"] * 2 + ["waiting"] * 18), outcomes
    rows = Registration.objects.filter(event=event)
    assert rows.filter(status=RegistrationStatus.REGISTERED).count() == 5
    assert rows.filter(status=RegistrationStatus.WAITING).count() == 18
    assert services.places_held(event) == event.capacity
