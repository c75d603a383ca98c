"""Photos of rooms (checked, cleaned and stored by ``linli.core.images``), added by the staff
who manage the room; the files live outside any public URL and the room page's photo view
serves them to those who may see the room."""

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import ForbiddenError
from linli.core.images import photo_files_delete, photo_prepare, photo_store, refuse

from .models import Room, RoomPhoto

MAX_PHOTOS_PER_ROOM = 9


def _check_may_add(*, actor, room: Room) -> None:
    if not (
        getattr(actor, "is_authenticated", False) and actor.has_perm("bookings.manage_room", room)
    ):
        raise ForbiddenError(_("You may not add photos to this room."), code="forbidden")


def _check_count(room: Room) -> None:
    if RoomPhoto.objects.filter(room=room).count() >= MAX_PHOTOS_PER_ROOM:
        raise refuse(
            _("A room can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ROOM}
        )


def room_photo_add(*, actor, room: Room, upload, caption: str = "", request=None) -> RoomPhoto:
    """Add a photo to a room. The permission and the photo count are checked before the
    upload is decoded and again under the room's lock; decoding runs outside the
    transaction so that a large photo does not hold the database's write lock."""
    _check_may_add(actor=actor, room=room)
    _check_count(room)
    prepared = photo_prepare(upload)
    stored: list = []
    try:
        with transaction.atomic():
            locked = Room.objects.select_for_update().select_related("place").get(pk=room.pk)
            _check_may_add(actor=actor, room=locked)
            _check_count(locked)
            photo = RoomPhoto(room=locked, uploaded_by=actor, caption=caption.strip()[:120])
            photo_store(photo, prepared, stored)
            photo.full_clean()
            photo.save()
            audit_record(
                actor=actor,
                action="bookings.room.photo_add",
                obj=locked,
                request=request,
                details={"photo": photo.pk, "content_type": photo.content_type},
            )
    except BaseException:
        # The row was not written: remove the files so that none is left without an owner.
        photo_files_delete(stored)
        raise
    return photo


def room_photo_list(*, room: Room):
    """The photos of a room the caller has already fetched through ``room_get``."""
    return RoomPhoto.objects.filter(room=room).order_by("uploaded_at", "id")
