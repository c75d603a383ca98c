"""Who may see and run events: the staff over the organiser's place (district and street
administrators, the community worker, the branch secretary), members of the organising
partner organisation, and — once published — whoever lives or works in its audience."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import Role
from linli.accounts.scope import scope_of
from linli.places import tree

# The roles that organise events over their subtree (the partner organisations' members are
# added by ``is_organiser_member``).
ORGANISE_EVENTS = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY}
)
# Staff who register a resident at the desk: the same roles.
DESK_EVENTS = ORGANISE_EVENTS


def event_of(obj):
    from .models import Event

    while not isinstance(obj, Event):
        obj = obj.event if hasattr(obj, "event") else obj.registration
    return obj


def _place_of(obj):
    return event_of(obj).place


staff_organises = role_in_scope("staff_organises_events", ORGANISE_EVENTS, place_of=_place_of)


# The partner organisations whose members run their own events (the women's federation,
# the city-management bureau, a street office, a residents' committee, a volunteer team) —
# not a property company or a clinic.
PARTNER_KINDS = frozenset(
    {"federation", "city_management", "government", "community_committee", "volunteer_team"}
)


def partner_organisation_ids(user) -> frozenset[int]:
    cached = getattr(user, "_events_partner_ids", None)
    if cached is None:
        from linli.places.models import Organisation

        ids = scope_of(user).member_organisation_ids
        cached = frozenset(
            Organisation.objects.filter(pk__in=sorted(ids), kind__in=PARTNER_KINDS).values_list(
                "pk", flat=True
            )
            if ids
            else ()
        )
        user._events_partner_ids = cached
    return cached


@rules.predicate
def is_organiser_member(user, obj=None):
    """The user belongs to the partner organisation that runs the event."""
    if obj is None:
        return bool(partner_organisation_ids(user))
    event = event_of(obj)
    return bool(event.organisation_id and event.organisation_id in partner_organisation_ids(user))


organises = staff_organises | is_organiser_member


def audience_paths(event) -> list[str]:
    cached = getattr(event, "_audience_paths", None)
    if cached is None:
        cached = [p.path for p in event.audience.all()]
        event._audience_paths = cached
    return cached


@rules.predicate
def in_audience(user, obj):
    """The user lives or works in a place of the event's audience (or, for staff, the
    audience lies in their subtree)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    for path in audience_paths(event_of(obj)):
        for grant in scope.grants:
            if tree.in_subtree(grant.path, path):
                return True
            if grant.role != Role.RESIDENT and tree.in_subtree(path, grant.path):
                return True
    return False


@rules.predicate
def is_published(user, obj):
    from .models import EventStatus

    return event_of(obj).status != EventStatus.DRAFT


@rules.predicate
def is_own_registration(user, registration):
    """The registration is the user's (they are its contact or registered it themselves)."""
    if not user.pk or getattr(user, "is_system", False):
        return False
    return registration.registered_by_id == user.pk or registration.contact.user_id == user.pk


@rules.predicate
def is_resident(user):
    return bool(user.pk) and scope_of(user).has_role({Role.RESIDENT})
