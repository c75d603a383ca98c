"""Serving work-order photos. MEDIA_ROOT is not public: a photo or its thumbnail is sent
only after the order is found visible to the user, and answers 404 otherwise, so that
nobody learns which photos exist."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .photos import THUMBNAIL_CONTENT_TYPE, photo_get

VARIANTS = ("full", "thumb")


@require_safe
@login_required
def photo_file(request, pk, variant):
    if variant not in VARIANTS:
        raise Http404("Not found.")
    photo = photo_get(user=request.user, pk=pk)
    if variant == "thumb":
        field, content_type = photo.thumbnail, THUMBNAIL_CONTENT_TYPE
    else:
        field, content_type = photo.file, photo.content_type
    if not field:
        raise Http404("Not found.")
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("Not found.") from exc
    response = FileResponse(handle, content_type=content_type)
    # Private: a shared cache must never hand one user's permitted photo to another.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
