"""No two active bookings of one room overlap — enforced by PostgreSQL itself.

An exclusion constraint over (room, [start, end)) for active bookings, with btree_gist for
the equality on the room. It is not declared in ``Booking.Meta.constraints``: Django would
then emit ``EXCLUDE USING gist`` on SQLite too (which has no such thing) and run the
constraint's range query in ``full_clean()``. So this migration creates it on PostgreSQL
only and does nothing elsewhere; on SQLite the services serialise bookings under the
database's write lock instead (see ``services._lock_room``). The model state is unchanged,
so ``makemigrations --check`` stays clean."""

from django.db import migrations

CONSTRAINT = "booking_no_overlap"
ACTIVE = ("pending", "confirmed", "checked_in")


def create_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statuses = ", ".join(f"'{status}'" for status in ACTIVE)
    # Trusted since PostgreSQL 13: the database owner may create it without superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        f"(room_id WITH =, tstzrange(\"start\", \"end\", '[)') WITH &&) "
        f"WHERE (status IN ({statuses}))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(create_constraint, drop_constraint, elidable=False)]
