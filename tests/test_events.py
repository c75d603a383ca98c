"""Events and registrations through the services: publishing tells the audience, a room is
booked (and refused when taken), registration by person and by household, a child only with
their guardian and the two always together, cancelling before the deadline, the wait list's
offers taken, declined or lapsing to the next in line, and the desk."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.bookings import services as booking_services
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.events import services
from linli.events.models import Event, EventStatus, Registration, RegistrationStatus
from linli.events.tasks import offers_expire_task
from linli.notices.models import Notice

from .events_helpers import compound, doors, make_event, make_person, register, user

pytestmark = pytest.mark.django_db
R = RegistrationStatus


@pytest.fixture
def people(demo):
    return [make_person(door) for door in doors(6)]


def test_publishing_tells_the_audience_with_a_notice_linking_the_event(demo):
    event = make_event(publish=False)
    assert event.status == EventStatus.DRAFT and not Notice.objects.filter(title=event.title)
    event = services.event_publish(actor=user("secretary"), event=event)
    notice = Notice.objects.get(title=event.title)
    assert notice.place == compound() and notice.url.endswith(f"/events/{event.pk}/")
    assert "南官房小区居民会客厅" in notice.body


def test_only_the_organisers_staff_create_events(demo):
    with pytest.raises(ForbiddenError):
        make_event(actor=user("resident"))
    with pytest.raises(ForbiddenError):
        make_event(actor=user("property"))


def test_an_event_in_a_room_books_it_and_a_taken_room_refuses_the_event(demo):
    room = booking_services.room_create(
        actor=user("secretary"), place=compound(), name="测试活动室", kind="recreation"
    )
    event = make_event(room=room, venue="")
    assert event.booking.room == room and event.booking.start == event.start
    with pytest.raises(ConflictError) as refused:
        make_event(room=room, venue="")
    assert refused.value.code == "slot_taken"
    assert Event.objects.filter(room=room).count() == 1
    services.event_cancel(actor=user("secretary"), event=event)
    event.booking.refresh_from_db()
    assert event.booking.status == "cancelled"


def test_registering_until_full_then_the_wait_list(people):
    event = make_event(capacity=2)
    first, second, third = (register(p, event) for p in people[:3])
    assert [first.status, second.status, third.status] == [R.REGISTERED, R.REGISTERED, R.WAITING]
    with pytest.raises(ConflictError) as twice:
        register(people[0], event)
    assert twice.value.code == "already_registered"


def test_registration_is_refused_outside_its_window_and_for_a_draft(people):
    now = timezone.now()
    draft = make_event(publish=False)
    with pytest.raises((ConflictError, ForbiddenError)):
        register(people[0], draft)
    later = make_event(registration_opens=now + timedelta(hours=5))
    with pytest.raises(ConflictError) as refused:
        register(people[0], later)
    assert refused.value.code == "registration_closed"


def test_a_resident_registers_their_household_but_not_a_neighbour(demo):
    door, other = doors(2)
    me = make_person(door)
    spouse = make_person(door, account=False, name="配偶")
    neighbour = make_person(other, account=False)
    event = make_event()
    registration = register(me, event, people=[me, spouse])
    assert registration.places == 2
    with pytest.raises(ConflictError) as refused:
        register(me, make_event(), people=[me, neighbour])
    assert refused.value.code == "not_household"


def test_outside_the_audience_is_refused(demo):
    from linli.places.models import Place

    elsewhere = Place.objects.filter(kind="compound").exclude(pk=compound().pk).first()
    event = make_event(audience=[elsewhere] if elsewhere else [compound()])
    if elsewhere is None:
        pytest.skip("the demo has one compound")
    person = make_person(doors(1)[0])
    with pytest.raises((ConflictError, ForbiddenError)):
        register(person, event)


def _children_event(capacity):
    return make_event(capacity=capacity, kind="visit", age_min=6, age_max=14, with_guardian=True)


def _family(door):
    parent = make_person(door, name="家长", birth=date(1985, 3, 1))
    child = make_person(
        door, name="孩子", birth=date(timezone.localdate().year - 9, 1, 1), account=False
    )
    return parent, child


def test_a_child_registers_only_with_a_guardian_and_they_count_as_two(demo):
    door = doors(1)[0]
    parent, child = _family(door)
    event = _children_event(capacity=5)
    with pytest.raises(ConflictError) as alone:
        register(parent, event, people=[child])
    assert alone.value.code == "guardian_required"
    with pytest.raises(ConflictError) as adult:
        register(parent, event, people=[parent])
    assert adult.value.code == "children_only"
    registration = register(parent, event, people=[parent, child])
    assert registration.places == 2 and registration.status == R.REGISTERED
    assert {p.resident.name: p.is_guardian for p in registration.people.all()} == {
        "家长": True,
        "孩子": False,
    }
    assert services.places_held(event) == 2


def test_a_child_and_guardian_wait_together_when_one_place_is_left(demo):
    d1, d2 = doors(2)
    single = make_person(d1)
    parent, child = _family(d2)
    event = _children_event(capacity=3)
    other_parent, other_child = _family(d1)
    register(other_parent, event, people=[other_parent, other_child])  # 2 of 3
    family = register(parent, event, people=[parent, child])
    assert family.status == R.WAITING and family.places == 2  # not one in and one waiting
    assert services.places_held(event) == 2
    # The freed places go to the waiting pair together.
    first = Registration.objects.get(event=event, status=R.REGISTERED)
    services.registration_cancel(actor=other_parent.user, registration=first)
    family.refresh_from_db()
    assert family.status == R.OFFERED and services.places_held(event) == 2
    del single


def test_cancelling_frees_the_place_and_offers_it_to_the_first_in_line(people):
    event = make_event(capacity=1, offer_hours=24)
    holder = register(people[0], event)
    waiting = [register(p, event) for p in people[1:4]]
    services.registration_cancel(actor=people[0].user, registration=holder)
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [R.OFFERED, R.WAITING, R.WAITING]
    offer = Registration.objects.get(pk=waiting[0].pk)
    assert timedelta(hours=23) < offer.offer_expires_at - timezone.now() <= timedelta(hours=24)
    services.registration_accept(actor=people[1].user, registration=offer)
    assert Registration.objects.get(pk=offer.pk).status == R.REGISTERED


def test_a_declined_offer_passes_to_the_next(people):
    event = make_event(capacity=1)
    holder = register(people[0], event)
    a, b = register(people[1], event), register(people[2], event)
    services.registration_cancel(actor=people[0].user, registration=holder)
    services.registration_decline(
        actor=people[1].user, registration=Registration.objects.get(pk=a.pk)
    )
    assert Registration.objects.get(pk=a.pk).status == R.DECLINED
    assert Registration.objects.get(pk=b.pk).status == R.OFFERED


def test_an_expired_offer_passes_to_the_next_person_on_the_wait_list(people):
    event = make_event(capacity=1, offer_hours=24)
    holder = register(people[0], event)
    a, b = register(people[1], event), register(people[2], event)
    services.registration_cancel(actor=people[0].user, registration=holder)
    assert Registration.objects.get(pk=a.pk).status == R.OFFERED
    # Not yet: the job leaves an open offer alone.
    assert services.offers_expire(now=timezone.now() + timedelta(hours=23)) == 0
    later = timezone.now() + timedelta(hours=25)
    assert services.offers_expire(now=later) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == R.EXPIRED and b.status == R.OFFERED
    assert b.offer_expires_at > later
    with pytest.raises(ConflictError) as lapsed:
        services.registration_accept(actor=people[1].user, registration=a)
    assert lapsed.value.code == "illegal_step"
    assert [e.actor for e in a.events.filter(kind="expired")] == [None]  # the system
    assert offers_expire_task.call() == 0  # the job, as SYSTEM: nothing more lapsed now


def test_a_lapsed_offer_cannot_be_taken_before_the_job_runs(people):
    event = make_event(capacity=1)
    holder = register(people[0], event)
    a = register(people[1], event)
    services.registration_cancel(actor=people[0].user, registration=holder)
    with pytest.raises(ConflictError) as late:
        services.registration_accept(
            actor=people[1].user,
            registration=Registration.objects.get(pk=a.pk),
            now=timezone.now() + timedelta(hours=30),
        )
    assert late.value.code == "offer_lapsed"


def test_cancelling_after_the_deadline_only_through_the_organiser(people):
    event = make_event(capacity=5)
    registration = register(people[0], event)
    after = event.cancel_until + timedelta(hours=1)
    with pytest.raises(ConflictError) as late:
        services.registration_cancel(actor=people[0].user, registration=registration, now=after)
    assert late.value.code == "cancel_deadline"
    services.registration_cancel(actor=user("secretary"), registration=registration, now=after)
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_someone_else_cannot_answer_an_offer_or_cancel(people):
    event = make_event(capacity=1)
    holder = register(people[0], event)
    with pytest.raises(ForbiddenError):
        services.registration_cancel(actor=people[1].user, registration=holder)
    with pytest.raises(ForbiddenError):
        services.registration_cancel(actor=user("property"), registration=holder)


def test_staff_register_a_resident_without_an_account_at_the_desk(demo):
    person = make_person(doors(1)[0], account=False, name="王奶奶")
    event = make_event(capacity=3)
    registration = services.registration_create(
        actor=user("community"), event=event, people=[person], desk=True
    )
    assert registration.at_desk and registration.contact == person
    assert registration.registered_by == user("community")
    with pytest.raises(ForbiddenError):
        services.registration_create(
            actor=user("property"), event=event, people=[person], desk=True
        )


def test_the_lifecycle_of_the_event(people):
    event = make_event(capacity=3)
    with pytest.raises(ConflictError) as early:
        services.event_mark_held(actor=user("secretary"), event=event)
    assert early.value.code == "not_started"
    event = services.event_mark_held(
        actor=user("secretary"), event=event, now=event.start + timedelta(minutes=5)
    )
    event = services.event_close(actor=user("secretary"), event=event)
    assert event.status == EventStatus.CLOSED
    with pytest.raises(ConflictError):
        services.event_cancel(actor=user("secretary"), event=event)


def test_a_wrong_event_form_is_refused(demo):
    with pytest.raises(ValidationError):
        make_event(audience=[])
    with pytest.raises(ValidationError):
        make_event(age_min=14, age_max=6)
    assert SYSTEM.has_perm("events.expire_offer")
