"""The shelf of donated items a compound's self-management group lends (物品借用): items with
their photos, the donations that stocked them, and loans with each loan's timeline.

Never more units out than exist: ``Item.units_out`` counts the units of active loans
(requested or lent). The services change it only under a lock of the item's row, after
counting the active loans again; a CHECK constraint (``units_out`` between 0 and
``quantity``) refuses an over-lent item in the database itself, on SQLite and PostgreSQL
alike."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimelineEvent, UploadedPhoto

# The longest a loan may run at once (and the longest an item's loan period may be).
MAX_LOAN_DAYS = 60
# The kinds of place a shelf belongs to.
ITEM_PLACE_KINDS = ("community", "compound", "building")


class Category(models.TextChoices):
    CHESS_CARDS = "chess_cards", _("chess and cards")
    INSTRUMENTS = "instruments", _("musical instruments")
    FANS = "fans", _("fans and dance props")
    FURNITURE = "furniture", _("furniture")
    MOBILITY = "mobility", _("mobility aids")
    OTHER = "other", _("other")


class Condition(models.TextChoices):
    GOOD = "good", _("good")
    WORN = "worn", _("worn")
    NEEDS_REPAIR = "needs_repair", _("needs repair")


class Item(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("shelf of"),
        on_delete=models.PROTECT,
        related_name="lending_items",
        help_text=_("The compound (or its building) whose shelf holds the item."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    quantity = models.PositiveIntegerField(
        _("units owned"), default=1, validators=[MaxValueValidator(10_000)]
    )
    # Units of active loans (requested or lent); see the module's docstring.
    units_out = models.PositiveIntegerField(_("units lent or promised"), default=0, editable=False)
    # Units held for neighbours of the wait list who were told one is back (one each).
    units_on_hold = models.PositiveIntegerField(
        _("units held for the wait list"), default=0, editable=False
    )
    condition = models.CharField(
        _("condition"), max_length=16, choices=Condition.choices, default=Condition.GOOD
    )
    location = models.CharField(
        _("where it is kept"),
        max_length=120,
        blank=True,
        help_text=_("E.g. the cupboard east of the reception hall."),
    )
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    donor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("donor's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    donor_anonymous = models.BooleanField(
        _("anonymous donor"), default=False, help_text=_("Never shown to residents.")
    )
    loan_days = models.PositiveSmallIntegerField(
        _("loan period (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LOAN_DAYS)],
    )
    is_active = models.BooleanField(_("being lent"), default=True)
    # Bumped by every change of the item's loans: on SQLite this UPDATE takes the database's
    # write lock before the count of active loans is read (core.locking).
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place__path", "name", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="lending_item_unique_name"),
            models.CheckConstraint(
                condition=Q(units_out__lte=F("quantity")), name="lending_item_not_over_lent"
            ),
            models.CheckConstraint(
                condition=Q(units_out__gte=0), name="lending_item_units_out_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(units_out__lte=F("quantity") - F("units_on_hold")),
                name="lending_item_holds_within_stock",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The item's name in the page's language (as places do): one language, not both."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def available(self) -> int:
        """Units free to borrow now: neither lent, promised, nor held for the wait list."""
        return max(self.quantity - self.units_out - self.units_on_hold, 0)

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class ItemPhoto(UploadedPhoto):
    """A photo of an item, shown on its page to those who may see the item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="lending/%Y/%m/")
    thumbnail = models.FileField(upload_to="lending/%Y/%m/thumbs/", blank=True)
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    class Meta(UploadedPhoto.Meta):
        verbose_name = _("item photo")
        verbose_name_plural = _("item photos")

    def __str__(self):
        return f"photo {self.pk} of item {self.item_id}"


class Donation(models.Model):
    """Units given to the shelf, recorded by staff; each is thanked in a notice."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="donations"
    )
    quantity = models.PositiveIntegerField(
        _("units"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    donor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("donor's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    donated_on = models.DateField(_("donated on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice = models.ForeignKey(
        "notices.Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-donated_on", "-id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")

    def __str__(self):
        return f"{self.item_id} +{self.quantity} {self.donated_on}"

    @property
    def audit_place_path(self) -> str:
        return self.item.place.path


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    OUT = "out", _("lent")
    RETURNED = "returned", pgettext_lazy("loan", "returned")
    LOST = "lost", _("lost")
    CANCELLED = "cancelled", _("cancelled")


# Active loans hold their units: a request keeps them until it is handed over or cancelled.
ACTIVE_STATUSES = (LoanStatus.REQUESTED, LoanStatus.OUT)


class Loan(models.Model):
    """Units of one item lent to a resident (with their account and household) or to a
    person named at the counter."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="loans"
    )
    quantity = models.PositiveIntegerField(
        _("units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LoanStatus.choices, default=LoanStatus.REQUESTED
    )
    borrower_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lending_loans",
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lending_loans",
    )
    borrower_name = models.CharField(_("borrower"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    lent_at = models.DateTimeField(_("lent"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("due back"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(pgettext_lazy("loan", "returned on"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_condition = models.CharField(
        _("condition on return"), max_length=16, choices=Condition.choices, blank=True
    )
    return_note = models.CharField(_("note on return"), max_length=500, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        indexes = [
            models.Index(fields=["item", "status"], name="loan_item_status"),
            models.Index(fields=["status", "due_on"], name="loan_status_due"),
            models.Index(fields=["borrower_user", "status"], name="loan_borrower_status"),
        ]

    def __str__(self):
        return f"{self.item_id} ×{self.quantity} {self.borrower_name} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_overdue(self, today) -> bool:
        return self.status == LoanStatus.OUT and self.due_on is not None and self.due_on < today

    @property
    def audit_place_path(self) -> str:
        return self.item.place.path


class LoanEventKind(models.TextChoices):
    REQUESTED = "requested", _("requested")
    LENT = "lent", _("lent")
    RENEWED = "renewed", _("renewed")
    RETURNED = "returned", pgettext_lazy("loan", "returned")
    LOST = "lost", _("marked as lost")
    CANCELLED = "cancelled", _("cancelled")
    REMINDED = "reminded", _("reminded")


class LoanEvent(TimelineEvent):
    """One step of a loan's timeline, written once through ``services.LOAN``."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=LoanEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("loan event")
        verbose_name_plural = _("loan events")

    def __str__(self):
        return f"{self.loan_id} {self.kind}"


class OverdueDigest(models.Model):
    """That a member of the lending staff was sent the day's overdue digest: at most one a
    day, however often the reminder task runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    loans = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("overdue digest sent")
        verbose_name_plural = _("overdue digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="lending_digest_once_a_day")
        ]

    def __str__(self):
        return f"digest {self.day} to {self.user_id}"


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    OFFERED = "offered", _("a unit is held")
    BORROWED = "borrowed", _("borrowed")
    EXPIRED = "expired", _("hold lapsed")
    LEFT = "left", _("left the wait list")


# A neighbour is on an item's wait list once at a time: while waiting or holding a unit.
OPEN_WAIT_STATUSES = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitEntry(models.Model):
    """A resident's place on the wait list of an item with nothing free: first come, first
    served. When a unit comes back the first waiter is told and it is held for them
    (``hold_until``); unclaimed, the hold lapses and passes to the next."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="waits"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="lending_waits",
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lending_waits",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WaitStatus.choices, default=WaitStatus.WAITING
    )
    joined_at = models.DateTimeField(_("joined"))
    offered_at = models.DateTimeField(_("told a unit is back"), null=True, blank=True)
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("wait-list entry")
        verbose_name_plural = _("wait-list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "user"],
                condition=Q(status__in=["waiting", "offered"]),
                name="lending_wait_once",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "status", "joined_at"], name="wait_item_status"),
            models.Index(fields=["status", "hold_until"], name="wait_status_hold"),
        ]

    def __str__(self):
        return f"{self.item_id} {self.user_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WAIT_STATUSES

    @property
    def audit_place_path(self) -> str:
        return self.item.place.path


class WaitEventKind(models.TextChoices):
    JOINED = "joined", _("joined the wait list")
    OFFERED = "offered", _("told a unit is held")
    BORROWED = "borrowed", _("borrowed the held unit")
    EXPIRED = "expired", _("hold lapsed")
    LEFT = "left", _("left the wait list")


class WaitEvent(TimelineEvent):
    """One step of a wait-list entry's timeline, written once through ``services.WAIT``."""

    entry = models.ForeignKey(WaitEntry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=WaitEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("wait-list event")
        verbose_name_plural = _("wait-list events")

    def __str__(self):
        return f"{self.entry_id} {self.kind}"
