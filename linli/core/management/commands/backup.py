"""``linli backup``: one file holding the database and the media, personal data encrypted."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.core.audit import audit_record
from linli.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (consistent while the site runs) and the media files into one "
        "tar file with a manifest of counts and checksums. Encrypted data stays encrypted; "
        "no key is written into the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="a directory (a dated file name is chosen) or a file name ending in .tar "
            "(default: var/backups/)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="give up after this many seconds; nothing is left behind",
        )

    def handle(self, *args, output, timeout, **options):
        try:
            result = backup_create(output=Path(output), timeout=timeout)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        rows = sum(manifest["counts"].values())
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        audit_record(
            action="backup.create",
            details={"file": result.path.name, "rows": rows, "media_files": media},
        )
        self.stdout.write(
            f"Backup written: {result.path} ({rows} rows in {len(manifest['counts'])} tables, "
            f"{media} media files). Keep it apart from the keys (LINLI_DATA_KEYS, "
            "LINLI_LOOKUP_KEY): whoever holds both can read the personal data."
        )
