"""Whether a reader may follow a notice's link. A notice reaches everyone living or working
around its place, but what it links to (a meeting's record, an item of the lending shelf) has
its own readers; a link is shown only to those its target would not answer 404. Each app
registers, in its ``ready()``, how to tell for the pages it links to (by URL name); a link to
a page no app answers for is not shown."""

from collections.abc import Callable

from django.http import Http404
from django.urls import Resolver404, resolve

# URL name -> check(user, **the URL's kwargs) -> bool
LINK_CHECKS: dict[str, Callable[..., bool]] = {}


def register_link_check(url_name: str, check: Callable[..., bool]) -> None:
    LINK_CHECKS[url_name] = check


def may_open(user, url: str) -> bool:
    """Whether ``user`` may open ``url``, one of this site's pages a notice links to."""
    if not url:
        return False
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    check = LINK_CHECKS.get(match.view_name)
    if check is None:
        return False
    try:
        return bool(check(user, **match.kwargs))
    except Http404:
        return False


def getter_check(getter: Callable) -> Callable[..., bool]:
    """A check from a selector ``getter(user=…, pk=…)`` that raises 404 for what the user may
    not see (the same one the target's page uses)."""

    def check(user, pk, **_kwargs) -> bool:
        getter(user=user, pk=pk)
        return True

    return check
