"""Who may see the shelf of donated items, borrow from it and run its desk, over the user's
scope: staff by their roles on the place tree, residents by the compound they live in."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import MANAGE_LENDING, VIEW_LENDING
from linli.accounts.scope import resident_compounds
from linli.residents.nearby import lives_near


def place_of(obj):
    """The place an item, loan, donation, photo or wait-list entry belongs to (or a place
    itself)."""
    item = getattr(obj, "item", None)
    if item is not None:
        return item.place
    return getattr(obj, "place", obj)


def _in_scope(name: str, roles) -> rules.Predicate:
    return role_in_scope(name, roles, place_of=place_of)


can_manage_lending = _in_scope("can_manage_lending", MANAGE_LENDING)
can_oversee_lending = _in_scope("can_oversee_lending", VIEW_LENDING)


@rules.predicate
def is_neighbour(user, obj):
    if obj is None:
        return bool(resident_compounds(user))
    return lives_near(user, place_of(obj))


@rules.predicate
def is_borrower(user, loan):
    borrower = getattr(loan, "borrower_user_id", None)
    return borrower is not None and borrower == user.pk


@rules.predicate
def is_waiter(user, entry):
    waiter = getattr(entry, "user_id", None) if entry is not None else None
    return waiter is not None and waiter == user.pk
