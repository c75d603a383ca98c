"""Serialise changes of one row (a room's bookings, an item's loans) on both databases.

On PostgreSQL ``SELECT … FOR UPDATE`` locks the row until the transaction ends. SQLite has
no row locks; there an UPDATE of the row's ``lock_version`` is made the first write of the
transaction, which takes the database's single write lock (if BEGIN IMMEDIATE did not take
it already), so two transactions' check-then-insert can never interleave."""

from django.db import connection
from django.db.models import F, Model


def lock_row(model: type[Model], pk, *, select_related=()) -> Model:
    """The row, re-read under a lock held until the surrounding transaction ends. The model
    needs a ``lock_version`` integer field."""
    if connection.vendor == "sqlite":
        model.objects.filter(pk=pk).update(lock_version=F("lock_version") + 1)
        return model.objects.select_related(*select_related).get(pk=pk)
    return model.objects.select_for_update(of=("self",)).select_related(*select_related).get(pk=pk)
