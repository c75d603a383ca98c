"""/api/v1/events: the list of what one can join, one event, registering a household and
the wait list, taking an offer, the organisers' registrations and steps, refusals with their
codes, and 404 for whoever may not see."""

import pytest

from linli.events import services
from linli.places.models import Place

from .events_helpers import doors, make_event, make_person, register

pytestmark = pytest.mark.django_db
API = "/api/v1/events"


def _client(client, person):
    client.force_login(person.user)
    return client


def test_list_register_wait_and_take_an_offer(client, demo):
    d1, d2 = doors(2)
    first = make_person(d1)
    me = make_person(d2)
    spouse = make_person(d2, account=False, name="配偶")
    event = make_event(capacity=2)
    register(first, event)
    c = _client(client, me)
    listed = c.get(API).json()["items"]
    row = next(e for e in listed if e["id"] == event.pk)
    assert row["registration_open"] and row["places_held"] == 1 and row["steps"] == []
    response = c.post(
        f"{API}/{event.pk}/registrations",
        {"people": [me.pk, spouse.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    mine = response.json()
    assert mine["status"] == "waiting" and mine["places"] == 2  # never one in, one waiting
    again = c.post(
        f"{API}/{event.pk}/registrations", {"people": [me.pk]}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_registered"
    # The first cancels: one place free, not enough for the pair.
    holder = event.registrations.get(contact=first)
    services.registration_cancel(actor=first.user, registration=holder)
    assert c.get(f"{API}/{event.pk}").json()["my_registration"] == mine["id"]
    assert c.get(f"{API}/mine").json()["items"][0]["status"] == "offered"
    taken = c.post(f"{API}/registrations/{mine['id']}/steps/accept")
    assert taken.status_code == 200 and taken.json()["status"] == "registered"


def test_a_neighbour_is_not_registered_from_another_household(client, demo):
    d1, d2 = doors(2)
    me, neighbour = make_person(d1), make_person(d2, account=False)
    event = make_event()
    response = _client(client, me).post(
        f"{API}/{event.pk}/registrations",
        {"people": [me.pk, neighbour.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_drafts_and_other_audiences_are_404_and_organisers_steps(client, client_for, demo):
    me = make_person(doors(1)[0])
    draft = make_event(publish=False)
    elsewhere = make_event(audience=[Place.objects.get(name="恒大社区")])
    c = _client(client, me)
    for event in (draft, elsewhere):
        assert c.get(f"{API}/{event.pk}").status_code == 404
        assert c.post(f"{API}/{event.pk}/steps/publish").status_code == 404
    public = make_event()
    assert c.get(f"{API}/{public.pk}/registrations").status_code == 404
    assert c.post(f"{API}/{public.pk}/steps/cancel").status_code == 403
    organiser = client_for("secretary")
    published = organiser.post(f"{API}/{draft.pk}/steps/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    early = organiser.post(f"{API}/{draft.pk}/steps/hold")
    assert early.status_code == 409 and early.json()["code"] == "not_started"
    register(me, public)
    rows = organiser.get(f"{API}/{public.pk}/registrations").json()["items"]
    assert [r["people"][0]["name"] for r in rows] == [me.name]
