"""The events' pages: the list of what a resident can join, the event page with register,
take or decline an offer and cancel, my registrations, the organiser's form, registrations
list and desk; 404 for a draft or an event outside one's audience; bounded queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.events import services
from linli.events.models import Event, Registration, RegistrationStatus
from linli.places.models import Place

from .events_helpers import compound, doors, make_event, make_person, register

pytestmark = pytest.mark.django_db


def _client(client, person):
    client.force_login(person.user)
    return client


def test_a_resident_sees_what_they_can_join_and_registers_their_household(client, demo):
    door = doors(1)[0]
    me = make_person(door)
    spouse = make_person(door, account=False, name="老伴")
    event = make_event(capacity=3)
    page = _client(client, me).get(reverse("events:event-list"))
    assert page.status_code == 200 and event.title in page.content.decode()
    detail = client.get(reverse("events:event-detail", args=[event.pk]))
    assert "老伴" in detail.content.decode()
    client.post(reverse("events:event-register", args=[event.pk]), {"people": [me.pk, spouse.pk]})
    registration = Registration.objects.get(event=event)
    assert registration.places == 2 and registration.status == RegistrationStatus.REGISTERED
    mine = client.get(reverse("events:registration-mine"))
    assert event.title in mine.content.decode()
    client.post(reverse("events:registration-step", args=[registration.pk]), {"step": "cancel"})
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED


def test_an_offer_is_taken_on_the_event_page(client, demo):
    first, second = (make_person(d) for d in doors(2))
    event = make_event(capacity=1)
    holder = register(first, event)
    waiting = register(second, event)
    services.registration_cancel(actor=first.user, registration=holder)
    page = _client(client, second).get(reverse("events:event-detail", args=[event.pk]))
    assert 'data-testid="accept"' in page.content.decode()
    client.post(reverse("events:registration-step", args=[waiting.pk]), {"step": "accept"})
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.REGISTERED


def test_a_draft_and_an_event_for_elsewhere_are_404(client, demo):
    me = make_person(doors(1)[0])
    draft = make_event(publish=False)
    elsewhere = make_event(audience=[Place.objects.get(name="恒大社区")])
    c = _client(client, me)
    for event in (draft, elsewhere):
        assert c.get(reverse("events:event-detail", args=[event.pk])).status_code == 404
        assert c.post(reverse("events:event-register", args=[event.pk])).status_code == 404
        assert c.get(reverse("events:event-registrations", args=[event.pk])).status_code == 404
    listed = c.get(reverse("events:event-list")).content.decode()
    assert draft.title not in listed and elsewhere.title not in listed


def test_someone_elses_registration_is_404(client, demo):
    a, b = (make_person(d) for d in doors(2))
    registration = register(a, make_event())
    response = _client(client, b).post(
        reverse("events:registration-step", args=[registration.pk]), {"step": "cancel"}
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.REGISTERED


def test_the_organiser_creates_publishes_and_registers_at_the_desk(client_for, demo):
    client = client_for("secretary")
    form = client.get(reverse("events:event-create"))
    assert form.status_code == 200
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("events:event-create"),
        {
            "title": "亲子读书会",
            "kind": "activity",
            "organiser": f"p{compound().pk}",
            "venue": "居民会客厅",
            "start": f"{day}T15:00",
            "end": f"{day}T16:30",
            "capacity": "4",
            "audience": [str(compound().pk)],
            "registration_opens": f"{timezone.localdate() - timedelta(days=1)}T08:00",
            "registration_closes": f"{day}T09:00",
            "offer_hours": "24",
        },
    )
    event = Event.objects.get(title="亲子读书会")
    assert response.status_code == 302 and event.status == "draft"
    client.post(reverse("events:event-step", args=[event.pk]), {"step": "publish"})
    assert Event.objects.get(pk=event.pk).status == "published"
    grandma = make_person(doors(1)[0], account=False, name="刘奶奶", birth=date(1948, 2, 2))
    found = client.get(reverse("events:event-registrations", args=[event.pk]), {"q": "刘奶奶"})
    assert "刘奶奶" in found.content.decode()
    client.post(reverse("events:event-desk", args=[event.pk]), {"people": [grandma.pk]})
    assert Registration.objects.get(event=event).at_desk


def test_property_staff_do_not_organise(client_for, demo):
    event = make_event()
    client = client_for("property")
    assert client.get(reverse("events:event-create")).status_code == 404
    assert client.get(reverse("events:event-registrations", args=[event.pk])).status_code == 404
    assert (
        client.post(reverse("events:event-step", args=[event.pk]), {"step": "cancel"}).status_code
        == 404
    )


def test_the_list_pages_queries_do_not_grow_with_events(
    client, demo, django_assert_max_num_queries
):
    people = [make_person(d) for d in doors(6)]
    me = people[0]
    for i in range(6):
        event = make_event(capacity=3)
        register(people[1 + i % 5], event)
        if i % 2:
            register(me, event)
    c = _client(client, me)
    with django_assert_max_num_queries(20):
        assert c.get(reverse("events:event-list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get(reverse("events:registration-mine")).status_code == 200


def test_the_organisers_calendar_feed_holds_what_the_user_may_see(client, demo):
    me = make_person(doors(1)[0])
    event = make_event()
    draft = make_event(publish=False)
    page = _client(client, me).get(reverse("events:event-detail", args=[event.pk]))
    url = page.context["feed_url"]
    client.logout()
    feed = client.get(url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert event.title in body and draft.title not in body
    assert client.get(url.replace(f"/p{compound().pk}.ics", "/p999999.ics")).status_code == 404
    assert client.get(url.replace("/events/feed/", "/events/feed/x")).status_code == 404


def test_the_organiser_raises_the_places_and_the_wait_list_moves(client_for, demo):
    a, b = (make_person(d) for d in doors(2))
    event = make_event(capacity=1)
    register(a, event)
    waiting = register(b, event)
    client = client_for("secretary")
    url = reverse("events:event-edit", args=[event.pk])
    assert client.get(url).status_code == 200
    closes = timezone.localtime(event.registration_closes).strftime("%Y-%m-%dT%H:%M")
    until = timezone.localtime(event.cancel_until).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "title": event.title,
            "venue": "新地点",
            "capacity": "2",
            "registration_closes": closes,
            "cancel_until": until,
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 2 and event.venue == "新地点"
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.OFFERED
    lower = client.post(
        url,
        {
            "title": event.title,
            "venue": "x",
            "capacity": "1",
            "registration_closes": closes,
            "cancel_until": until,
        },
    )
    assert lower.status_code == 200 and Event.objects.get(pk=event.pk).capacity == 2
    assert client_for("property").get(url).status_code == 404
