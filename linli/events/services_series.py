"""Series (a reading club, a calligraphy class): an event whose dated sessions are events of
their own (each at a place or in a booked room). Enrolment is the series' registration and
covers every session; the organisers record each enrolled person's attendance per session,
an excused absence is made up at a make-up session, and whoever attended every session (or
made up each excused absence) has completed the series."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.bookings import services as booking_services
from linli.bookings.models import Purpose
from linli.core.audit import audit_record
from linli.core.errors import ConflictError
from linli.core.lifecycle import check_perm, validated

from .models import (
    AttendanceStatus,
    Event,
    RegistrationPerson,
    RegistrationStatus,
    SessionAttendance,
)


@transaction.atomic
def series_session_add(
    *,
    actor,
    series: Event,
    start: datetime,
    end: datetime,
    room=None,
    venue: str = "",
    makeup: bool = False,
    now=None,
) -> Event:
    """A dated session of ``series`` (at the series' place unless another is given; a room is
    booked through the bookings). It shares the series' status and audience."""
    check_perm(actor, "events.manage_event", series)
    if series.series_id is not None:
        raise ValidationError({"series": _("A session cannot have sessions of its own.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    session = Event(
        series=series,
        is_makeup=makeup,
        place=series.place,
        organisation=series.organisation,
        title=series.title,
        kind=series.kind,
        venue=(venue or series.venue).strip(),
        room=room,
        start=start,
        end=end,
        capacity=series.capacity,
        age_min=series.age_min,
        age_max=series.age_max,
        with_guardian=series.with_guardian,
        registration_opens=series.registration_opens,
        registration_closes=max(series.registration_closes, series.registration_opens),
        cancel_until=series.cancel_until,
        status=series.status,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if session.registration_closes <= session.registration_opens:
        session.registration_closes = end
    validated(session)
    if room is not None:
        session.booking = booking_services.booking_request(
            actor=actor,
            room=room,
            start=start,
            end=end,
            purpose=Purpose.ACTIVITY,
            title=series.title,
            attendees=series.capacity,
            now=now,
        )
    session.save()
    session.audience.set(series.audience.all())
    audit_record(actor=actor, action="events.session.add", obj=session)
    return session


@transaction.atomic
def attendance_record(
    *, actor, session: Event, person: RegistrationPerson, status: str, makeup_for=None, now=None
) -> SessionAttendance:
    """Record (or correct) one enrolled person's attendance at a session, once it has begun."""
    now = now or timezone.now()
    if session.series_id is None:
        raise ValidationError({"session": _("Attendance is recorded for a series' sessions.")})
    check_perm(actor, "events.manage_event", session.series)
    if person.registration.event_id != session.series_id or (
        person.registration.status != RegistrationStatus.REGISTERED
    ):
        raise ConflictError(_("This person is not enrolled in the series."), code="not_enrolled")
    if now < session.start:
        raise ConflictError(_("The session has not begun yet."), code="not_started")
    if makeup_for is not None and (
        makeup_for.person_id != person.pk
        or makeup_for.status != AttendanceStatus.EXCUSED
        or status != AttendanceStatus.PRESENT
    ):
        raise ConflictError(
            _("A make-up session makes up an excused absence of the same person."),
            code="not_excused",
        )
    row, _created = SessionAttendance.objects.update_or_create(
        session=session,
        person=person,
        defaults={
            "status": status,
            "makeup_for": makeup_for,
            "recorded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(
        actor=actor, action="events.attendance.record", obj=session, details={"status": status}
    )
    return row


@dataclass
class Progress:
    person: RegistrationPerson
    present: int
    excused: int
    made_up: int
    absent: int
    sessions: int

    @property
    def complete(self) -> bool:
        """Every regular session attended, or excused and made up."""
        return (
            self.sessions > 0
            and self.present + self.excused == self.sessions
            and self.made_up >= self.excused
        )


def series_progress(*, series: Event) -> list[Progress]:
    """Each enrolled person's attendance of the series' regular sessions (make-ups counted
    against the excused absences they make up), in a fixed number of queries."""
    regular = [s.pk for s in series.sessions.all() if not _is_makeup(s)]
    people = list(
        RegistrationPerson.objects.filter(
            registration__event=series, registration__status=RegistrationStatus.REGISTERED
        ).select_related("resident", "registration")
    )
    rows = SessionAttendance.objects.filter(person__in=people).select_related("makeup_for")
    by_person: dict[int, list] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    out = []
    for person in people:
        mine = by_person.get(person.pk, [])
        on_regular = [r for r in mine if r.session_id in regular]
        out.append(
            Progress(
                person=person,
                present=sum(r.status == AttendanceStatus.PRESENT for r in on_regular),
                excused=sum(r.status == AttendanceStatus.EXCUSED for r in on_regular),
                made_up=sum(r.makeup_for_id is not None for r in mine),
                absent=sum(r.status == AttendanceStatus.ABSENT for r in on_regular),
                sessions=len(regular),
            )
        )
    return out


def _is_makeup(session: Event) -> bool:
    return session.is_makeup
