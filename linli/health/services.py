"""Every change of health help: cards, consents, readings (checked, classified, followed up,
alerted), follow-ups, alerts, home devices and check-ins, and the no-contact watch.

Each function checks the actor's named permission (``check_perm``), validates, writes
atomically and records an audit event with the changed row as object. The card, follow-ups
and alerts are lifecycles (``CARD``, ``FOLLOW_UP``, ``ALERT``): every change of their status
is a step of the table, with one timeline event. Follow-ups and alerts are raised by the
system (SYSTEM) from readings and by the no-contact watch, and a home device's readings and
check-ins are recorded by it; its permissions are named in ``rules``. Audit ``details`` and
timeline events never hold health content (values, conditions, outcomes): only ids, field
names and the like. Alerts
are told to people after commit, by a task that re-reads the alert (``notify``), and the
message names neither the value nor any condition: SMS and e-mail are not secure channels."""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.roles import HEALTH_STAFF, MAKE_HEALTH_CARDS, Role
from linli.accounts.scope import compound_path_of, scope_of
from linli.core.actors import SYSTEM, is_system, user_or_none
from linli.core.audit import audit_record
from linli.core.crypto import lookup_hash
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.lifecycle import Lifecycle, Step, check_perm, require_actor, validated
from linli.core.validators import normalise_mobile
from linli.residents.models import Resident, ResidentStatus

from . import classify
from .models import (
    ABNORMAL_LEVELS,
    ALERT_LEVELS,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertKind,
    AlertStatus,
    CardEvent,
    CardEventKind,
    CheckIn,
    Consent,
    ConsentScope,
    Device,
    DeviceKind,
    FollowUp,
    FollowUpEvent,
    FollowUpEventKind,
    FollowUpStatus,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Registration,
    Source,
)

# Fields of a card that its services may set.
CARD_EDITABLE = frozenset(
    {
        "care_level",
        "conditions",
        "medications",
        "allergies",
        "notes",
        "family_doctor",
        "family_doctor_name",
        "responsible_worker",
        "emergency_name",
        "emergency_relation",
        "emergency_phone",
        "watch_days",
    }
)
# A reading may be entered a little ahead of the server's clock (a device's clock drifts).
CLOCK_SKEW = timedelta(minutes=5)
# Values that belong to each kind of reading; others are refused.
KIND_VALUES = {
    ReadingKind.BLOOD_PRESSURE: {"systolic", "diastolic", "pulse"},
    ReadingKind.GLUCOSE: {"glucose", "glucose_timing"},
    ReadingKind.WEIGHT: {"weight_kg"},
    ReadingKind.HEIGHT: {"height_cm"},
}
DEVICE_TOKEN_BYTES = 32


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


CARE_TEAM_ONLY = gettext_lazy(
    "Only the clinic staff, the responsible worker or the family doctor may do this."
)
# The card's lifecycle: open until it is closed for good. Its other events (made, changed,
# consents, devices) change no status and are written by ``CARD.record``; their notes hold
# no health content.
CARD = Lifecycle(
    name="health.card",
    model=HealthCard,
    event_model=CardEvent,
    subject="card",
    event_kinds=CardEventKind,
    status_field="is_active",
    select_related=("place", "resident"),
    illegal_message=gettext_lazy("This card is already closed."),
    forbidden_message=gettext_lazy(
        "Only the clinic staff, the responsible worker or the family doctor may close a card."
    ),
    steps={
        "close": Step(
            frozenset({True}), False, "health.edit_card", CardEventKind.CHANGED,
            gettext_lazy("closed"),
        ),
    },
)  # fmt: skip
F = FollowUpStatus
FOLLOW_UP = Lifecycle(
    name="health.follow_up",
    model=FollowUp,
    event_model=FollowUpEvent,
    subject="follow_up",
    event_kinds=FollowUpEventKind,
    select_related=("card__place",),
    illegal_message=gettext_lazy("This follow-up is already closed."),
    forbidden_message=CARE_TEAM_ONLY,
    steps={
        "done": Step(
            frozenset({F.OPEN}), F.DONE, "health.handle_follow_up", FollowUpEventKind.DONE
        ),
        "cancel": Step(
            frozenset({F.OPEN}), F.CANCELLED, "health.handle_follow_up",
            FollowUpEventKind.CANCELLED,
        ),
    },
)  # fmt: skip
A = AlertStatus
ALERT = Lifecycle(
    name="health.alert",
    model=Alert,
    event_model=AlertEvent,
    subject="alert",
    event_kinds=AlertEventKind,
    select_related=("card__place",),
    illegal_message=gettext_lazy("Someone already took care of this alert."),
    forbidden_message=CARE_TEAM_ONLY,
    guard=lambda name, alert, **context: _alert_guard(name, alert),
    steps={
        "acknowledge": Step(
            frozenset({A.OPEN}), A.ACKNOWLEDGED, "health.handle_follow_up",
            AlertEventKind.ACKNOWLEDGED,
        ),
        # A sign of life settles a no-contact alert (SYSTEM, when the reading or check-in
        # comes in).
        "settle": Step(
            frozenset({A.OPEN}), A.SETTLED, "health.settle_alert", AlertEventKind.SETTLED
        ),
    },
)  # fmt: skip


def _alert_guard(name: str, alert: Alert) -> None:
    if name == "settle" and alert.kind != AlertKind.NO_CONTACT:
        raise ConflictError(
            _("Only an alert about no contact is settled by a sign of life."), code="not_no_contact"
        )


# -- cards -------------------------------------------------------------------------------------


def _holds_role_over(user, roles, path: str) -> bool:
    scope = scope_of(user)
    return any(g.role in roles and path.startswith(g.path) for g in scope.grants)


def _check_people(card: HealthCard) -> None:
    """The responsible worker and the family doctor see the card's content, so they must be
    people whose work it is: a community worker or clinic staff over the resident's place,
    and clinic staff for the doctor."""
    path = card.place.path
    worker = card.responsible_worker
    if worker is not None and not (
        worker.is_active and _holds_role_over(worker, MAKE_HEALTH_CARDS, path)
    ):
        raise ValidationError(
            {
                "responsible_worker": _(
                    "The responsible worker must be a community worker or clinic staff of the "
                    "resident's area."
                )
            }
        )
    doctor = card.family_doctor
    if doctor is not None and not (
        doctor.is_active and _holds_role_over(doctor, HEALTH_STAFF, path)
    ):
        raise ValidationError(
            {"family_doctor": _("The family doctor must be clinic staff of the resident's area.")}
        )


def _card_save(card: HealthCard) -> HealthCard:
    for name in (
        "conditions",
        "medications",
        "allergies",
        "notes",
        "family_doctor_name",
        "emergency_name",
        "emergency_relation",
    ):
        setattr(card, name, (getattr(card, name) or "").strip())
    phone = (card.emergency_phone or "").strip()
    if phone:
        try:
            phone = normalise_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"emergency_phone": exc.messages}) from exc
    card.emergency_phone = phone
    _check_people(card)
    card.full_clean(exclude=["resident"])
    card.save()
    return card


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - CARD_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


def _new_qr_token() -> str:
    while True:
        token = secrets.token_urlsafe(16)[:22]
        if not HealthCard.objects.filter(qr_token=token).exists():
            return token


@transaction.atomic
def card_create(*, actor, resident: Resident, request=None, **fields) -> HealthCard:
    """Make the health help card of ``resident`` (one per resident). The actor becomes the
    responsible worker when they are a community worker over the resident and no one else
    was named."""
    _check_fields(fields)
    check_perm(
        actor,
        "health.make_card",
        resident,
        message=_(
            "Only clinic staff or a community worker of the resident's area may make a card."
        ),
    )
    if resident.status != ResidentStatus.LIVING:
        raise LinliError(_("A card is made only for a resident who lives here."), code="not_living")
    if HealthCard.objects.filter(resident=resident).exists():
        raise ConflictError(_("This resident already has a health card."), code="card_exists")
    if "responsible_worker" not in fields and _holds_role_over(
        actor, {Role.COMMUNITY_WORKER}, resident.place.path
    ):
        fields["responsible_worker"] = actor
    card = HealthCard(
        resident=resident,
        place=resident.place,
        qr_token=_new_qr_token(),
        created_by=user_or_none(actor),
        **fields,
    )
    try:
        with transaction.atomic():
            _card_save(card)
    except IntegrityError as exc:
        raise ConflictError(
            _("This resident already has a health card."), code="card_exists"
        ) from exc
    CARD.record(obj=card, kind=CardEventKind.CREATED, actor=actor)
    audit_record(actor=actor, action="health.card.create", obj=card, request=request)
    return card


@transaction.atomic
def card_update(*, actor, card: HealthCard, request=None, **fields) -> HealthCard:
    """Change the card; its place follows the resident's household."""
    _check_fields(fields)
    card = HealthCard.objects.select_for_update().select_related("resident__place").get(pk=card.pk)
    check_perm(
        actor,
        "health.edit_card",
        card,
        message=_(
            "Only the clinic staff, the responsible worker or the family doctor may change a card."
        ),
    )
    changed = sorted(name for name, value in fields.items() if getattr(card, name) != value)
    for name, value in fields.items():
        setattr(card, name, value)
    if card.place_id != card.resident.place_id:
        card.place = card.resident.place
        changed.append("place")
    _card_save(card)
    if changed:
        # Field names only: the values are health content.
        CARD.record(obj=card, kind=CardEventKind.CHANGED, actor=actor, note=", ".join(changed))
    audit_record(
        actor=actor,
        action="health.card.change",
        obj=card,
        request=request,
        details={"fields": changed},
    )
    return card


@transaction.atomic
def card_deactivate(*, actor, card: HealthCard, request=None) -> HealthCard:
    """Close a card (the resident moved away, died or no longer wants it). It is kept as a
    record; the no-contact watch and its devices stop."""
    card = CARD.take("close", actor=actor, obj=card)
    audit_record(actor=actor, action="health.card.deactivate", obj=card, request=request)
    return card


def _check_active(card: HealthCard) -> None:
    if not card.is_active:
        raise ConflictError(_("This card is closed."), code="inactive")


# -- consents ----------------------------------------------------------------------------------


@transaction.atomic
def consent_give(
    *,
    actor,
    card: HealthCard,
    organisation,
    scope: str,
    given_at: datetime | None = None,
    note: str = "",
    request=None,
) -> Consent:
    """Record the resident's consent to share ``scope`` of their record with
    ``organisation``'s members."""
    check_perm(
        actor,
        "health.manage_consent",
        card,
        message=_("Only the clinic staff or the responsible worker may record a consent."),
    )
    _check_active(card)
    now = timezone.now()
    given_at = given_at or now
    if given_at > now + CLOCK_SKEW:
        raise ValidationError({"given_at": _("A consent cannot be given in the future.")})
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": _("Say what is shared: the card, the readings or both.")})
    if not organisation.is_active:
        raise LinliError(_("This organisation is no longer active."), code="inactive_organisation")
    if Consent.objects.filter(
        card=card, organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise ConflictError(
            _(
                "The resident already shares with this organisation; withdraw that consent "
                "first to change what is shared."
            ),
            code="consent_exists",
        )
    consent = Consent(
        card=card,
        organisation=organisation,
        scope=scope,
        given_at=given_at,
        recorded_by=user_or_none(actor),
        note=(note or "").strip(),
    )
    consent.full_clean()
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("The resident already shares with this organisation."), code="consent_exists"
        ) from exc
    CARD.record(obj=card, kind=CardEventKind.CONSENT_GIVEN, actor=actor, to_status=scope)
    audit_record(
        actor=actor,
        action="health.consent.give",
        obj=consent,
        request=request,
        details={"card": card.pk, "organisation": organisation.pk, "scope": scope},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, now=None, request=None) -> Consent:
    """Withdraw a consent: the organisation loses access at once."""
    consent = (
        Consent.objects.select_for_update().select_related("card__resident").get(pk=consent.pk)
    )
    check_perm(
        actor,
        "health.withdraw_consent",
        consent.card,
        message=_(
            "Only the resident, the clinic staff or the responsible worker may withdraw a consent."
        ),
    )
    if consent.withdrawn_at is not None:
        raise ConflictError(_("This consent was already withdrawn."), code="withdrawn")
    consent.withdrawn_at = _now(now)
    consent.withdrawn_by = user_or_none(actor)
    consent.full_clean()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    CARD.record(
        obj=consent.card,
        kind=CardEventKind.CONSENT_WITHDRAWN,
        actor=actor,
        from_status=consent.scope,
    )
    audit_record(
        actor=actor,
        action="health.consent.withdraw",
        obj=consent,
        request=request,
        details={"card": consent.card_id, "organisation": consent.organisation_id},
    )
    return consent


# -- readings ----------------------------------------------------------------------------------


def _integer(field: str, value) -> int:
    if isinstance(value, bool):
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {field: _("“%(value)s” is not a number.") % {"value": value}}
        ) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError({field: _("“%(value)s” is not a whole number.") % {"value": value}})
    return int(number)


def _decimal(field: str, value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    try:
        return classify.tenth(value if not isinstance(value, str) else value.strip())
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _required(field: str, value) -> None:
    if value is None or value == "":
        raise ValidationError({field: _("This value is needed for this kind of reading.")})


def _check_values(kind: str, values: dict) -> dict:
    """The values of a reading of ``kind`` as numbers, checked; ValidationError for anything
    missing, foreign to the kind or impossible."""
    if kind not in ReadingKind.values:
        raise ValidationError({"kind": _("Unknown kind of reading.")})
    allowed = KIND_VALUES[kind]
    foreign = sorted(n for n, v in values.items() if n not in allowed and v not in (None, ""))
    if foreign:
        raise ValidationError(
            {name: _("This value does not belong to this kind of reading.") for name in foreign}
        )
    clean: dict = {}
    if kind == ReadingKind.BLOOD_PRESSURE:
        _required("systolic", values.get("systolic"))
        _required("diastolic", values.get("diastolic"))
        clean["systolic"] = _integer("systolic", values["systolic"])
        clean["diastolic"] = _integer("diastolic", values["diastolic"])
        pulse = values.get("pulse")
        clean["pulse"] = None if pulse in (None, "") else _integer("pulse", pulse)
        classify.check_blood_pressure(clean["systolic"], clean["diastolic"], clean["pulse"])
    elif kind == ReadingKind.GLUCOSE:
        _required("glucose", values.get("glucose"))
        clean["glucose"] = _decimal("glucose", values["glucose"])
        clean["glucose_timing"] = values.get("glucose_timing") or ""
        classify.check_glucose(clean["glucose"], clean["glucose_timing"])
    elif kind == ReadingKind.WEIGHT:
        _required("weight_kg", values.get("weight_kg"))
        clean["weight_kg"] = _decimal("weight_kg", values["weight_kg"])
        classify.check_weight(clean["weight_kg"])
    else:
        _required("height_cm", values.get("height_cm"))
        clean["height_cm"] = _decimal("height_cm", values["height_cm"])
        classify.check_height(clean["height_cm"])
    return clean


def _level(kind: str, clean: dict) -> str:
    if kind == ReadingKind.BLOOD_PRESSURE:
        return classify.blood_pressure(clean["systolic"], clean["diastolic"])
    if kind == ReadingKind.GLUCOSE:
        return classify.glucose(clean["glucose"], clean["glucose_timing"])
    return Level.NORMAL


def _latest_height(card: HealthCard) -> Decimal | None:
    return (
        Reading.objects.filter(card=card, kind=ReadingKind.HEIGHT)
        .order_by("-taken_at", "-id")
        .values_list("height_cm", flat=True)
        .first()
    )


def _check_reading_permission(actor, card, device, registration) -> None:
    require_actor(actor)
    if is_system(actor):
        # A home device's readings: the device (checked by its token) is the permission.
        if device is None:
            raise ForbiddenError(
                _("A reading is recorded by a person or a registered device."), code="forbidden"
            )
        check_perm(actor, "health.record_from_device", card)
        return
    if actor.has_perm("health.record_reading", card):
        return
    if registration is not None and actor.has_perm("health.run_clinic", registration.event):
        return
    check_perm(
        actor,
        "health.record_reading",
        card,
        message=_(
            "Only the clinic staff, the responsible worker or the family doctor may record a "
            "reading."
        ),
    )


def _touch(card: HealthCard, at: datetime) -> None:
    """Move the card's last contact forward (never back: readings may come in late)."""
    HealthCard.objects.filter(pk=card.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)
    card.refresh_from_db(fields=["last_contact_at"])
    # A sign of life after a no-contact alert settles it: the care team sees when and why.
    for alert in Alert.objects.filter(
        card=card, kind=AlertKind.NO_CONTACT, status=AlertStatus.OPEN, raised_at__lte=at
    ):
        alert_settle(actor=SYSTEM, alert=alert, at=at)


@transaction.atomic
def alert_settle(*, actor, alert: Alert, at: datetime) -> Alert:
    """A sign of life at ``at`` settles an open no-contact alert (the system does, when the
    reading or check-in comes in)."""
    alert = ALERT.take(
        "settle",
        actor=actor,
        obj=alert,
        acknowledged_at=at,
        # The alert's own (encrypted) note, not the event's.
        change=lambda row: setattr(
            row, "note", _("Contact resumed: a reading or check-in came in.")
        ),
    )
    audit_record(actor=actor, action="health.alert.settle", obj=alert, details={"kind": alert.kind})
    return alert


def _follow_up_assignee(card: HealthCard):
    return card.responsible_worker or card.family_doctor


def _raise_alert(*, card: HealthCard, kind: str, reading: Reading | None, now: datetime) -> Alert:
    from .tasks import notify_alert_task

    check_perm(SYSTEM, "health.raise_alert", card)
    alert = validated(Alert(card=card, reading=reading, kind=kind, raised_at=now))
    alert.save()
    ALERT.record(obj=alert, kind=AlertEventKind.RAISED, actor=SYSTEM, to_status=alert.status)
    audit_record(
        actor=SYSTEM,
        action="health.alert.raise",
        obj=alert,
        details={"card": card.pk, "kind": kind},
    )
    transaction.on_commit(lambda: notify_alert_task.enqueue(alert.pk))
    return alert


@transaction.atomic
def reading_record(
    *,
    actor,
    card: HealthCard,
    kind: str,
    taken_at: datetime | None = None,
    source: str,
    systolic=None,
    diastolic=None,
    pulse=None,
    glucose=None,
    glucose_timing: str = "",
    weight_kg=None,
    height_cm=None,
    device: Device | None = None,
    registration: Registration | None = None,
    now: datetime | None = None,
    request=None,
) -> Reading:
    """Check, classify and keep one reading. An abnormal one raises a follow-up for the
    responsible worker (else the family doctor) unless one is open for the same reason; an
    urgent or dangerous one raises an alert at once, told to the care team."""
    now = _now(now)
    _check_reading_permission(actor, card, device, registration)
    card = HealthCard.objects.select_related("place", "responsible_worker", "family_doctor").get(
        pk=card.pk
    )
    _check_active(card)
    if device is not None and (device.card_id != card.pk or device.revoked_at is not None):
        raise ForbiddenError(_("This device is not registered to this card."), code="forbidden")
    if registration is not None and registration.card_id != card.pk:
        raise LinliError(_("This registration is for another resident."), code="wrong_card")
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source of the reading.")})
    clean = _check_values(
        kind,
        {
            "systolic": systolic,
            "diastolic": diastolic,
            "pulse": pulse,
            "glucose": glucose,
            "glucose_timing": glucose_timing,
            "weight_kg": weight_kg,
            "height_cm": height_cm,
        },
    )
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):
        raise ValidationError({"taken_at": _("Give the time with its time zone.")})
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("A reading cannot be taken in the future.")})
    level = _level(kind, clean)
    bmi = None
    if kind == ReadingKind.WEIGHT:
        height = _latest_height(card)
        if height:
            bmi = classify.bmi(clean["weight_kg"], height)
    reading = Reading(
        card=card,
        compound_path=compound_path_of(card.place.path),
        kind=kind,
        taken_at=taken_at,
        level=level,
        source=source,
        device=device,
        registration=registration,
        recorded_by=user_or_none(actor),
        bmi=bmi,
        **clean,
    )
    reading.full_clean()
    reading.save()
    _touch(card, taken_at)
    audit_record(
        actor=actor,
        action="health.reading.record",
        obj=reading,
        request=request,
        details={"card": card.pk, "source": source, "device": getattr(device, "pk", None)},
    )
    if level in ABNORMAL_LEVELS:
        _follow_up_raise(card=card, reading=reading, reason=level, now=now)
    if level in ALERT_LEVELS:
        _raise_alert(card=card, kind=AlertKind(level), reading=reading, now=now)
    return reading


def _follow_up_raise(*, card: HealthCard, reading: Reading, reason: str, now: datetime):
    check_perm(SYSTEM, "health.raise_follow_up", card)
    if FollowUp.objects.filter(card=card, reason=reason, status=FollowUpStatus.OPEN).exists():
        return None
    follow_up = FollowUp(
        card=card,
        reading=reading,
        assignee=_follow_up_assignee(card),
        reason=reason,
        due_on=timezone.localdate(now) + timedelta(days=settings.LINLI_HEALTH_FOLLOW_UP_DAYS),
    )
    follow_up.full_clean()
    try:
        with transaction.atomic():
            follow_up.save()
    except IntegrityError:  # raised at the same moment by another reading
        return None
    FOLLOW_UP.record(
        obj=follow_up, kind=FollowUpEventKind.RAISED, actor=SYSTEM, to_status=follow_up.status
    )
    audit_record(
        actor=SYSTEM, action="health.follow_up.raise", obj=follow_up, details={"card": card.pk}
    )
    return follow_up


# -- follow-ups and alerts ---------------------------------------------------------------------


def _follow_up_close(*, actor, follow_up: FollowUp, step: str, outcome: str, now, request):
    follow_up = FOLLOW_UP.take(
        step,
        actor=actor,
        obj=follow_up,
        outcome=(outcome or "").strip(),
        done_at=_now(now),
        done_by=user_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=f"health.follow_up.{step}",
        obj=follow_up,
        request=request,
        details={"card": follow_up.card_id},
    )
    return follow_up


@transaction.atomic
def follow_up_done(*, actor, follow_up: FollowUp, outcome: str, now=None, request=None) -> FollowUp:
    """The resident was seen again; ``outcome`` (kept encrypted) says how it went."""
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("Say what the follow-up found.")})
    return _follow_up_close(
        actor=actor,
        follow_up=follow_up,
        step="done",
        outcome=outcome,
        now=now,
        request=request,
    )


@transaction.atomic
def follow_up_cancel(
    *, actor, follow_up: FollowUp, outcome: str = "", now=None, request=None
) -> FollowUp:
    return _follow_up_close(
        actor=actor,
        follow_up=follow_up,
        step="cancel",
        outcome=outcome,
        now=now,
        request=request,
    )


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, note: str = "", now=None, request=None) -> Alert:
    """Someone of the care team took care of the alert; ``note`` (encrypted) says what."""
    alert = ALERT.take(
        "acknowledge",
        actor=actor,
        obj=alert,
        acknowledged_at=_now(now),
        acknowledged_by=user_or_none(actor),
        # What was done is health content: it stays on the alert (encrypted), not the event.
        change=lambda row: setattr(row, "note", (note or "").strip()),
    )
    audit_record(
        actor=actor,
        action="health.alert.acknowledge",
        obj=alert,
        request=request,
        details={"card": alert.card_id},
    )
    return alert


# -- devices and check-ins ---------------------------------------------------------------------


@transaction.atomic
def device_register(
    *, actor, card: HealthCard, kind: str, name: str, request=None
) -> tuple[Device, str]:
    """Register a home device; returns it with its token, shown this once (only a keyed hash
    is kept)."""
    check_perm(
        actor,
        "health.manage_device",
        card,
        message=_(
            "Only the clinic staff, the responsible worker or the family doctor may do this."
        ),
    )
    _check_active(card)
    if kind not in DeviceKind.values:
        raise ValidationError({"kind": _("Unknown kind of device.")})
    token = secrets.token_urlsafe(DEVICE_TOKEN_BYTES)
    device = Device(
        card=card,
        kind=kind,
        name=(name or "").strip(),
        token_hash=lookup_hash(token),
        token_hint=token[:6],
        registered_by=user_or_none(actor),
    )
    device.full_clean()
    device.save()
    CARD.record(obj=card, kind=CardEventKind.DEVICE_REGISTERED, actor=actor, note=device.token_hint)
    audit_record(
        actor=actor,
        action="health.device.register",
        obj=device,
        request=request,
        details={"card": card.pk, "kind": kind},
    )
    return device, token


@transaction.atomic
def device_revoke(*, actor, device: Device, now=None, request=None) -> Device:
    device = Device.objects.select_for_update().select_related("card__place").get(pk=device.pk)
    check_perm(
        actor,
        "health.manage_device",
        device.card,
        message=_(
            "Only the clinic staff, the responsible worker or the family doctor may do this."
        ),
    )
    if device.revoked_at is not None:
        raise ConflictError(_("This device was already revoked."), code="revoked")
    device.revoked_at = _now(now)
    device.save(update_fields=["revoked_at"])
    CARD.record(
        obj=device.card, kind=CardEventKind.DEVICE_REVOKED, actor=actor, note=device.token_hint
    )
    audit_record(
        actor=actor,
        action="health.device.revoke",
        obj=device,
        request=request,
        details={"card": device.card_id},
    )
    return device


def device_for_token(token: str, *, now=None) -> Device | None:
    """The active device of an active card holding ``token``; notes that it was seen."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    device = (
        Device.objects.select_related("card__place")
        .filter(token_hash=lookup_hash(token), revoked_at__isnull=True, card__is_active=True)
        .first()
    )
    if device is not None:
        device.last_seen_at = _now(now)
        Device.objects.filter(pk=device.pk).update(last_seen_at=device.last_seen_at)
    return device


READING_VALUE_NAMES = frozenset(
    {"systolic", "diastolic", "pulse", "glucose", "glucose_timing", "weight_kg", "height_cm"}
)


def device_reading(*, device: Device, kind: str, taken_at=None, now=None, **values) -> Reading:
    """A reading posted by a home device (its permission is its token)."""
    unknown = set(values) - READING_VALUE_NAMES
    if unknown:
        raise ValidationError(
            {name: _("This value does not belong to this kind of reading.") for name in unknown}
        )
    return reading_record(
        actor=SYSTEM,
        card=device.card,
        kind=kind,
        taken_at=taken_at,
        source=Source.DEVICE,
        device=device,
        now=now,
        **values,
    )


@transaction.atomic
def check_in_record(
    *,
    actor,
    card: HealthCard,
    source: str,
    device: Device | None = None,
    now=None,
    request=None,
) -> CheckIn:
    """A sign of life: the resident pressed "I'm fine", or a worker visited. The resident
    may check in themself."""
    now = _now(now)
    if is_system(actor):
        # A home device's "I'm fine" (checked by its token).
        if device is None or device.card_id != card.pk or device.revoked_at is not None:
            raise ForbiddenError(
                _("A check-in is recorded by a person or a registered device."), code="forbidden"
            )
        check_perm(actor, "health.record_from_device", card)
    else:
        check_perm(
            actor,
            "health.record_check_in",
            card,
            message=_("Only the resident or their care team may record a check-in."),
        )
    _check_active(card)
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source of the check-in.")})
    check_in = CheckIn(
        card=card, at=now, source=source, device=device, recorded_by=user_or_none(actor)
    )
    check_in.full_clean()
    check_in.save()
    _touch(card, now)
    audit_record(
        actor=actor,
        action="health.check_in.record",
        obj=check_in,
        request=request,
        details={"card": card.pk, "source": source},
    )
    return check_in


# -- the no-contact watch ----------------------------------------------------------------------


def watch_no_contact(*, now=None) -> int:
    """Raise a NO_CONTACT alert for each active card of a resident living alone with no
    reading or check-in for the card's ``watch_days`` (else ``LINLI_HEALTH_WATCH_DAYS``),
    unless one is open for that card. Returns how many were raised."""
    now = _now(now)
    default_days = settings.LINLI_HEALTH_WATCH_DAYS
    open_watch = Alert.objects.filter(kind=AlertKind.NO_CONTACT, acknowledged_at__isnull=True)
    # No card's window is shorter than a day (``watch_days`` ≥ 1): that bounds the
    # candidates in SQL; each card's own window is then checked in Python.
    earliest = now - timedelta(days=1)
    candidates = (
        HealthCard.objects.filter(
            is_active=True,
            resident__lives_alone=True,
            resident__status=ResidentStatus.LIVING,
        )
        .filter(
            Q(last_contact_at__lt=earliest)
            | Q(last_contact_at__isnull=True, created_at__lt=earliest)
        )
        .exclude(pk__in=open_watch.values("card_id"))
        .select_related("place")
        .order_by("pk")
    )
    raised = 0
    for card in candidates.iterator(chunk_size=500):
        days = card.watch_days or default_days
        last = card.last_contact_at or card.created_at
        if last > now - timedelta(days=days):
            continue
        try:
            with transaction.atomic():
                _raise_alert(card=card, kind=AlertKind.NO_CONTACT, reading=None, now=now)
        except IntegrityError:  # another watch run raised it a moment ago
            continue
        raised += 1
    return raised
