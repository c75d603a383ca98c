"""Predicates of the residents register, over the user's scope."""

import rules

from linli.accounts.roles import EXPORT_RESIDENTS, MANAGE_RESIDENTS, REVEAL_PERSONAL, VIEW_RESIDENTS
from linli.accounts.scope import scope_of


@rules.predicate
def can_view_resident(user, resident):
    if resident is None:
        return scope_of(user).has_role(VIEW_RESIDENTS)
    return scope_of(user).covers(resident.place.path, roles=VIEW_RESIDENTS)


@rules.predicate
def can_manage_resident(user, resident_or_place):
    if resident_or_place is None:
        return scope_of(user).has_role(MANAGE_RESIDENTS)
    place = getattr(resident_or_place, "place", resident_or_place)
    return scope_of(user).covers(place.path, roles=MANAGE_RESIDENTS)


@rules.predicate
def can_reveal_resident(user, resident):
    if resident is None:
        return scope_of(user).has_role(REVEAL_PERSONAL)
    if resident.user_id is not None and resident.user_id == user.pk:
        return True  # one's own numbers
    return scope_of(user).covers(resident.place.path, roles=REVEAL_PERSONAL)


@rules.predicate
def can_export_residents(user):
    return scope_of(user).has_role(EXPORT_RESIDENTS)


@rules.predicate
def can_view_household(user, household):
    if household is None:
        return scope_of(user).has_role(VIEW_RESIDENTS)
    return scope_of(user).covers(household.place.path, roles=VIEW_RESIDENTS)


@rules.predicate
def can_view_residents_at(user, place):
    """May the user see residents somewhere in this place's subtree?"""
    from linli.places import tree

    scope = scope_of(user)
    if scope.is_superuser:
        return True
    return any(
        g.role in VIEW_RESIDENTS
        and (tree.in_subtree(place.path, g.path) or tree.in_subtree(g.path, place.path))
        for g in scope.grants
    )
