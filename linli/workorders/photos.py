"""Photos on work orders (checked, cleaned and stored by ``linli.core.images``); the files
live outside any public URL and ``views_photos`` serves them to those who may see the
order."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.ids import is_valid_id
from linli.core.images import (
    VARIANTS,
    photo_files_delete,
    photo_prepare,
    photo_response,
    photo_store,
    refuse,
)

from .models import Photo, WorkOrder
from .selectors import order_get

MAX_PHOTOS_PER_ORDER = 9


# -- who may add ----------------------------------------------------------------------------


def photo_may_add(*, user, order: WorkOrder) -> bool:
    """Staff who manage or handle the order, at any time; the reporter while it is open.
    Pages use this to decide whether to show the upload field."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.has_perm("workorders.view_order", order):
        return False
    if user.has_perm("workorders.manage_order", order) or user.has_perm(
        "workorders.handle_order", order
    ):
        return True
    return user.has_perm("workorders.give_feedback", order) and order.is_open


def _check_may_add(*, actor, order: WorkOrder) -> None:
    if photo_may_add(user=actor, order=order):
        return
    if (
        getattr(actor, "is_authenticated", False)
        and actor.has_perm("workorders.give_feedback", order)
        and not order.is_open
    ):
        raise ConflictError(_("This order is no longer open."), code="closed")
    raise ForbiddenError(_("You may not add photos to this order."), code="forbidden")


def _check_room(order: WorkOrder) -> None:
    if Photo.objects.filter(order=order).count() >= MAX_PHOTOS_PER_ORDER:
        raise refuse(
            _("An order can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ORDER}
        )


# -- the service ----------------------------------------------------------------------------


def photo_add(*, actor, order: WorkOrder, upload, request=None) -> Photo:
    """Attach a photo to an order. The permission and the photo count are checked before
    the upload is decoded and again under the order's lock. Decoding and re-encoding run
    outside the transaction, so that a large photo does not hold the database's write lock
    (SQLite takes it when the transaction starts)."""
    _check_may_add(actor=actor, order=order)
    _check_room(order)
    prepared = photo_prepare(upload)
    stored: list = []
    try:
        with transaction.atomic():
            locked = (
                WorkOrder.objects.select_for_update()
                .select_related("place", "category")
                .get(pk=order.pk)
            )
            _check_may_add(actor=actor, order=locked)
            _check_room(locked)
            photo = Photo(order=locked, uploaded_by=actor)
            photo_store(photo, prepared, stored)
            photo.full_clean()
            photo.save()
            audit_record(
                actor=actor,
                action="workorder.photo_add",
                obj=locked,
                request=request,
                details={"photo": photo.pk, "content_type": photo.content_type},
            )
    except BaseException:
        # The row was not written: remove the files so that none is left without an owner.
        photo_files_delete(stored)
        raise
    return photo


# -- reads ----------------------------------------------------------------------------------


def photo_get(*, user, pk) -> Photo:
    """A photo of an order the user may see; 404 alike for missing and not visible."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    photo = Photo.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404("Not found.")
    order_get(user=user, pk=photo.order_id)
    return photo


def photo_list(*, order: WorkOrder):
    """The photos of an order the caller has already fetched through ``order_get``."""
    return Photo.objects.filter(order=order).order_by("uploaded_at", "id")


__all__ = ["VARIANTS", "photo_add", "photo_get", "photo_list", "photo_may_add", "photo_response"]
