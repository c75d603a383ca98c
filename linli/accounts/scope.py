"""The one permission layer's core: what part of the place tree a user's grants cover.

``scope_of(user)`` loads the user's active grants once per request (one query) and answers
both kinds of question from the same data:

* for one object, in Python (``covers``, ``can_view_place``) — used by the rules predicates;
* for a list, as a ``Q`` to filter a queryset (``q``, ``place_q``) — used by the selectors.

The two are written side by side so that they cannot disagree; a test checks that they
don't, for every demo user and every demo place."""

import contextlib
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from linli.places import tree

from .models import RoleGrant
from .roles import VISIBLE_KINDS, Role

_CACHE_ATTR = "_linli_scope"


@dataclass(frozen=True)
class Grant:
    role: str
    place_id: int
    path: str
    organisation_id: int | None


class Scope:
    def __init__(self, user):
        self.user = user
        self.is_superuser = bool(user.is_active and user.is_superuser)
        if getattr(user, "is_system", False):
            # SYSTEM holds no grant: its permissions are named ones (core.actors).
            self.grants = []
        elif user.is_authenticated and user.is_active:
            rows = (
                RoleGrant.objects.active()
                .filter(user=user)
                .values_list("role", "place_id", "place__path", "organisation_id")
            )
            self.grants = [Grant(*row) for row in rows]
        else:
            self.grants = []

    # -- grants -----------------------------------------------------------------------------
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, roles) -> bool:
        return self.is_superuser or any(grant.role in roles for grant in self.grants)

    def _grants(self, roles=None) -> list[Grant]:
        return [g for g in self.grants if roles is None or g.role in roles]

    # -- generic: records that belong to a place --------------------------------------------
    def covers(self, path: str, *, roles=None) -> bool:
        """Is the place with ``path`` inside the subtree of a grant of one of ``roles``?"""
        if self.is_superuser:
            return True
        return any(tree.in_subtree(path, g.path) for g in self._grants(roles))

    def q(self, *, roles=None, field: str = "place__path") -> Q:
        """Rows whose place (reached through ``field``, a path) is covered."""
        if self.is_superuser:
            return Q()
        condition = Q(pk__in=[])
        for g in self._grants(roles):
            condition |= tree.subtree_q(g.path, field)
        return condition

    # -- places themselves -----------------------------------------------------------------
    def can_view_place(self, place) -> bool:
        if self.is_superuser:
            return True
        for g in self.grants:
            if g.role == Role.RESIDENT:
                if place.pk == g.place_id:
                    return True
            elif tree.in_subtree(place.path, g.path) and place.kind in VISIBLE_KINDS[g.role]:
                return True
        return False

    def place_q(self, prefix: str = "") -> Q:
        """Places this user may see; ``prefix`` reaches the place from another model."""
        if self.is_superuser:
            return Q()
        condition = Q(pk__in=[])
        for g in self.grants:
            if g.role == Role.RESIDENT:
                condition |= Q(**{f"{prefix}pk": g.place_id})
            else:
                kinds = VISIBLE_KINDS[g.role]
                part = tree.subtree_q(g.path, f"{prefix}path")
                if len(kinds) < len(VISIBLE_KINDS[Role.DISTRICT_ADMIN]):
                    part &= Q(**{f"{prefix}kind__in": sorted(kinds)})
                condition |= part
        return condition

    def root_place_ids(self) -> list[int]:
        """The tops of this user's visible tree: granted places not below another grant."""
        paths = sorted({g.path for g in self.grants}, key=len)
        tops: list[str] = []
        for path in paths:
            if not any(tree.in_subtree(path, top) for top in tops):
                tops.append(path)
        return [tree.path_ids(path)[-1] for path in tops]

    # -- organisations ----------------------------------------------------------------------
    @cached_property
    def member_organisation_ids(self) -> frozenset[int]:
        if getattr(self.user, "is_system", False) or not (
            self.user.is_authenticated and self.user.is_active
        ):
            return frozenset()
        return frozenset(self.user.memberships.values_list("organisation_id", flat=True))

    def around_q(self) -> Q:
        """Rows (organisations, notices) attached to a place at or above one of the user's
        granted places, or — for staff — anywhere in their subtrees: what serves or concerns
        the places the user lives or works in."""
        if self.is_superuser:
            return Q()
        condition = Q(pk__in=[])
        ancestor_ids: set[int] = set()
        for g in self.grants:
            ancestor_ids.update(tree.path_ids(g.path))
            if g.role != Role.RESIDENT:
                condition |= tree.subtree_q(g.path, "place__path")
        if ancestor_ids:
            condition |= Q(place_id__in=sorted(ancestor_ids))
        return condition

    def organisation_q(self) -> Q:
        """Organisations serving a place in the user's subtrees or above their granted places
        (the compound's property company is public to its residents), and their own."""
        if self.is_superuser:
            return Q()
        return Q(pk__in=sorted(self.member_organisation_ids)) | self.around_q()

    def can_view_organisation(self, organisation) -> bool:
        if self.is_superuser or organisation.pk in self.member_organisation_ids:
            return True
        path = organisation.place.path
        for g in self.grants:
            if tree.in_subtree(g.path, path):
                return True  # serves a place above (or at) the grant
            if g.role != Role.RESIDENT and tree.in_subtree(path, g.path):
                return True
        return False


COMPOUND_DEPTH = tree.KIND_DEPTH["compound"]


def compound_path_of(path: str) -> str:
    """The path of the compound a place lies in (unchanged for a place above compounds)."""
    return tree.ancestor_path(path, "compound")


def resident_compounds(user) -> list[str]:
    """The paths of the compounds the user lives in (their resident grants' compounds)."""
    return [
        compound_path_of(g.path)
        for g in scope_of(user).grants
        if g.role == Role.RESIDENT and tree.depth(g.path) >= COMPOUND_DEPTH
    ]


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    scope = getattr(user, _CACHE_ATTR, None)
    if scope is None:
        scope = Scope(user)
        with contextlib.suppress(AttributeError):  # some user objects refuse attributes
            setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
