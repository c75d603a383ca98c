"""Which notices a user sees: those of the places they live or work in, up the tree (a
street's notice reaches its residents), and those of places in the subtree they look after."""

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import scope_of
from linli.core.ids import is_valid_id
from linli.places import tree

from .models import Notice


def _visible_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    ancestors: set[int] = set()
    for grant in scope.grants:
        ancestors.update(tree.path_ids(grant.path))
    condition = Q(place_id__in=sorted(ancestors)) if ancestors else Q(pk__in=[])
    staff = [g for g in scope.grants if g.role != "resident"]
    for grant in staff:
        condition |= tree.subtree_q(grant.path, "place__path")
    return condition


def notice_list(*, user, kind: str | None = None):
    notices = Notice.objects.filter(withdrawn_at__isnull=True).filter(_visible_q(user))
    if kind:
        notices = notices.filter(kind=kind)
    return notices.select_related("place").order_by("-published_at", "-id")


def notice_get(*, user, pk) -> Notice:
    """One notice the user may see; 404 alike for missing and not visible."""
    notice = notice_list(user=user).filter(pk=pk).first() if is_valid_id(pk) else None
    if notice is None:
        raise Http404("Not found.")
    return notice
