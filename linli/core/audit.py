"""Writing to the audit log. Every module records reveals, exports, logins and changes here."""

import ipaddress

from django.conf import settings
from django.db import models

from .actors import user_or_none
from .models import AuditEvent


def client_ip(request) -> str | None:
    """The address a request came from. Behind ``LINLI_TRUSTED_PROXIES`` proxies (production:
    one, the embedded server: none) it is the hop the outermost of them appended to
    ``X-Forwarded-For``; the header is not trusted otherwise, since a client reaching the
    server directly writes it as it likes (and would then escape per-address limits)."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "LINLI_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def audit_record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    place_path: str = "",
    request=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event. ``place_path`` places the event in the tree so that administrators
    see the events of their subtree; an object with a ``place_path`` property supplies it."""
    actor = user_or_none(actor)  # SYSTEM and anonymous visitors are recorded as no one
    if obj is not None and not place_path:
        place_path = getattr(obj, "audit_place_path", "") or ""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:255] if request is not None else ""
    event = AuditEvent(
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "")[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        place_path=place_path,
        ip_address=client_ip(request),
        user_agent=user_agent,
        details=details or {},
    )
    # Validated without re-reading the actor it was handed (one insert per event).
    event.full_clean(exclude=["actor"] if actor is not None else None)
    event.save()
    return event
