"""Writes of the Open311 interface: API keys (issued per organisation, stored only as a hash)
and service requests filed with them, which become work orders from the organisation's
channel."""

import secrets

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import hash_token
from linli.core.actors import SYSTEM
from linli.core.audit import audit_record
from linli.places.models import Organisation, Place
from linli.workorders.models import Category, Channel, Open311Key, WorkOrder
from linli.workorders.services import order_file

KEY_PREFIX = "o311_"
TITLE_LENGTH = 60


@transaction.atomic
def open311_key_create(
    *, actor, organisation: Organisation, request=None
) -> tuple[Open311Key, str]:
    """A new key for ``organisation``. Returns the key row and the secret, which is shown
    once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key(organisation=organisation, key_hash=hash_token(secret), hint=secret[:12])
    key.full_clean()
    key.save()
    audit_record(
        actor=actor,
        action="open311.key_create",
        obj=key,
        place_path=organisation.place.path,
        request=request,
        details={"organisation": organisation.name, "hint": key.hint},
    )
    return key, secret


@transaction.atomic
def open311_key_revoke(*, actor, key: Open311Key, request=None) -> Open311Key:
    """Revoke a key; revoking a revoked key changes nothing."""
    key = (
        Open311Key.objects.select_for_update().select_related("organisation__place").get(pk=key.pk)
    )
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="open311.key_revoke",
        obj=key,
        place_path=key.organisation.place.path,
        request=request,
        details={"organisation": key.organisation.name, "hint": key.hint},
    )
    return key


def open311_key_authenticate(secret: str) -> Open311Key | None:
    """The live key of an active organisation that ``secret`` is, or None."""
    if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return (
        Open311Key.objects.select_related("organisation__place")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, organisation__is_active=True)
        .first()
    )


@transaction.atomic
def open311_request_file(
    *,
    key: Open311Key,
    category: Category,
    place: Place,
    description: str,
    answers: list[tuple[str, str]] = (),
    address_string: str = "",
    lat=None,
    long=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    request=None,
) -> WorkOrder:
    """File a service request as a work order from the key's organisation. The answers to
    the category's extra questions are appended to the description, where the handlers read
    them (work orders have no field of their own for them)."""
    description = description.strip()
    title = " ".join(description.split())[:TITLE_LENGTH]
    if answers:
        description += "\n\n" + "\n".join(f"{question}: {answer}" for question, answer in answers)
    # The key was checked by the caller: the system files on behalf of its organisation.
    order = order_file(
        actor=SYSTEM,
        category=category,
        place=place,
        title=title,
        description=description,
        channel=Channel.OPEN311,
        address_string=address_string,
        lat=lat,
        long=long,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        source_organisation=key.organisation,
        open311_token=secrets.token_urlsafe(16),
        request=request,
    )
    audit_record(
        action="open311.request",
        obj=order,
        request=request,
        details={"key": key.hint, "organisation": key.organisation.name},
    )
    return order
