"""Photos uploaded by users (orders, rooms, lent items): an upload is judged by its content
(JPEG, PNG or WebP as Pillow reads it, never by its name or the browser's word), re-encoded
without any metadata so that no camera location leaks, given a thumbnail and stored under a
random name. The files live outside any public URL; each module serves them through
``photo_response`` after its own permission check."""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
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


def refuse(message) -> ValidationError:
    return ValidationError({"photo": [message]})


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
        raise refuse(_("The photo is empty."))
    return data


def _too_large() -> ValidationError:
    return refuse(_("The photo is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)})


def _not_an_image() -> ValidationError:
    return refuse(_("Only JPEG, PNG and WebP photos can be added."))


def _too_many_pixels() -> ValidationError:
    return refuse(
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
        raise refuse(_("The photo could not be read; it may be damaged.")) from exc
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


def photo_store(photo, prepared: dict, stored: list) -> None:
    """Put a prepared photo's files on a photo row (any model with ``file``, ``thumbnail``,
    ``content_type``, ``width``, ``height`` and ``size``) under a random name; each stored
    file is appended to ``stored`` so that the caller can remove it if the row is not
    written."""
    photo.content_type = prepared["content_type"]
    photo.width, photo.height = prepared["width"], prepared["height"]
    photo.size = len(prepared["data"])
    name = uuid.uuid4().hex
    photo.file.save(f"{name}.{prepared['extension']}", ContentFile(prepared["data"]), save=False)
    stored.append(photo.file)
    photo.thumbnail.save(f"{name}.jpg", ContentFile(prepared["thumbnail"]), save=False)
    stored.append(photo.thumbnail)


def photo_files_delete(stored: list) -> None:
    for field_file in stored:
        field_file.storage.delete(field_file.name)


def photo_attach(*, record, upload, check, lock, make, audit):
    """The body of every "add a photo" service. ``check(record)`` refuses (permission, how
    many photos) and runs before the upload is decoded and again on ``lock(record)``, the
    record re-read under its lock; ``make(locked)`` gives the unsaved photo row, ``audit(locked,
    photo)`` records it. Decoding runs outside the transaction, so that a large photo does
    not hold the database's write lock; files of a row that was not written are removed."""
    check(record)
    prepared = photo_prepare(upload)
    stored: list = []
    try:
        with transaction.atomic():
            locked = lock(record)
            check(locked)
            photo = make(locked)
            photo_store(photo, prepared, stored)
            photo.full_clean()
            photo.save()
            audit(locked, photo)
    except BaseException:
        photo_files_delete(stored)
        raise
    return photo


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
