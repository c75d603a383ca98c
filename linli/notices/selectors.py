"""Which notices a user sees: those of the places they live or work in, up the tree (a
street's notice reaches its residents), and those of places in the subtree they look after."""

from linli.accounts.scope import scope_of
from linli.core.access import access_by_id

from .models import Notice


def notice_list(*, user, kind: str | None = None):
    notices = Notice.objects.filter(withdrawn_at__isnull=True).filter(scope_of(user).around_q())
    if kind:
        notices = notices.filter(kind=kind)
    return notices.select_related("place").order_by("-published_at", "-id")


def notice_get(*, user, pk) -> Notice:
    """One notice the user may see; 404 alike for missing and not visible."""
    return access_by_id(notice_list(user=user), pk=pk, user=user, perm=None)
