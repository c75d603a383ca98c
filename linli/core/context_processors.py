"""Template context every page needs: large-type mode and the language switch."""

from django.conf import settings

from .navigation import nav_entries

LARGE_TYPE_COOKIE = "linli_large_type"


def ui(request):
    return {
        "large_type": request.COOKIES.get(LARGE_TYPE_COOKIE) == "1",
        "site_name": settings.LINLI_SITE_NAME,
        "nav": nav_entries(request) if request.user.is_authenticated else [],
    }
