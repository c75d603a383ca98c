"""The one-stop service desk (全岗通, SPEC 3.6). This module holds its catalogue of matters
(事项): what a resident can get done, who decides it, in how many working days, and what to
bring in each situation.

A matter is versioned: its identity (code, kind, whose catalogue) stays, and each revision
is a new ``MatterVersion`` with its own situations and materials. A published version never
changes, so a case started under it keeps the checklist it began with."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The longest time limit a matter may promise or the law may set, in working days.
MAX_LIMIT_DAYS = 365


class MatterKind(models.TextChoices):
    """The kinds of government-service matter, with the letters their codes carry (as in the
    catalogues that follow GB/T 39554.1)."""

    LICENSING = "XK", _("administrative licensing")
    CONFIRMATION = "QR", _("administrative confirmation")
    BENEFIT = "JF", _("administrative benefit")
    REWARD = "JL", _("administrative reward")
    RULING = "CJ", _("administrative ruling")
    OTHER_POWER = "QT", _("other administrative power")
    PUBLIC_SERVICE = "GG", _("public service")


class Handling(models.TextChoices):
    LOCAL = "local", _("handled at the desk")
    FORWARD = "forward", _("received here, forwarded for decision")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("copy")
    BOTH = "both", _("original and copy")


class Matter(models.Model):
    """A matter's identity: its code and whose catalogue it belongs to. What it asks for is
    in its versions; ``current`` is the one a new case starts under."""

    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("catalogue of"),
        on_delete=models.PROTECT,
        related_name="matters",
        help_text=_("The district or street whose catalogue lists the matter."),
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{1,24}-[A-Z]{2}-[0-9]{4}$",
                _("A code reads like 140213-JF-0001: the catalogue's prefix, the kind, a number."),
            )
        ],
    )
    kind = models.CharField(_("kind"), max_length=2, choices=MatterKind.choices)
    current = models.OneToOneField(
        "MatterVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    is_active = models.BooleanField(_("in the catalogue"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self) -> str:
        return f"{self.code} {self.current.name if self.current_id else ''}".strip()


class MatterVersion(models.Model):
    """One revision of a matter, as it was published. Never changed once written."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    summary = models.TextField(
        _("who it is for"), blank=True, help_text=_("Who may apply, and on what conditions.")
    )
    department = models.CharField(_("responsible department"), max_length=120)
    implementing_body = models.CharField(_("implementing body"), max_length=120)
    legal_basis = models.TextField(_("legal basis"))
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_LIMIT_DAYS)],
        help_text=_("Leave empty where no law sets one."),
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"),
        validators=[MaxValueValidator(MAX_LIMIT_DAYS)],
        help_text=_("0: done on the spot."),
    )
    fee = models.CharField(
        _("fees"), max_length=200, blank=True, help_text=_("Leave empty when it is free.")
    )
    handling = models.CharField(
        _("handling"), max_length=8, choices=Handling.choices, default=Handling.LOCAL
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["matter", "-number"]
        verbose_name = _("matter version")
        verbose_name_plural = _("matter versions")
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matter_version_unique"),
            models.CheckConstraint(
                condition=Q(statutory_days__isnull=True)
                | Q(promised_days__lte=F("statutory_days")),
                name="matter_promise_within_statute",
                violation_error_message=_(
                    "The promised time limit cannot be longer than the law's."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Situation(models.Model):
    """A case the matter distinguishes (e.g. a family with a disabled member), each with the
    materials it needs besides those every applicant brings."""

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="situations")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("situation"), max_length=120)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="situation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """A material to bring: original or copy, how many copies, and in which situations (none
    chosen: every applicant brings it)."""

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("material"), max_length=160)
    form = models.CharField(
        _("original or copy"), max_length=8, choices=MaterialForm.choices, default=MaterialForm.COPY
    )
    copies = models.PositiveSmallIntegerField(
        _("copies"), default=1, validators=[MaxValueValidator(20)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    situations = models.ManyToManyField(
        Situation, blank=True, related_name="materials", verbose_name=_("only in these situations")
    )

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.name
