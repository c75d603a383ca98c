"""``linli rotate-data-key``: re-encrypt every encrypted column under the newest data key.

Put the new key first in LINLI_DATA_KEYS (keep the old ones after it), run this, then drop
the old keys. Each model is re-encrypted in one transaction, so a failure leaves every value
readable under the key list in force."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from linli.core.crypto import encrypted_models, rotate


class Command(BaseCommand):
    help = "Re-encrypt all data encrypted at rest under the newest key in LINLI_DATA_KEYS."

    def handle(self, *args, **options):
        q = connection.ops.quote_name
        total = 0
        for model, fields in encrypted_models():
            table, pk = q(model._meta.db_table), q(model._meta.pk.column)
            columns = [q(f.column) for f in fields]
            count = 0
            # Raw SQL: the stored tokens are re-encrypted as they are, never decrypted into
            # model instances (and no save() side effects run).
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
                for row_pk, *tokens in cursor.fetchall():
                    new = [rotate(t) if t else t for t in tokens]
                    sets = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [*new, row_pk],
                    )
                    count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} row(s) re-encrypted")
        self.stdout.write(f"Done: {total} row(s).")
