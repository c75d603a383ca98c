"""Reads of grants and the audit log, within the asking user's scope."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from linli.core.crypto import lookup_hash
from linli.core.models import AuditEvent
from linli.core.validators import looks_like_mobile, normalise_mobile
from linli.places import tree

from .models import RoleGrant, User
from .roles import READ_AUDIT
from .scope import scope_of


def user_for_login(*, login: str | None) -> User | None:
    """The account a sign-in names, by mobile number (found through its keyed hash) or by
    username; None for an identifier that names no account. Sign-in and its lockout both
    ask here, so that they agree on whose account an identifier is."""
    login = (login or "").strip()
    if not login:
        return None
    user = None
    if looks_like_mobile(login):
        user = User.objects.filter(mobile_hash=lookup_hash(normalise_mobile(login))).first()
    if user is None:
        user = User.objects.filter(username=login).first()
    return user


def grant_list_for_user(*, user):
    return (
        RoleGrant.objects.active()
        .filter(user=user)
        .select_related("place", "organisation")
        .order_by("place__path")
    )


def token_list_for_user(*, user):
    """The user's own API tokens that still work."""
    return user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")


def membership_list_for_user(*, user):
    """The organisations the user works for."""
    return user.memberships.select_related("organisation__place")


def audit_event_list(
    *,
    user,
    action: str | None = None,
    person: str | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """Audit events within the subtrees where the user may read the log. Events that belong
    to no place (sign-ins, tokens) are shown to superusers only. Filters: the action, who
    acted (a user name, or part of a name, as recorded), and local days ``since`` to
    ``until`` (both included; compared as moments so that the index on ``at`` serves)."""
    if not user.has_perm("core.view_auditevent"):
        raise Http404("No audit log here.")
    scope = scope_of(user)
    qs = AuditEvent.objects.select_related("actor")
    if not scope.is_superuser:
        qs = qs.filter(scope.q(roles=READ_AUDIT, field="place_path"))
    if action:
        qs = qs.filter(action=action)
    person = (person or "").strip()
    if person:
        named = User.objects.filter(Q(username=person) | Q(full_name__icontains=person))
        qs = qs.filter(Q(actor__in=named.values("pk")) | Q(actor_name=person))
    if since:
        qs = qs.filter(at__gte=_local_midnight(since))
    if until:
        qs = qs.filter(at__lt=_local_midnight(until + timedelta(days=1)))
    return qs.order_by("-at", "-id")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def users_with_roles_over(path: str, roles) -> list[User]:
    """Active users holding one of ``roles`` on the place at ``path`` or a place above it
    (those a notification about that place should reach)."""
    ancestors = [path[:end] for end in range(tree.SEGMENT, len(path) + 1, tree.SEGMENT)]
    return list(
        User.objects.filter(
            is_active=True,
            role_grants__role__in=sorted(roles),
            role_grants__place__path__in=ancestors,
            role_grants__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
