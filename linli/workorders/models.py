"""Categories (configuration), work orders, their immutable timeline, supporters and
extension requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, mask_phone
from linli.core.models import TimelineEvent, UploadedPhoto


class AppealKind(models.TextChoices):
    HELP = "help", _("help request")
    COMPLAINT = "complaint", _("complaint")
    QUESTION = "question", _("question")
    SUGGESTION = "suggestion", _("suggestion")
    PRAISE = "praise", _("praise")
    REPAIR = "repair", _("repair")


# Default time limits in working days, after the published 12345 rules (Guangdong 2022).
DEFAULT_LIMIT_DAYS = {
    AppealKind.QUESTION: 2,
    AppealKind.HELP: 10,
    AppealKind.SUGGESTION: 10,
    AppealKind.COMPLAINT: 15,
    AppealKind.REPAIR: 10,
    AppealKind.PRAISE: 10,
}
DEFAULT_URGENT_HOURS = 2


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.SlugField(
        _("service code"), max_length=50, unique=True, help_text=_("Also the Open311 service code.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
        help_text=_("The organisation orders of this category are dispatched to by default."),
    )
    appeal_kind = models.CharField(
        _("kind of appeal"), max_length=16, choices=AppealKind.choices, default=AppealKind.HELP
    )
    limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the default for the kind of appeal."),
    )
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Safety, water, power, gas, heating.")
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("time limit when urgent (hours)"), default=DEFAULT_URGENT_HOURS
    )
    # Extra questions, as Open311 attributes: [{"code": "floor", "description": "…",
    # "datatype": "string", "required": false, "values": [...]}]
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_key = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    @property
    def time_limit_days(self) -> int:
        return self.limit_days or DEFAULT_LIMIT_DAYS.get(self.appeal_kind, 10)


class Channel(models.TextChoices):
    ONLINE = "online", _("online, by the resident")
    COUNTER = "counter", _("at the counter")
    PHONE = "phone", _("by phone")
    MEETING = "meeting", _("deliberation meeting")
    PATROL = "patrol", _("patrol finding")
    INSPECTION = "inspection", _("inspection finding")
    HOTLINE = "hotline", _("12345 transfer")
    OPEN311 = "open311", _("Open311")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
)
# "Me too" is for a problem still being dealt with: once resolved, a neighbour whose problem
# is back reports it again (or the reporter reopens the order).
SUPPORTABLE_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    FAIRLY = "fairly", _("fairly satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class WorkOrder(models.Model):
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="orders"
    )
    appeal_kind = models.CharField(_("kind of appeal"), max_length=16, choices=AppealKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    external_ticket = models.CharField(_("12345 ticket number"), max_length=50, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    address_string = models.CharField(_("address as given"), max_length=255, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_orders",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)
    signed_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(default=0)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    referred_to_meeting = models.BooleanField(_("referred to the meeting"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_orders"
    )
    supporter_count = models.PositiveIntegerField(_("me too"), default=0)
    # Open311: the token answered to the client that filed it, and the key's organisation.
    open311_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    source_organisation = models.ForeignKey(
        "places.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["organisation", "status"], name="order_org_status"),
            models.Index(fields=["category", "place", "created_at"], name="order_dupe_lookup"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"{self.created_at:%Y}{self.pk:07d}" if self.created_at and self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def may_be_supported(self) -> bool:
        return self.status in SUPPORTABLE_STATUSES

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class EventKind(models.TextChoices):
    FILED = "filed", _("filed")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    DISPATCHED = "dispatched", _("dispatched")
    SIGNED = "signed", _("signed for")
    RETURNED = "returned", _("returned")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    EXTENSION_APPROVED = "extension_approved", _("extension approved")
    EXTENSION_REFUSED = "extension_refused", _("extension refused")
    PROGRESS = "progress", _("progress note")
    RESOLVED = "resolved", _("resolved")
    FEEDBACK = "feedback", _("resident's feedback")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged")
    REFERRED = "referred", _("referred to the deliberation meeting")
    CHASED = "chased", _("chased (overdue)")
    SUPPORTED = "supported", _("me too")


class WorkOrderEvent(TimelineEvent):
    """One step of an order's timeline, written once through ``services.ORDER``."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Support(models.Model):
    """A resident's "me too" on an open order instead of a duplicate report."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="support_once")]

    def __str__(self):
        return f"{self.user} supports {self.order_id}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    extra_days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.order_id} +{self.extra_days}d {self.status}"


class Photo(UploadedPhoto):
    """A photo attached to an order: checked by content, location metadata stripped, with a
    thumbnail; served only to those who may see the order (never from a public URL)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="orders/%Y/%m/")
    thumbnail = models.FileField(upload_to="orders/%Y/%m/thumbs/", blank=True)

    class Meta(UploadedPhoto.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return f"photo {self.pk} of order {self.order_id}"


class Open311Key(models.Model):
    """An Open311 API key of an organisation; orders filed with it come from that
    organisation's channel. Only a hash is stored."""

    organisation = models.ForeignKey(
        "places.Organisation", on_delete=models.CASCADE, related_name="open311_keys"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return f"{self.hint}… ({self.organisation})"
