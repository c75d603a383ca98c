"""Fetching one object with a permission check, Zulip's ``access_…_by_id`` way: missing and
forbidden answer the same 404, so that existence does not leak."""

from django.db.models import QuerySet
from django.http import Http404

from .ids import is_valid_id


def access_by_id(queryset: QuerySet, *, pk, user, perm: str | None):
    """The object ``pk`` of ``queryset`` if ``user`` holds ``perm`` on it; ``perm=None`` when
    the queryset is already scoped to what the user may see."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    obj = queryset.filter(pk=pk).first()
    if obj is None or (perm is not None and not user.has_perm(perm, obj)):
        raise Http404("Not found.")
    return obj
