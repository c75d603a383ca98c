"""Reads of grants and the audit log, within the asking user's scope."""

from django.http import Http404

from linli.core.models import AuditEvent

from .models import RoleGrant
from .roles import READ_AUDIT
from .scope import scope_of


def grant_list_for_user(*, user):
    return (
        RoleGrant.objects.active()
        .filter(user=user)
        .select_related("place", "organisation")
        .order_by("place__path")
    )


def audit_event_list(*, user, action: str | None = None):
    """Audit events within the subtrees where the user may read the log. Events that belong
    to no place (sign-ins, tokens) are shown to superusers only."""
    if not user.has_perm("core.view_auditevent"):
        raise Http404("No audit log here.")
    scope = scope_of(user)
    qs = AuditEvent.objects.select_related("actor")
    if not scope.is_superuser:
        qs = qs.filter(scope.q(roles=READ_AUDIT, field="place_path"))
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-at", "-id")
