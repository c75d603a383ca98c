"""Tests: fast hashing, in-memory e-mail, tasks run at once, no static manifest needed."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# The counts of rate limits outlive a test (they are in the cache, not the database): high
# enough that the suite never meets them; the tests of the limits set their own.
LINLI_RATE_LIMITS = dict.fromkeys(LINLI_RATE_LIMITS, "100000/m")  # noqa: F405

if DATABASES["default"]["ENGINE"] == "linli.core.sqlite":  # noqa: F405
    # A file, not shared-cache memory: concurrency tests then see SQLite's real locking
    # (writers queue behind IMMEDIATE transactions), as the embedded deployment does.
    # One file per test process, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
