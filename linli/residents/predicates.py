"""Predicates of the residents register, over the user's scope."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import EXPORT_RESIDENTS, MANAGE_RESIDENTS, REVEAL_PERSONAL, VIEW_RESIDENTS
from linli.accounts.scope import scope_of

can_view_resident = role_in_scope("can_view_resident", VIEW_RESIDENTS)
can_manage_resident = role_in_scope("can_manage_resident", MANAGE_RESIDENTS)
can_view_household = role_in_scope("can_view_household", VIEW_RESIDENTS)


@rules.predicate
def is_own_record(user, resident):
    return resident is not None and resident.user_id is not None and resident.user_id == user.pk


@rules.predicate
def is_import_uploader(user, job):
    """Only the person who uploaded a register file may confirm its import."""
    return job is not None and job.created_by_id is not None and job.created_by_id == user.pk


# Full numbers: one's own, or a role that needs them (the community worker at the desk).
can_reveal_resident = is_own_record | role_in_scope("can_reveal_in_scope", REVEAL_PERSONAL)


@rules.predicate
def can_export_residents(user):
    return scope_of(user).has_role(EXPORT_RESIDENTS)


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
