"""Health help for elderly and at-risk residents (健康帮扶卡 / 义诊 / 智慧康养).

The most sensitive data of the product (PIPL art. 28):

- A ``HealthCard`` per resident keeps its free text — conditions, medications, allergies,
  notes — and the emergency contact's phone encrypted at rest (``EncryptedTextField``).
- ``Reading`` rows are pseudonymised: they point at the card, never at the resident, and hold
  no name, ID or phone, so that dashboards can count them by compound (``compound_path``)
  without reading anyone's identity.
- Who may read a card is decided in ``predicates``: clinic staff over the resident's place,
  the card's responsible worker and family doctor, the resident themself, and the members of
  an organisation the resident consented to share with (``Consent``), for what the consent
  covers, while it is not withdrawn. Every read, print, export and QR open is audited with
  the card as object, and the resident sees who looked."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField
from linli.core.models import TimelineEvent


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("looks after themself")
    PARTIAL = "partial", _("needs some help")
    DEPENDENT = "dependent", _("needs full care")


class HealthCard(models.Model):
    resident = models.OneToOneField(
        "residents.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="health_card",
    )
    # The resident's household place when the card was made (kept in step by the services):
    # scope checks and the audit log place the card in the tree by it.
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="health_cards", editable=False
    )
    care_level = models.CharField(
        _("care level"), max_length=16, choices=CareLevel.choices, default=CareLevel.SELF_CARE
    )
    conditions = EncryptedTextField(_("conditions"), blank=True)
    medications = EncryptedTextField(_("medications"), blank=True)
    allergies = EncryptedTextField(_("allergies"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    family_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("family doctor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="family_doctor_cards",
    )
    family_doctor_name = models.CharField(
        _("family doctor (name)"), max_length=100, blank=True, help_text=_("When not a user.")
    )
    responsible_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_cards",
    )
    emergency_name = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_relation = models.CharField(_("relation"), max_length=20, blank=True)
    emergency_phone = EncryptedTextField(_("emergency contact's phone"), blank=True)
    # The QR code on the printed card carries this, not the card's id.
    qr_token = models.CharField(max_length=32, unique=True, editable=False)
    # A resident living alone with no reading or check-in for this many days raises an alert;
    # empty: the installation's default (LINLI_HEALTH_WATCH_DAYS).
    watch_days = models.PositiveSmallIntegerField(
        _("alert after days without contact"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    last_contact_at = models.DateTimeField(_("last reading or check-in"), null=True, blank=True)
    # The card's status for its lifecycle (``services.CARD``): open, or closed for good.
    is_active = models.BooleanField(
        _("active"), default=True, choices=[(True, _("active")), (False, _("closed"))]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["place__path", "id"]
        verbose_name = _("health help card")
        verbose_name_plural = _("health help cards")

    def __str__(self):
        # No name or health detail: this is what the audit log records as the object.
        return f"health card {self.pk}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class ConsentScope(models.TextChoices):
    CARD = "card", _("the card: conditions, medications, allergies, emergency contact")
    READINGS = "readings", _("readings and their trend")
    ALL = "all", _("the card and the readings")


class Consent(models.Model):
    """The resident's consent to share part of their health record with an organisation
    outside the team that holds it (the elder-care station): what, with whom, given when,
    withdrawn when. Rows are never deleted; a withdrawn consent stays as a record."""

    card = models.ForeignKey(HealthCard, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="health_consents",
    )
    scope = models.CharField(_("what"), max_length=16, choices=ConsentScope.choices)
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("how it was given"), max_length=200, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # One standing consent per organisation: a change of scope is a withdrawal and a
            # new consent, so that the record shows what was shared when.
            models.UniqueConstraint(
                fields=["card", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_organisation",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "withdrawn_at"], name="consent_org_active"),
        ]

    def __str__(self):
        return f"consent {self.pk} of card {self.card_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class ReadingKind(models.TextChoices):
    BLOOD_PRESSURE = "blood_pressure", _("blood pressure")
    GLUCOSE = "glucose", _("blood glucose")
    WEIGHT = "weight", _("weight")
    HEIGHT = "height", _("height")


class GlucoseTiming(models.TextChoices):
    FASTING = "fasting", _("fasting")
    AFTER_MEAL = "after_meal", _("2 h after a meal")
    RANDOM = "random", _("random")


class Level(models.TextChoices):
    """The classification of a reading (``classify``). Abnormal levels raise a follow-up,
    alert levels an alert at once."""

    NORMAL = "normal", _("normal")
    RAISED = "raised", _("raised")
    URGENT = "urgent", pgettext_lazy("health level", "urgent")
    IMPAIRED = "impaired", _("impaired")
    DIABETIC = "diabetic", _("diabetic range")
    DANGEROUS = "dangerous", _("dangerous")


ABNORMAL_LEVELS = frozenset({Level.RAISED, Level.IMPAIRED, Level.DIABETIC})
ALERT_LEVELS = frozenset({Level.URGENT, Level.DANGEROUS})


class Source(models.TextChoices):
    CLINIC = "clinic", _("clinic station")
    FREE_CLINIC = "free_clinic", _("free clinic")
    DEVICE = "device", _("home device")
    VISIT = "visit", _("home visit")
    # The resident themself (an "I'm fine" check-in on their phone).
    SELF = "self", _("the resident themself")


class Reading(models.Model):
    """One measurement. Pseudonymised: no name, ID or phone here, only the card."""

    card = models.ForeignKey(HealthCard, on_delete=models.PROTECT, related_name="readings")
    # The compound of the card's resident, for counting without joining to people.
    compound_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("what"), max_length=16, choices=ReadingKind.choices)
    taken_at = models.DateTimeField(_("taken"))
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("pulse (/min)"), null=True, blank=True)
    glucose = models.DecimalField(
        _("glucose (mmol/L)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    glucose_timing = models.CharField(
        _("when"), max_length=16, choices=GlucoseTiming.choices, blank=True
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Derived from the weight and the card's latest height.
    bmi = models.DecimalField(_("BMI"), max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    device = models.ForeignKey(
        "health.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="readings"
    )
    registration = models.ForeignKey(
        "health.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [
            models.Index(fields=["card", "kind", "taken_at"], name="reading_card_kind_taken"),
            models.Index(fields=["compound_path", "taken_at"], name="reading_compound_taken"),
        ]

    def __str__(self):
        return f"reading {self.pk} of card {self.card_id}"

    @property
    def audit_place_path(self) -> str:
        return self.compound_path


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class FollowUp(models.Model):
    """A task raised by an abnormal reading: the responsible worker or the doctor sees the
    resident again within two weeks."""

    card = models.ForeignKey(HealthCard, on_delete=models.PROTECT, related_name="follow_ups")
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who follows up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="health_follow_ups",
    )
    reason = models.CharField(_("why"), max_length=16, choices=Level.choices)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome = EncryptedTextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["status", "due_on"], name="followup_status_due")]
        constraints = [
            # Never two open follow-ups of a card for the same reason (also under concurrency).
            models.UniqueConstraint(
                fields=["card", "reason"],
                condition=models.Q(status="open"),
                name="followup_one_open_per_reason",
            )
        ]

    def __str__(self):
        return f"follow-up {self.pk} of card {self.card_id}"

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class AlertKind(models.TextChoices):
    URGENT = "urgent", _("urgent blood pressure")
    DANGEROUS = "dangerous", _("dangerous blood glucose")
    NO_CONTACT = "no_contact", _("no reading or check-in")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("taken care of")
    # A no-contact alert settled by the sign of life that came in.
    SETTLED = "settled", _("contact resumed")


class Alert(models.Model):
    card = models.ForeignKey(HealthCard, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    kind = models.CharField(_("what"), max_length=16, choices=AlertKind.choices)
    raised_at = models.DateTimeField(_("raised"))
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_at = models.DateTimeField(_("taken care of"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("health alert")
        verbose_name_plural = _("health alerts")
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"], name="alert_open_raised")]
        constraints = [
            # The no-contact watch raises one alert per card until someone takes care of it.
            models.UniqueConstraint(
                fields=["card"],
                condition=models.Q(kind="no_contact", acknowledged_at__isnull=True),
                name="alert_one_open_no_contact",
            )
        ]

    def __str__(self):
        return f"alert {self.pk} of card {self.card_id}"

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class DeviceKind(models.TextChoices):
    BP_MONITOR = "bp_monitor", _("blood-pressure monitor")
    GLUCOMETER = "glucometer", _("glucometer")
    SCALE = "scale", _("scale")
    WATCH = "watch", _("smart watch or alarm button")


class Device(models.Model):
    """A home device registered to a resident's card; it posts readings to the API with its
    own token (only the hash is kept)."""

    # The token is not kept, so a restore under a new lookup key cannot recompute the hash:
    # it reports the devices to be registered again.
    LOOKUP_HASHES = {"token_hash": None}

    card = models.ForeignKey(HealthCard, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=16, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["card", "id"]
        verbose_name = _("home device")
        verbose_name_plural = _("home devices")

    def __str__(self):
        return f"device {self.pk} ({self.token_hint}…)"

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class CheckIn(models.Model):
    """A sign of life without a reading: the resident pressed "I'm fine" on a device or the
    phone, or a worker visited."""

    card = models.ForeignKey(HealthCard, on_delete=models.CASCADE, related_name="check_ins")
    at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=Source.choices)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return f"check-in {self.pk} of card {self.card_id}"

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class Specialty(models.TextChoices):
    TCM = "tcm", _("traditional Chinese medicine")
    EYE = "eye", _("eyes")
    DENTAL = "dental", _("dental")
    GENERAL = "general", _("general check-up")


class ClinicStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class ClinicEvent(models.Model):
    """A free clinic (义诊) run by a partner organisation at a place, with registration
    slots."""

    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="clinic_events",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField(_("venue"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=120)
    specialty = models.CharField(_("specialty"), max_length=16, choices=Specialty.choices)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per slot"), default=30, validators=[MinValueValidator(5)]
    )
    per_slot = models.PositiveSmallIntegerField(
        _("people per slot"), default=4, validators=[MinValueValidator(1)]
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClinicStatus.choices, default=ClinicStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("free clinic")
        verbose_name_plural = _("free clinics")

    def __str__(self):
        return f"{self.title} {self.start:%Y-%m-%d}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    SEEN = "seen", _("seen")
    NO_SHOW = "no_show", _("did not come")
    CANCELLED = "cancelled", _("cancelled")


class Registration(models.Model):
    event = models.ForeignKey(ClinicEvent, on_delete=models.CASCADE, related_name="registrations")
    # A resident of the register; walk-ins are registered in the register first.
    card = models.ForeignKey(
        HealthCard, on_delete=models.PROTECT, related_name="clinic_registrations"
    )
    slot_start = models.DateTimeField(_("slot"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    complaint = EncryptedTextField(_("what they come for"), blank=True)
    advice = EncryptedTextField(_("advice"), blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot_start", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "card"], name="registration_once_per_event")
        ]

    def __str__(self):
        return f"registration {self.pk} at {self.event_id}"

    @property
    def audit_place_path(self) -> str:
        return self.card.place.path


class CardEventKind(models.TextChoices):
    CREATED = "created", _("card made")
    CHANGED = "changed", _("card changed")
    CONSENT_GIVEN = "consent_given", _("consent given")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    DEVICE_REGISTERED = "device_registered", _("device registered")
    DEVICE_REVOKED = "device_revoked", _("device revoked")


class CardEvent(TimelineEvent):
    """The card's own history (not its reads: those are in the audit log)."""

    card = models.ForeignKey(HealthCard, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=CardEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("card event")
        verbose_name_plural = _("card events")

    def __str__(self):
        return f"{self.card_id} {self.kind}"


class FollowUpEventKind(models.TextChoices):
    RAISED = "raised", _("follow-up raised")
    DONE = "done", _("follow-up done")
    CANCELLED = "cancelled", _("follow-up cancelled")


class FollowUpEvent(TimelineEvent):
    """A follow-up's history. ``note`` holds no health content (the outcome stays on the
    follow-up, encrypted)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=FollowUpEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")

    def __str__(self):
        return f"{self.follow_up_id} {self.kind}"


class AlertEventKind(models.TextChoices):
    RAISED = "raised", _("alert raised")
    ACKNOWLEDGED = "acknowledged", _("alert taken care of")
    SETTLED = "settled", _("alert settled by a sign of life")


class AlertEvent(TimelineEvent):
    """An alert's history. ``note`` holds no health content (what was done stays on the
    alert, encrypted)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=AlertEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self):
        return f"{self.alert_id} {self.kind}"


class ClinicLogKind(models.TextChoices):
    PLANNED = "planned", _("clinic planned")
    HELD = "held", _("clinic closed after it was held")


class ClinicLogEntry(TimelineEvent):
    """A free clinic's history (the clinic is an *event* in the everyday sense: its
    timeline rows are log entries)."""

    clinic = models.ForeignKey(ClinicEvent, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=16, choices=ClinicLogKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("clinic log entry")
        verbose_name_plural = _("clinic log entries")

    def __str__(self):
        return f"{self.clinic_id} {self.kind}"


class RegistrationEventKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    CANCELLED = "cancelled", _("registration cancelled")
    SEEN = "seen", _("seen at the clinic")
    NO_SHOW = "no_show", _("did not come")


class RegistrationEvent(TimelineEvent):
    """A clinic registration's history. ``note`` holds no health content."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=RegistrationEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")

    def __str__(self):
        return f"{self.registration_id} {self.kind}"
