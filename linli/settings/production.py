"""Production: every secret from the environment, HTTPS only, hardened cookies and headers.
Passes ``linli check --deploy``."""

import os

from .base import *  # noqa: F403
from .env import data_keys, env_bool, env_list, lookup_key, secret_key

PRODUCTION = True
DEBUG = False
SECRET_KEY = secret_key(required=True)
LINLI_DATA_KEYS = data_keys(required=True)
LINLI_LOOKUP_KEY = lookup_key(required=True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
# Production sits behind one proxy, whose X-Forwarded-Proto it trusts too
# (SECURE_PROXY_SSL_HEADER); its X-Forwarded-For gives a client's address.
LINLI_TRUSTED_PROXIES = int(os.environ.get("LINLI_TRUSTED_PROXIES", "1"))

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
