"""``linli restore``: a backup of ``linli backup`` back into the database and MEDIA_ROOT."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from linli.core.audit import audit_record
from linli.core.backup import BackupError, backup_read, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured database (it must be empty unless --replace) "
        "and MEDIA_ROOT. The backup is checked first: complete, intact, of this database kind "
        "and readable with LINLI_DATA_KEYS. Under a new LINLI_LOOKUP_KEY the lookup hashes "
        "(ID and mobile search) are recomputed. Stop the site while restoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the .tar file written by linli backup")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace what the database and MEDIA_ROOT hold",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the backup (complete, intact) and say what it holds",
        )

    def handle(self, *args, backup, replace, check, **options):
        try:
            if check:
                manifest = backup_read(Path(backup))
                self.stdout.write(
                    f"{backup}: complete and intact; {manifest['database']} database made "
                    f"{manifest['created_at']}, {sum(manifest['counts'].values())} rows, "
                    f"{len(manifest['files']) - 1} media files."
                )
                return
            result = backup_restore(Path(backup), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # A backup from an older version: bring its schema up to this one.
        call_command("migrate", interactive=False, verbosity=0)
        rows = sum(result.counts.values())
        audit_record(
            action="backup.restore",
            details={"file": Path(backup).name, "rows": rows, "media_files": result.media_files},
        )
        self.stdout.write(
            f"Restored {rows} rows in {len(result.counts)} tables (row counts match the "
            f"manifest), {result.media_files} media files; {result.encrypted_values} encrypted "
            "values read with the data keys set."
        )
        for column, count in result.rehashed.items():
            self.stdout.write(f"New lookup key: {column} recomputed for {count} rows.")
        for label, count in result.unrecoverable.items():
            if count:
                self.stdout.write(
                    self.style.WARNING(
                        f"{label}: {count} token(s) hashed under the old lookup key cannot be "
                        "recomputed (the secret is not kept); register them again."
                    )
                )
