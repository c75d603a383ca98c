"""Photos on work orders: an upload is judged by its content (JPEG, PNG or WebP as Pillow
reads it, never by its name or the browser's word), re-encoded without any metadata so that
no camera location leaks, given a thumbnail and stored under a random name. The files live
outside any public URL; ``views_photos`` serves them to those who may see the order."""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.ids import is_valid_id

from .models import Photo, WorkOrder
from .selectors import order_get

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS_PER_ORDER = 9
THUMBNAIL_SIZE = 320

# Pillow's format name -> (content type, file extension). MPO is how Pillow names the
# multi-picture JPEGs that many phones take; it is stored as a plain JPEG.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# Only these decoders are ever tried on an upload, which keeps Pillow's many other parsers
# away from untrusted bytes.
DECODERS = ["JPEG", "PNG", "WEBP"]
THUMBNAIL_CONTENT_TYPE = "image/jpeg"


def _refuse(message) -> ValidationError:
    return ValidationError({"photo": [message]})


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
        raise _refuse(
            _("An order can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ORDER}
        )


# -- reading and cleaning the image -----------------------------------------------------------


def _read(upload) -> bytes:
    """The upload's bytes, refusing early (without reading it all) when it is too large."""
    if getattr(upload, "size", None) is not None and upload.size > MAX_BYTES:
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large()
    if not data:
        raise _refuse(_("The photo is empty."))
    return data


def _too_large() -> ValidationError:
    return _refuse(
        _("The photo is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
    )


def _not_an_image() -> ValidationError:
    return _refuse(_("Only JPEG, PNG and WebP photos can be added."))


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _("The photo has more than %(megapixels)d megapixels.")
        % {"megapixels": MAX_PIXELS // 1_000_000}
    )


def _open(data: bytes) -> Image.Image:
    """Open and fully decode the image, refusing anything that is not a sound JPEG, PNG or
    WebP of at most MAX_PIXELS.

    The pixel count is checked from the header, before any pixel is decoded. Pillow's own
    decompression-bomb guard (Image.MAX_IMAGE_PIXELS, a process-wide setting left as it is
    for other code) lies above our limit; it fails on the largest headers by itself and only
    warns below twice its limit, so the warning is made an error here too."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=DECODERS)
        with probe:
            if probe.format not in FORMATS:
                raise _not_an_image()
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels()
            probe.verify()
        # verify() leaves the image unusable: open again to decode it.
        image = Image.open(io.BytesIO(data), formats=DECODERS)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except UnidentifiedImageError as exc:
        raise _not_an_image() from exc
    except ValidationError:
        raise
    except Exception as exc:
        # A truncated or malformed file can fail in many ways inside the decoders
        # (OSError, SyntaxError, ValueError, struct.error, ...); to the user it is all
        # the same unreadable photo.
        raise _refuse(_("The photo could not be read; it may be damaged.")) from exc
    return image


def _without_metadata(image: Image.Image) -> Image.Image:
    """A copy that carries nothing but pixels (and PNG transparency, which is pixels too):
    no EXIF (so no GPS), no XMP, no comments, no text chunks, no ICC profile. Pillow's
    encoders fall back to ``info`` for some of these, so ``info`` is emptied."""
    clean = image.copy()
    transparency = image.info.get("transparency")
    clean.info = {} if transparency is None else {"transparency": transparency}
    return clean


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt in ("JPEG", "MPO"):
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=88, optimize=True)
    elif fmt == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        image.save(out, format="WEBP", quality=85)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most THUMBNAIL_SIZE on the long side; transparency on white."""
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    if _has_alpha(thumb):
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    elif thumb.mode in ("I", "I;16", "F"):
        # 16-bit greys: scale to 8 bits instead of clipping everything to white.
        thumb = thumb.convert("I").point(lambda v: v / 256).convert("L")
    if thumb.mode not in ("L", "RGB"):
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def photo_prepare(upload) -> dict:
    """Check an upload and produce what is stored: the cleaned image, its thumbnail and
    their facts. Raises ValidationError({"photo": [...]}) for every refusal."""
    image = _open(_read(upload))
    fmt = image.format
    content_type, extension = FORMATS[fmt]
    # Turn the pixels the way the camera meant, since the orientation tag goes with the rest.
    upright = ImageOps.exif_transpose(image) or image
    clean = _without_metadata(upright)
    return {
        "data": _encode(clean, fmt),
        "thumbnail": _thumbnail(clean),
        "content_type": content_type,
        "extension": extension,
        "width": clean.width,
        "height": clean.height,
    }


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
            photo = Photo(
                order=locked,
                content_type=prepared["content_type"],
                width=prepared["width"],
                height=prepared["height"],
                size=len(prepared["data"]),
                uploaded_by=actor,
            )
            name = uuid.uuid4().hex
            photo.file.save(
                f"{name}.{prepared['extension']}", ContentFile(prepared["data"]), save=False
            )
            stored.append(photo.file)
            photo.thumbnail.save(f"{name}.jpg", ContentFile(prepared["thumbnail"]), save=False)
            stored.append(photo.thumbnail)
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
        for field_file in stored:
            field_file.storage.delete(field_file.name)
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


VARIANTS = ("full", "thumb")


def photo_response(photo, variant: str) -> FileResponse:
    """The file of a photo the caller has already found visible (``full`` or ``thumb``);
    404 for any other variant or a missing file. Other pages that show orders' photos (the
    meeting's agenda) serve them through this after their own check."""
    if variant not in VARIANTS:
        raise Http404("Not found.")
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
