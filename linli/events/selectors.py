"""Reads of events that depend on who asks, scoped once: the organisers see their events
(drafts too), everyone else the published events whose audience covers where they live or
work. The list's rows carry the places held and the user's own registration, read in a
fixed number of queries."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce

from linli.accounts.roles import Role
from linli.accounts.scope import scope_of
from linli.places import tree
from linli.residents.models import Resident

from .models import (
    ACTIVE,
    HOLDING,
    Event,
    EventStatus,
    Registration,
    RegistrationPerson,
)
from .predicates import ORGANISE_EVENTS, partner_organisation_ids


def _visible_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    organised = scope.q(roles=ORGANISE_EVENTS, field="place__path")
    partners = partner_organisation_ids(user)
    if partners:
        organised |= Q(organisation_id__in=sorted(partners))
    audience = Q(pk__in=[])
    ancestor_ids: set[int] = set()
    for grant in scope.grants:
        ancestor_ids.update(tree.path_ids(grant.path))
        if grant.role != Role.RESIDENT:
            audience |= tree.subtree_q(grant.path, "path")
    if ancestor_ids:
        audience |= Q(pk__in=sorted(ancestor_ids))
    from linli.places.models import Place

    for_me = Exists(
        Event.audience.through.objects.filter(
            event_id=OuterRef("pk"),
            place_id__in=Place.objects.filter(audience).values("pk"),
        )
    )
    return organised | (~Q(status=EventStatus.DRAFT) & Q(for_me))


def event_queryset():
    return Event.objects.select_related("place", "organisation", "room").prefetch_related(
        "audience"
    )


def event_list(*, user, upcoming: bool | None = None, now=None, sessions: bool = False):
    """Events the user may see; a series' sessions only with ``sessions`` (they are shown on
    their series' page)."""
    qs = event_queryset().filter(_visible_q(user))
    if not sessions:
        qs = qs.filter(series__isnull=True)
    if upcoming is not None and now is not None:
        qs = qs.filter(end__gte=now) if upcoming else qs.filter(end__lt=now)
    return qs.annotate(
        held_places=Coalesce(
            Sum("registrations__places", filter=Q(registrations__status__in=HOLDING)), 0
        )
    )


def event_get(*, user, pk) -> Event:
    from linli.core.access import access_by_id

    return access_by_id(event_list(user=user), pk=pk, user=user, perm="events.view_event")


def my_registrations(*, user):
    """The registrations the user made, or in which they are a person."""
    if not user.pk:
        return Registration.objects.none()
    return (
        Registration.objects.filter(
            Q(registered_by_id=user.pk)
            | Q(contact__user_id=user.pk)
            | Q(people__resident__user_id=user.pk)
        )
        .distinct()
        .select_related("event__place", "event__organisation", "contact")
        .prefetch_related(Prefetch("people", queryset=_people()))
        .order_by("-event__start", "-id")
    )


def _people():
    return RegistrationPerson.objects.select_related("resident")


def my_registration_by_event(*, user, events) -> dict[int, Registration]:
    ids = [e.pk for e in events]
    rows = my_registrations(user=user).filter(event_id__in=ids, status__in=ACTIVE)
    return {r.event_id: r for r in rows}


def event_registrations(*, event):
    """For the organisers (the view checks the permission)."""
    return (
        event.registrations.select_related("contact", "registered_by")
        .prefetch_related(Prefetch("people", queryset=_people()))
        .order_by("created_at", "id")
    )


def household_members(*, user) -> list[Resident]:
    """Whom a resident may register: themself and the living members of their household."""
    resident = getattr(user, "resident", None) if user.pk else None
    if resident is None:
        return []
    if resident.household_id is None:
        return [resident]
    return list(
        Resident.objects.filter(household_id=resident.household_id, status="living")
        .select_related("place")
        .order_by("birth_date")
    )


def desk_residents(*, user, event, query: str):
    """Residents the staff may register at the desk: found by name in the staff's scope and
    the event's audience."""
    from linli.residents import selectors as resident_selectors

    query = query.strip()
    if not query:
        return Resident.objects.none()
    audience = Q(pk__in=[])
    for place in event.audience.all():
        audience |= tree.subtree_q(place.path, "place__path")
    return resident_selectors.resident_list(user=user, q=query).filter(audience)[:20]


def series_sessions(*, series):
    return series.sessions.select_related("room").order_by("start", "id")
