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


@rules.predicate
def is_organiser_member(user, obj=None):
    if obj is None:
        return bool(scope_of(user).member_organisation_ids)
    event = event_of(obj)
    return bool(
        event.organisation_id and event.organisation_id in scope_of(user).member_organisation_ids
    )


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
