"""Template context every page needs: large-type mode and the language switch."""

from django.conf import settings

LARGE_TYPE_COOKIE = "linli_large_type"


def ui(request):
    return {
        "large_type": request.COOKIES.get(LARGE_TYPE_COOKIE) == "1",
        "site_name": settings.LINLI_SITE_NAME,
    }
