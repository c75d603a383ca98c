"""Photos on work orders: only real JPEG, PNG and WebP images are kept, whatever their name;
location and other metadata never reach the stored file; sizes, pixel counts and the number
per order are limited; and the files are served only to those who may see the order."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from django.utils import translation
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

import linli.urls
from linli.accounts.services import grant_create, user_create
from linli.core import images
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.workorders import services, urls_photos
from linli.workorders.models import Category, Photo
from linli.workorders.seed import seed_categories
from linli.workorders.services import photo_add

UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"

# The app's urls.py mounts the photo URL in its "workorders" namespace; until then (and
# independently of it) these tests mount it themselves, ahead of the site's own patterns.
urlpatterns = [
    path("", include((urls_photos.urlpatterns, "workorders"))),
    *linli.urls.urlpatterns,
]


# -- images made in memory ------------------------------------------------------------------


def gps_exif(*, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 5.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 18.0, 0.0)
    return exif


def image_bytes(fmt: str, size=(64, 48), mode="RGB", **save_args) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, format=fmt, **save_args)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares the given dimensions (a decompression bomb's
    disguise): the IHDR chunk is rewritten with a correct checksum."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    ihdr = 8  # after the signature: length (4), type (4), data (13), crc (4)
    body = struct.pack(">II", width, height) + bytes(data[ihdr + 16 : ihdr + 21])
    data[ihdr + 8 : ihdr + 21] = body
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", zlib.crc32(b"IHDR" + body))
    return bytes(data)


def stored(field) -> Image.Image:
    with field.storage.open(field.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def stored_bytes(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ROOT_URLCONF = __name__
    return tmp_path


@pytest.fixture
def order(demo):
    seed_categories()
    return services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(UNIT),
        title="楼道灯坏了",
    )


@pytest.fixture
def neighbour(demo):
    """A resident of the same compound, who sees the board but not the order itself."""
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


def add(order, user, data=None, **kwargs):
    return photo_add(actor=user, order=order, upload=upload(data or image_bytes("JPEG"), **kwargs))


@pytest.fixture(autouse=True)
def in_english():
    """The refusals below are read in English (the services speak the active language)."""
    with translation.override("en"):
        yield


def refusal(exc_info) -> str:
    return " ".join(exc_info.value.message_dict["photo"])


# -- what is kept ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_jpeg_loses_its_location_and_every_other_exif_tag(demo, order):
    original = image_bytes("JPEG", size=(800, 600), exif=gps_exif().tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    photo = add(order, demo.user("resident"), original, name="IMG_0001.JPG")

    kept = stored(photo.file)
    assert kept.format == "JPEG" and photo.content_type == "image/jpeg"
    assert not kept.getexif() and "exif" not in kept.info
    assert b"Exif" not in stored_bytes(photo.file)
    assert (photo.width, photo.height) == (800, 600)
    assert photo.size == len(stored_bytes(photo.file))
    assert photo.uploaded_by == demo.user("resident")


@pytest.mark.django_db
def test_the_camera_orientation_is_applied_before_the_tag_is_dropped(demo, order):
    sideways = image_bytes("JPEG", size=(800, 600), exif=gps_exif(orientation=6).tobytes())
    photo = add(order, demo.user("resident"), sideways)
    assert (photo.width, photo.height) == (600, 800)
    assert stored(photo.file).size == (600, 800)


@pytest.mark.django_db
def test_the_stored_name_is_random_never_the_uploaded_one(demo, order):
    photo = add(order, demo.user("resident"), name="周桂兰家门口.jpg")
    assert "周桂兰" not in photo.file.name and "门口" not in photo.thumbnail.name
    assert photo.file.name.startswith("orders/") and photo.file.name.endswith(".jpg")
    other = add(order, demo.user("resident"), name="周桂兰家门口.jpg")
    assert other.file.name != photo.file.name


@pytest.mark.django_db
def test_a_png_keeps_its_format_and_transparency_but_not_its_text(demo, order):
    info = PngInfo()
    info.add_text("Comment", "taken at 6号楼 101")
    original = image_bytes(
        "PNG", mode="RGBA", pnginfo=info, exif=gps_exif().tobytes(), size=(400, 200)
    )
    photo = add(order, demo.user("resident"), original, name="a.png", content_type="image/png")
    kept = stored(photo.file)
    assert kept.format == "PNG" and kept.mode == "RGBA" and photo.content_type == "image/png"
    assert kept.text == {} and "exif" not in kept.info and not kept.getexif()
    raw = stored_bytes(photo.file)
    assert b"tEXt" not in raw and b"eXIf" not in raw and b"6\xe5\x8f\xb7" not in raw


@pytest.mark.django_db
def test_a_webp_keeps_its_format_without_exif(demo, order):
    original = image_bytes("WEBP", size=(640, 480), exif=gps_exif().tobytes())
    photo = add(order, demo.user("resident"), original, name="a.webp", content_type="image/webp")
    kept = stored(photo.file)
    assert kept.format == "WEBP" and photo.content_type == "image/webp"
    assert not kept.getexif() and b"EXIF" not in stored_bytes(photo.file)


@pytest.mark.django_db
def test_the_content_decides_not_the_name_nor_the_browser(demo, order):
    png = image_bytes("PNG")
    photo = add(order, demo.user("resident"), png, name="photo.jpg", content_type="image/jpeg")
    assert photo.content_type == "image/png" and photo.file.name.endswith(".png")
    assert stored(photo.file).format == "PNG"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "size", "mode"),
    [
        ("JPEG", (3000, 1000), "RGB"),
        ("PNG", (200, 1200), "P"),
        ("PNG", (500, 500), "LA"),
        ("PNG", (640, 480), "I;16"),
        ("WEBP", (1000, 1000), "RGBA"),
        ("JPEG", (100, 80), "CMYK"),
    ],
)
def test_thumbnails_are_small_jpegs(demo, order, fmt, size, mode):
    photo = add(order, demo.user("community"), image_bytes(fmt, size=size, mode=mode))
    thumb = stored(photo.thumbnail)
    assert thumb.format == "JPEG" and max(thumb.size) <= 320
    assert max(thumb.size) == min(320, max(size))
    assert not thumb.getexif()


# -- what is refused ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes("GIF"), "photo.gif"),
        (image_bytes("GIF"), "photo.jpg"),
        (image_bytes("BMP"), "photo.png"),
        (b"this is not a photo at all\n", "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png"),
    ],
)
def test_anything_but_jpeg_png_and_webp_is_refused(demo, order, data, name):
    with pytest.raises(ValidationError) as exc:
        add(order, demo.user("resident"), data, name=name)
    assert "JPEG, PNG and WebP" in refusal(exc)
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_a_damaged_photo_is_refused(demo, order):
    truncated = image_bytes("JPEG", size=(800, 600))[:-400]
    with pytest.raises(ValidationError) as exc:
        add(order, demo.user("resident"), truncated)
    assert "damaged" in refusal(exc)


@pytest.mark.django_db
def test_a_file_over_10_mb_is_refused_before_it_is_decoded(demo, order, monkeypatch):
    def never(_data):
        raise AssertionError("an oversized upload must not be decoded")

    monkeypatch.setattr(images, "_open", never)
    big = image_bytes("JPEG") + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        add(order, demo.user("resident"), big)
    assert "10 MB" in refusal(exc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dimensions",
    [
        (8000, 6000),  # 48 megapixels: over our limit, under Pillow's own
        (10000, 9000),  # over Pillow's limit too: its DecompressionBombWarning
        (30000, 30000),  # far beyond: Pillow's DecompressionBombError
        (2**31 - 1, 2**31 - 1),
    ],
)
def test_a_decompression_bomb_is_refused(demo, order, dimensions):
    with pytest.raises(ValidationError) as exc:
        add(order, demo.user("resident"), png_claiming(*dimensions), name="bomb.png")
    assert "megapixels" in refusal(exc)
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_a_header_that_lies_about_the_size_is_refused_as_damaged(demo, order):
    # 6000 × 6000 = 36 megapixels declared, but the data is a 1 × 1 image: not a bomb by
    # size, yet unreadable, so it is refused as damaged rather than decoded into 36 MP.
    with pytest.raises(ValidationError) as exc:
        add(order, demo.user("resident"), png_claiming(6000, 6000), name="x.png")
    assert "damaged" in refusal(exc)


@pytest.mark.django_db
def test_an_order_holds_at_most_nine_photos(demo, order):
    resident = demo.user("resident")
    for _ in range(9):
        add(order, resident)
    with pytest.raises(ValidationError) as exc:
        add(order, resident)
    assert "at most 9" in refusal(exc)
    with pytest.raises(ValidationError):
        add(order, demo.user("community"))
    assert order.photos.count() == 9


@pytest.mark.django_db
def test_a_refused_photo_leaves_no_file_behind(demo, order, media, monkeypatch):
    def broken_audit(**_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        add(order, demo.user("resident"))
    assert not Photo.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


# -- who may add ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_add_photos_as_the_order_moves_on(demo, order, neighbour):
    resident, community = demo.user("resident"), demo.user("community")
    property_, patrol = demo.user("property"), demo.user("patrol")

    def may(user):
        return user.has_perm("workorders.add_photo", order)

    assert may(resident) and may(community)
    assert not may(patrol) and not may(neighbour)
    assert not may(property_)  # the property company handles it only once dispatched

    order = services.order_accept(actor=community, order=order)
    order = services.order_dispatch(actor=community, order=order)
    assert may(property_)
    add(order, property_)

    order = services.order_sign(actor=property_, order=order)
    order = services.order_resolve(actor=property_, order=order, note="换了灯泡")
    order = services.order_feedback(actor=resident, order=order, satisfaction="satisfied")
    assert not may(resident)
    assert may(community) and may(property_)  # staff may still document a closed order


@pytest.mark.django_db
def test_photos_from_those_who_may_not_add_them_are_refused(demo, order, neighbour):
    for user in (demo.user("patrol"), neighbour, demo.user("volunteer")):
        with pytest.raises(ForbiddenError):
            add(order, user)
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_the_reporter_cannot_add_photos_once_the_order_is_closed(demo, order):
    community = demo.user("community")
    order = services.order_reject(actor=community, order=order, reason="重复")
    with pytest.raises(ConflictError):
        add(order, demo.user("resident"))
    add(order, community)


@pytest.mark.django_db
def test_adding_a_photo_is_audited(demo, order):
    from linli.core.models import AuditEvent

    add(order, demo.user("resident"))
    event = AuditEvent.objects.get(action="workorder.photo_add")
    assert event.actor == demo.user("resident") and event.object_id == str(order.pk)
    assert event.place_path == order.place.path


# -- serving --------------------------------------------------------------------------------


def url(photo, variant="full"):
    return reverse("workorders:photo-file", args=[photo.pk, variant])


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["resident", "community"])
def test_those_who_see_the_order_get_its_photos(demo, order, client_for, username):
    photo = add(order, demo.user("resident"), image_bytes("WEBP"), name="x.webp")
    client = client_for(username)

    response = client.get(url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored_bytes(photo.file)

    response = client.get(url(photo, "thumb"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored_bytes(photo.thumbnail)


@pytest.mark.django_db
def test_others_get_not_found_as_for_a_photo_that_does_not_exist(
    demo, order, client_for, client, neighbour
):
    photo = add(order, demo.user("resident"))
    assert client_for("patrol").get(url(photo)).status_code == 404
    assert client_for("patrol").get(url(photo, "thumb")).status_code == 404
    client.force_login(neighbour)
    assert client.get(url(photo)).status_code == 404
    missing = reverse("workorders:photo-file", args=[photo.pk + 1000, "full"])
    assert client_for("community").get(missing).status_code == 404
    huge = f"/orders/photos/{2**70}/full/"
    assert client_for("community").get(huge).status_code == 404
    assert client_for("community").get(url(photo, "original")).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(order, demo, client):
    photo = add(order, demo.user("resident"))
    response = client.get(url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_only_get_and_head_are_answered(order, demo, client_for):
    photo = add(order, demo.user("resident"))
    client = client_for("resident")
    assert client.head(url(photo)).status_code == 200
    assert client.post(url(photo)).status_code == 405
