"""django-rules predicates over the user's scope. Rules (``rules.py`` of each app) compose
these into named permissions; views and API endpoints only name the permission."""

import rules

from .roles import MANAGE_GRANTS, MANAGE_PLACES, READ_AUDIT, Role
from .scope import scope_of


def _own_place(obj):
    return getattr(obj, "place", obj)


def role_in_scope(name: str, roles, place_of=_own_place) -> rules.Predicate:
    """A predicate: does the user hold one of ``roles`` on a place covering the object's
    place (``place_of(obj)``; by default the object's ``place``, or a place itself)?
    Without an object: anywhere at all."""

    def check(user, obj=None):
        scope = scope_of(user)
        if obj is None:
            return scope.has_role(roles)
        return scope.covers(place_of(obj).path, roles=roles)

    return rules.Predicate(check, name=name)


@rules.predicate
def can_view_place(user, place):
    return place is not None and scope_of(user).can_view_place(place)


can_manage_place = role_in_scope("can_manage_place", MANAGE_PLACES)


@rules.predicate
def can_view_organisation(user, organisation):
    return organisation is not None and scope_of(user).can_view_organisation(organisation)


@rules.predicate
def can_read_audit(user):
    return scope_of(user).has_role(READ_AUDIT)


can_manage_grants = role_in_scope("can_manage_grants", MANAGE_GRANTS)


@rules.predicate
def is_signed_in(user):
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def works_here(user):
    """Staff: any role besides a resident's (or the superuser). Residents and people with no
    role get the resident's home and menu instead of the workbench."""
    if user.is_superuser:
        return True
    return bool(scope_of(user).roles() - {Role.RESIDENT})
