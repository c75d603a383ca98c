"""Who may see and act on a mediation: the desk's staff over its compound (community worker,
branch secretary), its mediators, and the parties who are residents with an account (their
own mediation only). Administrators count mediations, never read them."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import COUNT_MEDIATIONS, MEDIATE


def place_of(obj):
    mediation = getattr(obj, "mediation", None)
    if mediation is not None:
        return mediation.place
    return getattr(obj, "place", obj)


can_mediate_here = role_in_scope("can_mediate_here", MEDIATE, place_of=place_of)
can_count = role_in_scope("can_count_mediations", COUNT_MEDIATIONS, place_of=place_of)


def _mediation(obj):
    return getattr(obj, "mediation", obj)


def _ids(obj, attr: str, compute) -> set[int]:
    """The user ids of a mediation's mediators or parties, read once per object."""
    cached = getattr(obj, attr, None)
    if cached is None:
        cached = compute(obj)
        setattr(obj, attr, cached)
    return cached


@rules.predicate
def is_mediator(user, obj):
    mediation = _mediation(obj)
    if mediation is None or getattr(mediation, "pk", None) is None or not user.pk:
        return False
    ids = _ids(
        mediation,
        "_mediator_ids",
        lambda m: {u.pk for u in m.mediators.all()},
    )
    return user.pk in ids


@rules.predicate
def is_party(user, obj):
    mediation = _mediation(obj)
    if mediation is None or getattr(mediation, "pk", None) is None or not user.pk:
        return False
    ids = _ids(
        mediation,
        "_party_user_ids",
        lambda m: {
            p.resident.user_id for p in m.parties.all() if p.resident and p.resident.user_id
        },
    )
    return user.pk in ids
