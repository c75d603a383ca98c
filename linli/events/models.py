"""Events and campaigns (SPEC 3.8): an event run by a community, a street or a partner
organisation, at a place or in a booked room, for an audience of places (and perhaps an age
range, children always with a guardian), with registration by person or by household group
and a wait list whose offers lapse. A registration is one party (a person, a child with their
guardian, a household) that gets its places together or waits together.

Check-in lists, campaigns' hand-outs and the closing report are to come: they will hang off
``Event`` (and ``RegistrationPerson`` for check-ins) without changing these tables."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.models import TimelineEvent


class EventType(models.TextChoices):
    ACTIVITY = "activity", pgettext_lazy("event kind", "activity")
    CLASS = "class", pgettext_lazy("event kind", "class")
    CAMPAIGN = "campaign", pgettext_lazy("event kind", "campaign")
    VISIT = "visit", pgettext_lazy("event kind", "visit")


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event status", "draft")
    PUBLISHED = "published", pgettext_lazy("event status", "published")
    HELD = "held", pgettext_lazy("event status", "held")
    CLOSED = "closed", pgettext_lazy("event status", "closed")
    CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")


class Event(models.Model):
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=EventType.choices)
    description = models.TextField(_("description"), blank=True)
    # The organiser: a community or street (a place), or a partner organisation. ``place`` is
    # the place whose staff run the event (the organisation's place for a partner's event).
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("organised for"),
        on_delete=models.PROTECT,
        related_name="events_organised",
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    venue = models.CharField(_("where"), max_length=200, blank=True)
    room = models.ForeignKey(
        "bookings.Room",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    booking = models.OneToOneField(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event",
        editable=False,
    )
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(pgettext_lazy("event capacity", "places"))
    audience = models.ManyToManyField(
        "places.Place", verbose_name=_("audience"), related_name="events_for"
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    with_guardian = models.BooleanField(_("children come with a guardian"), default=False)
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    cancel_until = models.DateTimeField(_("cancelling allowed until"))
    offer_hours = models.PositiveSmallIntegerField(_("hours to take an offered place"), default=24)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EventStatus.choices,
        default=EventStatus.DRAFT,
        db_index=True,
    )
    # A session of a series (a reading club's, a class's): enrolment is on the series, and
    # each session has its attendance. Sessions take no registrations of their own.
    series = models.ForeignKey(
        "self",
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    is_makeup = models.BooleanField(_("make-up session"), default=False)
    notice = models.OneToOneField(
        "notices.Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Registrations lock the event's row (core.locking) so that capacity holds.
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_ends_after"),
            models.CheckConstraint(
                condition=Q(registration_closes__gt=models.F("registration_opens")),
                name="event_registration_window",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def audit_place_path(self) -> str:
        return self.place.path

    @property
    def organiser_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.place.name


class EventEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("event timeline", "created")
    CHANGED = "changed", pgettext_lazy("event timeline", "changed")
    PUBLISHED = "published", pgettext_lazy("event timeline", "published")
    HELD = "held", pgettext_lazy("event timeline", "marked as held")
    CLOSED = "closed", pgettext_lazy("event timeline", "closed")
    CANCELLED = "cancelled", pgettext_lazy("event timeline", "cancelled")


class EventEvent(TimelineEvent):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("event timeline entry")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("registration status", "registered")
    WAITING = "waiting", pgettext_lazy("registration status", "on the wait list")
    OFFERED = "offered", pgettext_lazy("registration status", "place offered")
    DECLINED = "declined", pgettext_lazy("registration status", "offer declined")
    EXPIRED = "expired", pgettext_lazy("registration status", "offer lapsed")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "cancelled")


# Statuses that hold places (an offer holds them until it is taken or lapses), and those
# still in the event (on the wait list too): a person is in at most one of these.
HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED)
ACTIVE = (*HOLDING, RegistrationStatus.WAITING)


class Registration(models.Model):
    """One party: the people in it get places together or wait together."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, db_index=True
    )
    places = models.PositiveSmallIntegerField(pgettext_lazy("event capacity", "places"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The resident whose registration it is (the one told about offers).
    contact = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    at_desk = models.BooleanField(_("at the desk"), default=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return f"{self.event} · {self.contact}"

    @property
    def audit_place_path(self) -> str:
        return self.event.place.path


class RegistrationPerson(models.Model):
    """A person of a party (the future check-in's row)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="people")
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="event_places"
    )
    is_guardian = models.BooleanField(_("guardian"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "resident"], name="event_person_once")
        ]

    def __str__(self):
        return str(self.resident)


class RegistrationEventKind(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("registration timeline", "registered")
    WAITLISTED = "waitlisted", pgettext_lazy("registration timeline", "put on the wait list")
    OFFERED = "offered", pgettext_lazy("registration timeline", "offered a place")
    ACCEPTED = "accepted", pgettext_lazy("registration timeline", "offer taken")
    DECLINED = "declined", pgettext_lazy("registration timeline", "offer declined")
    EXPIRED = "expired", pgettext_lazy("registration timeline", "offer lapsed")
    CANCELLED = "cancelled", pgettext_lazy("registration timeline", "cancelled")


class RegistrationEvent(TimelineEvent):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=RegistrationEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("registration timeline entry")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", pgettext_lazy("session attendance", "present")
    ABSENT = "absent", pgettext_lazy("session attendance", "absent")
    EXCUSED = "excused", pgettext_lazy("session attendance", "excused")


class SessionAttendance(models.Model):
    """A person of a series' enrolment at one of its sessions; an excused absence is made up
    by attending a make-up session (``makeup_for`` on the make-up's row)."""

    session = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        RegistrationPerson, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=16, choices=AttendanceStatus.choices)
    makeup_for = models.OneToOneField(
        "self",
        verbose_name=_("makes up for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="made_up_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="event_attendance_once")
        ]

    def __str__(self):
        return f"{self.session} · {self.person}"
