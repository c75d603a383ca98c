"""Data for the tutoring tests: a university team at the demo compound with a tutoring shift
type in a room of its own (held by the system for the session, so that the demo's bookings
never clash), a programme around today, a session from half an hour ago to two hours ahead
with the demo volunteer (林小雨) assigned as its tutor, and children of the demo resident
(周桂兰) enrolled with consent."""

import io
import itertools
from datetime import date, timedelta

from django.utils import timezone
from PIL import Image

from linli.bookings import services as booking_services
from linli.core.actors import SYSTEM
from linli.tutoring import services
from linli.volunteers import services as volunteer_services
from linli.volunteers.models import Assignment

from .volunteers_helpers import compound, join, make_group, make_volunteer, secretary

_numbers = itertools.count(1)


def user(username):
    from linli.accounts.models import User

    return User.objects.get(username=username)


def make_programme(*, ratio=5, days_before=10, days_after=30, group=None):
    sec = secretary()
    group = group or make_group(kind="university_team", max_consecutive=5)
    room = booking_services.room_create(
        actor=sec, place=compound(), name=f"测试托管室{next(_numbers)}", kind="recreation"
    )
    shift_type = volunteer_services.shift_type_create(
        actor=sec, group=group, kind="tutoring", name="暑期托管", needed=1, room=room
    )
    today = timezone.localdate()
    return services.programme_create(
        actor=sec,
        group=group,
        shift_type=shift_type,
        name="测试暑期托管",
        starts_on=today - timedelta(days=days_before),
        ends_on=today + timedelta(days=days_after),
        ratio=ratio,
    )


def hold(programme, start, end):
    return booking_services.booking_hold(
        actor=SYSTEM, room=programme.room, start=start, end=end, purpose="tutoring"
    )


def make_session(programme, *, start=None, hours=2.5, tutor=True):
    start = start or (timezone.now().replace(microsecond=0) - timedelta(minutes=30))
    end = start + timedelta(hours=hours)
    hold(programme, start, end)
    session = services.session_create(actor=secretary(), programme=programme, start=start, end=end)
    if tutor:
        volunteer = make_volunteer(user=user("volunteer"), name="林小雨", skills=["tutoring"])
        if not volunteer.memberships.filter(group=programme.group).exists():
            join(volunteer, programme.group)
        # The demo has her on room duty some mornings: off those that overlap this session.
        Assignment.objects.filter(
            volunteer=volunteer, status="assigned", shift__start__lt=end, shift__end__gt=start
        ).update(status="cancelled")
        volunteer_services.shift_assign(
            actor=secretary(), shift=session.shift, volunteer=volunteer, now=start
        )
    return session


def enrol(programme, *, guardian=None, name=None, collectors=(), allergies="花生过敏"):
    guardian = guardian or user("resident")
    return services.child_enrol(
        actor=guardian,
        programme=programme,
        guardian=guardian,
        name=name or f"测试孩子{next(_numbers)}",
        birth_date=date(2017, 5, 1),
        allergies=allergies,
        medical_notes="哮喘，随身带喷雾",
        consent=True,
        consent_version=services.CONSENT_VERSION,
        collectors=list(collectors)
        or [{"name": "周奶奶", "relation": "grandparent", "phone": "13700001111"}],
    )


def attendance_of(session, child):
    return session.attendance.get(child=child)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()
