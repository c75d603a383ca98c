"""Households and residents. ID and phone numbers are encrypted at rest and found through
keyed hashes; age, "elderly" and "child" are derived from the birth date, never stored."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField, mask_id_number, mask_phone
from linli.core.models import TimelineEvent

ELDERLY_AGE = 65
CHILD_AGE = 14


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Relation(models.TextChoices):
    # A context, since "parent" and "child" mean other things elsewhere (a parent place).
    HEAD = "head", pgettext_lazy("relation to the head", "head of household")
    SPOUSE = "spouse", pgettext_lazy("relation to the head", "spouse")
    CHILD = "child", pgettext_lazy("relation to the head", "child")
    PARENT = "parent", pgettext_lazy("relation to the head", "parent")
    OTHER = "other", pgettext_lazy("relation to the head", "other")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("living here")
    MOVED_AWAY = "moved_away", _("moved away")
    DECEASED = "deceased", _("deceased")


# Tags kept by hand. "elderly" and "child" are derived from the birth date (see Tag below).
STORED_TAGS = ("lives_alone", "low_income", "disabled", "party_member", "volunteer")


class Tag(models.TextChoices):
    ELDERLY = "elderly", _("elderly (65+)")
    CHILD = "child", _("child (under 14)")
    LIVES_ALONE = "lives_alone", _("lives alone")
    LOW_INCOME = "low_income", _("low-income (低保)")
    DISABLED = "disabled", _("disabled")
    PARTY_MEMBER = "party_member", _("party member")
    VOLUNTEER = "volunteer", _("volunteer")


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class Household(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("address"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": "household"},
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["place"],
                condition=models.Q(is_active=True),
                name="household_one_active_per_place",
            )
        ]

    def __str__(self):
        return self.place.name_path

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class Resident(models.Model):
    # Keyed hashes of the encrypted numbers; a restore under a new lookup key recomputes them.
    LOOKUP_HASHES = {"id_number_hash": "id_number", "phone_hash": "phone"}

    name = models.CharField(_("name"), max_length=50)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False, default="")
    name_pinyin = models.CharField(max_length=200, db_index=True, editable=False, default="")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    # An ordinary index besides the partial unique one: SQLite only uses a partial index
    # when the query repeats its condition, so exact lookups need this one.
    id_number_hash = models.CharField(
        max_length=64, editable=False, default="", blank=True, db_index=True
    )
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")
    phone_hash = models.CharField(
        max_length=64, editable=False, default="", blank=True, db_index=True
    )
    # The household the resident belongs to now (or last, once moved away), and its place,
    # kept here so that scope filters are one indexed join.
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("address"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ResidentStatus.choices,
        default=ResidentStatus.LIVING,
        db_index=True,
    )
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    low_income = models.BooleanField(_("low-income (低保)"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    party_member = models.BooleanField(_("party member"), default=False)
    volunteer = models.BooleanField(_("volunteer"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["place__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="resident_unique_id_number",
                violation_error_message=_("A resident with this ID number is already registered."),
            )
        ]
        indexes = [models.Index(fields=["status", "place"], name="resident_status_place")]

    def __str__(self):
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.place.path

    @property
    def age(self) -> int:
        return age_on(self.birth_date, date.today())

    @property
    def is_elderly(self) -> bool:
        return self.age >= ELDERLY_AGE

    @property
    def is_child(self) -> bool:
        return self.age < CHILD_AGE

    @property
    def tags(self) -> list[str]:
        tags = []
        if self.is_elderly:
            tags.append(Tag.ELDERLY.value)
        if self.is_child:
            tags.append(Tag.CHILD.value)
        tags.extend(tag for tag in STORED_TAGS if getattr(self, tag))
        return tags

    @property
    def tag_labels(self) -> list[str]:
        return [Tag(tag).label for tag in self.tags]

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class ResidencyRecord(models.Model):
    """The history of who lived where: a row per stay, closed when the resident moves."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="residencies")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residencies")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")

    def __str__(self):
        return f"{self.resident} @ {self.household} from {self.started_on}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("checking")
    INVALID = "invalid", _("has errors")
    READY = "ready", _("ready to import")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


# A job in these is being worked on by a task; a job in FINAL is over and its file is gone.
IMPORT_RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)
IMPORT_FINAL = (ImportStatus.INVALID, ImportStatus.DONE, ImportStatus.FAILED)


class ImportJob(models.Model):
    """One uploaded register file: checked first (a dry run), imported all-or-nothing when
    the user confirms. The file holds ID numbers, so it is kept encrypted and deleted once
    the job is done."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    compound = models.ForeignKey(
        "places.Place",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Addresses in the file are buildings, units and doors of this compound."),
    )
    original_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(max_length=8)  # "xlsx" or "csv"
    encrypted_file = models.FileField(upload_to="imports/", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 5, "column": "身份证号", "message": "..."}], at most MAX_REPORTED_ERRORS
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # {"new": n, "updated": n, "unchanged": n}
    finished_at = models.DateTimeField(null=True, blank=True)

    MAX_REPORTED_ERRORS = 500

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self):
        return self.original_name

    @property
    def audit_place_path(self) -> str:
        return self.compound.path

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportEventKind(models.TextChoices):
    UPLOADED = "uploaded", _("file uploaded")
    CHECKED = "checked", _("checked")
    FOUND_ERRORS = "found_errors", _("found errors")
    CONFIRMED = "confirmed", _("confirmed")
    IMPORTED = "imported", _("imported")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class ImportJobEvent(TimelineEvent):
    """One step of an import job's timeline, written once through ``services_import.IMPORT_JOB``."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=ImportEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("import event")
        verbose_name_plural = _("import events")

    def __str__(self):
        return f"{self.job_id} {self.kind}"
