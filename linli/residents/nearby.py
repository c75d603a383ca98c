"""Where a resident counts as a neighbour: the compound they live in, its buildings, and the
community above it. Rooms and the shelf of donated items are open to the neighbours of the
place they belong to; what a resident books or borrows goes on their own household."""

from django.db.models import Q

from linli.accounts.roles import Role
from linli.accounts.scope import compound_path_of, resident_compounds, scope_of
from linli.places import tree
from linli.places.models import Place

from .models import Household


def lives_near(user, place: Place) -> bool:
    """Lives in the compound of ``place`` (a place of the compound or one of its
    buildings), or in a compound under it (a place of the community)."""
    return any(
        tree.in_subtree(place.path, c) or tree.in_subtree(c, place.path)
        for c in resident_compounds(user)
    )


def nearby_q(user, field: str) -> Q:
    """The queryset form of ``lives_near`` over a place path ``field``: places in the user's
    compounds, and the places above them (the community, the street…)."""
    condition = Q(pk__in=[])
    for compound in resident_compounds(user):
        condition |= tree.subtree_q(compound, field)
        ancestors = [compound[:end] for end in range(tree.SEGMENT, len(compound), tree.SEGMENT)]
        if ancestors:
            condition |= Q(**{f"{field}__in": ancestors})
    return condition


def compound_of(place: Place) -> Place:
    """The compound ``place`` is in (the place itself above the compound level)."""
    path = compound_path_of(place.path)
    return place if path == place.path else Place.objects.get(path=path)


def resident_household(user, place: Place) -> Household | None:
    """The household a resident books or borrows for near ``place``: the one their resident
    grant is on (created in the register if it has no household row yet)."""
    from .services import household_for_place

    for grant in scope_of(user).grants:
        if grant.role != Role.RESIDENT:
            continue
        compound = compound_path_of(grant.path)
        if tree.in_subtree(place.path, compound) or tree.in_subtree(compound, place.path):
            return household_for_place(place=Place.objects.get(pk=grant.place_id))
    return None
