"""Who may read and keep the service desk's catalogue, over the user's scope."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import MANAGE_CATALOGUE, SERVE_DESK, VIEW_DESK_FIGURES


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


# -- cases ------------------------------------------------------------------------------------


def case_place_of(obj):
    """The compound a case, or a line of its checklist, is served at (or a place itself)."""
    case = getattr(obj, "case", None)
    if case is not None:
        return case.place
    return getattr(obj, "place", obj)


can_serve_desk = role_in_scope("can_serve_desk", SERVE_DESK, place_of=case_place_of)


@rules.predicate
def is_case_resident(user, case):
    """The resident whose case it is (their register entry is linked to their account)."""
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    case = getattr(case, "case", case)
    resident = getattr(case, "resident", None)
    return resident is not None and resident.user_id is not None and resident.user_id == user.pk


@rules.predicate
def is_own_resident(user, resident):
    """The resident's register entry is the user's own (a resident acting for themselves)."""
    if resident is None or not getattr(user, "is_authenticated", False):
        return False
    return resident.user_id is not None and resident.user_id == user.pk


def consultation_place_of(obj):
    """The compound a consultation was answered at (or a place itself)."""
    return getattr(obj, "place", obj)


can_serve_consultation = role_in_scope(
    "can_serve_consultation", SERVE_DESK, place_of=consultation_place_of
)


@rules.predicate
def is_consultation_asker(user, consultation):
    """The resident who asked (their register entry is linked to their account)."""
    if consultation is None or not getattr(user, "is_authenticated", False):
        return False
    resident = getattr(consultation, "resident", None)
    return resident is not None and resident.user_id is not None and resident.user_id == user.pk


# The desk's figures: counts over the places of the user's desk or leadership.
can_view_desk_figures = role_in_scope("can_view_desk_figures", VIEW_DESK_FIGURES)
