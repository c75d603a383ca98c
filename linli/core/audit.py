"""Writing to the audit log. Every module records reveals, exports, logins and changes here."""

from django.db import models

from .actors import user_or_none
from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the production proxy the real address is the last hop the proxy appended;
    # the embedded server is reached directly.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return candidate or None


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
