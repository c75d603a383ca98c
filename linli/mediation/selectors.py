"""Reads of mediations within the asking user's scope: the desk's staff see those of the
compounds they serve, a mediator those they mediate, a resident those they are a party to;
administrators only count them. Each read is a bounded number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet

from linli.accounts.models import RoleGrant, User
from linli.accounts.roles import COUNT_MEDIATIONS, MEDIATE
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.places import tree

from .models import Mediation, MediationEvent, MediationParty, MediationStatus


def mediate_q(user) -> Q:
    """Mediations of the compounds whose desk the user serves."""
    return scope_of(user).q(roles=MEDIATE)


def _visible_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    condition = scope.q(roles=MEDIATE)
    if user.pk:
        condition |= Q(
            pk__in=Mediation.mediators.through.objects.filter(user_id=user.pk).values(
                "mediation_id"
            )
        )
        condition |= Q(
            pk__in=MediationParty.objects.filter(resident__user_id=user.pk).values("mediation_id")
        )
    return condition


def _with_people(qs: QuerySet) -> QuerySet:
    return qs.select_related("place").prefetch_related(
        "mediators",
        Prefetch("parties", queryset=MediationParty.objects.select_related("resident")),
    )


def mediation_list(*, user, status: str | None = None, kind: str | None = None) -> QuerySet:
    qs = Mediation.objects.filter(_visible_q(user))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return _with_people(qs).order_by("-created_at", "-id")


def mediation_get(*, user, pk) -> Mediation:
    """One mediation with its parties, mediators and sessions; 404 for whoever may not see
    it (administrators and property staff included)."""
    qs = _with_people(Mediation.objects.select_related("source_order")).prefetch_related("sessions")
    return access_by_id(qs, pk=pk, user=user, perm="mediation.view_mediation")


def mediation_timeline(*, mediation: Mediation) -> QuerySet:
    return MediationEvent.objects.filter(mediation=mediation).select_related("actor")


def mediation_counts(*, user) -> dict:
    """How many mediations by status and by kind, over the compounds the user counts (the
    desk's staff, the street and the district): numbers only."""
    qs = Mediation.objects.filter(scope_of(user).q(roles=COUNT_MEDIATIONS))
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    by_kind = dict(qs.values_list("kind").annotate(n=Count("id")).order_by())
    return {
        "total": sum(by_status.values()),
        "by_status": [
            (value, label, by_status.get(value, 0)) for value, label in MediationStatus.choices
        ],
        "by_kind": by_kind,
    }


def mediator_choices(*, place) -> QuerySet:
    """The users who may mediate at ``place``'s desk: an active mediating grant on the
    compound or above it."""
    ancestors = [place.path[:end] for end in range(tree.SEGMENT, len(place.path) + 1, tree.SEGMENT)]
    grants = RoleGrant.objects.active().filter(role__in=MEDIATE, place__path__in=ancestors)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("pk")


def confirmations_due(*, today, remind_days: int, days: int):
    """Agreements whose last day for judicial confirmation is within ``remind_days`` of
    ``today`` and not yet reminded (the reminder job)."""
    from datetime import timedelta

    return (
        Mediation.objects.filter(
            status=MediationStatus.AGREED,
            confirmation_reminded_at__isnull=True,
            # The last day may move past days off (a fortnight at most, the Spring
            # Festival's); the reminder's own guard decides the exact window.
            agreed_on__gte=today - timedelta(days=days + 14),
            agreed_on__lte=today - timedelta(days=days - remind_days),
        )
        .select_related("place")
        .prefetch_related("mediators", "parties__resident__user")
        .order_by("agreed_on", "id")
    )


def mediation_places(*, user) -> QuerySet:
    """The compounds whose desk the user serves (where they may open a mediation)."""
    from linli.places.models import Place

    return (
        Place.objects.filter(kind="compound")
        .filter(scope_of(user).q(roles=MEDIATE, field="path"))
        .order_by("path")
    )


def resident_by_phone(*, place, phone: str):
    """The resident of the register living in ``place`` with this mobile number, if any
    (by its keyed hash: the number is stored encrypted)."""
    from linli.core.crypto import lookup_hash
    from linli.residents.models import Resident

    return (
        Resident.objects.filter(phone_hash=lookup_hash(phone))
        .filter(tree.subtree_q(place.path, "place__path"))
        .select_related("place")
        .first()
    )


def mediation_from_order(*, user, order) -> Mediation | None:
    """The mediation started from ``order`` (not a withdrawn one), if the user may see it:
    one query, nothing prefetched (the order's page links to it)."""
    return (
        Mediation.objects.filter(_visible_q(user), source_order=order)
        .exclude(status=MediationStatus.WITHDRAWN)
        .only("pk", "created_at", "status", "subject")
        .order_by("-created_at", "-id")
        .first()
    )


def parties_in_scope(*, user) -> QuerySet:
    """The parties of the mediations the user may see (the admin's list)."""
    return (
        MediationParty.objects.filter(mediation__in=Mediation.objects.filter(_visible_q(user)))
        .select_related("mediation", "resident")
        .order_by("-mediation__created_at", "-mediation_id", "side", "id")
    )


def sessions_in_scope(*, user) -> QuerySet:
    """The sessions of the mediations the user may see (the admin's list)."""
    from .models import MediationSession

    return (
        MediationSession.objects.filter(mediation__in=Mediation.objects.filter(_visible_q(user)))
        .select_related("mediation", "recorded_by")
        .order_by("-held_at", "-id")
    )
