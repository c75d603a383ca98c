"""Reads of health help within what the asking user may see, each in a bounded number of
queries. Every read of a card's content (``card_get``, ``card_by_qr``) and of its readings
(``readings``) writes an audit event with the card as object — ``health.card.read`` and
``health.readings.read`` with ``{"how": …}`` — which the resident sees in ``who_looked``.
Lists (``card_list``, ``my_cards``…) show who has a card, not what is on it, and are not
audited one row at a time; opening a card is.

A card page that shows both the card and the readings calls ``card_get`` then ``readings``
and so leaves two events: what was seen is told apart (a consent may cover only one)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import RoleGrant
from linli.accounts.roles import MAKE_HEALTH_CARDS, Role
from linli.accounts.scope import COMPOUND_DEPTH, compound_path_of, scope_of
from linli.core.access import access_by_id
from linli.core.audit import audit_record
from linli.core.crypto import phone_shown
from linli.core.models import AuditEvent
from linli.places import tree
from linli.places.models import Membership, OrganisationKind, Place
from linli.residents.models import Resident, ResidentStatus

from .models import (
    Alert,
    Consent,
    Device,
    FollowUp,
    FollowUpStatus,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
)
from .predicates import READINGS_SCOPES, card_q, care_q, consent_q, readings_q

# How a card was read, as recorded in the audit log.
HOWS = ("page", "print", "export", "qr", "api", "fhir")
CARD_OBJECT_TYPE = HealthCard._meta.label_lower
# Encrypted content a readings-only view never loads.
CARD_CONTENT = ("conditions", "medications", "allergies", "notes", "emergency_phone")
# Whom a resident may share their record with.
CONSENT_ORGANISATION_KINDS = (OrganisationKind.ELDER_CARE, OrganisationKind.CLINIC)


def _check_how(how: str) -> None:
    if how not in HOWS:
        raise ValueError(f"unknown way of reading a card: {how!r}")


def _cards() -> QuerySet:
    return HealthCard.objects.select_related(
        "resident", "place", "responsible_worker", "family_doctor"
    )


def _latest_level() -> Subquery:
    return Subquery(
        Reading.objects.filter(card=OuterRef("pk"))
        .exclude(kind__in=[ReadingKind.WEIGHT, ReadingKind.HEIGHT])
        .order_by("-taken_at", "-id")
        .values("level")[:1]
    )


def card_list(
    *,
    user,
    place=None,
    q: str | None = None,
    level: str | None = None,
    include_inactive: bool = False,
    readings: bool = False,
) -> QuerySet:
    """Cards whose content the user may see (``readings=True``: whose readings, with the
    content not loaded). ``place``: a Place or its id, narrowing to its subtree; ``q``: part
    of the resident's name, pinyin or initials; ``level``: cards whose latest blood-pressure
    or glucose reading has that level (only among cards whose readings the user may see)."""
    condition = readings_q(user) if readings else card_q(user)
    qs = _cards().filter(condition)
    if readings:
        qs = qs.defer(*CARD_CONTENT)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if place is not None:
        root = (
            place.path
            if isinstance(place, Place)
            else (Place.objects.filter(pk=place).values_list("path", flat=True).first())
        )
        if root is None:
            return qs.none()
        qs = qs.filter(tree.subtree_q(root, "place__path"))
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(resident__name__icontains=q)
            | Q(resident__name_pinyin__icontains=q.lower())
            | Q(resident__name_initials__icontains=q.lower())
        )
    if level:
        if not readings:
            qs = qs.filter(readings_q(user))
        qs = qs.annotate(latest_level=_latest_level()).filter(latest_level=level)
    return qs.order_by("place__path", "id")


def card_ids_with_readings(*, user, ids) -> set[int]:
    """Which of the cards ``ids`` the user may see the readings of."""
    return set(card_list(user=user, readings=True).filter(pk__in=ids).values_list("pk", flat=True))


def own_card_id(*, user) -> int | None:
    """The id of the signed-in resident's own card, if any."""
    return card_list(user=user).filter(resident__user=user).values_list("pk", flat=True).first()


def card_id_of_resident(*, resident_id: int) -> int | None:
    """The id of a resident's card (to look it up next through ``card_get``, which decides
    whether the user sees it)."""
    return HealthCard.objects.filter(resident_id=resident_id).values_list("pk", flat=True).first()


def _latest(kind: str, field: str) -> Subquery:
    return Subquery(
        Reading.objects.filter(card=OuterRef("pk"), kind=kind)
        .order_by("-taken_at", "-id")
        .values(field)[:1]
    )


def with_latest(cards: QuerySet) -> QuerySet:
    """Cards with their latest blood pressure and glucose and their open follow-ups and
    alerts, each in the one query of the list. Shown only where the user may see readings
    (``card_ids_with_readings``)."""
    bp, glucose = ReadingKind.BLOOD_PRESSURE, ReadingKind.GLUCOSE
    return cards.annotate(
        bp_systolic=_latest(bp, "systolic"),
        bp_diastolic=_latest(bp, "diastolic"),
        bp_level=_latest(bp, "level"),
        glucose_value=_latest(glucose, "glucose"),
        glucose_level=_latest(glucose, "level"),
        open_follow_ups=_count(FollowUp, status=FollowUpStatus.OPEN),
        open_alerts=_count(Alert, acknowledged_at__isnull=True),
    )


def card_resident_choices(*, user, q: str | None = None) -> QuerySet:
    """Living residents a card may be made for: those under the user's card-making grants
    (the register's selector does not serve clinic staff, who do not keep the register);
    ``q``: part of the name, pinyin or initials."""
    from linli.residents.selectors import search_q

    qs = Resident.objects.filter(
        scope_of(user).q(roles=MAKE_HEALTH_CARDS, field="place__path"),
        status=ResidentStatus.LIVING,
    )
    if q:
        qs = qs.filter(search_q(q))
    return qs.select_related("place", "health_card").order_by("place__path", "id")


def consent_organisation_choices(*, user) -> list:
    """The active elder-care stations and clinics the user sees: whom a resident may share
    their record with."""
    from linli.places import selectors as place_selectors

    return list(
        place_selectors.organisation_list(user=user).filter(
            kind__in=CONSENT_ORGANISATION_KINDS, is_active=True
        )
    )


def consent_list(*, user) -> QuerySet:
    """Consents of the cards the user sees (whether they may withdraw one is
    ``health.withdraw_consent``)."""
    return Consent.objects.filter(card_q(user, "card__")).select_related(
        "card__resident", "card__place", "organisation"
    )


def device_list(*, card: HealthCard, active_only: bool = True) -> QuerySet:
    """The home devices of a card the caller has already checked access to."""
    qs = Device.objects.filter(card=card)
    if active_only:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("id")


def card_get(*, user, pk, request=None, how: str = "page") -> HealthCard:
    """The card ``pk`` if the user may see its content (404 alike for missing and not
    visible); every call is audited as ``health.card.read``."""
    _check_how(how)
    card = access_by_id(_cards(), pk=pk, user=user, perm="health.view_card")
    audit_record(
        actor=user, action="health.card.read", obj=card, request=request, details={"how": how}
    )
    return card


def card_for_readings(*, user, pk) -> HealthCard:
    """The card ``pk`` if the user may see its readings, with its content not loaded: for a
    member of an organisation the resident shared only the readings with. Not audited by
    itself; ``readings`` is."""
    return access_by_id(
        _cards().defer(*CARD_CONTENT), pk=pk, user=user, perm="health.view_readings"
    )


def card_by_qr(*, user, token: str, request=None) -> HealthCard:
    """The card whose printed QR code carries ``token``, for those who may see it; audited
    with ``how="qr"``. 404 alike for an unknown token and a card the user may not see."""
    if not isinstance(token, str) or not token or len(token) > 32:
        raise Http404("Not found.")
    card = _cards().filter(qr_token=token).first()
    if card is None or not user.has_perm("health.view_card", card):
        raise Http404("Not found.")
    audit_record(
        actor=user, action="health.card.read", obj=card, request=request, details={"how": "qr"}
    )
    return card


def may_see_emergency_phone(user, card: HealthCard) -> bool:
    """The emergency contact's number is shown whole to the care team (who may edit the
    card) and to the resident; everyone else the card is shared with sees it masked."""
    user_id = getattr(user, "pk", None)
    return (user_id is not None and card.resident.user_id == user_id) or user.has_perm(
        "health.edit_card", card
    )


def card_emergency_phone(*, user, card: HealthCard) -> str:
    """The emergency contact's number as ``user`` sees it, on the page and in the API."""
    return phone_shown(card.emergency_phone, full=may_see_emergency_phone(user, card))


def readings(
    *,
    user,
    card: HealthCard,
    kind: str | None = None,
    since: datetime | None = None,
    request=None,
    how: str = "page",
) -> QuerySet:
    """The card's readings, newest first, if the user may see them (else 404); audited as
    ``health.readings.read`` with the card as object."""
    _check_how(how)
    if not user.has_perm("health.view_readings", card):
        raise Http404("Not found.")
    audit_record(
        actor=user, action="health.readings.read", obj=card, request=request, details={"how": how}
    )
    qs = Reading.objects.filter(card=card)
    if kind:
        qs = qs.filter(kind=kind)
    if since is not None:
        qs = qs.filter(taken_at__gte=since)
    return qs.order_by("-taken_at", "-id")


# Lines a chart draws across its series (SPEC 3.7).
THRESHOLDS = {
    ReadingKind.BLOOD_PRESSURE: {"systolic": [140, 180], "diastolic": [90, 110]},
    ReadingKind.GLUCOSE: {"glucose": [3.9, 6.1, 7.0, 11.1, 16.7]},
    ReadingKind.WEIGHT: {"bmi": [18.5, 24.0, 28.0]},
    ReadingKind.HEIGHT: {},
}
TREND_VALUES = {
    ReadingKind.BLOOD_PRESSURE: ("systolic", "diastolic", "pulse"),
    ReadingKind.GLUCOSE: ("glucose", "glucose_timing"),
    ReadingKind.WEIGHT: ("weight_kg", "bmi"),
    ReadingKind.HEIGHT: ("height_cm",),
}


def _plain(value):
    if value is None or isinstance(value, (int, str)):
        return value
    return float(value)


def reading_trend(card: HealthCard, kind: str, days: int = 365, *, now=None) -> dict:
    """The card's readings of ``kind`` over the last ``days``, oldest first, as plain JSON
    data for a chart: ``{"kind", "points": [{"at": ISO time, "level", <values>}],
    "thresholds"}``. Reads no permission and writes no audit: call it after ``readings``."""
    if kind not in TREND_VALUES:
        raise ValueError(f"unknown kind of reading: {kind!r}")
    now = now or timezone.now()
    names = TREND_VALUES[kind]
    rows = (
        Reading.objects.filter(card=card, kind=kind, taken_at__gte=now - timedelta(days=days))
        .order_by("taken_at", "id")
        .values("taken_at", "level", *names)
    )
    points = [
        {
            "at": timezone.localtime(row["taken_at"]).isoformat(),
            "level": row["level"],
            **{name: _plain(row[name]) for name in names},
        }
        for row in rows
    ]
    return {"kind": kind, "points": points, "thresholds": THRESHOLDS[kind]}


@dataclass
class Look:
    """One line of the resident's "who looked at my card" page."""

    at: datetime
    action: str
    how: str
    actor_name: str
    actor_id: int | None = None
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


def card_audit_events(*, card_id: int, exclude_actor=None) -> QuerySet:
    """The audit events of a card (reads, prints, exports, QR opens, changes), newest first;
    ``exclude_actor``: without that user's own (the resident's visits to their page)."""
    qs = AuditEvent.objects.filter(
        object_type=CARD_OBJECT_TYPE, object_id=str(card_id), action__startswith="health."
    )
    if exclude_actor is not None:
        qs = qs.exclude(actor=exclude_actor)
    return qs.select_related("actor").order_by("-at", "-id")


def who_looked(*, card: HealthCard, limit: int = 500, exclude_actor=None) -> list[Look]:
    """The audit events of the card, newest first, with who did it, in which role and for
    which organisation. Three queries."""
    return looks_of(list(card_audit_events(card_id=card.pk, exclude_actor=exclude_actor)[:limit]))


def looks_of(events) -> list[Look]:
    """The lines of "who looked" for ``events`` (a page of ``card_audit_events``), with the
    roles and organisations of who acted: two queries."""
    actor_ids = {e.actor_id for e in events if e.actor_id}
    roles: dict[int, list[str]] = {}
    for user_id, role in (
        RoleGrant.objects.active()
        .filter(user_id__in=actor_ids)
        .order_by("user_id", "role")
        .values_list("user_id", "role")
        .distinct()
    ):
        label = str(Role(role).label)
        if label not in roles.setdefault(user_id, []):
            roles[user_id].append(label)
    organisations: dict[int, list[str]] = {}
    for user_id, name in (
        Membership.objects.filter(user_id__in=actor_ids)
        .order_by("user_id", "organisation__name")
        .values_list("user_id", "organisation__name")
    ):
        organisations.setdefault(user_id, []).append(name)
    looks = []
    for event in events:
        actor = event.actor
        looks.append(
            Look(
                at=event.at,
                action=event.action,
                how=str((event.details or {}).get("how", "")),
                actor_name=actor.display_name if actor is not None else event.actor_name,
                actor_id=event.actor_id,
                roles=roles.get(event.actor_id, []),
                organisations=organisations.get(event.actor_id, []),
            )
        )
    return looks


# -- the care team's work lists ----------------------------------------------------------------


def _team_q(user) -> Q:
    """Rows of cards whose readings the user handles or was shared: the care team, and the
    members of an organisation with a readings consent (not the resident: these are work
    lists)."""
    return care_q(user, "card__") | consent_q(user, READINGS_SCOPES, "card__id")


def alert_list(*, user, open_only: bool = True, card: HealthCard | None = None) -> QuerySet:
    """Alerts of the cards the user handles, newest first; ``card``: of that card only."""
    qs = Alert.objects.filter(_team_q(user), card__is_active=True)
    if card is not None:
        qs = qs.filter(card=card)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.select_related("card__resident", "card__place", "acknowledged_by").order_by(
        "-raised_at", "-id"
    )


def follow_up_list(
    *,
    user,
    overdue: bool = False,
    mine: bool = False,
    open_only: bool = True,
    today=None,
    card: HealthCard | None = None,
) -> QuerySet:
    """Follow-ups of the cards the user handles, soonest due first; ``overdue``: open ones
    past their day; ``mine``: assigned to the user; ``card``: of that card only."""
    qs = FollowUp.objects.filter(_team_q(user))
    if card is not None:
        qs = qs.filter(card=card)
    if open_only or overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN)
    if overdue:
        qs = qs.filter(due_on__lt=today or timezone.localdate())
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    return qs.select_related("card__resident", "card__place", "assignee", "reading").order_by(
        "due_on", "id"
    )


def _count(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(card=OuterRef("pk"), **filters)
        .order_by()
        .values("card")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def my_cards(*, user, today=None) -> QuerySet:
    """The active cards the user is the responsible worker or family doctor of, each with
    its number of open follow-ups and open alerts; with ``today``, also its overdue
    follow-ups and latest blood pressure, those with an overdue follow-up first."""
    if not (user.is_authenticated and user.is_active):
        return HealthCard.objects.none()
    qs = (
        _cards()
        .filter(Q(responsible_worker=user) | Q(family_doctor=user), is_active=True)
        .annotate(
            open_follow_ups=_count(FollowUp, status=FollowUpStatus.OPEN),
            open_alerts=_count(Alert, acknowledged_at__isnull=True),
        )
        .order_by("place__path", "id")
    )
    if today is None:
        return qs
    bp = ReadingKind.BLOOD_PRESSURE
    return qs.annotate(
        overdue=_count(FollowUp, status=FollowUpStatus.OPEN, due_on__lt=today),
        bp_systolic=_latest(bp, "systolic"),
        bp_diastolic=_latest(bp, "diastolic"),
        bp_level=_latest(bp, "level"),
    ).order_by("-overdue", "-open_alerts", "place__path", "id")


# -- counts ------------------------------------------------------------------------------------


@dataclass
class HealthStats:
    place_path: str
    since: datetime
    until: datetime
    cards: int
    readings: int
    readings_by_level: dict[str, int]
    open_follow_ups: int
    overdue_follow_ups: int
    open_alerts: int


def stats(*, user, place: Place, days: int = 30, now=None) -> HealthStats:
    """Counts under ``place`` (never finer than a compound: a place below one is counted as
    its compound, so that a count never points at a household): active cards, readings of
    the last ``days`` by level (from the pseudonymised readings), open and overdue
    follow-ups, open alerts. 404 without ``health.view_stats`` on the place."""
    if not user.has_perm("health.view_stats", place):
        raise Http404("Not found.")
    now = now or timezone.now()
    since = now - timedelta(days=days)
    path = place.path
    if tree.depth(path) > COMPOUND_DEPTH:
        path = compound_path_of(path)
    by_level = dict.fromkeys(Level.values, 0)
    for row in (
        Reading.objects.filter(tree.subtree_q(path, "compound_path"), taken_at__gte=since)
        .filter(taken_at__lte=now)
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_level[row["level"]] = row["n"]
    in_place = tree.subtree_q(path, "card__place__path")
    open_follow_ups = FollowUp.objects.filter(in_place, status=FollowUpStatus.OPEN)
    return HealthStats(
        place_path=path,
        since=since,
        until=now,
        cards=HealthCard.objects.filter(
            tree.subtree_q(path, "place__path"), is_active=True
        ).count(),
        readings=sum(by_level.values()),
        readings_by_level=by_level,
        open_follow_ups=open_follow_ups.count(),
        overdue_follow_ups=open_follow_ups.filter(due_on__lt=timezone.localdate(now)).count(),
        open_alerts=Alert.objects.filter(
            in_place, acknowledged_at__isnull=True, card__is_active=True
        ).count(),
    )
