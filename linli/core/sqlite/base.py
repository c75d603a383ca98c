"""Django assumes SQLite accepts 999 parameters per statement (the limit before 3.32) and so
splits bulk inserts into tiny batches; the SQLite linked into Python 3.11 accepts 32,766.
Asking the connection for its real limit makes bulk imports a few statements, not thousands."""

import sqlite3
from functools import cached_property

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
