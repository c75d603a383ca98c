"""Every change of the free clinics (义诊): a partner organisation (a TCM clinic, an eye or
dental station) plans a clinic at a place with registration slots; residents register, the
clinic's people enter each person's readings and advice on the day, mark no-shows and close
it. Readings go through ``services.reading_record`` so that an abnormal finding at a clinic
raises a follow-up and an urgent one an alert, as anywhere else.

Two lifecycles: the clinic's (``CLINIC``: planned → held) and each registration's
(``REGISTRATION``: registered → seen / did not come / cancelled, and registered again after
cancelling). Every step writes one timeline event (``ClinicLogEntry``, ``RegistrationEvent``);
the audit log keeps its record of who did what, as for every write of health data.

Who does what (named in ``rules``):

- *Runners* of a clinic (``health.run_clinic``): clinic staff whose grant covers the clinic's
  place, and the members of the organisation that runs it. They create it, register people,
  enter visits, mark no-shows and close it.
- A resident registers themself with their own health help card and may cancel before their
  slot (``health.register_at_clinic``). A resident without a card is refused with a message
  sending them to the clinic station: a card holds sensitive data and is made by clinic staff
  or a community worker (``services.card_create``), not as a side effect of a registration.

Never more people in a slot than it holds, also under concurrency: a registration locks the
clinic's row (``core.locking.lock_row``) and counts the slot's registrations under the lock.
Lock order is always the clinic, then the registration."""

from collections import Counter
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, LinliError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.locking import lock_row
from linli.places.models import Place, PlaceKind
from linli.residents.models import ResidentStatus

from . import services
from .models import (
    ClinicEvent,
    ClinicLogEntry,
    ClinicLogKind,
    ClinicStatus,
    HealthCard,
    ReadingKind,
    Registration,
    RegistrationEvent,
    RegistrationEventKind,
    RegistrationStatus,
    Source,
    Specialty,
)
from .selectors_clinics import clinic_slot_starts, taken_by_slot

# A clinic is held at a community, a compound or one of its buildings (the venue says where
# exactly: "党支部服务中心·义诊站").
CLINIC_PLACE_KINDS = frozenset({PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING})
# A clinic lasts at most a day; slots are at least 5 minutes (the model's validator).
MAX_HOURS = 12
READING_VALUES = {
    ReadingKind.BLOOD_PRESSURE: ("systolic", "diastolic", "pulse"),
    ReadingKind.GLUCOSE: ("glucose", "glucose_timing"),
    ReadingKind.WEIGHT: ("weight_kg",),
    ReadingKind.HEIGHT: ("height_cm",),
}
RUN = "health.run_clinic"
REGISTER = "health.register_at_clinic"
RUNNERS_ONLY = gettext_lazy("Only the clinic's staff or the organisation running it may do this.")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _lock_clinic(event) -> ClinicEvent:
    return lock_row(ClinicEvent, event.pk, select_related=("place", "organisation"))


def _lock_registration(registration) -> Registration:
    """The registration under a lock, its clinic locked first (the lock order)."""
    event = lock_row(ClinicEvent, registration.event_id, select_related=("place", "organisation"))
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("card__resident", "card__place")
        .get(pk=registration.pk)
    )
    registration.event = event
    return registration


def _require_planned(event: ClinicEvent) -> None:
    if event.status != ClinicStatus.PLANNED:
        raise ConflictError(
            _("This clinic is %(status)s: nothing can be changed any more.")
            % {"status": event.get_status_display()},
            code="not_planned",
        )


def _clinic_guard(name: str, event: ClinicEvent, *, now=None, **context) -> None:
    if name == "close" and _now(now) < event.start:
        raise ConflictError(
            _("The clinic has not started yet: it can be closed once it was held."),
            code="not_started",
        )


def _registration_guard(name: str, registration: Registration, *, now=None, by=None, **ctx):
    """``by``: who takes the step (the clinic's people may cancel once the slot began)."""
    now = _now(now)
    event = registration.event
    _require_planned(event)
    if name == "cancel" and now >= registration.slot_start:
        if by is None or not by.has_perm(RUN, registration):
            raise ConflictError(
                _("Your slot has begun; please tell the clinic's staff."), code="slot_started"
            )
    elif name == "no_show" and now < registration.slot_start:
        raise ConflictError(
            _("Their slot has not begun yet: they may still come."), code="slot_not_started"
        )
    elif name == "visit" and timezone.localdate(now) < timezone.localdate(event.start):
        raise ConflictError(_("The clinic has not begun yet."), code="not_started")


C = ClinicStatus
CLINIC = Lifecycle(
    name="health.clinic",
    model=ClinicEvent,
    event_model=ClinicLogEntry,
    subject="clinic",
    event_kinds=ClinicLogKind,
    lock=_lock_clinic,
    illegal_message=gettext_lazy("This clinic is %(status)s: nothing can be changed any more."),
    forbidden_message=RUNNERS_ONLY,
    guard=_clinic_guard,
    steps={
        # The clinic was held: closed for entries (who is still only registered did not come).
        "close": Step(frozenset({C.PLANNED}), C.HELD, RUN, ClinicLogKind.HELD),
    },
)
R = RegistrationStatus
REGISTRATION = Lifecycle(
    name="health.registration",
    model=Registration,
    event_model=RegistrationEvent,
    subject="registration",
    event_kinds=RegistrationEventKind,
    lock=_lock_registration,
    illegal_message=gettext_lazy("This registration is %(status)s: that cannot be done now."),
    forbidden_message=RUNNERS_ONLY,
    guard=_registration_guard,
    steps={
        # Registering again after cancelling takes the old row up again (one per person).
        "register": Step(frozenset({R.CANCELLED}), R.REGISTERED, REGISTER,
                         RegistrationEventKind.REGISTERED),
        "cancel": Step(frozenset({R.REGISTERED}), R.CANCELLED, REGISTER,
                       RegistrationEventKind.CANCELLED),
        # Entering again for someone seen adds readings (and replaces the advice).
        "visit": Step(frozenset({R.REGISTERED, R.NO_SHOW, R.SEEN}), R.SEEN, RUN,
                      RegistrationEventKind.SEEN),
        "no_show": Step(frozenset({R.REGISTERED}), R.NO_SHOW, RUN, RegistrationEventKind.NO_SHOW),
    },
)  # fmt: skip
REGISTER_YOURSELF = gettext_lazy(
    "You may register yourself; others are registered by the clinic's staff."
)


# -- the clinic --------------------------------------------------------------------------------


@transaction.atomic
def clinic_create(
    *,
    actor,
    organisation,
    place: Place,
    title: str,
    specialty: str,
    start: datetime,
    end: datetime,
    slot_minutes: int = 30,
    per_slot: int = 4,
    venue: str = "",
    description: str = "",
    now: datetime | None = None,
    request=None,
) -> ClinicEvent:
    """Plan a free clinic run by ``organisation`` at ``place``. The actor is clinic staff over
    the place or a member of the organisation."""
    now = _now(now)
    event = ClinicEvent(
        organisation=organisation,
        place=place,
        venue=(venue or "").strip(),
        title=(title or "").strip(),
        specialty=specialty,
        start=_minute(start) if start else start,
        end=_minute(end) if end else end,
        slot_minutes=slot_minutes,
        per_slot=per_slot,
        description=(description or "").strip(),
        created_by=user_or_none(actor),
    )
    check_perm(actor, RUN, event, message=RUNNERS_ONLY)
    if place.kind not in CLINIC_PLACE_KINDS:
        raise ValidationError(
            {"place": _("A clinic is held in a community, a compound or one of its buildings.")}
        )
    if not organisation.is_active:
        raise LinliError(_("This organisation is no longer active."), code="inactive_organisation")
    if specialty not in Specialty.values:
        raise ValidationError({"specialty": _("Choose the clinic's specialty.")})
    if start is None or end is None or timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": _("Give the start and the end with their time zone.")})
    if event.end <= event.start:
        raise ValidationError({"end": _("The clinic must end after it starts.")})
    if event.end - event.start > timedelta(hours=MAX_HOURS):
        raise ValidationError(
            {"end": _("A clinic lasts at most %(hours)d hours.") % {"hours": MAX_HOURS}}
        )
    if event.start < now:
        raise ValidationError({"start": _("A clinic cannot be planned in the past.")})
    validated(event)
    event.save()
    CLINIC.record(obj=event, kind=ClinicLogKind.PLANNED, actor=actor, to_status=event.status)
    audit_record(
        actor=actor,
        action="health.clinic.create",
        obj=event,
        request=request,
        details={"organisation": organisation.pk, "specialty": specialty},
    )
    return event


@transaction.atomic
def clinic_close(*, actor, event: ClinicEvent, now=None, request=None) -> ClinicEvent:
    """The clinic was held: it is closed for entries, and whoever is still only registered
    did not come (each of them gets that event)."""
    now = _now(now)
    event = CLINIC.take("close", actor=actor, obj=event, context={"now": now})
    waiting = list(
        Registration.objects.select_for_update(of=("self",)).filter(
            event=event, status=RegistrationStatus.REGISTERED
        )
    )
    Registration.objects.filter(pk__in=[r.pk for r in waiting]).update(
        status=RegistrationStatus.NO_SHOW
    )
    for registration in waiting:
        registration.status = RegistrationStatus.NO_SHOW
        REGISTRATION.record(
            obj=registration,
            kind=RegistrationEventKind.NO_SHOW,
            actor=actor,
            from_status=RegistrationStatus.REGISTERED,
            to_status=RegistrationStatus.NO_SHOW,
            data={"clinic_closed": True},
        )
    audit_record(
        actor=actor,
        action="health.clinic.close",
        obj=event,
        request=request,
        details={"no_shows": len(waiting)},
    )
    return event


# -- registrations -----------------------------------------------------------------------------


def _pick_slot(event, slot_start, taken: Counter, now: datetime) -> datetime:
    step = timedelta(minutes=event.slot_minutes)
    starts = clinic_slot_starts(event)
    if slot_start is not None:
        if slot_start not in starts:
            raise ValidationError({"slot_start": _("Choose one of the clinic's slots.")})
        if slot_start + step <= now:
            raise ConflictError(_("This slot is over; choose a later one."), code="slot_over")
        if taken[slot_start] >= event.per_slot:
            raise ConflictError(
                _("The slot at %(time)s is full; please choose another.")
                % {"time": timezone.localtime(slot_start).strftime("%H:%M")},
                code="slot_full",
            )
        return slot_start
    for start in starts:
        if start + step > now and taken[start] < event.per_slot:
            return start
    raise ConflictError(_("This clinic is fully booked."), code="clinic_full")


@transaction.atomic
def registration_create(
    *,
    actor,
    event: ClinicEvent,
    card: HealthCard,
    slot_start: datetime | None = None,
    complaint: str = "",
    now=None,
    request=None,
) -> Registration:
    """Register ``card``'s resident for the clinic, in ``slot_start`` or the first slot with
    a free place. A resident registers themself (before their slot starts); the clinic's
    people register anyone with a card until the slot is over. One registration per person
    and clinic: registering again after cancelling takes the old row up again."""
    now = _now(now)
    event = _lock_clinic(event)
    card = HealthCard.objects.select_related("resident", "place").get(pk=card.pk)
    existing = Registration.objects.filter(event=event, card=card).first()
    candidate = existing or Registration(event=event, card=card)
    candidate.event, candidate.card = event, card
    check_perm(actor, REGISTER, candidate, message=REGISTER_YOURSELF)
    is_runner = actor.has_perm(RUN, event)
    _require_planned(event)
    if not card.is_active or card.resident.status != ResidentStatus.LIVING:
        raise ConflictError(_("This health card is closed."), code="inactive")
    if now >= event.end:
        raise ConflictError(_("This clinic is over."), code="over")
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise ConflictError(
            _("%(name)s is already registered for this clinic.") % {"name": card.resident.name}
            if is_runner
            else _("You are already registered for this clinic."),
            code="already_registered",
        )
    if slot_start is not None and timezone.is_naive(slot_start):
        raise ValidationError({"slot_start": _("Give the time with its time zone.")})
    # Residents choose among the slots not yet started; staff may fit a walk-in in the
    # slot running now.
    earliest = now if is_runner else now + timedelta(minutes=event.slot_minutes)
    slot = _pick_slot(event, slot_start, taken_by_slot(event), earliest)
    values = {
        "slot_start": slot,
        "complaint": (complaint or "").strip(),
        "registered_by": user_or_none(actor),
        "advice": "",
        "seen_at": None,
        "seen_by": None,
    }
    if existing is not None:
        registration = REGISTRATION.take(
            "register", actor=actor, obj=existing, context={"now": now, "by": actor}, **values
        )
    else:
        registration = Registration(
            event=event, card=card, status=RegistrationStatus.REGISTERED, **values
        )
        registration.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError as exc:  # the same card at the same moment, on another connection
            raise ConflictError(
                _("This person is already registered for this clinic."), code="already_registered"
            ) from exc
        REGISTRATION.record(
            obj=registration,
            kind=RegistrationEventKind.REGISTERED,
            actor=actor,
            to_status=registration.status,
        )
    audit_record(
        actor=actor,
        action="health.clinic.register",
        obj=registration,
        request=request,
        details={"event": event.pk, "card": card.pk, "again": existing is not None},
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration, now=None, request=None):
    """The resident (before their slot) or the clinic's people cancel a registration; the
    place is free again."""
    now = _now(now)
    registration = _lock_registration(registration)
    check_perm(actor, REGISTER, registration, message=REGISTER_YOURSELF)
    registration = REGISTRATION.take(
        "cancel",
        actor=actor,
        obj=registration,
        is_locked=True,
        context={"now": now, "by": actor},
    )
    audit_record(
        actor=actor,
        action="health.clinic.cancel",
        obj=registration,
        request=request,
        details={"event": registration.event_id},
    )
    return registration


@transaction.atomic
def registration_no_show(*, actor, registration: Registration, now=None, request=None):
    now = _now(now)
    registration = REGISTRATION.take(
        "no_show", actor=actor, obj=registration, context={"now": now, "by": actor}
    )
    audit_record(
        actor=actor,
        action="health.clinic.no_show",
        obj=registration,
        request=request,
        details={"event": registration.event_id},
    )
    return registration


def _reading_values(kind: str, values: dict) -> dict:
    if kind not in READING_VALUES:
        raise ValidationError({"kind": _("Unknown kind of reading.")})
    foreign = set(values) - set(READING_VALUES[kind]) - {"kind"}
    if foreign:
        raise ValidationError(
            {name: _("This value does not belong to this kind of reading.") for name in foreign}
        )
    return {name: values[name] for name in READING_VALUES[kind] if name in values}


@transaction.atomic
def clinic_visit_record(
    *,
    actor,
    registration: Registration,
    readings: list[dict],
    advice: str = "",
    now=None,
    request=None,
) -> Registration:
    """The person was seen: each reading (``{"kind": …, values…}``) is recorded as a free-
    clinic reading of their card (checked, classified, followed up, alerted), and the advice
    kept (encrypted). All or nothing: one impossible value refuses the whole entry. Entering
    again for someone seen adds the readings and replaces the advice when some is given."""
    now = _now(now)
    registration = _lock_registration(registration)
    context = {"now": now, "by": actor}
    REGISTRATION.check("visit", actor=actor, obj=registration, **context)
    advice = (advice or "").strip()
    readings = [dict(r) for r in readings or []]
    if not readings and not advice and registration.status != RegistrationStatus.SEEN:
        raise ValidationError({"advice": _("Enter at least one reading or the advice given.")})
    recorded = []
    for values in readings:
        kind = values.pop("kind", None)
        recorded.append(
            services.reading_record(
                actor=actor,
                card=registration.card,
                kind=kind,
                taken_at=now,
                source=Source.FREE_CLINIC,
                registration=registration,
                now=now,
                request=request,
                **_reading_values(kind, values),
            )
        )

    def see(row: Registration) -> None:
        if row.status != RegistrationStatus.SEEN:
            row.seen_at = now
            row.seen_by = user_or_none(actor)
        if advice:
            row.advice = advice

    registration = REGISTRATION.take(
        "visit",
        actor=actor,
        obj=registration,
        is_locked=True,
        change=see,
        context=context,
        # Ids and counts only: the values and the advice are health content.
        data={"readings": [r.pk for r in recorded], "advice": bool(advice)},
    )
    audit_record(
        actor=actor,
        action="health.clinic.visit",
        obj=registration,
        request=request,
        details={
            "event": registration.event_id,
            "card": registration.card_id,
            "readings": [r.pk for r in recorded],
            "advice": bool(advice),
        },
    )
    return registration
