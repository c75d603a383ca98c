"""Turn the environment (and, for the embedded default, files in ``var/``) into settings."""

import os
import secrets
from pathlib import Path

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
