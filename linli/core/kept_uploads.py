"""Files a form was sent with, kept while the form is shown again (a warning to read, a
field to correct), so that nothing a user attached is lost. They are stored out of any
public URL under a random token that only the session that sent them can use, and removed
once used, replaced, or a day old."""

import secrets
from datetime import timedelta

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .images import MAX_BYTES

SESSION_KEY = "linli_kept_uploads"
FOLDER = "kept-uploads"
MAX_FILES = 10
MAX_TOKENS = 3  # forms a session may have open at once; older ones are dropped
MAX_AGE = timedelta(days=1)


def _kept(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def uploads_keep(request, uploads) -> str:
    """Store ``uploads`` for this session and answer their token (for a hidden field)."""
    _sweep()
    entries = []
    for upload in list(uploads)[:MAX_FILES]:
        if upload.size is None or upload.size > MAX_BYTES:
            continue  # refused when filed anyway; not worth keeping
        upload.seek(0)
        stored = default_storage.save(
            f"{FOLDER}/{secrets.token_hex(16)}", ContentFile(upload.read())
        )
        upload.seek(0)
        entries.append({"file": stored, "name": (upload.name or "")[-100:]})
    token = secrets.token_urlsafe(24)
    kept = dict(_kept(request))
    kept[token] = entries
    while len(kept) > MAX_TOKENS:
        oldest = next(iter(kept))
        _delete(kept.pop(oldest))
    request.session[SESSION_KEY] = kept
    return token


def uploads_kept_names(request, token: str) -> list[str]:
    return [entry["name"] for entry in _kept(request).get(token or "", [])]


def uploads_kept(request, token: str) -> list[File]:
    """The files kept under ``token`` by this session (none for another's token), open for
    reading; the caller closes them (``uploads_discard`` does)."""
    files = []
    for entry in _kept(request).get(token or "", []):
        if default_storage.exists(entry["file"]):
            files.append(File(default_storage.open(entry["file"], "rb"), name=entry["name"]))
    return files


def uploads_discard(request, token: str, files=()) -> None:
    """Close ``files`` and forget what was kept under ``token``."""
    for f in files:
        f.close()
    kept = dict(_kept(request))
    entries = kept.pop(token or "", None)
    if entries is not None:
        _delete(entries)
        request.session[SESSION_KEY] = kept


def _delete(entries) -> None:
    for entry in entries:
        default_storage.delete(entry["file"])


def _sweep() -> None:
    """Remove what forms left behind and nobody came back for."""
    try:
        _dirs, names = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - MAX_AGE
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
