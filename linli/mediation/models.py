"""Dispute mediation (人民调解) at the compound's desk: a mediation between two sides, its
parties (residents of the register or people named at the desk), the sessions held, and
the outcome — an agreement with the contents 人民调解法 art. 29 requires, or a failed
mediation with where the parties were referred — then a follow-up visit (回访) on whether
the agreement was carried out. The facts, the agreement, the notes and the parties' phones
are personal data: stored encrypted (``core.crypto``)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField, mask_phone
from linli.core.models import TimelineEvent
from linli.core.workdays import UnknownCalendarYear, is_working_day

# 人民调解法 art. 33: the parties may ask a court for judicial confirmation within 30 days
# of the agreement taking effect (calendar days; the day itself not counted).
CONFIRMATION_DAYS = 30
# The mediators are reminded this many days before the last day.
CONFIRMATION_REMIND_DAYS = 5


class DisputeKind(models.TextChoices):
    NEIGHBOURS = "neighbours", _("neighbour dispute")
    FAMILY = "family", _("marriage and family")
    PROPERTY = "property", _("property services")
    DAMAGES = "damages", _("compensation for damage")
    HOUSING = "housing", _("housing and homestead")
    OTHER = "other", _("other dispute")


class MediationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("mediation", "registered")
    IN_MEDIATION = "in_mediation", _("in mediation")
    AGREED = "agreed", _("agreement reached")
    FAILED = "failed", _("mediation failed")
    CLOSED = "closed", _("closed after the follow-up visit")
    WITHDRAWN = "withdrawn", pgettext_lazy("mediation", "withdrawn")


OPEN_STATUSES = frozenset(
    {MediationStatus.REGISTERED, MediationStatus.IN_MEDIATION, MediationStatus.AGREED}
)


class Referral(models.TextChoices):
    COURT = "court", _("a people's court (lawsuit)")
    ARBITRATION = "arbitration", _("arbitration")
    ADMINISTRATIVE = "administrative", _("an administrative department")


class MediationEndReason(models.TextChoices):
    """Why a mediation ended without agreement (人民调解法 art. 26: the mediator ends it and
    tells the parties where they may take the dispute)."""

    NO_AGREEMENT = "no_agreement", _("the parties could not reach an agreement")
    PARTY_ENDED = "party_ended", _("a party asked to end the mediation (art. 23)")
    PARTY_REFUSED = "party_refused", _("a party refused to take part in mediation (art. 17)")
    OTHER_BODY = "other_body", _("the law gives the dispute to another body")


class Side(models.TextChoices):
    A = "a", _("party A")
    B = "b", _("party B")


class Mediation(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    kind = models.CharField(_("kind of dispute"), max_length=16, choices=DisputeKind.choices)
    # A few words that name the dispute without personal details ("漏水", "噪音").
    subject = models.CharField(_("subject"), max_length=100)
    facts = EncryptedTextField(_("facts of the dispute"))
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mediators"), related_name="mediations"
    )
    source_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("from work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediations",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MediationStatus.choices,
        default=MediationStatus.REGISTERED,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The agreement (人民调解法 art. 29): the parties' basic facts are their rows; the
    # main facts of the dispute, the disputed matters with each side's responsibility,
    # the terms agreed, and how and by when they are carried out.
    agreed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_facts = EncryptedTextField(_("main facts of the dispute"), blank=True, default="")
    agreement_matters = EncryptedTextField(
        _("disputed matters and each side's responsibility"), blank=True, default=""
    )
    agreement_terms = EncryptedTextField(_("terms agreed"), blank=True, default="")
    performance_method = EncryptedTextField(
        _("how the terms are carried out"), blank=True, default=""
    )
    performance_due = models.DateField(_("carried out by"), null=True, blank=True)
    confirmation_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A failed mediation and where the parties were referred.
    failed_on = models.DateField(_("mediation ended without agreement on"), null=True, blank=True)
    end_reason = models.CharField(
        _("why the mediation ended"), max_length=16, choices=MediationEndReason.choices, blank=True
    )
    referral = models.CharField(
        _("referred to"), max_length=16, choices=Referral.choices, blank=True
    )
    referral_note = EncryptedTextField(_("referral note"), blank=True, default="")
    # The follow-up visit (回访).
    followed_up_on = models.DateField(_("follow-up visit on"), null=True, blank=True)
    carried_out = models.BooleanField(_("agreement carried out"), null=True, blank=True)
    follow_up_note = EncryptedTextField(_("follow-up note"), blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        indexes = [models.Index(fields=["status", "agreed_on"], name="mediation_status_agreed")]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        """The number people quote: TJ (调解) + year + the row's number. Latin letters, not
        调: escaped in JSON, a Chinese prefix's last hex digits run into the number and read
        as a landline number."""
        return f"TJ{self.created_at:%Y}{self.pk:05d}" if self.created_at and self.pk else ""

    @property
    def confirmation_last_day(self):
        """The last day to ask a court for judicial confirmation (人民调解法 art. 33): 30
        calendar days after the agreement's date; a last day that is a day off (a weekend
        or a statutory holiday, not a make-up working day) moves to the next working day
        (民法典 art. 203)."""
        if self.agreed_on is None:
            return None
        day = self.agreed_on + timedelta(days=CONFIRMATION_DAYS)
        try:
            while not is_working_day(day):
                day += timedelta(days=1)
        except UnknownCalendarYear:
            pass  # a year the calendar does not know yet: the plain 30th day
        return day

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class MediationParty(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_parties",
    )
    name = models.CharField(_("name"), max_length=50)
    # Basic facts for the agreement (art. 29): e.g. gender, age, occupation.
    details = models.CharField(_("basic facts"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")

    class Meta:
        ordering = ["side", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return f"{self.get_side_display()} {self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    venue = models.CharField(_("where"), max_length=100)
    attendees = models.CharField(_("who attended"), max_length=300)
    notes = EncryptedTextField(_("notes"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_at", "id"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")

    def __str__(self):
        return f"{self.held_at:%Y-%m-%d %H:%M} {self.venue}"


class MediationEventKind(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("mediation", "registered")
    ACCEPTED = "accepted", _("accepted for mediation")
    SESSION = "session", _("session held")
    AGREED = "agreed", _("agreement recorded")
    FAILED = "failed", _("failed, referred")
    FOLLOWED_UP = "followed_up", _("follow-up visit")
    WITHDRAWN = "withdrawn", pgettext_lazy("mediation", "withdrawn")
    REMINDED = "reminded", _("reminded of the confirmation deadline")


class MediationEvent(TimelineEvent):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=MediationEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("mediation event")
        verbose_name_plural = _("mediation events")
