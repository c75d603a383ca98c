"""Request-rate limits (django-ratelimit) on what machines call: failed API and device tokens
per address, Open311 filings per address, readings and check-ins per home device.

Each limit is a group of ``LINLI_RATE_LIMITS`` ("count/period", None to switch it off).
The counts live in the default cache: Redis with ``REDIS_URL`` (shared by every process and
server), otherwise each process's memory (see ``ratelimit_silenced_checks`` in
``linli/settings/env.py``)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .audit import client_ip
from .errors import LinliError


class RateLimited(LinliError):
    """Over a rate limit: 429, and ``retry_after`` seconds until the window passes."""

    status = 429

    def __init__(self, message, *, retry_after: int, code: str = "rate_limited"):
        super().__init__(message, code=code)
        self.retry_after = retry_after


def address_key(group, request) -> str:
    """The key of limits per address (django-ratelimit's key callable)."""
    return client_ip(request) or "unknown"


def _refuse_if_over(request, *, group: str, key, increment: bool) -> None:
    usage = get_usage(
        request,
        group=f"linli.{group}",
        key=key,
        rate=settings.LINLI_RATE_LIMITS.get(group),
        increment=increment,
    )
    if usage is not None and usage["should_limit"]:
        seconds = max(1, usage["time_left"])
        raise RateLimited(
            _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds},
            retry_after=seconds,
        )


def rate_limit_hit(request, *, group: str, key=address_key) -> None:
    """Count this request against ``group``'s limit; raise ``RateLimited`` once over it."""
    _refuse_if_over(request, group=group, key=key, increment=True)


def rate_limit_check(request, *, group: str, key=address_key) -> None:
    """Raise ``RateLimited`` if ``group``'s limit is already passed, without counting."""
    _refuse_if_over(request, group=group, key=key, increment=False)
