"""Turn the environment (and, for the embedded default, files in ``var/``) into settings."""

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def generated_secret(name: str, filename: str, make, *, required: bool) -> str:
    """The value of environment variable ``name``; for the embedded default, a value generated
    once into ``var/filename`` so that a fresh checkout runs without configuration."""
    value = os.environ.get(name)
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def secret_key(*, required: bool) -> str:
    return generated_secret(
        "SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50), required=required
    )


def data_keys(*, required: bool) -> list[str]:
    """Fernet keys for data encrypted at rest, newest first (``LINLI_DATA_KEYS``, comma separated);
    older keys stay listed until ``linli rotate-data-key`` has re-encrypted everything."""
    raw = generated_secret(
        "LINLI_DATA_KEYS",
        "data_key",
        lambda: Fernet.generate_key().decode(),
        required=required,
    )
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                "LINLI_DATA_KEYS holds a key that is not a Fernet key."
            ) from exc
    return keys


def lookup_key(*, required: bool) -> str:
    """The key of the keyed hashes used to find protected values without decrypting them."""
    return generated_secret(
        "LINLI_LOOKUP_KEY", "lookup_key", lambda: secrets.token_urlsafe(32), required=required
    )


def cache_settings(redis_url: str | None) -> tuple[dict, str]:
    """CACHES and SESSION_ENGINE: Redis when ``REDIS_URL`` is set, local memory otherwise."""
    if redis_url:
        return (
            {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": redis_url,
                    "KEY_PREFIX": "linli",
                }
            },
            "django.contrib.sessions.backends.cache",
        )
    return (
        {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "django.contrib.sessions.backends.db",
    )


def ratelimit_silenced_checks(caches: dict) -> list[str]:
    """The checks of django-ratelimit that do not apply to the project's caches.

    - Django's own Redis backend increments atomically; the library lists only django-redis
      as supported (W001).
    - Without ``REDIS_URL`` the cache is each process's memory (E003: not shared): each of
      ``linli serve``'s workers then counts for itself, so an address gets at most as many
      times a limit as there are workers (``WEB_CONCURRENCY``). That is the embedded
      default on one machine; set ``REDIS_URL`` for exact limits across processes and
      servers (production's ``linli check --deploy`` reminds of it)."""
    backend = caches["default"]["BACKEND"]
    if backend == "django.core.cache.backends.redis.RedisCache":
        return ["django_ratelimit.W001"]
    if backend == "django.core.cache.backends.locmem.LocMemCache":
        return ["django_ratelimit.E003", "django_ratelimit.W001"]
    return []


def database_settings(default_url: str) -> dict:
    """``DATABASES["default"]`` from ``DATABASE_URL`` (``default_url`` when unset), with
    persistent connections.

    A gunicorn sync worker serves one request at a time, so its one connection is kept
    between requests: for ``CONN_MAX_AGE`` seconds (600 unless set; 0 closes it after every
    request, as Django does by default) and checked before a request reuses it
    (``CONN_HEALTH_CHECKS``, on unless set off), so a restarted database costs a reconnect,
    not a failed request. On PostgreSQL ``DATABASE_POOL=1`` uses psycopg's connection pool
    instead (for threaded servers), of ``DATABASE_POOL_MIN_SIZE`` (1) to
    ``DATABASE_POOL_MAX_SIZE`` (4) connections a process, which must cover the threads that
    hold a connection at once; Django then needs ``CONN_MAX_AGE`` 0."""
    database = dj_database_url.parse(os.environ.get("DATABASE_URL") or default_url)
    conn_max_age = os.environ.get("CONN_MAX_AGE", "").strip().lower()
    database["CONN_MAX_AGE"] = (
        None if conn_max_age in {"none", "unlimited"} else int(conn_max_age or "600")
    )
    database["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
    if env_bool("DATABASE_POOL", False):
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_POOL needs a PostgreSQL DATABASE_URL.")
        database["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        }
    return database
