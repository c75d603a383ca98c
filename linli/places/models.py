"""Places (one tree, district to household) and organisations attached to the place they serve."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import tree


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    COMPOUND = "compound", _("compound")
    BUILDING = "building", _("building")
    UNIT = "unit", _("unit")
    HOUSEHOLD = "household", _("household")


# Which kind of place may stand directly under which. A household normally sits in a unit;
# small buildings without units hold households directly.
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    PlaceKind.DISTRICT: {None},
    PlaceKind.STREET: {PlaceKind.DISTRICT},
    PlaceKind.COMMUNITY: {PlaceKind.STREET},
    PlaceKind.COMPOUND: {PlaceKind.COMMUNITY},
    PlaceKind.BUILDING: {PlaceKind.COMPOUND},
    PlaceKind.UNIT: {PlaceKind.BUILDING},
    PlaceKind.HOUSEHOLD: {PlaceKind.UNIT, PlaceKind.BUILDING},
}
KIND_ORDER = [k.value for k in PlaceKind]

PATH_SEPARATOR = "/"


class Place(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.CharField(
        _("administrative code"),
        max_length=32,
        blank=True,
        help_text=_("GB/T 2260 code for a district, statistical division code below it."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Maintained by the services only: ids from the root down (see tree.py) and the names
    # from the root down joined by "/". Both are rewritten for a whole subtree in one UPDATE
    # when a place moves or is renamed.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    name_path = models.CharField(max_length=1000, editable=False, default="")
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_key = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="place_unique_code"
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="place_kind_path")]

    def __str__(self):
        return self.name_path or self.name

    def clean(self):
        if self.name and PATH_SEPARATOR in self.name:
            raise ValidationError({"name": _("A place name cannot contain “/”.")})
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
        if parent_kind not in allowed:
            if parent_kind is None:
                message = _("A %(kind)s must be placed inside another place.") % {
                    "kind": self.get_kind_display()
                }
            else:
                message = _("A %(kind)s cannot be placed inside a %(parent)s.") % {
                    "kind": self.get_kind_display(),
                    "parent": PlaceKind(parent_kind).label,
                }
            raise ValidationError({"parent": message})

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def spoken_name(self) -> str:
        """How people say it: "6号楼1单元101" (``names.spoken_name``)."""
        from .names import spoken_name

        return spoken_name(self)

    @property
    def depth(self) -> int:
        return tree.depth(self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        return tree.path_ids(self.path)[:-1]

    @property
    def audit_place_path(self) -> str:
        return self.path


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("government office")
    COMMUNITY_COMMITTEE = "community_committee", _("community residents' committee")
    PARTY_BRANCH = "party_branch", _("party branch")
    PROPERTY_COMPANY = "property_company", _("property company")
    PROPERTY_COMMITTEE = "property_committee", _("property-management committee")
    CLINIC = "clinic", _("clinic")
    ELDER_CARE = "elder_care", _("elder-care station")
    FEDERATION = "federation", _("federation")
    CITY_MANAGEMENT = "city_management", _("city-management team")
    INSPECTION = "inspection", _("inspection office")
    VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")
    SELF_MANAGEMENT = "self_management", _("self-management group")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(
        _("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("serves"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("The place this organisation serves; it covers the place's subtree."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organisations",
        verbose_name=_("staff"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="organisation_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"
