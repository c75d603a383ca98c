"""Protected personal data: encryption at rest, keyed hashes for exact lookup, masking.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the data keys in
``settings.LINLI_DATA_KEYS`` (newest first; older keys still decrypt until rotation has
re-encrypted everything). Exact lookup (find a user by mobile, a resident by ID number)
uses an HMAC under its own key, ``LINLI_LOOKUP_KEY``, so rotating the data keys (or the
secret key) leaves the lookup hashes as they are."""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.LINLI_DATA_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be read with the configured data keys.") from exc


def encrypt_bytes(data: bytes) -> bytes:
    """For files that hold personal data (uploaded registers): encrypted before they touch
    the disk."""
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("Encrypted file cannot be read with the configured data keys.") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest data key."""
    return fernet().rotate(token.encode()).decode()


def lookup_hash(value: str) -> str:
    key = settings.LINLI_LOOKUP_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_phone(value: str) -> str:
    """``13812341234`` → ``138****1234``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """``140213195001011234`` → ``140213********1234``."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


class Revealed(str):
    """A personal number its reader may see in full: decided by a named permission (the care
    team's emergency contact) or an audited reveal. Every serialiser of personal numbers
    (the API's ``MaskedPhone`` and ``MaskedIdNumber``) masks any other value."""

    __slots__ = ()


def phone_shown(value: str, *, full: bool) -> str:
    """A phone number as this reader sees it: whole (marked ``Revealed``) or masked."""
    return Revealed(value) if full and value else mask_phone(value)


def id_number_shown(value: str, *, full: bool) -> str:
    """An ID number as this reader sees it: whole (marked ``Revealed``) or masked."""
    return Revealed(value) if full and value else mask_id_number(value)


class EncryptedTextField(models.TextField):
    """A text column stored encrypted. Empty strings stay empty (nothing to protect and it
    keeps "blank" meaningful); everything else is a Fernet token in the database."""

    encrypted = True

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def encrypted_models():
    """(model, [its EncryptedTextFields]) for every model that encrypts a column: what key
    rotation re-encrypts, backups sample and ``dumpdata`` refuses to write out decrypted."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields
