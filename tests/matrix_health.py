"""Matrix specs of health help: the card, follow-ups, alerts, free clinics and their
registrations (see lifecycle_matrix). Records are made on the demo world's Nanguanfang: a
card of an elderly neighbour without one (family doctor: the clinic doctor, responsible
worker: the community worker), and a clinic tomorrow run by the compound's clinic station."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from linli.health import services, services_clinics
from linli.health.models import (
    Alert,
    AlertKind,
    AlertStatus,
    ClinicEvent,
    FollowUp,
    HealthCard,
    Level,
    Registration,
    RegistrationStatus,
    Specialty,
)
from linli.places.models import Organisation, Place
from linli.residents.models import Resident, ResidentStatus

from .lifecycle_matrix import MatrixSpec, actor_named

NANGUANFANG = "平城区/鹿苑街道/站东社区/南官房小区"
STATION = "南官房小区义诊站"
CARE_TEAM = {"doctor", "community"}


def _card() -> HealthCard:
    """A new card of a living neighbour of Nanguanfang who has none."""
    compound = Place.objects.get(name_path=NANGUANFANG)
    resident = (
        Resident.objects.filter(
            place__path__startswith=compound.path,
            status=ResidentStatus.LIVING,
            user__isnull=True,
            health_card__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    return services.card_create(
        actor=actor_named("doctor"),
        resident=resident,
        family_doctor=actor_named("doctor"),
        responsible_worker=actor_named("community"),
    )


def _make_card(status: bool) -> HealthCard:
    card = _card()
    HealthCard.objects.filter(pk=card.pk).update(is_active=status)
    return HealthCard.objects.select_related("place", "resident").get(pk=card.pk)


CARD_SPEC = MatrixSpec(
    lifecycle=services.CARD,
    make=_make_card,
    take=lambda step, actor, card: services.card_deactivate(actor=actor, card=card),
    holders={"health.edit_card": CARE_TEAM},
)


def _make_follow_up(status: str) -> FollowUp:
    return FollowUp.objects.create(
        card=_card(),
        assignee=actor_named("community"),
        reason=Level.RAISED,
        due_on=timezone.localdate() + timedelta(days=14),
        status=status,
    )


def _take_follow_up(step: str, actor, follow_up: FollowUp):
    if step == "done":
        return services.follow_up_done(actor=actor, follow_up=follow_up, outcome="血压已平稳")
    return services.follow_up_cancel(actor=actor, follow_up=follow_up)


FOLLOW_UP_SPEC = MatrixSpec(
    lifecycle=services.FOLLOW_UP,
    make=_make_follow_up,
    take=_take_follow_up,
    holders={"health.handle_follow_up": CARE_TEAM},
)


def _make_alert(status: str) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        card=_card(),
        kind=AlertKind.NO_CONTACT,
        raised_at=now - timedelta(hours=2),
        status=status,
        acknowledged_at=None if status == AlertStatus.OPEN else now - timedelta(hours=1),
    )


def _take_alert(step: str, actor, alert: Alert):
    if step == "acknowledge":
        return services.alert_acknowledge(actor=actor, alert=alert, note="已电话联系")
    return services.alert_settle(actor=actor, alert=alert, at=timezone.now())


ALERT_SPEC = MatrixSpec(
    lifecycle=services.ALERT,
    make=_make_alert,
    take=_take_alert,
    holders={
        "health.handle_follow_up": CARE_TEAM,
        "health.settle_alert": {"SYSTEM"},
    },
)


def _clinic(*, start, end, now) -> ClinicEvent:
    return services_clinics.clinic_create(
        actor=actor_named("doctor"),
        organisation=Organisation.objects.get(name=STATION),
        place=Place.objects.get(name_path=NANGUANFANG),
        title="矩阵测试义诊",
        specialty=Specialty.GENERAL,
        start=start,
        end=end,
        per_slot=4,
        now=now,
    )


def _make_clinic(status: str) -> ClinicEvent:
    """A clinic that began half an hour ago (so that it may be closed)."""
    now = timezone.now()
    start = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    clinic = _clinic(start=start, end=start + timedelta(hours=2), now=now - timedelta(days=1))
    ClinicEvent.objects.filter(pk=clinic.pk).update(status=status)
    return ClinicEvent.objects.select_related("place", "organisation").get(pk=clinic.pk)


CLINIC_SPEC = MatrixSpec(
    lifecycle=services_clinics.CLINIC,
    make=_make_clinic,
    take=lambda step, actor, clinic: services_clinics.clinic_close(actor=actor, event=clinic),
    holders={"health.run_clinic": {"doctor"}},
)


def _make_registration(status: str) -> Registration:
    """The demo resident's registration, for a clinic tomorrow 09:00–11:00."""
    day = timezone.localdate() + timedelta(days=1)
    start = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
    clinic = _clinic(start=start, end=start + timedelta(hours=2), now=timezone.now())
    card = HealthCard.objects.get(resident__user__username="resident")
    registration = services_clinics.registration_create(
        actor=actor_named("doctor"), event=clinic, card=card
    )
    fields = {"status": status}
    if status == RegistrationStatus.SEEN:
        fields.update(seen_at=start, advice="多喝水")
    Registration.objects.filter(pk=registration.pk).update(**fields)
    return Registration.objects.select_related("event__place", "card__resident").get(
        pk=registration.pk
    )


def _take_registration(step: str, actor, registration: Registration):
    if step == "register":
        return services_clinics.registration_create(
            actor=actor, event=registration.event, card=registration.card
        )
    if step == "cancel":
        return services_clinics.registration_cancel(actor=actor, registration=registration)
    # On the day: a no-show once the slot has begun, a visit while the clinic runs.
    during = registration.slot_start + timedelta(minutes=5)
    if step == "no_show":
        return services_clinics.registration_no_show(
            actor=actor, registration=registration, now=during
        )
    return services_clinics.clinic_visit_record(
        actor=actor, registration=registration, readings=[], advice="注意休息", now=during
    )


REGISTRATION_SPEC = MatrixSpec(
    lifecycle=services_clinics.REGISTRATION,
    make=_make_registration,
    take=_take_registration,
    holders={
        "health.run_clinic": {"doctor"},
        "health.register_at_clinic": {"doctor", "resident"},
    },
)

SPECS = [CARD_SPEC, FOLLOW_UP_SPEC, ALERT_SPEC, CLINIC_SPEC, REGISTRATION_SPEC]
