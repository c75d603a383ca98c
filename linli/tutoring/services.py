"""Every change of summer tutoring: a programme of a volunteer group in a room of the
bookings; its sessions, each refused without an active booking of the room covering it and
each given its own tutoring shift of the volunteers (whose assignments are the tutors);
enrolling a child with the guardian's separate consent (PIPL art. 31) and withdrawing it
(``core.lifecycle``: enrolled → withdrawn, erasing the child's sensitive data); the
authorised collectors and their photos (stored encrypted); the day's attendance as one
lifecycle (expected → dropped off → picked up, or absent) with the matching code — pick-up
needs the code and an authorised collector, and tells the guardian when someone else
collected; the tutors' log; and the claims of the jobs that flag a session below the ratio
and raise the alert for a child not collected. A refusal raises the project's error with a
code and changes nothing."""

import hmac
import math
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.bookings.models import ACTIVE_STATUSES, Booking
from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.crypto import decrypt_bytes, encrypt_bytes
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.images import photo_prepare
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.locking import lock_row
from linli.core.validators import normalise_mobile
from linli.volunteers import services as volunteer_services
from linli.volunteers.models import Assignment, AssignmentStatus, ShiftKind

from .models import (
    AttendanceEventKind,
    AttendanceStatus,
    ChildEventKind,
    ChildStatus,
    CollectorRelation,
    TutoringAttendance,
    TutoringAttendanceEvent,
    TutoringChild,
    TutoringChildEvent,
    TutoringCollector,
    TutoringConsent,
    TutoringLogEntry,
    TutoringProgramme,
    TutoringSession,
)
from .predicates import coordinates_programme, lives_in_area
from .tasks import pickup_notify_task

A = AttendanceStatus
# The text the guardian agrees to, separately from anything else (PIPL art. 31). A new
# wording gets a new version; the text as shown is kept with each consent.
CONSENT_VERSION = "2026-1"
CONSENT_TEXT = gettext_lazy(
    "I am the guardian of this child. I agree that the programme's coordinators and, while "
    "it runs, its tutors process my child's name, birth date, allergies and medical notes, "
    "and the names, phone numbers and photos of the people I authorise to collect my child, "
    "only to look after my child in this programme. The data is encrypted and every full "
    "view is recorded. I may withdraw this consent at any time: the enrolment then ends and "
    "my child's sensitive data is erased."
)
# Drop-off opens this long before a session starts.
DOOR_OPENS = timedelta(hours=1)
# A child still there this long after the session's end raises the alert.
UNCOLLECTED_AFTER = timedelta(minutes=15)
MAX_COLLECTORS = 6
MAX_RATIO = 30
CODE_DIGITS = 4


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def tutors_needed(children: int, ratio: int) -> int:
    return math.ceil(children / ratio) if children else 0


def below_ratio(*, children: int, tutors: int, ratio: int) -> bool:
    """One tutor for at most ``ratio`` children: fewer tutors than that is below the ratio."""
    return tutors < tutors_needed(children, ratio)


# -- the programme and its sessions ------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor,
    group,
    shift_type,
    name: str,
    starts_on: date,
    ends_on: date,
    ratio: int = 5,
    description: str = "",
) -> TutoringProgramme:
    """A programme of ``group`` on its tutoring shift type, held in the shift type's room."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        group,
        message=_("Only the group's coordinators may set up its tutoring."),
    )
    if shift_type.group_id != group.pk or shift_type.kind != ShiftKind.TUTORING:
        raise ValidationError({"shift_type": _("Choose a tutoring shift type of the group.")})
    if shift_type.room_id is None:
        raise ValidationError({"shift_type": _("The tutoring shifts need a room.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day must not be before the first.")})
    if not 1 <= int(ratio) <= MAX_RATIO:
        raise ValidationError(
            {"ratio": _("Between 1 and %(count)s children per tutor.") % {"count": MAX_RATIO}}
        )
    programme = TutoringProgramme(
        group=group,
        shift_type=shift_type,
        room=shift_type.room,
        name=(name or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        ratio=ratio,
        description=(description or "").strip(),
        created_by=user_or_none(actor),
    )
    validated(programme)
    programme.save()
    audit_record(actor=actor, action="tutoring.programme_create", obj=programme)
    return programme


def _covering_booking(programme: TutoringProgramme, start: datetime, end: datetime):
    return (
        Booking.objects.filter(
            room=programme.room, status__in=ACTIVE_STATUSES, start__lte=start, end__gte=end
        )
        .order_by("start", "id")
        .first()
    )


def _expected_rows(session: TutoringSession, children) -> None:
    TutoringAttendance.objects.bulk_create(
        [TutoringAttendance(session=session, child=child) for child in children],
        ignore_conflicts=True,
    )


@transaction.atomic
def session_create(
    *,
    actor,
    programme: TutoringProgramme,
    start: datetime,
    end: datetime,
    booking: Booking | None = None,
    needed: int | None = None,
) -> TutoringSession:
    """A session from ``start`` to ``end``: only on an active booking of the programme's room
    that covers it (``booking``, or the one found), within the programme's days. Its
    tutoring shift is made for the same time, needing enough tutors for the ratio; the
    enrolled children are expected."""
    check_perm(
        actor,
        "tutoring.manage_programme",
        programme,
        message=_("Only the group's coordinators may set up its tutoring."),
    )
    if end <= start:
        raise ValidationError({"end": _("A session ends after it starts.")})
    day = timezone.localdate(start)
    if not programme.starts_on <= day <= programme.ends_on:
        raise ValidationError({"start": _("The session is outside the programme's days.")})
    if booking is None:
        booking = _covering_booking(programme, start, end)
    elif not (
        booking.room_id == programme.room_id
        and booking.status in ACTIVE_STATUSES
        and booking.start <= start
        and booking.end >= end
    ):
        booking = None
    if booking is None:
        raise ConflictError(
            _("The %(room)s is not booked for this time: book it first (a weekly booking).")
            % {"room": programme.room.name},
            code="no_booking",
        )
    if TutoringSession.objects.filter(programme=programme, start__lt=end, end__gt=start).exists():
        raise ConflictError(
            _("The programme has a session at this time already."), code="session_exists"
        )
    children = list(programme.children.filter(status=ChildStatus.ENROLLED))
    if needed is None:
        needed = max(tutors_needed(len(children), programme.ratio), programme.shift_type.needed)
    shift = volunteer_services.shift_create(
        actor=actor,
        shift_type=programme.shift_type,
        start=start,
        end=end,
        needed=min(max(needed, 1), volunteer_services.MAX_NEEDED),
    )
    session = TutoringSession(
        programme=programme, booking=booking, shift=shift, start=start, end=end
    )
    validated(session)
    session.save()
    _expected_rows(session, children)
    audit_record(actor=actor, action="tutoring.session_create", obj=session)
    return session


def sessions_from_bookings(*, actor, programme: TutoringProgramme, series=None) -> int:
    """A session for every active booking of the programme's room within its days (of one
    weekly booking, ``series``) that has none yet; returns how many were made."""
    tz = timezone.get_default_timezone()
    first = datetime.combine(programme.starts_on, datetime.min.time(), tzinfo=tz)
    last = datetime.combine(programme.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    bookings = Booking.objects.filter(
        room=programme.room, status__in=ACTIVE_STATUSES, start__gte=first, start__lt=last
    ).exclude(tutoring_sessions__programme=programme)
    if series is not None:
        bookings = bookings.filter(series=series)
    made = 0
    for booking in bookings.order_by("start", "id")[:200]:
        session_create(
            actor=actor, programme=programme, start=booking.start, end=booking.end, booking=booking
        )
        made += 1
    return made


# -- enrolment and consent --------------------------------------------------------------------


def _clean_collector(row: dict) -> dict:
    name = (row.get("name") or "").strip()
    relation = row.get("relation") or ""
    if not name:
        raise ValidationError({"collectors": _("Give each collector's name.")})
    if relation not in CollectorRelation.values or relation == CollectorRelation.GUARDIAN:
        raise ValidationError({"collectors": _("Choose each collector's relation to the child.")})
    try:
        phone = normalise_mobile(row.get("phone") or "")
    except ValidationError as exc:
        raise ValidationError({"collectors": exc.messages}) from exc
    return {"name": name[:50], "relation": relation, "phone": phone}


def _guardian_collector(child: TutoringChild) -> TutoringCollector:
    guardian = child.guardian
    return TutoringCollector(
        child=child,
        name=(guardian.display_name or guardian.get_username())[:50],
        relation=CollectorRelation.GUARDIAN,
        phone=guardian.mobile or "",
        is_guardian=True,
    )


@transaction.atomic
def child_enrol(
    *,
    actor,
    programme: TutoringProgramme,
    guardian,
    name: str,
    birth_date: date,
    allergies: str = "",
    medical_notes: str = "",
    consent: bool = False,
    consent_version: str = "",
    collectors=(),
    now: datetime | None = None,
) -> TutoringChild:
    """The guardian enrols their child (or a coordinator at the desk, for a guardian who
    consents there). The consent for the child's data is separate and explicit; it is
    recorded with who gave it, when and the text's version. The guardian is the first
    authorised collector; ``collectors`` (name, relation, phone) are the others."""
    now = _now(now)
    check_perm(
        actor,
        "tutoring.enrol_child",
        programme,
        message=_("Only a guardian living where the group serves may enrol a child."),
    )
    if getattr(actor, "pk", None) != guardian.pk and not coordinates_programme.test(
        actor, programme
    ):
        raise ForbiddenError(_("You may enrol only your own child."), code="forbidden")
    if not lives_in_area.test(guardian, programme):
        raise ValidationError(
            {"guardian": _("The guardian must be a resident living where the group serves.")}
        )
    if programme.has_ended(timezone.localdate(now)):
        raise ConflictError(_("This programme is over."), code="programme_over")
    if not consent:
        raise ValidationError(
            {"consent": _("Enrolment needs your separate consent for your child's data.")}
        )
    if consent_version != CONSENT_VERSION:
        raise ValidationError(
            {"consent": _("The consent text has changed; read it again and agree.")}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the child's name.")})
    today = timezone.localdate(now)
    if birth_date is None or birth_date > today:
        raise ValidationError({"birth_date": _("Give the child's birth date.")})
    child = TutoringChild(programme=programme, guardian=guardian, name=name, birth_date=birth_date)
    age = child.age_on(programme.starts_on)
    if age is not None and age >= 18:
        raise ValidationError({"birth_date": _("The programme is for children under 18.")})
    rows = [_clean_collector(row) for row in collectors]
    if len(rows) + 1 > MAX_COLLECTORS:
        raise ValidationError(
            {"collectors": _("At most %(count)s collectors.") % {"count": MAX_COLLECTORS}}
        )
    if TutoringChild.objects.filter(
        programme=programme, guardian=guardian, name=name, status=ChildStatus.ENROLLED
    ).exists():
        raise ConflictError(
            _("%(name)s is enrolled in this programme already.") % {"name": name},
            code="already_enrolled",
        )
    child.allergies = (allergies or "").strip()[:2000]
    child.medical_notes = (medical_notes or "").strip()[:2000]
    child.created_by = user_or_none(actor)
    validated(child)
    child.save()
    consent_row = TutoringConsent(
        child=child,
        given_by=guardian,
        recorded_by=user_or_none(actor) if getattr(actor, "pk", None) != guardian.pk else None,
        given_at=now,
        version=CONSENT_VERSION,
        text=str(CONSENT_TEXT),
    )
    validated(consent_row)
    consent_row.save()
    people = [_guardian_collector(child)] + [TutoringCollector(child=child, **r) for r in rows]
    for person in people:
        validated(person, fields=["name", "relation"])
    TutoringCollector.objects.bulk_create(people)
    coming = TutoringSession.objects.filter(programme=programme, start__gt=now)
    TutoringAttendance.objects.bulk_create(
        [TutoringAttendance(session=s, child=child) for s in coming], ignore_conflicts=True
    )
    CHILD.record(
        obj=child,
        kind=ChildEventKind.ENROLLED,
        actor=actor,
        to_status=child.status,
        data={"consent_version": CONSENT_VERSION},
    )
    audit_record(
        actor=actor,
        action="tutoring.child_enrol",
        obj=child,
        details={"consent_version": CONSENT_VERSION},
    )
    return child


def _child_guard(name: str, child: TutoringChild, **context) -> None:
    if name == "withdraw" and child.attendance.filter(status=A.DROPPED_OFF).exists():
        raise ConflictError(
            _("%(name)s is in the hall now: withdraw after the pick-up.") % {"name": child.name},
            code="child_in_hall",
        )


CHILD = Lifecycle(
    name="tutoring.child",
    model=TutoringChild,
    event_model=TutoringChildEvent,
    subject="child",
    event_kinds=ChildEventKind,
    illegal_message=gettext_lazy("This enrolment is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy(
        "Only the guardian or the programme's coordinators may do this."
    ),
    select_related=("programme__group__place", "programme__room__place", "guardian"),
    guard=_child_guard,
    audit_prefix="tutoring.child",
    steps={
        "withdraw": Step(
            frozenset({ChildStatus.ENROLLED}), ChildStatus.WITHDRAWN, "tutoring.withdraw_child",
            ChildEventKind.WITHDRAWN, gettext_lazy("withdrawn"),
        ),
    },
)  # fmt: skip


@transaction.atomic
def child_withdraw(
    *, actor, child: TutoringChild, reason: str = "", now: datetime | None = None
) -> TutoringChild:
    """The guardian withdraws the consent (or a coordinator records it): the enrolment ends,
    the child's birth date, allergies and medical notes are erased, the collectors' phones
    and photos too (their names stay, for the attendance already kept), and the child is no
    longer expected at the coming sessions."""
    now = _now(now)

    def erase(row):
        row.birth_date = None
        row.allergies = ""
        row.medical_notes = ""
        row.erased_at = now

    child = CHILD.take(
        "withdraw", actor=actor, obj=child, note=(reason or "").strip()[:500], change=erase
    )
    photos = [c.photo.name for c in child.collectors.exclude(photo="")]
    child.collectors.update(phone="", photo="", photo_content_type="", is_active=False)
    child.consents.filter(withdrawn_at=None).update(
        withdrawn_at=now, withdrawn_by=user_or_none(actor)
    )
    child.attendance.filter(status=A.EXPECTED, session__start__gt=now).delete()
    storage = TutoringCollector._meta.get_field("photo").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in photos])
    return child


# -- collectors and their photos -----------------------------------------------------------


def _check_edit(actor, child: TutoringChild) -> None:
    check_perm(
        actor,
        "tutoring.edit_child",
        child,
        message=_("Only the guardian or the programme's coordinators may change this."),
    )
    if child.status != ChildStatus.ENROLLED:
        raise ConflictError(_("This enrolment has ended."), code="withdrawn")


@transaction.atomic
def collector_add(
    *, actor, child: TutoringChild, name: str, relation: str, phone: str, photo=None
) -> TutoringCollector:
    """Authorise one more person to collect the child (with their photo, optionally)."""
    child = (
        TutoringChild.objects.select_for_update(of=("self",))
        .select_related("programme__group__place", "programme__room__place", "guardian")
        .get(pk=child.pk)
    )
    _check_edit(actor, child)
    if child.collectors.filter(is_active=True).count() >= MAX_COLLECTORS:
        raise ConflictError(
            _("At most %(count)s collectors.") % {"count": MAX_COLLECTORS},
            code="too_many_collectors",
        )
    row = _clean_collector({"name": name, "relation": relation, "phone": phone})
    collector = TutoringCollector(child=child, **row)
    validated(collector)
    collector.save()
    if photo is not None:
        _photo_write(collector, photo_prepare(photo))
    audit_record(actor=actor, action="tutoring.collector_add", obj=collector)
    return collector


def _photo_write(collector: TutoringCollector, prepared: dict) -> None:
    """Store the cleaned image encrypted under a random name; the file is removed again if
    the transaction does not commit, the replaced one once it does."""
    old = collector.photo.name if collector.photo else ""
    storage = collector.photo.storage
    collector.photo.save(
        f"{secrets.token_hex(16)}.bin", ContentFile(encrypt_bytes(prepared["data"])), save=False
    )
    stored = collector.photo.name
    collector.photo_content_type = prepared["content_type"]
    try:
        collector.save(update_fields=["photo", "photo_content_type"])
    except BaseException:
        storage.delete(stored)
        raise
    if old:
        transaction.on_commit(lambda: storage.delete(old))


def collector_photo_set(*, actor, collector: TutoringCollector, upload) -> TutoringCollector:
    """The collector's photo (shown at the door to recognise them): cleaned of metadata,
    stored encrypted at rest, replacing the previous one."""
    _check_edit(actor, collector.child)
    prepared = photo_prepare(upload)  # decoded outside the transaction
    with transaction.atomic():
        locked = (
            TutoringCollector.objects.select_for_update(of=("self",))
            .select_related("child__programme__group__place", "child__programme__room__place")
            .get(pk=collector.pk)
        )
        _check_edit(actor, locked.child)
        if not locked.is_active:
            raise ConflictError(_("This collector is no longer authorised."), code="inactive")
        _photo_write(locked, prepared)
        audit_record(actor=actor, action="tutoring.collector_photo", obj=locked)
    return locked


def collector_photo_read(*, actor, collector: TutoringCollector, request=None) -> bytes:
    """The decrypted photo, for a reader allowed to see the child; every view is audited."""
    check_perm(
        actor, "tutoring.view_child", collector.child, message=_("This is not yours to see.")
    )
    if not collector.photo:
        raise ConflictError(_("No photo."), code="no_photo")
    with collector.photo.open("rb") as stored:
        data = decrypt_bytes(stored.read())
    audit_record(
        actor=actor,
        action="tutoring.collector_photo_view",
        obj=collector.child,
        request=request,
        details={"collector": collector.pk},
    )
    return data


@transaction.atomic
def collector_remove(*, actor, collector: TutoringCollector) -> TutoringCollector:
    """The person may no longer collect the child (the guardian always may)."""
    _check_edit(actor, collector.child)
    if collector.is_guardian:
        raise ConflictError(_("The guardian always may collect the child."), code="guardian")
    photo = collector.photo.name if collector.photo else ""
    TutoringCollector.objects.filter(pk=collector.pk).update(
        is_active=False, phone="", photo="", photo_content_type=""
    )
    storage = collector.photo.storage
    transaction.on_commit(lambda: photo and storage.delete(photo))
    audit_record(actor=actor, action="tutoring.collector_remove", obj=collector)
    collector.refresh_from_db()
    return collector


def child_reveal(*, actor, child: TutoringChild, request=None) -> TutoringChild:
    """A full view of the child's allergies, medical notes and collectors' phone numbers: for
    whoever may see the child, and audited."""
    check_perm(actor, "tutoring.view_child", child, message=_("This is not yours to see."))
    audit_record(actor=actor, action="tutoring.child.reveal", obj=child, request=request)
    return child


# -- attendance: drop-off and pick-up --------------------------------------------------------


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _attendance_guard(
    name: str, attendance: TutoringAttendance, *, now=None, code=None, collector=None, **context
) -> None:
    now = _now(now)
    session = attendance.session
    if now < session.start - DOOR_OPENS:
        raise ConflictError(_("The session has not begun yet."), code="not_yet")
    if name == "drop_off" and now > session.end:
        raise ConflictError(_("The session is over."), code="session_over")
    if name == "drop_off" and attendance.child.status != ChildStatus.ENROLLED:
        raise ConflictError(_("This enrolment has ended."), code="withdrawn")
    if name == "pick_up" and "checking" in context:
        if (
            collector is None
            or collector.child_id != attendance.child_id
            or not collector.is_active
        ):
            raise ConflictError(
                _("This person is not authorised to collect %(name)s. Call the guardian.")
                % {"name": attendance.child.name},
                code="collector_not_authorised",
            )
        if not code or not hmac.compare_digest(str(code).strip(), attendance.code or "-"):
            raise ConflictError(
                _("The code does not match %(name)s's code of today.")
                % {"name": attendance.child.name},
                code="wrong_code",
            )


ATTENDANCE = Lifecycle(
    name="tutoring.attendance",
    model=TutoringAttendance,
    event_model=TutoringAttendanceEvent,
    subject="attendance",
    event_kinds=AttendanceEventKind,
    illegal_message=gettext_lazy("This child is %(status)s; they cannot be %(step)s now."),
    forbidden_message=gettext_lazy("Only the session's tutors and coordinators may do this."),
    lock=lambda obj: lock_row(
        TutoringAttendance,
        obj.pk,
        select_related=("session__programme__group__place", "session__programme__room__place",
                        "child__guardian"),
    ),
    guard=_attendance_guard,
    notify_task=pickup_notify_task,
    notify=frozenset({AttendanceEventKind.PICKED_UP}),
    audit_prefix="tutoring.attendance",
    steps={
        "drop_off": Step(
            frozenset({A.EXPECTED}), A.DROPPED_OFF, "tutoring.work_door",
            AttendanceEventKind.DROPPED_OFF, gettext_lazy("dropped off"),
        ),
        "pick_up": Step(
            frozenset({A.DROPPED_OFF}), A.PICKED_UP, "tutoring.work_door",
            AttendanceEventKind.PICKED_UP, gettext_lazy("picked up"),
        ),
        "mark_absent": Step(
            frozenset({A.EXPECTED}), A.ABSENT, "tutoring.work_door",
            AttendanceEventKind.ABSENT, gettext_lazy("marked absent"),
        ),
    },
)  # fmt: skip


def attendance_steps(*, user, attendance: TutoringAttendance, now=None) -> list[str]:
    return ATTENDANCE.allowed(user=user, obj=attendance, now=now)


@transaction.atomic
def attendance_drop_off(
    *, actor, attendance: TutoringAttendance, now: datetime | None = None
) -> TutoringAttendance:
    """The child arrives: a new matching code for the guardian's page and the child's badge."""
    now = _now(now)
    code = new_code()

    def change(row):
        row.code = code
        row.dropped_off_at = now
        row.dropped_off_by = user_or_none(actor)

    return ATTENDANCE.take(
        "drop_off", actor=actor, obj=attendance, change=change, context={"now": now}
    )


@transaction.atomic
def attendance_pick_up(
    *,
    actor,
    attendance: TutoringAttendance,
    code: str,
    collector: TutoringCollector | None,
    now: datetime | None = None,
) -> TutoringAttendance:
    """The child goes home: only with the day's matching code and with a person on the
    child's list of authorised collectors; anything else is refused and nothing changes.
    When the collector is not the guardian, the guardian is told (after commit)."""
    now = _now(now)

    def change(row):
        row.picked_up_at = now
        row.picked_up_by = user_or_none(actor)
        row.collector = collector

    return ATTENDANCE.take(
        "pick_up",
        actor=actor,
        obj=attendance,
        change=change,
        data={"collector": collector.pk if collector else None},
        context={"now": now, "code": code, "collector": collector, "checking": True},
    )


@transaction.atomic
def attendance_mark_absent(
    *, actor, attendance: TutoringAttendance, note: str = "", now: datetime | None = None
) -> TutoringAttendance:
    return ATTENDANCE.take(
        "mark_absent",
        actor=actor,
        obj=attendance,
        note=(note or "").strip()[:500],
        context={"now": _now(now)},
    )


def call_list(attendance: TutoringAttendance) -> list[TutoringCollector]:
    """Whom to call for a child not collected: the guardian first, then the collectors."""
    return [c for c in attendance.child.collectors.all() if c.is_active]


def call_list_reveal(*, actor, attendance: TutoringAttendance, request=None) -> None:
    """The call list shows whole phone numbers: for the session's people only, audited."""
    check_perm(
        actor, "tutoring.view_session", attendance.session, message=_("This is not yours to see.")
    )
    audit_record(
        actor=actor,
        action="tutoring.call_list",
        obj=attendance.child,
        request=request,
        details={"attendance": attendance.pk},
    )


# -- the log --------------------------------------------------------------------------------


@transaction.atomic
def log_write(*, actor, session: TutoringSession, text: str) -> TutoringLogEntry:
    """A tutor's (or coordinator's) note on the session."""
    check_perm(
        actor,
        "tutoring.write_log",
        session,
        message=_("Only the session's tutors and coordinators write its log."),
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    entry = TutoringLogEntry(session=session, author=user_or_none(actor), text=text[:4000])
    validated(entry)
    entry.save()
    audit_record(actor=actor, action="tutoring.log_write", obj=session)
    return entry


# -- the jobs' claims ---------------------------------------------------------------------------


def session_counts(session: TutoringSession) -> tuple[int, int]:
    """(children expected or there, tutors assigned) of a session."""
    children = session.attendance.exclude(status=A.ABSENT).count()
    tutors = Assignment.objects.filter(
        shift_id=session.shift_id, status=AssignmentStatus.ASSIGNED
    ).count()
    return children, tutors


@transaction.atomic
def session_ratio_claim(*, actor, session: TutoringSession, now: datetime | None = None) -> bool:
    """The ratio job claims a session below the ratio, once: True when this call claimed it
    (the coordinators are to be told)."""
    check_perm(actor, "tutoring.notify_ratio", session)
    session = (
        TutoringSession.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=session.pk)
    )
    children, tutors = session_counts(session)
    if session.ratio_notified_at is not None or not below_ratio(
        children=children, tutors=tutors, ratio=session.programme.ratio
    ):
        return False
    TutoringSession.objects.filter(pk=session.pk).update(ratio_notified_at=_now(now))
    return True


@transaction.atomic
def attendance_alert_claim(
    *, actor, attendance: TutoringAttendance, now: datetime | None = None
) -> bool:
    """The alert job claims a child still dropped off 15 minutes after the session's end,
    once, and writes it on the child's timeline of the day."""
    check_perm(actor, "tutoring.alert_uncollected", attendance)
    now = _now(now)
    row = lock_row(TutoringAttendance, attendance.pk, select_related=("session",))
    if (
        row.status != A.DROPPED_OFF
        or row.alert_raised_at is not None
        or now < row.session.end + UNCOLLECTED_AFTER
    ):
        return False
    TutoringAttendance.objects.filter(pk=row.pk).update(alert_raised_at=now)
    ATTENDANCE.record(obj=row, kind=AttendanceEventKind.ALERT, actor=actor, to_status=row.status)
    return True
