"""``field__prefix="abc"``: a case-sensitive prefix match that uses the column's index on
every database. Django's ``startswith`` is a LIKE, which SQLite compares case-insensitively
and so cannot serve from an ordinary index; GLOB is SQLite's case-sensitive form and can.
PostgreSQL keeps LIKE, served by the ``varchar_pattern_ops`` index Django creates."""

from django.db.models import CharField
from django.db.models.lookups import StartsWith


@CharField.register_lookup
class Prefix(StartsWith):
    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = "".join(f"[{c}]" if c in "*?[]" else c for c in str(self.rhs)) + "*"
        return f"{lhs} GLOB %s", [*lhs_params, pattern]
