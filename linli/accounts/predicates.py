"""django-rules predicates over the user's scope. Rules (``rules.py`` of each app) compose
these into named permissions; views and API endpoints only name the permission."""

import rules

from .roles import MANAGE_GRANTS, MANAGE_PLACES, READ_AUDIT
from .scope import scope_of


@rules.predicate
def can_view_place(user, place):
    return place is not None and scope_of(user).can_view_place(place)


@rules.predicate
def can_manage_place(user, place):
    if place is None:
        return scope_of(user).has_role(MANAGE_PLACES)
    return scope_of(user).covers(place.path, roles=MANAGE_PLACES)


@rules.predicate
def can_view_organisation(user, organisation):
    return organisation is not None and scope_of(user).can_view_organisation(organisation)


@rules.predicate
def can_read_audit(user):
    return scope_of(user).has_role(READ_AUDIT)


@rules.predicate
def can_manage_grants(user, place):
    if place is None:
        return scope_of(user).has_role(MANAGE_GRANTS)
    return scope_of(user).covers(place.path, roles=MANAGE_GRANTS)


@rules.predicate
def is_signed_in(user):
    return bool(user.is_authenticated and user.is_active)
