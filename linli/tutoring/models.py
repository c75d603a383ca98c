"""Summer tutoring (暑期托管): a programme run by a volunteer group (a university team) in a
room of the bookings (the reception hall), over a span of dates, with a tutor-to-child
ratio; its sessions, each on an occurrence of the room's booking and on a tutoring shift of
the volunteers (the shift's assignments are the session's tutors); the children their
guardians enrol, with a separate recorded consent for the child's data (PIPL art. 31) and
the people authorised to collect them; each child's attendance of each session (expected →
dropped off → picked up, or absent) with the matching code of the day; and the tutors' log.

A child's allergies and medical notes, the collectors' phone numbers, the codes and the log
are encrypted at rest; the collectors' photos are stored encrypted and served only through
a permission-checked view."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField, mask_phone
from linli.core.models import TimelineEvent


class TutoringProgramme(models.Model):
    group = models.ForeignKey(
        "volunteers.VolunteerGroup",
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="tutoring_programmes",
    )
    # The volunteers' tutoring shift type: its room is where the sessions are held.
    shift_type = models.ForeignKey(
        "volunteers.ShiftType",
        verbose_name=_("tutoring shifts"),
        on_delete=models.PROTECT,
        related_name="tutoring_programmes",
    )
    room = models.ForeignKey(
        "bookings.Room", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    # One tutor for at most this many children.
    ratio = models.PositiveSmallIntegerField(_("children per tutor"), default=5)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("tutoring programme")
        verbose_name_plural = _("tutoring programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="tutoring_programme_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.room.place.path

    def is_running(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on

    def has_ended(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.ends_on


class TutoringSession(models.Model):
    """One morning or afternoon of the programme: on an occurrence of the room's booking
    (the session's time lies within it) and on one tutoring shift of the volunteers."""

    programme = models.ForeignKey(
        TutoringProgramme, on_delete=models.CASCADE, related_name="sessions"
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="tutoring_sessions",
    )
    shift = models.OneToOneField(
        "volunteers.Shift",
        verbose_name=_("shift"),
        on_delete=models.PROTECT,
        related_name="tutoring_session",
    )
    start = models.DateTimeField(pgettext_lazy("time", "from"), db_index=True)
    end = models.DateTimeField(pgettext_lazy("time", "until"))
    # Claimed once by the job that tells the coordinators about a session below the ratio.
    ratio_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("tutoring session")
        verbose_name_plural = _("tutoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="tutoring_session_ends_after_start",
            )
        ]

    def __str__(self):
        start = timezone.localtime(self.start)
        return f"{self.programme} {start:%Y-%m-%d %H:%M}"

    @property
    def audit_place_path(self) -> str:
        return self.programme.audit_place_path


class ChildStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    WITHDRAWN = "withdrawn", pgettext_lazy("tutoring", "withdrawn")


class TutoringChild(models.Model):
    """A child enrolled by their guardian (a resident with an account). The child's data is
    sensitive (PIPL art. 28, under 14): allergies and medical notes encrypted, shown masked
    and revealed in full only with an audit entry; erased when the consent is withdrawn."""

    programme = models.ForeignKey(
        TutoringProgramme, on_delete=models.PROTECT, related_name="children"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("guardian"),
        on_delete=models.PROTECT,
        related_name="tutoring_children",
    )
    name = models.CharField(_("child's name"), max_length=50)
    # Erased (None) with the rest of the sensitive data when the consent is withdrawn.
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    allergies = EncryptedTextField(_("allergies"), blank=True, default="")
    medical_notes = EncryptedTextField(_("medical notes"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=ChildStatus.choices, default=ChildStatus.ENROLLED
    )
    erased_at = models.DateTimeField(_("data erased"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enrolled child")
        verbose_name_plural = _("enrolled children")

    def __str__(self):
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.programme.audit_place_path

    def age_on(self, day) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class TutoringConsent(models.Model):
    """The guardian's separate consent to the handling of the child's data (PIPL art. 31):
    who gave it, when, to which text (its version, and the text itself as shown), and its
    withdrawal."""

    child = models.ForeignKey(TutoringChild, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # At the desk a worker records the guardian's consent: who recorded it, besides.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(_("given"))
    version = models.CharField(_("text version"), max_length=20)
    text = models.TextField(_("consent text"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent for a child's data")
        verbose_name_plural = _("consents for children's data")

    def __str__(self):
        return f"{self.child} {self.version}"


class CollectorRelation(models.TextChoices):
    GUARDIAN = "guardian", _("guardian")
    PARENT = "parent", pgettext_lazy("relation", "parent")
    GRANDPARENT = "grandparent", _("grandparent")
    RELATIVE = "relative", _("relative")
    NEIGHBOUR = "neighbour", _("neighbour")
    OTHER = "other", pgettext_lazy("relation", "other")


class TutoringCollector(models.Model):
    """Someone the guardian authorises to collect the child (the guardian is one): their
    phone encrypted, their photo (cleaned of metadata) stored encrypted at rest."""

    child = models.ForeignKey(TutoringChild, on_delete=models.CASCADE, related_name="collectors")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(
        _("relation to the child"), max_length=16, choices=CollectorRelation.choices
    )
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")
    is_guardian = models.BooleanField(_("the guardian"), default=False)
    photo = models.FileField(upload_to="tutoring/collectors/", blank=True)
    photo_content_type = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(_("may collect"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_guardian", "id"]
        verbose_name = _("authorised collector")
        verbose_name_plural = _("authorised collectors")

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def audit_place_path(self) -> str:
        return self.child.audit_place_path


class ChildEventKind(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled, with the guardian's consent")
    WITHDRAWN = "withdrawn", _("consent withdrawn, enrolment ended")


class TutoringChildEvent(TimelineEvent):
    child = models.ForeignKey(TutoringChild, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=ChildEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment events")


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("expected")
    DROPPED_OFF = "dropped_off", _("dropped off")
    PICKED_UP = "picked_up", _("picked up")
    ABSENT = "absent", _("absent")


class TutoringAttendance(models.Model):
    session = models.ForeignKey(
        TutoringSession, on_delete=models.CASCADE, related_name="attendance"
    )
    child = models.ForeignKey(TutoringChild, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.EXPECTED,
    )
    # The matching code given at drop-off to the guardian (their page) and the child (the
    # badge); asked for at pick-up.
    code = EncryptedTextField(pgettext_lazy("tutoring", "code"), blank=True, default="")
    dropped_off_at = models.DateTimeField(_("dropped off"), null=True, blank=True)
    dropped_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_up_at = models.DateTimeField(_("picked up"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    collector = models.ForeignKey(
        TutoringCollector,
        verbose_name=_("collected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Claimed once by the job that raises the alert for a child not collected in time.
    alert_raised_at = models.DateTimeField(_("alert raised"), null=True, blank=True)
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__start", "child__name", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "child"], name="tutoring_attendance_unique")
        ]
        indexes = [
            models.Index(fields=["status", "alert_raised_at"], name="tutoring_att_status_alert")
        ]

    def __str__(self):
        return f"{self.child} · {self.session}"

    @property
    def audit_place_path(self) -> str:
        return self.session.audit_place_path


class AttendanceEventKind(models.TextChoices):
    DROPPED_OFF = "dropped_off", _("dropped off")
    PICKED_UP = "picked_up", _("picked up")
    ABSENT = "absent", _("marked absent")
    ALERT = "alert", _("not collected: alert raised")


class TutoringAttendanceEvent(TimelineEvent):
    attendance = models.ForeignKey(
        TutoringAttendance, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=AttendanceEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")


class TutoringLogEntry(models.Model):
    """What the tutors write about a session (what was done, anything to tell the
    coordinators); may name children, so it is encrypted at rest."""

    session = models.ForeignKey(TutoringSession, on_delete=models.CASCADE, related_name="log")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("log"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("session log entry")
        verbose_name_plural = _("session log entries")

    def __str__(self):
        return f"{self.session} #{self.pk}"
