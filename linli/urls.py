"""The site's URLs: pages per app, the API under /api/v1/, the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from linli.api.v1 import api

admin.site.site_header = admin.site.site_title = "Linli 邻里"

urlpatterns = [
    path("", include("linli.core.urls")),
    path("accounts/", include("linli.accounts.urls")),
    path("", include("linli.places.urls")),
    path("", include("linli.residents.urls")),
    path("", include("linli.workorders.urls")),
    path("", include("linli.meetings.urls")),
    path("", include("linli.notices.urls")),
    path("", include("linli.bookings.urls")),
    path("", include("linli.lending.urls")),
    path("", include("linli.health.urls")),
    path("", include("linli.servicedesk.urls")),
    path("", include("linli.mediation.urls")),
    path("", include("linli.tutoring.urls")),
    path("", include("linli.events.urls")),
    path("", include("linli.volunteers.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("open311/v2/", include("linli.open311.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "linli.core.errorviews.not_found"
handler500 = "linli.core.errorviews.server_error"
handler403 = "linli.core.errorviews.forbidden"
handler400 = "linli.core.errorviews.bad_request"
