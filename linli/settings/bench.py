"""Benchmarks (``make bench``): production-like (DEBUG off) on their own database file unless
DATABASE_URL is set; static files from the finders so that no collectstatic is needed."""

import os

from .env import VAR_DIR

os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bench.sqlite3'}")

from .base import *  # noqa: E402, F403

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The site's URLs plus the framework floor (POST /bench/floor), which only the bench serves.
ROOT_URLCONF = "linli.benchfloor"
