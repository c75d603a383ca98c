"""Template context every page needs: large-type mode and the language switch."""

from django.conf import settings

from .navigation import nav_entries, public_entries, tab_entries

LARGE_TYPE_COOKIE = "linli_large_type"


def ui(request):
    return {
        "large_type": request.COOKIES.get(LARGE_TYPE_COOKIE) == "1",
        "site_name": settings.LINLI_SITE_NAME,
        "nav": nav_entries(request) if request.user.is_authenticated else public_entries(request),
        "tabs": tab_entries(request) if request.user.is_authenticated else [],
        "unread": _unread(request),
    }


def _unread(request) -> int:
    if not request.user.is_authenticated:
        return 0
    from .models import Notification

    return Notification.objects.filter(user=request.user, read_at__isnull=True).count()
