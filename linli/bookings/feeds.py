"""iCalendar feeds, fetched by calendar apps that cannot sign in: a room's public calendar
(no personal data) and a user's private calendar, opened by the secret token in its URL."""

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from . import feed_selectors, ical


def _ics(calendar, *, filename: str) -> HttpResponse:
    response = HttpResponse(ical.calendar_bytes(calendar), content_type=ical.CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def room_feed(request, pk):
    room = feed_selectors.public_room_get(pk=pk)
    response = _ics(ical.room_calendar(room), filename=f"room-{room.pk}.ics")
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def private_feed(request, token):
    user = ical.private_feed_user(token)
    if user is None:
        raise Http404("Not found.")
    response = _ics(ical.private_calendar(user), filename="my-bookings.ics")
    # The URL is a credential and the content personal: no shared cache may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response
