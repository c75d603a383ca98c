"""Serving work-order photos. MEDIA_ROOT is not public: a photo or its thumbnail is sent
only after the order is found visible to the user, and answers 404 otherwise, so that
nobody learns which photos exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_safe

from linli.core.images import VARIANTS, photo_response

from .selectors import photo_get


@require_safe
@login_required
def photo_file(request, pk, variant):
    if variant not in VARIANTS:
        raise Http404("Not found.")
    return photo_response(photo_get(user=request.user, pk=pk), variant)
