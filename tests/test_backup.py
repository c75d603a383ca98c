"""``linli backup`` and ``linli restore`` (issue 13, item 8): the round trip into a new
database keeps every row and the ID and mobile search, the backup holds no number in clear,
and an interrupted, damaged or foreign backup is refused before anything changes."""

import io
import json
import subprocess
import tarfile
from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from linli.accounts.models import User
from linli.accounts.services import user_create
from linli.bookings.services import calendar_feed_create
from linli.core import backup
from linli.core.actors import SYSTEM
from linli.core.audit import AuditEvent
from linli.core.crypto import decrypt, lookup_hash
from linli.health.services import card_create, device_register
from linli.places.models import PlaceKind
from linli.places.services import place_create
from linli.residents.idnumbers import make_id_number
from linli.residents.models import Resident
from linli.residents.selectors import search_q
from linli.residents.services import resident_create

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = make_id_number("110101", date(1950, 3, 1), 777)
PHONE = "13912345678"
MOBILE = "13687654321"
CONDITION = "高血压二级，服用氨氯地平"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"photo bytes " * 100


@pytest.fixture
def world(settings, tmp_path):
    """A small world of its own: a household with a resident (ID, phone), a health card, a
    home device, an account with a mobile and a calendar feed, and a media file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "orders").mkdir(parents=True)
    (settings.MEDIA_ROOT / "orders" / "photo.png").write_bytes(PHOTO)
    admin = user_create(actor=SYSTEM, username="root", password=None, is_superuser=True)
    place = None
    for kind, name in [
        (PlaceKind.DISTRICT, "测试区"),
        (PlaceKind.STREET, "测试街道"),
        (PlaceKind.COMMUNITY, "测试社区"),
        (PlaceKind.COMPOUND, "测试小区"),
        (PlaceKind.BUILDING, "1号楼"),
        (PlaceKind.HOUSEHOLD, "101"),
    ]:
        place = place_create(actor=admin, kind=kind, name=name, parent=place)
    resident = resident_create(
        actor=admin, place=place, name="备份居民", id_number=ID_NUMBER, phone=PHONE
    )
    card_create(actor=admin, resident=resident, conditions=CONDITION)
    device_register(actor=admin, card=resident.health_card, kind="scale", name="体重秤")
    user = user_create(actor=SYSTEM, username="backup-user", password=None, mobile=MOBILE)
    calendar_feed_create(user=user)
    return resident


@pytest.fixture
def target(tmp_path):
    """The settings of a new, empty database of the same kind as the test database."""
    settings_dict = {**connection.settings_dict}
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings_dict
        return
    name = f"linli_restored_{abs(hash(str(tmp_path))) % 10**8}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings_dict["NAME"] = name
    yield settings_dict
    from django.db import connections

    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_bytes(path, manifest) -> bytes:
    """What the backup's database holds, as plain bytes: SQLite's file as it is; a pg_dump
    archive (compressed) turned back into its SQL."""
    with tarfile.open(path) as tar:
        data = tar.extractfile(manifest["database_member"]).read()
    if manifest["database"] == "sqlite":
        return data
    return subprocess.run(
        ["pg_restore", "--file=-"], input=data, capture_output=True, check=True
    ).stdout


def run(db, queryset) -> list[tuple]:
    """The rows of ``queryset`` (the product's own query) in the restored database."""
    sql, params = queryset.query.sql_with_params()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search(db, q: str) -> list[tuple]:
    """The register's search (ID number or mobile, through their keyed hashes)."""
    rows = run(db, Resident.objects.filter(search_q(q)).values_list("name", "phone"))
    return [(name, decrypt(phone)) for name, phone in rows]


def signs_in(db, mobile: str) -> list[str]:
    """Who signing in with this mobile finds (the sign-in looks accounts up by its hash)."""
    return [
        u
        for (u,) in run(
            db, User.objects.filter(mobile_hash=lookup_hash(mobile)).values_list("username")
        )
    ]


def test_round_trip_into_a_new_database_keeps_rows_search_and_media(
    world, target, tmp_path, settings
):
    result = backup.backup_create(output=tmp_path / "backups")
    assert result.path.name.startswith("linli-") and result.path.suffix == ".tar"
    assert list(result.path.parent.iterdir()) == [result.path]  # nothing half-written beside
    counts_before = backup.table_counts(connection)

    settings.MEDIA_ROOT = tmp_path / "media-restored"
    restored = backup.backup_restore(result.path, settings_dict=target)

    assert restored.rehashed == {}  # same lookup key: the hashes are right as they are
    assert restored.encrypted_values >= 6
    assert (settings.MEDIA_ROOT / "orders" / "photo.png").read_bytes() == PHOTO
    with backup.database_connection(target) as restored_db:
        assert backup.table_counts(restored_db) == counts_before
        assert search(restored_db, ID_NUMBER) == [("备份居民", PHONE)]
        assert search(restored_db, PHONE) == [("备份居民", PHONE)]
        assert signs_in(restored_db, MOBILE) == ["backup-user"]


def test_a_new_lookup_key_recomputes_the_hashes_and_names_the_devices_to_register_again(
    world, target, tmp_path, settings
):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    settings.LINLI_LOOKUP_KEY = "a-new-lookup-key-for-the-restored-site"
    settings.MEDIA_ROOT = tmp_path / "media-restored"

    restored = backup.backup_restore(path, settings_dict=target)

    assert restored.rehashed["residents.Resident.id_number_hash"] == 1
    assert restored.rehashed["accounts.User.mobile_hash"] == 2
    assert restored.rehashed["bookings.CalendarFeed.token_hash"] == 1
    assert restored.unrecoverable == {"health.Device": 1}
    with backup.database_connection(target) as restored_db:
        assert search(restored_db, ID_NUMBER) == [("备份居民", PHONE)]
        assert search(restored_db, PHONE) == [("备份居民", PHONE)]
        assert signs_in(restored_db, MOBILE) == ["backup-user"]


def test_the_backup_holds_no_number_or_health_text_in_clear(world, tmp_path):
    result = backup.backup_create(output=tmp_path)
    raw = result.path.read_bytes() + database_bytes(result.path, result.manifest)
    assert b"backup-user" in raw  # the data is there, and readable where it is not protected
    for secret in (ID_NUMBER, PHONE, MOBILE, CONDITION):
        assert secret.encode() not in raw


def test_the_manifest_counts_and_checksums_what_the_backup_holds(world, tmp_path):
    result = backup.backup_create(output=tmp_path)
    manifest = result.manifest
    assert manifest["counts"]["residents_resident"] == 1
    assert manifest["counts"]["health_healthcard"] == 1
    assert set(manifest["files"]) == {manifest["database_member"], "media/orders/photo.png"}
    assert backup.backup_read(result.path) == manifest


def test_an_interrupted_backup_leaves_nothing(world, tmp_path, monkeypatch):
    def interrupted(_root):
        raise KeyboardInterrupt  # Ctrl-C, or SIGTERM, while the media are copied
        yield

    monkeypatch.setattr(backup, "_media_files", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backup.backup_create(output=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_timed_out_backup_leaves_nothing(world, tmp_path):
    with pytest.raises(backup.BackupError, match="time limit"):
        backup.backup_create(output=tmp_path / "out", timeout=1e-9)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("name", ["cut.tar", "cut.tar.partial"])
def test_a_backup_cut_short_is_refused_and_changes_nothing(world, target, tmp_path, name):
    whole = backup.backup_create(output=tmp_path / "whole.tar").path.read_bytes()
    cut = tmp_path / name
    cut.write_bytes(whole[: len(whole) // 2])  # the writer killed half-way
    with pytest.raises(backup.BackupError, match="unfinished|incomplete|cut short"):
        backup.backup_restore(cut, settings_dict=target)
    assert backup._target_tables(target) == []


def test_a_backup_stopped_before_its_manifest_is_refused(world, target, tmp_path):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w") as tar:  # every member but the last, the manifest
        for member, data in members[:-1]:
            tar.addfile(member, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="no manifest"):
        backup.backup_restore(path, settings_dict=target)
    assert backup._target_tables(target) == []


def test_a_damaged_backup_is_refused(world, target, tmp_path):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    data = bytearray(path.read_bytes())
    offset = data.index(b"photo bytes")
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="checksum"):
        backup.backup_restore(path, settings_dict=target)
    assert backup._target_tables(target) == []


def test_keys_that_cannot_read_the_backup_are_refused(world, target, tmp_path, settings):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    settings.LINLI_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(backup.BackupError, match="LINLI_DATA_KEYS cannot read"):
        backup.backup_restore(path, settings_dict=target)
    assert backup._target_tables(target) == []


def rewrite_manifest(path, change):
    """The same backup with its manifest changed (as another version or database would)."""
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w") as tar:
        for member, data in members:
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def test_a_backup_of_another_kind_of_database_or_a_newer_version_is_refused(
    world, target, tmp_path
):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    rewrite_manifest(path, lambda m: m["migrations"].append(["residents", "9999_future"]))
    with pytest.raises(backup.BackupError, match="newer version of Linli"):
        backup.backup_restore(path, settings_dict=target)
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite_manifest(path, lambda m: m.update(database=other))
    with pytest.raises(backup.BackupError, match=f"holds a {other} database"):
        backup.backup_restore(path, settings_dict=target)
    assert backup._target_tables(target) == []


def test_a_database_that_holds_data_is_not_overwritten_without_replace(world, tmp_path):
    path = backup.backup_create(output=tmp_path / "b.tar").path
    with pytest.raises(backup.BackupError, match="--replace"):
        backup.backup_restore(path)
    assert Resident.objects.get().name == "备份居民"


def test_the_commands_write_check_and_audit(world, tmp_path):
    out = StringIO()
    call_command("backup", str(tmp_path / "cmd.tar"), stdout=out)
    assert "Backup written" in out.getvalue() and "LINLI_DATA_KEYS" in out.getvalue()
    assert AuditEvent.objects.filter(action="backup.create").count() == 1
    out = StringIO()
    call_command("restore", str(tmp_path / "cmd.tar"), "--check", stdout=out)
    assert "complete and intact" in out.getvalue()
    with pytest.raises(CommandError, match="no file"):
        call_command("restore", str(tmp_path / "missing.tar"))
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(tmp_path / "cmd.tar"), stdout=StringIO())


def test_dumpdata_refuses_decrypted_personal_data_unless_asked(world):
    with pytest.raises(CommandError, match="residents.Resident"):
        call_command("dumpdata", "residents", stdout=StringIO())
    with pytest.raises(CommandError, match="accounts.User"):
        call_command("dumpdata", stdout=StringIO())
    out = StringIO()
    call_command("dumpdata", "places", stdout=out)  # nothing protected there
    assert "测试小区" in out.getvalue()
    out = StringIO()
    call_command("dumpdata", "residents.resident", "--plaintext", stdout=out)
    assert ID_NUMBER in out.getvalue()
    event = AuditEvent.objects.get(action="data.export_plaintext")
    assert event.details == {"models": ["residents.Resident"]}
