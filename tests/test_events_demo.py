"""The events demo: the seed's events held by their real organisers on their dates, the
museum visit's wait list that moved, and an upcoming reading club residents can join."""

import pytest

from linli.events.models import Event, EventStatus, RegistrationStatus

pytestmark = pytest.mark.django_db


def test_the_seed_events_are_held_by_their_organisers(demo):
    held = {e.title: e for e in Event.objects.filter(status=EventStatus.HELD)}
    museum = held["走进大同红色记忆馆：家庭文明建设活动"]
    assert museum.organiser_name == "平城区妇女联合会" and museum.start.year == 2026
    assert held["垃圾分类进社区：绿色环保入人心"].organiser_name == "平城区城市管理局"
    assert held["文明旅游宣传活动"].venue == "御西高速口"
    assert {e.organiser_name for e in held.values()} >= {"翠泰花园社区", "工农路社区", "恒大社区"}


def test_the_museum_visits_wait_list_moved(demo):
    museum = Event.objects.get(title="走进大同红色记忆馆：家庭文明建设活动")
    statuses = sorted(museum.registrations.values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.REGISTERED) == 5
    assert RegistrationStatus.CANCELLED in statuses and RegistrationStatus.EXPIRED in statuses
    kinds = set(museum.registrations.values_list("events__kind", flat=True))
    assert {"waitlisted", "offered", "expired", "accepted"} <= kinds
    for registration in museum.registrations.prefetch_related("people"):
        assert registration.places == 2 == len(registration.people.all())


def test_an_upcoming_reading_club_is_open(demo):
    club = Event.objects.get(title="南官房小区读书会", series__isnull=True)
    assert club.status == EventStatus.PUBLISHED
    assert club.sessions.filter(status=EventStatus.PUBLISHED).count() == 4
    assert club.registrations.filter(contact__user__username="resident").exists()
