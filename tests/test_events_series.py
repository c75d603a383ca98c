"""Series: dated sessions of one event; enrolment in the series covers them all (a session
takes no registration of its own); attendance per session with excused absences made up at
a make-up session; the printable certificate for whoever completed it (404 otherwise); the
series' calendar feed; the organisers' attendance page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from linli.core.errors import ConflictError
from linli.events import services, services_series
from linli.events.models import RegistrationPerson

from .events_helpers import doors, make_event, make_person, register, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(demo):
    series = make_event(capacity=5, title="书法公益课", kind="class")
    sessions = [
        services_series.series_session_add(
            actor=user("secretary"),
            series=series,
            start=series.start + timedelta(days=7 * i),
            end=series.start + timedelta(days=7 * i, hours=2),
        )
        for i in range(3)
    ]
    return series, sessions


def _at(session):
    return session.start + timedelta(minutes=10)


def test_enrolment_covers_the_series_and_a_session_takes_none(club):
    series, sessions = club
    person = make_person(doors(1)[0])
    assert register(person, series).status == "registered"
    with pytest.raises(ConflictError) as refused:
        register(make_person(doors(2)[1]), sessions[0])
    assert refused.value.code == "series_session"
    assert all(s.status == "published" for s in sessions)


def test_an_excused_absence_made_up_completes_the_series_an_absence_does_not(club, client):
    series, sessions = club
    a, b = make_person(doors(1)[0]), make_person(doors(2)[1])
    register(a, series)
    register(b, series)
    pa, pb = (RegistrationPerson.objects.get(resident=p) for p in (a, b))
    sec = user("secretary")
    for session, status_a, status_b in zip(
        sessions, ("present", "present", "excused"), ("present", "absent", "present"), strict=True
    ):
        services_series.attendance_record(
            actor=sec, session=session, person=pa, status=status_a, now=_at(session)
        )
        services_series.attendance_record(
            actor=sec, session=session, person=pb, status=status_b, now=_at(session)
        )
    progress = {p.person.pk: p for p in services_series.series_progress(series=series)}
    assert not progress[pa.pk].complete and not progress[pb.pk].complete
    makeup = services_series.series_session_add(
        actor=sec,
        series=series,
        start=sessions[-1].start + timedelta(days=2),
        end=sessions[-1].start + timedelta(days=2, hours=2),
        makeup=True,
    )
    excused = pa.attendance.get(status="excused")
    services_series.attendance_record(
        actor=sec, session=makeup, person=pa, status="present", makeup_for=excused, now=_at(makeup)
    )
    progress = {p.person.pk: p for p in services_series.series_progress(series=series)}
    assert progress[pa.pk].complete and progress[pa.pk].sessions == 3
    assert not progress[pb.pk].complete
    with pytest.raises(ConflictError) as wrong:
        services_series.attendance_record(
            actor=sec,
            session=makeup,
            person=pb,
            status="present",
            makeup_for=pb.attendance.get(status="absent"),
            now=_at(makeup),
        )
    assert wrong.value.code == "not_excused"
    client.force_login(a.user)
    page = client.get(reverse("events:series-certificate", args=[series.pk, pa.pk]))
    assert page.status_code == 200 and a.name in page.content.decode()
    assert "certificate-print.css" in page.content.decode()
    assert (
        client.get(reverse("events:series-certificate", args=[series.pk, pb.pk])).status_code == 404
    )
    client.force_login(b.user)
    assert (
        client.get(reverse("events:series-certificate", args=[series.pk, pa.pk])).status_code == 404
    )


def test_attendance_only_for_the_enrolled_and_once_begun(club):
    series, sessions = club
    person = make_person(doors(1)[0])
    registration = register(person, series)
    row = RegistrationPerson.objects.get(registration=registration)
    with pytest.raises(ConflictError) as early:
        services_series.attendance_record(
            actor=user("secretary"), session=sessions[0], person=row, status="present"
        )
    assert early.value.code == "not_started"
    services.registration_cancel(actor=person.user, registration=registration)
    with pytest.raises(ConflictError) as gone:
        services_series.attendance_record(
            actor=user("secretary"),
            session=sessions[0],
            person=RegistrationPerson.objects.get(pk=row.pk),
            status="present",
            now=_at(sessions[0]),
        )
    assert gone.value.code == "not_enrolled"


def test_the_series_page_feed_and_attendance_page(club, client, client_for):
    series, sessions = club
    person = make_person(doors(1)[0])
    register(person, series)
    client.force_login(person.user)
    page = client.get(reverse("events:event-detail", args=[series.pk]))
    assert page.content.decode().count('data-testid="session"') == 3
    from linli.events import ical

    url = ical.series_feed_url(person.user, series)
    client.logout()
    body = client.get(url).content.decode()
    assert body.count("BEGIN:VEVENT") == 3
    organiser = client_for("secretary")
    attendance = reverse("events:session-attendance", args=[series.pk, sessions[0].pk])
    assert organiser.get(attendance).status_code == 200
    assert client_for("property").get(attendance).status_code == 404
    # Sessions are not listed on their own.
    listed = organiser.get(reverse("events:event-list")).content.decode()
    assert listed.count("书法公益课") == 1
