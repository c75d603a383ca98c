"""Rooms of a place with their booking rules and blackout periods, bookings (one-off or as
occurrences of a weekly series) and each booking's timeline.

No two active bookings of one room overlap. The services check it under a lock of the
room's row; on PostgreSQL an exclusion constraint (migration 0002) also refuses it in the
database itself."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField
from linli.core.models import TimelineEvent, UploadedPhoto


class RoomKind(models.TextChoices):
    RECEPTION_HALL = "reception_hall", _("residents' reception hall")
    RECREATION = "recreation", _("culture and recreation room")
    WELLNESS = "wellness", _("wellness room")
    DELIBERATION = "deliberation", _("deliberation hall")
    PLAZA = "plaza", _("micro-plaza")


class Purpose(models.TextChoices):
    FAMILY_GATHERING = "family_gathering", _("family gathering")
    WEDDING = "wedding", _("wedding")
    TUTORING = "tutoring", _("tutoring")
    MEETING = "meeting", _("meeting")
    ACTIVITY = "activity", _("culture or sports activity")
    HEALTH = "health", _("health service")
    OTHER = "other", _("other")


class BookableBy(models.TextChoices):
    RESIDENTS = "residents", _("residents of the compound and staff")
    STAFF = "staff", _("staff only")


class Weekday(models.IntegerChoices):
    # Python's date.weekday(): Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


ALL_WEEKDAYS = list(Weekday.values)


def all_weekdays() -> list[int]:
    return list(ALL_WEEKDAYS)


ROOM_PLACE_KINDS = ("community", "compound", "building")


class Room(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="rooms",
        help_text=_("The building or compound the room is in."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RoomKind.choices)
    capacity = models.PositiveIntegerField(_("capacity (people)"), default=20)
    facilities = models.TextField(_("facilities"), blank=True)
    outdoor = models.BooleanField(_("outdoor"), default=False)
    # Opening hours, in the installation's time zone. Closing at 00:00 means midnight, the
    # end of the day ("open all day").
    opens = models.TimeField(_("opens at"), default="08:00")
    closes = models.TimeField(
        _("closes at"), default="21:00", help_text=_("00:00 means midnight, the end of the day.")
    )
    open_weekdays = models.JSONField(
        _("open on"), default=all_weekdays, help_text=_("Weekdays, Monday 0 to Sunday 6.")
    )
    # Booking rules.
    bookable_by = models.CharField(
        _("who may book"), max_length=16, choices=BookableBy.choices, default=BookableBy.RESIDENTS
    )
    purposes = models.JSONField(
        _("allowed purposes"),
        default=list,
        blank=True,
        help_text=_("Purpose codes; empty: any purpose."),
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("shortest notice (hours)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    max_hours = models.PositiveSmallIntegerField(
        _("longest booking (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    max_active_per_household = models.PositiveSmallIntegerField(
        _("active bookings per household at once"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    approval_required = models.BooleanField(_("a worker must approve"), default=True)
    is_active = models.BooleanField(_("taking bookings"), default=True)
    # Bumped by every booking of the room: on SQLite this UPDATE takes the database's write
    # lock before the overlap check reads, so concurrent bookings are serialised.
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place__path", "name", "id"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="room_unique_name_in_place")
        ]

    def __str__(self):
        return f"{self.place.name}·{self.name}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class Blackout(models.Model):
    """A one-off period when the room cannot be booked (repairs, an official event)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="blackouts")
    start = models.DateTimeField(pgettext_lazy("time", "from"))
    end = models.DateTimeField(pgettext_lazy("time", "until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        indexes = [models.Index(fields=["room", "start"], name="blackout_room_start")]

    def __str__(self):
        return f"{self.room_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} {self.reason}"


class Repeat(models.TextChoices):
    MONTHLY = "monthly", _("monthly, on a day of the month")
    WEEKLY = "weekly", _("weekly, on a weekday")


class RecurringBlackout(models.Model):
    """A regular period when the room is not lent, e.g. the deliberation meeting on the 15th
    from 09:00 to 11:00."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="recurring_blackouts")
    repeat = models.CharField(_("repeats"), max_length=8, choices=Repeat.choices)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, choices=Weekday.choices
    )
    start_time = models.TimeField(pgettext_lazy("time", "from"))
    end_time = models.TimeField(pgettext_lazy("time", "until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["room", "id"]
        verbose_name = _("recurring blackout")
        verbose_name_plural = _("recurring blackouts")

    def __str__(self):
        when = f"day {self.day_of_month}" if self.repeat == Repeat.MONTHLY else f"wd {self.weekday}"
        return f"{self.room_id} {when} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def applies_on(self, day) -> bool:
        if self.repeat == Repeat.MONTHLY:
            return day.day == self.day_of_month
        return day.weekday() == self.weekday


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")
    CHECKED_IN = "checked_in", _("checked in")
    NO_SHOW = "no_show", _("no-show")


# A pending booking holds its slot until it is approved or declined.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class BookingSeries(models.Model):
    """A weekly recurring booking (summer tutoring, the reading club). Each occurrence is a
    Booking; dates that were skipped — asked for, or refused because of a clash or a rule —
    are kept in ``exceptions`` with their reason."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(pgettext_lazy("time", "from"))
    end_time = models.TimeField(pgettext_lazy("time", "until"))
    from_date = models.DateField(_("first date"))
    until_date = models.DateField(_("last date"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=120, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    household = models.ForeignKey(
        "residents.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="booking_series",
    )
    # [{"date": "2025-07-15", "reason": "…"}]
    exceptions = models.JSONField(_("skipped dates"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-from_date", "-id"]
        verbose_name = _("weekly booking")
        verbose_name_plural = _("weekly bookings")

    def __str__(self):
        return f"{self.room} {self.get_weekday_display()} {self.start_time:%H:%M}"

    @property
    def audit_place_path(self) -> str:
        return self.room.place.path


class Booking(models.Model):
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(pgettext_lazy("time", "from"))
    end = models.DateTimeField(pgettext_lazy("time", "until"))
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    # Private: shown to the booker and the room's managers only, never in a public calendar.
    title = models.CharField(_("title"), max_length=120, blank=True)
    attendees = models.PositiveIntegerField(_("expected attendees"), null=True, blank=True)
    # None for a hold the system makes (a deliberation meeting in its hall).
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    series = models.ForeignKey(
        BookingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("why declined"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["room", "start"], name="booking_room_start"),
            models.Index(fields=["household", "status"], name="booking_household_status"),
            models.Index(fields=["booked_by", "start"], name="booking_booker_start"),
        ]

    def __str__(self):
        return f"{self.room_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def audit_place_path(self) -> str:
        return self.room.place.path


class BookingEventKind(models.TextChoices):
    REQUESTED = "requested", _("requested")
    CONFIRMED = "confirmed", _("confirmed")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")
    CHECKED_IN = "checked_in", _("checked in")
    NO_SHOW = "no_show", _("marked as no-show")


class BookingEvent(TimelineEvent):
    """One step of a booking's timeline, written once through ``services.BOOKING``."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=BookingEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self):
        return f"{self.booking_id} {self.kind}"


class RoomPhoto(UploadedPhoto):
    """A photo of a room, shown on its page to those who may see the room."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="rooms/%Y/%m/")
    thumbnail = models.FileField(upload_to="rooms/%Y/%m/thumbs/", blank=True)
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    class Meta(UploadedPhoto.Meta):
        verbose_name = _("room photo")
        verbose_name_plural = _("room photos")

    def __str__(self):
        return f"photo {self.pk} of room {self.room_id}"


class CalendarFeed(models.Model):
    """A resident's private calendar feed of their own bookings. The URL carries a secret
    token; the database keeps only its hash (to find the feed) and the token encrypted (to
    show the URL to its owner again). Resetting it makes the old URL stop working."""

    LOOKUP_HASHES = {"token_hash": "token"}  # recomputed by a restore under a new lookup key

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token = EncryptedTextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("private calendar feed")
        verbose_name_plural = _("private calendar feeds")

    def __str__(self):
        return f"calendar feed of user {self.user_id}"
