"""Reads of the free clinics (义诊): which clinics a user sees, a clinic's slots and free
places, its registrations (for its runners only, audited), the choices offered on its pages,
and its summary report. Who may see or run a clinic is named in ``rules`` (``health.view_clinic``,
``health.run_clinic``); ``clinic_visible_q`` is the queryset form of ``predicates.can_view_clinic``,
written to agree with it."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.roles import RUN_CLINICS
from linli.accounts.scope import scope_of
from linli.core.audit import audit_record
from linli.core.ids import is_valid_id
from linli.places import tree
from linli.places.models import Organisation, OrganisationKind, Place
from linli.residents.models import ResidentStatus

from . import selectors
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
)
from .predicates import district_path

# Registrations that hold a place in their slot.
HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.SEEN, RegistrationStatus.NO_SHOW)
# How many choices a clinic's forms offer at most.
CARDS_OFFERED = 500
PLACES_OFFERED = 300
# The venue names the room; a building is chosen in the service's API, not on the page.
FORM_PLACE_KINDS = ("community", "compound")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# -- who sees which clinic ---------------------------------------------------------------------


def clinic_visible_q(user, prefix: str = "") -> Q:
    """Clinics the user sees (``health.view_clinic``): those in the district of any of their
    grants, and those of the organisations they belong to."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    if not (user.is_authenticated and user.is_active) or getattr(user, "is_system", False):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}organisation_id__in": sorted(scope.member_organisation_ids)})
    for district in sorted({district_path(g.path) for g in scope.grants}):
        condition |= tree.subtree_q(district, f"{prefix}place__path")
    return condition


def own_card(user) -> HealthCard | None:
    """The signed-in resident's own active card, or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    return (
        HealthCard.objects.select_related("resident", "place")
        .filter(resident__user=user, resident__status=ResidentStatus.LIVING, is_active=True)
        .first()
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


def taken_by_slot(event: ClinicEvent) -> Counter:
    rows = (
        Registration.objects.filter(event=event, status__in=HOLDING)
        .values("slot_start")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({row["slot_start"]: row["n"] for row in rows})


def clinic_slots(event: ClinicEvent) -> list[tuple[datetime, int, int]]:
    """(slot start, places taken, places free) for each slot, in one query."""
    taken = taken_by_slot(event)
    return [
        (start, taken[start], max(0, event.per_slot - taken[start]))
        for start in clinic_slot_starts(event)
    ]


# -- the choices of the clinics' forms ---------------------------------------------------------


def clinic_slot_choices(
    event: ClinicEvent, *, staff: bool, now: datetime | None = None, slots=None
) -> list[tuple[datetime, int, int]]:
    """The slots offered for registering: to a resident those not yet begun, to the
    clinic's people also the one running now (a walk-in). ``slots``: ``clinic_slots``
    already read."""
    now = _now(now)
    length = timedelta(minutes=event.slot_minutes)
    slots = clinic_slots(event) if slots is None else slots
    if staff:
        return [(s, t, f) for s, t, f in slots if s + length > now]
    return [(s, t, f) for s, t, f in slots if s > now]


def clinic_create_choices(*, user) -> tuple[list[Organisation], list[Place]]:
    """Organisations the user may run a clinic for (their own; for clinic staff also the
    clinics serving their area) and the places in reach."""
    scope = scope_of(user)
    staff_paths = [g.path for g in scope.grants if g.role in RUN_CLINICS]
    orgs_q = Q(pk__in=sorted(scope.member_organisation_ids))
    if staff_paths or scope.is_superuser:
        orgs_q |= Q(kind=OrganisationKind.CLINIC) & scope.organisation_q()
    organisations = list(
        Organisation.objects.filter(orgs_q, is_active=True).select_related("place").order_by("name")
    )
    roots = staff_paths + [
        o.place.path for o in organisations if o.pk in scope.member_organisation_ids
    ]
    places_q = Q(pk__in=[])
    for root in roots:
        places_q |= tree.subtree_q(root)
    if scope.is_superuser:
        places_q = Q()
    places = list(
        Place.objects.filter(places_q, kind__in=FORM_PLACE_KINDS).order_by("path")[:PLACES_OFFERED]
    )
    return organisations, places


def clinic_card_choices(*, user, event: ClinicEvent) -> list[HealthCard]:
    """Cards a runner may register: those whose readings they may see in the clinic's
    community, not registered yet."""
    community = tree.ancestor_path(event.place.path, "community")
    registered = Registration.objects.filter(event=event, status__in=HOLDING).values("card_id")
    return list(
        selectors.card_list(user=user, readings=True)
        .filter(tree.subtree_q(community, "place__path"))
        .exclude(pk__in=registered)
        .order_by("resident__name", "id")[:CARDS_OFFERED]
    )


# -- clinics and registrations -----------------------------------------------------------------


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
        taken = sum(taken_by_slot(event).values())
    return max(0, clinic_capacity(event) - taken)


def clinic_get(*, user, pk) -> ClinicEvent:
    """The clinic ``pk`` if the user sees it; 404 alike for missing and not visible."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    event = _events().filter(pk=pk).first()
    if event is None or not user.has_perm("health.view_clinic", event):
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
    if not user.has_perm("health.run_clinic", event):
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


def clinic_log(event) -> list:
    """A free clinic's timeline, read from its log entries (shown to those who run it)."""
    return list(event.log.select_related("actor").order_by("at", "id"))


def upcoming_registrations(*, user) -> QuerySet:
    """The signed-in resident's coming clinic slots, soonest first (their home page)."""
    return (
        Registration.objects.filter(
            card__resident__user=user,
            status=RegistrationStatus.REGISTERED,
            slot_start__gte=timezone.now(),
        )
        .select_related("event")
        .order_by("slot_start", "id")
    )


def card_registrations(*, card_id: int) -> QuerySet:
    """The free-clinic registrations of a card, newest first (its resident's page, shown only
    to whoever may open the card)."""
    return (
        Registration.objects.filter(card_id=card_id)
        .select_related("event")
        .order_by("-slot_start", "-id")
    )
