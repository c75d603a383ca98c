"""Who may read and keep the service desk's catalogue, over the user's scope."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import MANAGE_CATALOGUE


def place_of(obj):
    """The place a matter, or one of its versions, belongs to (or a place itself)."""
    matter = getattr(obj, "matter", None)
    if matter is not None:
        return matter.place
    return getattr(obj, "place", obj)


can_manage_catalogue = role_in_scope("can_manage_catalogue", MANAGE_CATALOGUE, place_of=place_of)


@rules.predicate
def is_listed(user, matter):
    """In the catalogue: anyone may read it, signed in or not."""
    if matter is None:
        return True
    matter = getattr(matter, "matter", matter)
    return bool(getattr(matter, "is_active", False))
