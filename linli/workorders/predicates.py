"""Who may see and act on work orders, over the user's scope and organisations."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import FILE_ORDERS, MANAGE_ORDERS, VIEW_ORDERS
from linli.accounts.scope import resident_compounds, scope_of
from linli.places import tree


@rules.predicate
def can_file_at(user, place):
    """Staff file anywhere in their scope; a resident anywhere in their own compound."""
    if place is None:
        return scope_of(user).has_role(FILE_ORDERS) or bool(resident_compounds(user))
    if scope_of(user).covers(place.path, roles=FILE_ORDERS):
        return True
    return any(tree.in_subtree(place.path, c) for c in resident_compounds(user))


@rules.predicate
def is_reporter(user, order):
    return order is not None and order.reporter_id is not None and order.reporter_id == user.pk


@rules.predicate
def is_handler(user, order):
    return (
        order is not None
        and order.organisation_id is not None
        and order.organisation_id in scope_of(user).member_organisation_ids
    )


can_manage_order = role_in_scope("can_manage_order", MANAGE_ORDERS)
can_decide_extension = role_in_scope(
    "can_decide_extension", MANAGE_ORDERS, place_of=lambda extension: extension.order.place
)
can_oversee_order = role_in_scope("can_oversee_order", VIEW_ORDERS)


@rules.predicate
def is_resident_of_compound(user, order):
    return order is not None and any(
        tree.in_subtree(order.place.path, c) for c in resident_compounds(user)
    )


@rules.predicate
def can_view_board_of(user, place):
    """The public board of a compound: its residents and the staff who oversee it."""
    if place is None or place.kind != "compound":
        return False
    if scope_of(user).covers(place.path, roles=VIEW_ORDERS):
        return True
    return any(c == place.path for c in resident_compounds(user))


@rules.predicate
def can_dispatch_to(user, organisation):
    """A worker who manages orders dispatches to the organisations serving their places
    (the same set as ``selectors.dispatch_organisations``)."""
    scope = scope_of(user)
    return (
        organisation is not None
        and organisation.is_active
        and scope.has_role(MANAGE_ORDERS)
        and scope.can_view_organisation(organisation)
    )


@rules.predicate
def can_add_photo(user, order):
    """Staff who manage or handle the order, at any time; the reporter while it is open."""
    if order is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.has_perm("workorders.view_order", order):
        return False
    if user.has_perm("workorders.manage_order", order) or user.has_perm(
        "workorders.handle_order", order
    ):
        return True
    return user.has_perm("workorders.give_feedback", order) and order.is_open
