"""Backups that keep personal data encrypted, and restores that check them first.

A backup is one tar file: the database (SQLite's online backup API, or ``pg_dump`` in custom
format inside one exported snapshot), the media files, and ``manifest.json`` with the row
count of every table, the size and SHA-256 of every member, the migrations applied, the
fingerprints of the keys in force and a few encrypted samples to test the restoring keys on.
Encrypted columns are copied as the ciphertext they are; no key goes into the backup.

The file is written under a temporary name and renamed only once complete, and the manifest
is its last member: an interrupted backup leaves nothing, or a ``.partial`` file without a
manifest, which restore refuses. Restore checks everything it can before it touches the
database (members, checksums, the database kind, the migrations, the data keys), restores,
compares the row counts, and recomputes the lookup hashes when ``LINLI_LOOKUP_KEY`` is new.

Models declare their lookup hashes as ``LOOKUP_HASHES = {"hash_column": "source_field"}``
(source ``None``: the secret is not kept, so the hash cannot be recomputed), so that core
needs to know no domain app."""

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from linli.core.crypto import EncryptedTextField, decrypt, encrypted_models, lookup_hash

FORMAT = "linli-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
PARTIAL_SUFFIX = ".partial"
LOOKUP_CHECK = "linli-lookup-key-check"
SAMPLES_PER_COLUMN = 2
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- what the database holds -------------------------------------------------------------


def lookup_hash_columns():
    """(model, {hash column: source field or None}) for every model that declares lookup
    hashes."""
    for model in apps.get_models():
        declared = getattr(model, "LOOKUP_HASHES", None)
        if declared:
            yield model, declared


def key_fingerprint(key: str) -> str:
    """Names a key without revealing it: enough to tell two keys apart in a message."""
    return hashlib.sha256(f"linli-key:{key}".encode()).hexdigest()[:12]


def table_counts(connection) -> dict[str, int]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {q(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(connection) -> list[list[str]]:
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return []
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def encrypted_samples(connection) -> dict[str, list[str]]:
    """A few ciphertexts of each encrypted column ("table.column" → tokens): restore tries its
    keys on them before it touches the database."""
    q = connection.ops.quote_name
    samples = {}
    with connection.cursor() as cursor:
        for model, fields in encrypted_models():
            table = model._meta.db_table
            for f in fields:
                col = q(f.column)
                cursor.execute(
                    f"SELECT {col} FROM {q(table)} WHERE {col} <> '' "  # noqa: S608
                    f"ORDER BY {q(model._meta.pk.column)} LIMIT {SAMPLES_PER_COLUMN}"
                )
                tokens = [row[0] for row in cursor.fetchall()]
                if tokens:
                    samples[f"{table}.{f.column}"] = tokens
    return samples


@contextmanager
def database_connection(settings_dict: dict):
    """A connection of its own to another database (the one being restored into), outside
    ``django.db.connections``, closed afterwards."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        {**settings_dict}, alias=f"linli_restore_{uuid.uuid4().hex[:8]}"
    )
    try:
        yield wrapper
    finally:
        wrapper.close()


# --- writing a backup ----------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


class _Deadline:
    def __init__(self, timeout: float | None):
        self.at = time.monotonic() + timeout if timeout else None

    def remaining(self) -> float | None:
        return None if self.at is None else max(self.at - time.monotonic(), 0.001)

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise BackupError("The backup took longer than its time limit and was abandoned.")


def _pg_env_args(settings_dict: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    args += ["--dbname", settings_dict["NAME"]]
    return env, args


def _run(command: list[str], *, env: dict, deadline: _Deadline, what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (fixed programs, arguments from settings)
            command, env=env, capture_output=True, text=True, timeout=deadline.remaining()
        )
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed; it is needed to {what}.") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{command[0]} took longer than the time limit and was stopped.") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_sqlite(connection, target: Path, deadline: _Deadline) -> None:
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(target)

    def progress(_status, _remaining, _total):
        deadline.check()

    try:
        # Page by page, so that writers are not held up for the whole copy; SQLite restarts
        # the copy itself if another connection writes meanwhile.
        source.backup(destination, pages=256, progress=progress)
    finally:
        destination.close()


def _dump_postgresql(connection, target: Path, deadline: _Deadline) -> dict:
    """pg_dump inside one exported snapshot, the counts and samples read in that same
    snapshot: the manifest describes exactly the data dumped."""
    env, args = _pg_env_args(connection.settings_dict)
    connection.ensure_connection()
    old_autocommit = connection.get_autocommit()
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = {
                "counts": table_counts(connection),
                "migrations": applied_migrations(connection),
                "encrypted_samples": encrypted_samples(connection),
            }
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}", *args],
                env=env, deadline=deadline, what="back up a PostgreSQL database",
            )  # fmt: skip
        finally:
            connection.rollback()
            connection.set_autocommit(old_autocommit)
    return facts


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def _term_as_interrupt():
    """SIGTERM (a stopped job, a timed-out cron) unwinds like Ctrl-C, so the partial file
    is removed."""

    def handler(_signum, _frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def backup_create(*, output: Path, alias: str = "default", timeout: float | None = None):
    """Write a backup of database ``alias`` and the media files to ``output`` (a directory,
    where a dated name is chosen, or a file name ending in ``.tar``)."""
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    output = Path(output)
    if output.suffix != ".tar":
        output.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        output = output / f"linli-{stamp}.tar"
    if output.exists():
        raise BackupError(f"{output} exists already; a backup never overwrites another.")
    output.parent.mkdir(parents=True, exist_ok=True)
    deadline = _Deadline(timeout)
    previous_handler = _term_as_interrupt()
    workdir = Path(tempfile.mkdtemp(prefix=".linli-backup-", dir=output.parent))
    partial = output.with_name(output.name + PARTIAL_SUFFIX)
    try:
        if vendor == "sqlite":
            member = SQLITE_MEMBER
            _dump_sqlite(connection, workdir / member, deadline)
            with database_connection(
                {**connection.settings_dict, "NAME": str(workdir / member)}
            ) as copy:
                facts = {
                    "counts": table_counts(copy),
                    "migrations": applied_migrations(copy),
                    "encrypted_samples": encrypted_samples(copy),
                }
        else:
            member = PG_MEMBER
            facts = _dump_postgresql(connection, workdir / member, deadline)
        files = {}
        with tarfile.open(partial, "w") as tar:
            db_path = workdir / member
            files[member] = {"size": db_path.stat().st_size, "sha256": _sha256_file(db_path)}
            tar.add(db_path, arcname=member, recursive=False)
            for path, relative in _media_files(Path(settings.MEDIA_ROOT)):
                deadline.check()
                name = MEDIA_PREFIX + relative
                # Read once: what is checksummed is exactly what is archived, even if the
                # file changes meanwhile.
                data = path.read_bytes()
                files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), int(path.stat().st_mtime), 0o600
                tar.addfile(info, io.BytesIO(data))
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "linli_version": _linli_version(),
                "database": vendor,
                "database_member": member,
                "files": files,
                "counts": facts["counts"],
                "migrations": facts["migrations"],
                "encrypted_samples": facts["encrypted_samples"],
                "data_key_fingerprints": [key_fingerprint(k) for k in settings.LINLI_DATA_KEYS],
                "lookup_key_check": lookup_hash(LOOKUP_CHECK),
            }
            raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
            deadline.check()
            tar.addfile(info, io.BytesIO(raw))
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, output)
        _fsync_dir(output.parent)
        return BackupResult(path=output, manifest=manifest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _linli_version() -> str:
    try:
        return version("linli")
    except PackageNotFoundError:
        return "unknown"


# --- reading and checking a backup ----------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def backup_read(path: Path) -> dict:
    """The manifest of a complete, intact backup; a ``BackupError`` saying what is wrong
    otherwise. Every member is checked against its size and SHA-256."""
    path = Path(path)
    if path.name.endswith(PARTIAL_SUFFIX):
        raise BackupError(f"{path.name} is an unfinished backup (its writing was interrupted).")
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError as exc:
        raise BackupError(f"There is no file {path}.") from exc
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path.name} is not a Linli backup, or it is cut short.") from exc
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers()}
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path.name} is cut short: the backup is incomplete.") from exc
        if MANIFEST not in members:
            raise BackupError(
                f"{path.name} has no manifest: the backup is incomplete or not a Linli backup."
            )
        try:
            manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        except (ValueError, tarfile.TarError, OSError, AttributeError) as exc:
            raise BackupError(f"The manifest of {path.name} cannot be read.") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{path.name} is not a backup in the format {FORMAT}.")
        files = manifest.get("files") or {}
        listed, present = set(files), set(members) - {MANIFEST}
        if listed != present:
            missing, extra = sorted(listed - present), sorted(present - listed)
            raise BackupError(
                f"{path.name} does not match its manifest (missing: {missing[:5]}, "
                f"not listed: {extra[:5]})."
            )
        for name, expected in files.items():
            member = members[name]
            if not (member.isfile() and _safe_member_name(name)):
                raise BackupError(f"{path.name} holds a member that is not a plain file: {name}")
            digest, size = hashlib.sha256(), 0
            fh = tar.extractfile(member)
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
                raise BackupError(f"{name} in {path.name} is damaged: its checksum differs.")
        if manifest.get("database_member") not in files:
            raise BackupError(f"{path.name} holds no database.")
    return manifest


def _check_migrations(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of Linli (migrations this version does not "
            f"know: {', '.join(unknown[:5])}). Restore it with that version or a later one."
        )


def _check_data_keys(manifest: dict) -> None:
    unreadable = []
    for column, tokens in manifest.get("encrypted_samples", {}).items():
        for token in tokens:
            try:
                decrypt(token)
            except ValueError:
                unreadable.append(column)
                break
    if unreadable:
        current = ", ".join(key_fingerprint(k) for k in settings.LINLI_DATA_KEYS)
        made = ", ".join(manifest.get("data_key_fingerprints", [])) or "unknown"
        raise BackupError(
            "The data keys in LINLI_DATA_KEYS cannot read this backup's encrypted data "
            f"({', '.join(unreadable[:3])}). It was made under the keys {made}; the keys now "
            f"set are {current}. Set LINLI_DATA_KEYS to the keys kept with this backup."
        )


# --- restoring ----------------------------------------------------------------------------


@dataclass
class RestoreResult:
    counts: dict
    encrypted_values: int = 0
    rehashed: dict = field(default_factory=dict)
    unrecoverable: dict = field(default_factory=dict)
    media_files: int = 0


def _sqlite_target(settings_dict: dict) -> Path:
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Restore needs a SQLite database file, not an in-memory database.")
    return Path(name)


def _target_tables(settings_dict: dict) -> list[str]:
    with database_connection(settings_dict) as conn, conn.cursor() as cursor:
        return conn.introspection.table_names(cursor)


def backup_restore(
    path: Path, *, alias: str = "default", settings_dict: dict | None = None, replace=False
) -> RestoreResult:
    """Restore ``path`` into the database ``alias`` (or the one ``settings_dict`` describes)
    and the media files into MEDIA_ROOT. Refuses, before changing anything, a damaged or
    incomplete backup, one of another database kind or a newer version, keys that cannot
    read it, a database that holds data (unless ``replace``)."""
    manifest = backup_read(path)
    settings_dict = {**(settings_dict or connections[alias].settings_dict)}
    vendor = "sqlite" if "sqlite" in settings_dict["ENGINE"] else (
        "postgresql" if "postgresql" in settings_dict["ENGINE"] else settings_dict["ENGINE"]
    )  # fmt: skip
    if manifest["database"] != vendor:
        raise BackupError(
            f"This backup holds a {manifest['database']} database; the database configured is "
            f"{vendor}. Restore it into a {manifest['database']} database (DATABASE_URL)."
        )
    _check_migrations(manifest)
    _check_data_keys(manifest)
    if vendor == "sqlite":
        target = _sqlite_target(settings_dict)
        tables = _target_tables(settings_dict) if target.exists() else []
    else:
        tables = _target_tables(settings_dict)
    if tables and not replace:
        raise BackupError(
            f"The database {settings_dict['NAME']} already holds {len(tables)} tables. Restore "
            "into an empty database, or pass --replace to replace what it holds."
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "r:") as tar:
        media = [m for m in tar.getmembers() if m.name.startswith(MEDIA_PREFIX)]
        if not replace:
            clashes = [m.name for m in media if (media_root / m.name[len(MEDIA_PREFIX) :]).exists()]
            if clashes:
                raise BackupError(
                    f"MEDIA_ROOT already holds {len(clashes)} of the backup's files (such as "
                    f"{clashes[0]}). Restore into an empty MEDIA_ROOT, or pass --replace."
                )
        workdir = Path(
            tempfile.mkdtemp(prefix=".linli-restore-", dir=_workdir_parent(settings_dict))
        )
        try:
            member = manifest["database_member"]
            tar.extract(tar.getmember(member), workdir, filter="data")
            dumped = workdir / member
            if vendor == "sqlite":
                _restore_sqlite(dumped, target)
            else:
                _restore_postgresql(dumped, settings_dict, replace=replace)
            for m in media:
                destination = media_root / m.name[len(MEDIA_PREFIX) :]
                destination.parent.mkdir(parents=True, exist_ok=True)
                tmp = destination.with_name(f".{destination.name}.restoring")
                with tar.extractfile(m) as src, tmp.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                os.replace(tmp, destination)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    result = RestoreResult(counts=manifest["counts"], media_files=len(media))
    with database_connection(settings_dict) as conn:
        counts = table_counts(conn)
        differing = sorted(t for t, n in manifest["counts"].items() if counts.get(t) != n)
        if differing:
            raise BackupError(
                "The restored database does not hold the rows the manifest counts "
                f"(tables {', '.join(differing[:5])}). Do not use it; restore again."
            )
        result.encrypted_values = _read_every_encrypted_value(conn)
        if manifest.get("lookup_key_check") != lookup_hash(LOOKUP_CHECK):
            result.rehashed, result.unrecoverable = _recompute_lookup_hashes(conn)
    return result


def _workdir_parent(settings_dict: dict) -> Path:
    if "sqlite" in settings_dict["ENGINE"]:
        parent = Path(str(settings_dict["NAME"])).parent
        parent.mkdir(parents=True, exist_ok=True)
        return parent
    return Path(tempfile.gettempdir())


def _restore_sqlite(dumped: Path, target: Path) -> None:
    connections.close_all()
    # The old write-ahead log belongs to the old file: it must not be replayed into the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(dumped, target)


def _restore_postgresql(dumped: Path, settings_dict: dict, *, replace: bool) -> None:
    env, args = _pg_env_args(settings_dict)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error"]  # fmt: skip
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, *args, str(dumped)], env=env, deadline=_Deadline(None), what="restore")


def _read_every_encrypted_value(conn) -> int:
    """Decrypts every encrypted value once: a restore that reports success can read all."""
    q = conn.ops.quote_name
    count = 0
    with conn.cursor() as cursor:
        for model, fields in encrypted_models():
            columns = ", ".join(q(f.column) for f in fields)
            cursor.execute(f"SELECT {columns} FROM {q(model._meta.db_table)}")  # noqa: S608
            for row in cursor.fetchall():
                for token in row:
                    if token:
                        try:
                            decrypt(token)
                        except ValueError as exc:
                            raise BackupError(
                                f"A value of {model._meta.label} cannot be read with the "
                                "data keys set; set LINLI_DATA_KEYS to this backup's keys."
                            ) from exc
                        count += 1
    return count


def _recompute_lookup_hashes(conn) -> tuple[dict, dict]:
    """Under a new LINLI_LOOKUP_KEY the stored hashes find nothing: recompute each from the
    value it hashes (decrypted here, never written out). Hashes of secrets that are not kept
    (home devices' tokens) cannot be recomputed; they are counted for the report."""
    q = conn.ops.quote_name
    rehashed, unrecoverable = {}, {}
    conn.set_autocommit(False)  # one transaction: every hash is new, or none
    try:
        with conn.cursor() as cursor:
            for model, declared in lookup_hash_columns():
                table, pk = q(model._meta.db_table), q(model._meta.pk.column)
                for hash_column, source in declared.items():
                    if source is None:
                        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                        unrecoverable[model._meta.label] = cursor.fetchone()[0]
                        continue
                    field_ = model._meta.get_field(source)
                    encrypted = isinstance(field_, EncryptedTextField)
                    cursor.execute(f"SELECT {pk}, {q(field_.column)} FROM {table}")  # noqa: S608
                    rows = cursor.fetchall()
                    for row_pk, value in rows:
                        plain = decrypt(value) if encrypted and value else (value or "")
                        cursor.execute(
                            f"UPDATE {table} SET {q(hash_column)} = %s WHERE {pk} = %s",  # noqa: S608
                            [lookup_hash(plain) if plain else "", row_pk],
                        )
                    rehashed[f"{model._meta.label}.{hash_column}"] = len(rows)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.set_autocommit(True)
    return rehashed, unrecoverable
