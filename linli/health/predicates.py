"""Who may see and change a health card, its readings, consents and free clinics.

The care team of a card sees its content: clinic staff (``HEALTH_STAFF``) whose grant covers
the card's place, the card's responsible worker and its family doctor. The resident sees
their own card. The members of an organisation the resident consented to share with (the
elder-care station) see what the consent covers, only while it stands. Nobody else reads a
card: administrators, property, patrol, inspectors and volunteers count (``view_stats``), they
do not read. Each predicate without an object answers "could this user have such access
anywhere?" — for navigation entries.

``card_q``/``readings_q``/``care_q`` are the queryset forms of the same rules, used by the
selectors; they are written beside the predicates so that the two cannot disagree."""

import rules
from django.db.models import Q

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import HEALTH_STAFF, MAKE_HEALTH_CARDS, RUN_CLINICS, VIEW_HEALTH_STATS
from linli.accounts.scope import scope_of
from linli.places import tree

from .models import ConsentScope

# What each kind of access needs a consent to cover.
CARD_SCOPES = (ConsentScope.CARD, ConsentScope.ALL)
READINGS_SCOPES = (ConsentScope.READINGS, ConsentScope.ALL)


def card_of(obj):
    """The card of a card or of one of its rows (a reading, consent, device, follow-up)."""
    from .models import HealthCard

    if obj is None or isinstance(obj, HealthCard):
        return obj
    return getattr(obj, "card", None)


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _consented(user, card, scopes) -> bool:
    from .models import Consent

    orgs = scope_of(user).member_organisation_ids
    if not orgs:
        return False
    consents = Consent.objects.filter(withdrawn_at__isnull=True, scope__in=scopes)
    if card is None:
        return consents.filter(organisation_id__in=orgs, card__is_active=True).exists()
    return consents.filter(card=card, organisation_id__in=orgs).exists()


# -- the care team -----------------------------------------------------------------------------


@rules.predicate
def is_health_staff(user, obj=None):
    """Clinic staff whose grant covers the card's place (anywhere, without an object)."""
    scope = scope_of(user)
    card = card_of(obj)
    if card is None:
        return scope.has_role(HEALTH_STAFF) if obj is None else False
    return scope.covers(card.place.path, roles=HEALTH_STAFF)


@rules.predicate
def is_responsible_worker(user, obj=None):
    from .models import HealthCard

    if not _signed_in(user):
        return False
    card = card_of(obj)
    if card is None:
        return obj is None and HealthCard.objects.filter(responsible_worker=user).exists()
    return card.responsible_worker_id == user.pk


@rules.predicate
def is_family_doctor(user, obj=None):
    from .models import HealthCard

    if not _signed_in(user):
        return False
    card = card_of(obj)
    if card is None:
        return obj is None and HealthCard.objects.filter(family_doctor=user).exists()
    return card.family_doctor_id == user.pk


@rules.predicate
def is_card_holder(user, obj=None):
    """The resident whose card it is."""
    from .models import HealthCard

    if not _signed_in(user):
        return False
    card = card_of(obj)
    if card is None:
        return obj is None and HealthCard.objects.filter(resident__user=user).exists()
    return card.resident.user_id == user.pk


@rules.predicate
def has_card_consent(user, obj=None):
    card = card_of(obj)
    if obj is not None and card is None:
        return False
    return _signed_in(user) and _consented(user, card, CARD_SCOPES)


@rules.predicate
def has_readings_consent(user, obj=None):
    card = card_of(obj)
    if obj is not None and card is None:
        return False
    return _signed_in(user) and _consented(user, card, READINGS_SCOPES)


is_care_team = is_health_staff | is_responsible_worker | is_family_doctor


# -- places and clinics ------------------------------------------------------------------------


def _place_of(obj):
    """A place itself, or the household place of a resident."""
    return getattr(obj, "place", obj)


def _clinic_of(obj):
    """The free clinic of a clinic or of one of its registrations."""
    from .models import Registration

    return obj.event if isinstance(obj, Registration) else obj


def _clinic_place(obj):
    return _clinic_of(obj).place


can_make_cards = role_in_scope("can_make_health_cards", MAKE_HEALTH_CARDS, place_of=_place_of)
can_view_stats = role_in_scope("can_view_health_stats", VIEW_HEALTH_STATS, place_of=_place_of)
# obj: a clinic or one of its registrations.
can_run_clinics_here = role_in_scope("can_run_clinics", RUN_CLINICS, place_of=_clinic_place)


@rules.predicate
def is_clinic_organiser(user, obj=None):
    """A member of the organisation that runs the free clinic (without an object: a member
    of an organisation that runs free clinics)."""
    from linli.places.models import OrganisationKind

    from .models import ClinicEvent

    orgs = scope_of(user).member_organisation_ids
    if not orgs or not _signed_in(user):
        return False
    if obj is None:
        return ClinicEvent.objects.filter(organisation_id__in=orgs).exists() or (
            user.memberships.filter(organisation__kind=OrganisationKind.CLINIC).exists()
        )
    return _clinic_of(obj).organisation_id in orgs


def district_path(path: str) -> str:
    """The district a place path lies in (clinics are public to their district)."""
    return tree.ancestor_path(path, "district")


@rules.predicate
def can_view_clinic(user, obj=None):
    """Everyone with a grant in the clinic's district, and the members of the organisation
    that runs it, see the clinic itself (its queryset form: ``selectors_clinics``)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    if not _signed_in(user) or getattr(user, "is_system", False):
        return False
    if obj is None:
        return True
    clinic = _clinic_of(obj)
    if clinic.organisation_id in scope.member_organisation_ids:
        return True
    return any(tree.in_subtree(clinic.place.path, district_path(g.path)) for g in scope.grants)


@rules.predicate
def is_registrant(user, registration=None):
    """The resident whose card a registration is for, who sees its clinic."""
    if registration is None or not _signed_in(user):
        return False
    return registration.card.resident.user_id == user.pk and can_view_clinic(
        user, registration.event
    )


# -- queryset forms ----------------------------------------------------------------------------


def consent_q(user, scopes, field: str) -> Q:
    from .models import Consent

    orgs = sorted(scope_of(user).member_organisation_ids)
    if not orgs:
        return Q(pk__in=[])
    cards = Consent.objects.filter(
        withdrawn_at__isnull=True, scope__in=scopes, organisation_id__in=orgs
    ).values("card_id")
    return Q(**{f"{field}__in": cards})


def care_q(user, prefix: str = "") -> Q:
    """Cards (reached through ``prefix``, e.g. ``"card__"``) of the user's care team."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    if not _signed_in(user):
        return Q(pk__in=[])
    return (
        scope.q(roles=HEALTH_STAFF, field=f"{prefix}place__path")
        | Q(**{f"{prefix}responsible_worker": user.pk})
        | Q(**{f"{prefix}family_doctor": user.pk})
    )


def card_q(user, prefix: str = "") -> Q:
    """Cards whose content the user may see (``health.view_card``)."""
    if scope_of(user).is_superuser:
        return Q()
    if not _signed_in(user):
        return Q(pk__in=[])
    field = f"{prefix}id" if prefix else "pk"
    return (
        care_q(user, prefix)
        | Q(**{f"{prefix}resident__user": user.pk})
        | consent_q(user, CARD_SCOPES, field)
    )


def readings_q(user, prefix: str = "") -> Q:
    """Cards whose readings the user may see (``health.view_readings``)."""
    if scope_of(user).is_superuser:
        return Q()
    if not _signed_in(user):
        return Q(pk__in=[])
    field = f"{prefix}id" if prefix else "pk"
    return (
        care_q(user, prefix)
        | Q(**{f"{prefix}resident__user": user.pk})
        | consent_q(user, READINGS_SCOPES, field)
    )
