"""Reads of places and organisations, always within the asking user's scope.

A place or organisation outside the scope is reported as missing (Http404), never as
forbidden, so that its existence does not leak."""

from django.http import Http404

from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.core.ids import is_valid_id

from . import tree
from .models import Organisation, Place


def place_list(
    *, user, parent: int | None = None, kind: str | None = None, within: int | None = None
):
    """Visible places, optionally the children of ``parent``, of one ``kind``, or anywhere in
    the subtree of ``within``. Always one query (plus the page's count)."""
    qs = Place.objects.filter(scope_of(user).place_q())
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if kind:
        qs = qs.filter(kind=kind)
    if within is not None:
        qs = within_place(qs, within)
    return qs.order_by("path")


def within_place(queryset, place_id: int, field: str = "path"):
    """``queryset`` narrowed to the subtree of the place ``place_id`` (reached through
    ``field``, a path); empty when there is no such place."""
    root = Place.objects.filter(pk=place_id).values_list("path", flat=True).first()
    if root is None:
        return queryset.none()
    return queryset.filter(tree.subtree_q(root, field))


def place_get(*, user, pk) -> Place:
    return access_by_id(
        Place.objects.select_related("parent"), pk=pk, user=user, perm="places.view_place"
    )


def place_from_param(*, user, raw: str | None) -> Place | None:
    """The place a page is filtered to by its ``?place=<id>`` parameter: None when absent,
    404 alike for a malformed id, a missing place and one the user may not see."""
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not is_valid_id(int(raw)):
        raise Http404("Not found.")
    return place_get(user=user, pk=int(raw))


def place_roots(*, user):
    """The top places of the user's visible tree (their granted places, or the districts for
    a superuser)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Place.objects.filter(parent__isnull=True).order_by("sort_key", "id")
    return (
        Place.objects.filter(pk__in=scope.root_place_ids()).filter(scope.place_q()).order_by("path")
    )


def place_ancestors(*, user, place: Place) -> list[tuple[Place, bool]]:
    """The place's ancestors from the top, each with whether the user may open it."""
    ancestors = list(Place.objects.filter(pk__in=place.ancestor_ids).order_by("path"))
    scope = scope_of(user)
    return [(ancestor, scope.can_view_place(ancestor)) for ancestor in ancestors]


def place_children_counts(*, user, places) -> dict[int, int]:
    """How many visible children each of ``places`` has, in one query."""
    from django.db.models import Count

    ids = [p.pk for p in places]
    rows = (
        Place.objects.filter(scope_of(user).place_q())
        .filter(parent_id__in=ids)
        .values("parent_id")
        .annotate(n=Count("id"))
    )
    return {row["parent_id"]: row["n"] for row in rows}


def organisation_list(*, user, place: int | None = None, kind: str | None = None):
    qs = Organisation.objects.filter(scope_of(user).organisation_q()).select_related("place")
    if place is not None:
        qs = qs.filter(place_id=place)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("place__path", "name")


def organisation_get(*, user, pk) -> Organisation:
    return access_by_id(
        Organisation.objects.select_related("place", "parent"),
        pk=pk,
        user=user,
        perm="places.view_organisation",
    )
