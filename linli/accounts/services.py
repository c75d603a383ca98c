"""Every write to users, role grants and API tokens."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import LinliError
from linli.core.lifecycle import check_perm, require_actor

from .models import ApiToken, RoleGrant, User, hash_token
from .scope import forget_scope


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    full_name: str = "",
    mobile: str = "",
    email: str = "",
    is_superuser: bool = False,
    request=None,
) -> User:
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        mobile=mobile.strip(),
        email=email.strip(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    require_actor(actor)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    # The system's set-up (the demo, the command line) is not in the audit log.
    if user_or_none(actor) is not None:
        audit_record(actor=actor, action="account.create", obj=user, request=request)
    return user


@transaction.atomic
def grant_create(*, actor, user: User, role: str, place, organisation=None, request=None):
    check_perm(actor, "accounts.manage_grants", place)
    existing = RoleGrant.objects.active().filter(user=user, role=role, place=place).first()
    if existing:
        return existing
    grant = RoleGrant(
        user=user,
        role=role,
        place=place,
        organisation=organisation,
        granted_by=user_or_none(actor),
    )
    grant.full_clean()
    grant.save()
    forget_scope(user)
    audit_record(
        actor=actor,
        action="grant.create",
        obj=grant,
        request=request,
        details={"user": user.username, "role": role},
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: RoleGrant, request=None) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    check_perm(actor, "accounts.manage_grants", grant.place)
    if grant.revoked_at is not None:
        raise LinliError(_("This role grant was already revoked."), code="revoked")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    forget_scope(grant.user)
    audit_record(
        actor=actor,
        action="grant.revoke",
        obj=grant,
        request=request,
        details={"user": grant.user.username, "role": grant.role},
    )
    return grant


@transaction.atomic
def token_create(*, actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``. Returns the token row and the secret, which is shown
    once and never stored (only its hash is)."""
    require_actor(actor)
    if not user.is_active:
        raise LinliError(_("Tokens cannot be created for an inactive account."), code="inactive")
    secret = ApiToken.new_secret()
    token = ApiToken(
        user=user, name=name.strip()[:100], key_hash=hash_token(secret), hint=secret[:12]
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="token.create", obj=token, details={"user": user.username})
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    require_actor(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise LinliError(_("This token was already revoked."), code="revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="token.revoke", obj=token, details={"user": token.user.username}
    )
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used (at most once
    a minute, to keep reads cheap)."""
    if not secret or not secret.startswith(ApiToken.PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
