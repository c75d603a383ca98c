"""Free clinics (义诊): a partner organisation (a TCM clinic, an eye or dental station) holds a
clinic at a place with registration slots; residents register, the clinic's people enter each
person's readings and advice on the day, and a summary report counts what was found.

Services (writes) and reads of the clinics live together here; readings go through
``services.reading_record`` so that an abnormal finding at a clinic raises a follow-up and an
urgent one an alert, as anywhere else.

Who does what:

- *Runners* of a clinic (``health.run_clinic``): clinic staff whose grant covers the clinic's
  place, and the members of the organisation that runs it. They create it, register people,
  enter visits, mark no-shows, close it and read its registrations, advice and report.
- Everyone with a grant in the clinic's district sees the clinic itself — title, time, place,
  specialty and free places — never who registered or what was found.
- A resident registers themself with their own health help card. A resident without a card
  is refused with a message sending them to the clinic station: a card holds sensitive data
  and is made by clinic staff or a community worker (``services.card_create``), not as a side
  effect of a registration. Staff make the card of a walk-in first, then register them.

Never more people in a slot than it holds, also under concurrency: a registration locks the
clinic's row (``core.locking.lock_row``) and counts the slot's registrations under the lock.
Lock order is always the clinic, then the registration."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.scope import scope_of
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.ids import is_valid_id
from linli.core.locking import lock_row
from linli.places import tree
from linli.places.models import Place, PlaceKind
from linli.residents.models import ResidentStatus

from . import services
from .models import (
    ABNORMAL_LEVELS,
    ALERT_LEVELS,
    Alert,
    ClinicEvent,
    ClinicStatus,
    FollowUp,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Registration,
    RegistrationStatus,
    Source,
    Specialty,
)

# A clinic is held at a community, a compound or one of its buildings (the venue says where
# exactly: "党支部服务中心·义诊站").
CLINIC_PLACE_KINDS = frozenset({PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING})
# A clinic lasts at most a day; slots are at least 5 minutes (the model's validator).
MAX_HOURS = 12
# Registrations that hold a place in their slot.
HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.SEEN, RegistrationStatus.NO_SHOW)
# Which steps each registration status allows (all of them only while the clinic is planned).
STEPS = {
    "cancel": frozenset({RegistrationStatus.REGISTERED}),
    "visit": frozenset(
        {RegistrationStatus.REGISTERED, RegistrationStatus.NO_SHOW, RegistrationStatus.SEEN}
    ),
    "no_show": frozenset({RegistrationStatus.REGISTERED}),
}
READING_VALUES = {
    ReadingKind.BLOOD_PRESSURE: ("systolic", "diastolic", "pulse"),
    ReadingKind.GLUCOSE: ("glucose", "glucose_timing"),
    ReadingKind.WEIGHT: ("weight_kg",),
    ReadingKind.HEIGHT: ("height_cm",),
}


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


# -- who may -----------------------------------------------------------------------------------


def _district_path(path: str) -> str:
    return path[: tree.SEGMENT]


def clinic_visible_q(user, prefix: str = "") -> Q:
    """Clinics the user sees: those in the district of any of their grants, and those of the
    organisations they belong to."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}organisation_id__in": sorted(scope.member_organisation_ids)})
    for district in sorted({_district_path(g.path) for g in scope.grants}):
        condition |= tree.subtree_q(district, f"{prefix}place__path")
    return condition


def clinic_may_view(user, event: ClinicEvent) -> bool:
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if event.organisation_id in scope.member_organisation_ids:
        return True
    return any(tree.in_subtree(event.place.path, _district_path(g.path)) for g in scope.grants)


def clinic_may_run(user, event: ClinicEvent) -> bool:
    return bool(user.is_authenticated and user.has_perm("health.run_clinic", event))


def own_card(user) -> HealthCard | None:
    """The signed-in resident's own active card, or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    return (
        HealthCard.objects.select_related("resident", "place")
        .filter(resident__user=user, resident__status=ResidentStatus.LIVING, is_active=True)
        .first()
    )


def _require_run(actor, event: ClinicEvent) -> None:
    if actor is None or not clinic_may_run(actor, event):
        raise ForbiddenError(
            _("Only the clinic's staff or the organisation running it may do this."),
            code="forbidden",
        )


def _require_planned(event: ClinicEvent) -> None:
    if event.status != ClinicStatus.PLANNED:
        raise ConflictError(
            _("This clinic is %(status)s: nothing can be changed any more.")
            % {"status": event.get_status_display()},
            code="not_planned",
        )


def _require_step(registration: Registration, step: str) -> None:
    if registration.status not in STEPS[step]:
        raise ConflictError(
            _("This registration is %(status)s: that cannot be done now.")
            % {"status": registration.get_status_display()},
            code="wrong_status",
        )


# -- slots -------------------------------------------------------------------------------------


def clinic_slot_starts(event: ClinicEvent) -> list[datetime]:
    """The start of each slot: from the start every ``slot_minutes`` while before the end."""
    step = timedelta(minutes=event.slot_minutes)
    starts = []
    at = event.start
    while at < event.end:
        starts.append(at)
        at += step
    return starts


def clinic_capacity(event: ClinicEvent) -> int:
    return len(clinic_slot_starts(event)) * event.per_slot


def _taken_by_slot(event: ClinicEvent) -> Counter:
    rows = (
        Registration.objects.filter(event=event, status__in=HOLDING)
        .values("slot_start")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({row["slot_start"]: row["n"] for row in rows})


def clinic_slots(event: ClinicEvent) -> list[tuple[datetime, int, int]]:
    """(slot start, places taken, places free) for each slot, in one query."""
    taken = _taken_by_slot(event)
    return [
        (start, taken[start], max(0, event.per_slot - taken[start]))
        for start in clinic_slot_starts(event)
    ]


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
        created_by=_user(actor),
    )
    _require_run(actor, event)
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
    event.full_clean()
    event.save()
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
    did not come."""
    now = _now(now)
    event = lock_row(ClinicEvent, event.pk, select_related=("place", "organisation"))
    _require_run(actor, event)
    _require_planned(event)
    if now < event.start:
        raise ConflictError(
            _("The clinic has not started yet: it can be closed once it was held."),
            code="not_started",
        )
    no_shows = Registration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED
    ).update(status=RegistrationStatus.NO_SHOW)
    event.status = ClinicStatus.HELD
    event.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="health.clinic.close",
        obj=event,
        request=request,
        details={"no_shows": no_shows},
    )
    return event


# -- registrations -----------------------------------------------------------------------------


def _check_registrant(actor, event: ClinicEvent, card: HealthCard) -> bool:
    """Is the actor a runner (True) or the card's own resident (False)? Anyone else is
    refused."""
    if actor is None:
        raise ForbiddenError(_("Sign in to register."), code="forbidden")
    if clinic_may_run(actor, event):
        return True
    if card.resident.user_id == actor.pk and clinic_may_view(actor, event):
        return False
    raise ForbiddenError(
        _("You may register yourself; others are registered by the clinic's staff."),
        code="forbidden",
    )


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
    event = lock_row(ClinicEvent, event.pk, select_related=("place", "organisation"))
    card = HealthCard.objects.select_related("resident", "place").get(pk=card.pk)
    is_runner = _check_registrant(actor, event, card)
    _require_planned(event)
    if not card.is_active or card.resident.status != ResidentStatus.LIVING:
        raise ConflictError(_("This health card is closed."), code="inactive")
    if now >= event.end:
        raise ConflictError(_("This clinic is over."), code="over")
    existing = Registration.objects.filter(event=event, card=card).first()
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
    slot = _pick_slot(event, slot_start, _taken_by_slot(event), earliest)
    registration = existing or Registration(event=event, card=card)
    registration.slot_start = slot
    registration.status = RegistrationStatus.REGISTERED
    registration.complaint = (complaint or "").strip()
    registration.registered_by = _user(actor)
    registration.advice = ""
    registration.seen_at = None
    registration.seen_by = None
    registration.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # the same card at the same moment, on another connection
        raise ConflictError(
            _("This person is already registered for this clinic."), code="already_registered"
        ) from exc
    audit_record(
        actor=actor,
        action="health.clinic.register",
        obj=registration,
        request=request,
        details={"event": event.pk, "card": card.pk, "again": existing is not None},
    )
    return registration


def _locked_registration(registration: Registration) -> tuple[ClinicEvent, Registration]:
    event = lock_row(ClinicEvent, registration.event_id, select_related=("place", "organisation"))
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("card__resident", "card__place")
        .get(pk=registration.pk)
    )
    registration.event = event
    return event, registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration, now=None, request=None):
    """The resident (before their slot) or the clinic's people cancel a registration; the
    place is free again."""
    now = _now(now)
    event, registration = _locked_registration(registration)
    is_runner = _check_registrant(actor, event, registration.card)
    _require_planned(event)
    _require_step(registration, "cancel")
    if not is_runner and now >= registration.slot_start:
        raise ConflictError(
            _("Your slot has begun; please tell the clinic's staff."), code="slot_started"
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="health.clinic.cancel",
        obj=registration,
        request=request,
        details={"event": event.pk},
    )
    return registration


@transaction.atomic
def registration_no_show(*, actor, registration: Registration, now=None, request=None):
    now = _now(now)
    event, registration = _locked_registration(registration)
    _require_run(actor, event)
    _require_planned(event)
    _require_step(registration, "no_show")
    if now < registration.slot_start:
        raise ConflictError(
            _("Their slot has not begun yet: they may still come."), code="slot_not_started"
        )
    registration.status = RegistrationStatus.NO_SHOW
    registration.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="health.clinic.no_show",
        obj=registration,
        request=request,
        details={"event": event.pk},
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
    event, registration = _locked_registration(registration)
    _require_run(actor, event)
    _require_planned(event)
    _require_step(registration, "visit")
    if timezone.localdate(now) < timezone.localdate(event.start):
        raise ConflictError(_("The clinic has not begun yet."), code="not_started")
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
    if registration.status != RegistrationStatus.SEEN:
        registration.status = RegistrationStatus.SEEN
        registration.seen_at = now
        registration.seen_by = _user(actor)
    if advice:
        registration.advice = advice
    registration.full_clean(validate_unique=False, validate_constraints=False)
    registration.save(update_fields=["status", "seen_at", "seen_by", "advice"])
    audit_record(
        actor=actor,
        action="health.clinic.visit",
        obj=registration,
        request=request,
        # Ids and counts only: the values and the advice are health content.
        details={
            "event": event.pk,
            "card": registration.card_id,
            "readings": [r.pk for r in recorded],
            "advice": bool(advice),
        },
    )
    return registration


# -- reads -------------------------------------------------------------------------------------


def _events() -> QuerySet:
    return ClinicEvent.objects.select_related("organisation", "place")


def clinic_list(*, user, upcoming: bool | None = None, place=None, now=None) -> QuerySet:
    """Clinics the user sees, each with ``taken`` (places held); ``upcoming=True``: planned
    and not over, soonest first; ``False``: held, cancelled or over, latest first."""
    now = _now(now)
    qs = _events().filter(clinic_visible_q(user))
    if place is not None:
        root = place.path if isinstance(place, Place) else place
        qs = qs.filter(tree.subtree_q(root, "place__path"))
    if upcoming is True:
        qs = qs.filter(status=ClinicStatus.PLANNED, end__gt=now).order_by("start", "id")
    elif upcoming is False:
        qs = qs.filter(~Q(status=ClinicStatus.PLANNED) | Q(end__lte=now)).order_by("-start", "-id")
    else:
        qs = qs.order_by("-start", "-id")
    return qs.annotate(taken=Count("registrations", filter=Q(registrations__status__in=HOLDING)))


def clinic_free_places(event: ClinicEvent) -> int:
    """Free places of a clinic from ``clinic_list`` (which annotates ``taken``)."""
    taken = getattr(event, "taken", None)
    if taken is None:
        taken = sum(_taken_by_slot(event).values())
    return max(0, clinic_capacity(event) - taken)


def clinic_get(*, user, pk) -> ClinicEvent:
    """The clinic ``pk`` if the user sees it; 404 alike for missing and not visible."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    event = _events().filter(pk=pk).first()
    if event is None or not clinic_may_view(user, event):
        raise Http404("Not found.")
    return event


def registration_get(*, event: ClinicEvent, pk) -> Registration:
    if not is_valid_id(pk):
        raise Http404("Not found.")
    registration = (
        Registration.objects.select_related("card__resident", "card__place")
        .filter(event=event, pk=pk)
        .first()
    )
    if registration is None:
        raise Http404("Not found.")
    registration.event = event
    return registration


def my_registration(*, user, event: ClinicEvent) -> Registration | None:
    """The signed-in resident's own registration for the clinic (also a cancelled one)."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, card__resident__user=user)
        .select_related("card__resident")
        .first()
    )


def registration_list(*, user, event: ClinicEvent, request=None, how: str = "page") -> QuerySet:
    """Everyone registered for the clinic with their resident and the readings taken there,
    for the clinic's runners only (others get none). Opening it is audited once, with the
    clinic as object: it shows who came and what was found."""
    if not clinic_may_run(user, event):
        return Registration.objects.none()
    audit_record(
        actor=user,
        action="health.clinic.read",
        obj=event,
        request=request,
        details={"how": how},
    )
    return (
        Registration.objects.filter(event=event)
        .select_related("card__resident", "card__place")
        .prefetch_related(
            Prefetch(
                "readings",
                queryset=Reading.objects.filter(registration__event=event).order_by(
                    "taken_at", "id"
                ),
            )
        )
        .order_by("slot_start", "card__resident__name", "id")
    )


def registrations_by_slot(event: ClinicEvent, registrations) -> list[tuple[datetime, list]]:
    by_slot = defaultdict(list)
    for registration in registrations:
        by_slot[registration.slot_start].append(registration)
    return [(start, by_slot.get(start, [])) for start in clinic_slot_starts(event)]


def clinic_summary(event: ClinicEvent) -> dict:
    """The clinic's report in four aggregate queries, whatever its size: people registered,
    seen, not come and cancelled; readings by kind and level; abnormal findings (readings and
    people); follow-ups and alerts raised by its readings."""
    counts = Registration.objects.filter(event=event).aggregate(
        registered=Count("id", filter=Q(status__in=HOLDING)),
        seen=Count("id", filter=Q(status=RegistrationStatus.SEEN)),
        no_shows=Count("id", filter=Q(status=RegistrationStatus.NO_SHOW)),
        waiting=Count("id", filter=Q(status=RegistrationStatus.REGISTERED)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
    )
    rows = (
        Reading.objects.filter(registration__event=event)
        .values("kind", "level")
        .annotate(n=Count("id"), people=Count("card", distinct=True))
        .order_by()
    )
    by_kind: dict[str, dict[str, int]] = {}
    readings = abnormal = alerting = 0
    for row in rows:
        by_kind.setdefault(row["kind"], {})[row["level"]] = row["n"]
        readings += row["n"]
        if row["level"] in ABNORMAL_LEVELS:
            abnormal += row["n"]
        if row["level"] in ALERT_LEVELS:
            alerting += row["n"]
    not_normal = [*ABNORMAL_LEVELS, *ALERT_LEVELS]
    people_abnormal = (
        Reading.objects.filter(registration__event=event, level__in=not_normal)
        .values("card")
        .distinct()
        .count()
    )
    follow_ups = FollowUp.objects.filter(reading__registration__event=event).count()
    alerts = Alert.objects.filter(reading__registration__event=event).count()
    kinds = [k for k in ReadingKind.values if k in by_kind]
    levels = [lv for lv in Level.values if any(lv in by_kind[k] for k in kinds)]
    return {
        **counts,
        "readings": readings,
        "by_kind": by_kind,
        "table": [
            {
                "kind": kind,
                "label": ReadingKind(kind).label,
                "total": sum(by_kind[kind].values()),
                "levels": [by_kind[kind].get(lv, 0) for lv in levels],
                "cells": [(Level(lv).label, by_kind[kind].get(lv, 0)) for lv in levels],
            }
            for kind in kinds
        ],
        "levels": [(lv, Level(lv).label) for lv in levels],
        "abnormal_findings": abnormal + alerting,
        "urgent_findings": alerting,
        "people_with_findings": people_abnormal,
        "follow_ups": follow_ups,
        "alerts": alerts,
    }
