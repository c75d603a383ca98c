"""Notifications through pluggable backends: in the app, by SMS, by e-mail. The SMS and
e-mail backends that ship write to the log; a deployment names its own in
``settings.LINLI_NOTIFICATION_BACKENDS`` (e.g. an SMS gateway's)."""

import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from .crypto import mask_phone
from .models import Notification

logger = logging.getLogger("linli.notifications")


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""


class InAppBackend:
    def send(self, user, message: Message) -> None:
        Notification.objects.create(
            user=user,
            kind=message.kind,
            title=message.title[:200],
            body=message.body,
            url=message.url[:300],
        )


class LogSmsBackend:
    """Writes what would be sent by SMS to the log (the number masked)."""

    def send(self, user, message: Message) -> None:
        phone = getattr(user, "mobile", "")
        if phone:
            logger.info("SMS to %s: %s", mask_phone(phone), message.title)


class LogEmailBackend:
    def send(self, user, message: Message) -> None:
        if user.email:
            logger.info("E-mail to user %s: %s", user.pk, message.title)


@lru_cache(maxsize=4)
def _backends(paths: tuple[str, ...]):
    return [import_string(path)() for path in paths]


def notify(users, message: Message) -> int:
    """Send ``message`` to each active user through every configured backend. A failing
    backend is logged and does not stop the others."""
    sent = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        for backend in _backends(tuple(settings.LINLI_NOTIFICATION_BACKENDS)):
            try:
                backend.send(user, message)
            except Exception:  # noqa: BLE001 - one channel failing must not stop the rest
                logger.exception("notification backend %s failed", type(backend).__name__)
        sent += 1
    return sent
