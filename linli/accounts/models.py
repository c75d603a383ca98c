"""Users (login by username or mobile number), role grants on places, API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, lookup_hash, mask_phone
from linli.core.validators import normalise_mobile

from .roles import GRANT_PLACE_KINDS, Role


class User(AbstractUser):
    LOOKUP_HASHES = {"mobile_hash": "mobile"}  # recomputed by a restore under a new lookup key

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # The mobile number is personal data: stored encrypted, found by its keyed hash.
    mobile = EncryptedTextField(_("mobile number"), blank=True, default="")
    mobile_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile_hash"],
                condition=~models.Q(mobile_hash=""),
                name="user_unique_mobile",
                violation_error_message=_("This mobile number belongs to another account."),
            )
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.mobile:
            try:
                self.mobile = normalise_mobile(self.mobile)
            except ValidationError as exc:
                raise ValidationError({"mobile": exc.messages}) from exc
        self.mobile_hash = lookup_hash(self.mobile) if self.mobile else ""
        if self.mobile_hash:
            clash = User.objects.filter(mobile_hash=self.mobile_hash).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"mobile": _("This mobile number belongs to another account.")}
                )

    @property
    def mobile_masked(self) -> str:
        return mask_phone(self.mobile)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleGrantQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=now)
        )


class RoleGrant(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=models.Q(revoked_at__isnull=True),
                name="rolegrant_unique_active",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.place}"

    def clean(self):
        if self.place_id and self.role:
            allowed = GRANT_PLACE_KINDS.get(self.role, frozenset())
            if self.place.kind not in allowed:
                raise ValidationError(
                    {
                        "place": _("A %(role)s is granted on a %(kinds)s, not on a %(kind)s.")
                        % {
                            "role": self.get_role_display(),
                            "kinds": " / ".join(sorted(str(k) for k in allowed)),
                            "kind": self.place.get_kind_display(),
                        }
                    }
                )

    @property
    def audit_place_path(self) -> str:
        return self.place.path


def hash_token(raw: str) -> str:
    # Tokens are 256 random bits, so a plain digest is enough: nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    PREFIX = "linli_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
