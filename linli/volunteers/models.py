"""Volunteers (志愿者) and their duty shifts (值班): a volunteer is a resident of the register
or an outsider (a university student with their school and team) whose ID and phone numbers
are kept encrypted like a resident's; their skills, availability and training; groups (the
self-management group 自治自管小组, a university team, the party members' service team) they
join with the coordinator's approval; shift types with weekly rules that generate shifts,
and the assignments of volunteers to shifts."""

from django.conf import settings
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.crypto import EncryptedTextField, mask_id_number, mask_phone
from linli.core.models import TimelineEvent


class VolunteerGroupKind(models.TextChoices):
    SELF_MANAGEMENT = "self_management", _("self-management group")
    UNIVERSITY_TEAM = "university_team", _("university volunteer team")
    PARTY_SERVICE = "party_service", _("party members' service team")
    OTHER = "other", _("other volunteer group")


class VolunteerSkill(models.TextChoices):
    ROOM_KEEPING = "room_keeping", _("keeping the rooms")
    RECEPTION = "reception", _("reception at the desk")
    CLEANING = "cleaning", _("cleaning")
    LENDING = "lending", _("lending desk")
    TUTORING = "tutoring", _("tutoring children")
    FIRST_AID = "first_aid", _("first aid")
    COMPUTER = "computer", _("helping with phones and computers")


class VolunteerGroup(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("serves at"),
        on_delete=models.PROTECT,
        related_name="volunteer_groups",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=VolunteerGroupKind.choices)
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_groups",
    )
    # At most this many back-to-back shifts in a row for one volunteer (a rest between).
    max_consecutive = models.PositiveSmallIntegerField(_("at most consecutive shifts"), default=2)
    # A swap of shifts between two members takes effect only once a coordinator approves it.
    swap_needs_approval = models.BooleanField(
        _("swaps need a coordinator's approval"), default=False
    )
    # -- sign-in -- this many no-shows within NO_SHOW_DAYS pause a member's self sign-up.
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows that pause self sign-up"), default=2
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place__path", "name", "id"]
        verbose_name = _("volunteer group")
        verbose_name_plural = _("volunteer groups")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="volunteer_group_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class Volunteer(models.Model):
    """A resident of the register (``resident`` set; name and numbers are the register's) or
    an outsider (``resident`` empty; their name, school and team here, their ID and phone
    numbers encrypted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    resident = models.OneToOneField(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_profile",
    )
    name = models.CharField(_("name"), max_length=50)
    school = models.CharField(_("school or employer"), max_length=100, blank=True)
    team = models.CharField(_("team"), max_length=100, blank=True)
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # [{"weekday": 0, "start": "09:00", "end": "12:00"}]: when they can usually serve.
    availability = models.JSONField(_("availability"), default=list, blank=True)
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    # -- sign-in -- repeated no-shows pause self sign-up until a coordinator lifts the pause;
    # only no-shows after the last lift count again.
    signup_paused_at = models.DateTimeField(_("self sign-up paused"), null=True, blank=True)
    signup_pause_lifted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return self.name

    @property
    def is_outsider(self) -> bool:
        return self.resident_id is None

    def _number(self, field: str) -> str:
        if self.resident_id is not None:
            return getattr(self.resident, field) or ""
        return getattr(self, field) or ""

    @property
    def phone_masked(self) -> str:
        return mask_phone(self._number("phone"))

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self._number("id_number"))

    @property
    def audit_place_path(self) -> str:
        return self.resident.place.path if self.resident_id is not None else ""

    def skill_labels(self) -> list[str]:
        return [str(VolunteerSkill(s).label) for s in self.skills if s in VolunteerSkill.values]


class Training(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trainings")
    subject = models.CharField(_("training"), max_length=100)
    held_on = models.DateField(_("held on"))
    provider = models.CharField(_("given by"), max_length=100, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self):
        return f"{self.held_on} {self.subject}"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", pgettext_lazy("membership", "approved")
    DECLINED = "declined", pgettext_lazy("membership", "declined")
    PAUSED = "paused", _("paused")
    LEFT = "left", _("left the group")


class Membership(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(VolunteerGroup, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLIED,
    )
    # A duty manager (值班负责人) coordinates the group's shifts and applications.
    is_coordinator = models.BooleanField(_("coordinator of the group"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group_id", "volunteer__name", "id"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "group"], name="volunteer_membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.group}"

    @property
    def audit_place_path(self) -> str:
        return self.group.place.path


class MembershipEventKind(models.TextChoices):
    APPLIED = "applied", _("applied to join")
    APPROVED = "approved", _("application approved")
    DECLINED = "declined", _("application declined")
    PAUSED = "paused", _("membership paused")
    RESUMED = "resumed", _("membership resumed")
    LEFT = "left", _("left the group")
    REAPPLIED = "reapplied", _("applied again")


class MembershipEvent(TimelineEvent):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=MembershipEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")


class ShiftKind(models.TextChoices):
    ROOM_DUTY = "room_duty", _("room duty")
    DESK_DUTY = "desk_duty", _("desk duty")
    CLEANING = "cleaning", _("cleaning")
    LENDING_DESK = "lending_desk", _("lending desk")
    TUTORING = "tutoring", _("tutoring")


class RotaMode(models.TextChoices):
    SIGN_UP = "", _("volunteers sign up")
    MEMBERS = "members", _("rota over the group's members")
    HOUSEHOLDS = "households", _("rota over the compound's households")


class ShiftType(models.Model):
    group = models.ForeignKey(VolunteerGroup, on_delete=models.CASCADE, related_name="shift_types")
    kind = models.CharField(_("kind"), max_length=16, choices=ShiftKind.choices)
    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(
        "bookings.Room",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shift_types",
    )
    needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    # A volunteer qualifies with any one of these skills (none listed: no skill needed) ...
    skills = models.JSONField(_("qualifying skills"), default=list, blank=True)
    # ... and as an approved member of the group or of one of these.
    other_groups = models.ManyToManyField(
        VolunteerGroup, verbose_name=_("other qualifying groups"), blank=True, related_name="+"
    )
    # A rota (the cleaning rota) fills the shifts itself, fairly: fewest hours served first.
    rota = models.CharField(
        _("who serves"), max_length=12, choices=RotaMode.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("in use"), default=True)
    # -- sign-in -- the secret of the QR poster in the room (made when first printed).
    sign_in_token = models.CharField(max_length=43, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["group_id", "name", "id"]
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")

    def __str__(self):
        return self.name

    @property
    def audit_place_path(self) -> str:
        return self.group.place.path


class ShiftRule(models.Model):
    """Every week on ``weekday`` from ``start_time`` to ``end_time``, between two dates; the
    dates skipped or moved are its ``exceptions``."""

    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # date.weekday(): Monday 0
    start_time = models.TimeField(pgettext_lazy("time", "from"))
    end_time = models.TimeField(pgettext_lazy("time", "until"))
    from_date = models.DateField(_("first date"))
    until_date = models.DateField(_("last date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift_type_id", "weekday", "start_time", "id"]
        verbose_name = _("weekly shift rule")
        verbose_name_plural = _("weekly shift rules")

    def __str__(self):
        return f"{self.shift_type} {self.weekday} {self.start_time:%H:%M}"

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAYS.get(self.weekday, self.weekday))

    @property
    def audit_place_path(self) -> str:
        return self.shift_type.group.place.path


class ShiftRuleException(models.Model):
    """One date of a rule skipped (``moved_start`` empty) or moved to another time."""

    rule = models.ForeignKey(ShiftRule, on_delete=models.CASCADE, related_name="exceptions")
    on_date = models.DateField(_("date"))
    moved_start = models.DateTimeField(_("moved to start"), null=True, blank=True)
    moved_end = models.DateTimeField(_("moved to end"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["on_date", "id"]
        verbose_name = _("shift rule exception")
        verbose_name_plural = _("shift rule exceptions")
        constraints = [
            models.UniqueConstraint(fields=["rule", "on_date"], name="shift_exception_unique")
        ]

    def __str__(self):
        return f"{self.on_date} {self.reason}"


class Shift(models.Model):
    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="shifts")
    rule = models.ForeignKey(
        ShiftRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    # The rule's date this shift was generated for (kept when it is moved to another day).
    rule_date = models.DateField(null=True, blank=True)
    start = models.DateTimeField(pgettext_lazy("time", "from"), db_index=True)
    end = models.DateTimeField(pgettext_lazy("time", "until"))
    needed = models.PositiveSmallIntegerField(_("people needed"))
    # Claimed once by the job that tells the coordinators about a gap.
    uncovered_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "rule_date"],
                condition=models.Q(rule__isnull=False),
                name="shift_unique_rule_date",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.shift_type} {self.start:%Y-%m-%d %H:%M}"

    @property
    def audit_place_path(self) -> str:
        return self.shift_type.group.place.path


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("on the shift")
    ON_DUTY = "on_duty", _("signed in")
    SERVED = "served", _("served")
    NO_SHOW = "no_show", _("did not come")
    CANCELLED = "cancelled", pgettext_lazy("assignment", "cancelled")
    HANDED_OVER = "handed_over", _("handed over")


# The assignments that hold a place on their shift.
ACTIVE_ASSIGNMENT = (AssignmentStatus.ASSIGNED, AssignmentStatus.ON_DUTY, AssignmentStatus.SERVED)


class Assignment(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    # Signed up themselves (False) or assigned by a coordinator (True).
    by_coordinator = models.BooleanField(_("assigned by a coordinator"), default=False)
    # Put on the shift by the rota (the cleaning rota), not by sign-up.
    by_rota = models.BooleanField(_("put on by the rota"), default=False)
    # -- sign-in -- when they came and went; minutes late past the grace (None: on time).
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    minutes_late = models.PositiveIntegerField(_("minutes late"), null=True, blank=True)
    # -- hours ledger -- the coordinator confirmed the hours (a ledger entry was written).
    hours_confirmed_at = models.DateTimeField(_("hours confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["shift__start", "id"]
        verbose_name = _("shift assignment")
        verbose_name_plural = _("shift assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=models.Q(status__in=["assigned", "on_duty", "served"]),
                name="assignment_unique_active",
            )
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.shift}"

    @property
    def audit_place_path(self) -> str:
        return self.shift.shift_type.group.place.path


class AssignmentEventKind(models.TextChoices):
    SIGNED_UP = "signed_up", _("signed up")
    ASSIGNED = "assigned", _("assigned by a coordinator")
    ROTA = "rota", _("put on by the rota")
    CANCELLED = "cancelled", pgettext_lazy("assignment", "cancelled")
    HANDED_OVER = "handed_over", _("handed over in a swap")
    TAKEN_OVER = "taken_over", _("taken over in a swap")
    SIGNED_IN = "signed_in", _("signed in")
    SIGNED_OUT = "signed_out", _("signed out")
    NO_SHOW = "no_show", _("recorded as not come")
    HOURS_CONFIRMED = "hours_confirmed", _("hours confirmed")


class AssignmentEvent(TimelineEvent):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=AssignmentEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment events")


class SwapStatus(models.TextChoices):
    OFFERED = "offered", pgettext_lazy("swap", "offered")
    PENDING = "pending", _("awaiting the coordinator")
    DONE = "done", _("swapped")
    WITHDRAWN = "withdrawn", pgettext_lazy("swap", "withdrawn")
    DECLINED = "declined", pgettext_lazy("swap", "declined")
    LAPSED = "lapsed", pgettext_lazy("swap", "lapsed")


# The swaps still open: one at a time per assignment.
OPEN_SWAP = (SwapStatus.OFFERED, SwapStatus.PENDING)


class SwapOffer(models.Model):
    """A volunteer offers their place on a shift (``assignment``); an eligible volunteer
    (``taker``) takes it. Where the group requires it a coordinator approves; once done the
    offered assignment is handed over and ``new_assignment`` is the taker's."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="swaps")
    status = models.CharField(
        _("status"), max_length=16, choices=SwapStatus.choices, default=SwapStatus.OFFERED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    taker = models.ForeignKey(
        Volunteer,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="swaps_taken",
    )
    new_assignment = models.OneToOneField(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="swapped_in_by",
    )
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(status__in=["offered", "pending"]),
                name="swap_one_open_per_assignment",
            )
        ]

    def __str__(self):
        return f"{self.assignment} ({self.status})"

    @property
    def audit_place_path(self) -> str:
        return self.assignment.shift.shift_type.group.place.path


class SwapEventKind(models.TextChoices):
    OFFERED = "offered", _("offered the shift")
    TAKEN = "taken", _("took the offer")
    APPROVED = "approved", _("swap approved")
    DECLINED = "declined", _("swap declined")
    WITHDRAWN = "withdrawn", _("offer withdrawn")
    LAPSED = "lapsed", _("offer lapsed")


class SwapEvent(TimelineEvent):
    swap = models.ForeignKey(SwapOffer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=SwapEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("swap event")
        verbose_name_plural = _("swap events")


class Absence(models.Model):
    """A member (``volunteer``) or a household of the compound away from ``from_date`` to
    ``until_date``: the rota passes over them."""

    group = models.ForeignKey(VolunteerGroup, on_delete=models.CASCADE, related_name="absences")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="absences"
    )
    household = models.ForeignKey(
        "residents.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rota_absences",
    )
    from_date = models.DateField(_("away from"))
    until_date = models.DateField(_("away until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["from_date", "id"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(volunteer__isnull=False, household__isnull=True)
                | models.Q(volunteer__isnull=True, household__isnull=False),
                name="absence_of_one",
            ),
            models.CheckConstraint(
                condition=models.Q(until_date__gte=models.F("from_date")),
                name="absence_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.from_date}–{self.until_date}"

    @property
    def audit_place_path(self) -> str:
        return self.group.place.path


class HouseholdTurnStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("turn", "due")
    DONE = "done", pgettext_lazy("turn", "done")
    MISSED = "missed", pgettext_lazy("turn", "missed")


class HouseholdTurn(models.Model):
    """The rota's turn of a household of the compound on a shift of a shift type whose rota
    is over households (a shared chore such as cleaning the stairs)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="household_turns")
    household = models.ForeignKey(
        "residents.Household", on_delete=models.CASCADE, related_name="rota_turns"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=HouseholdTurnStatus.choices,
        default=HouseholdTurnStatus.DUE,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift__start", "id"]
        verbose_name = _("household's turn")
        verbose_name_plural = _("households' turns")
        constraints = [
            models.UniqueConstraint(fields=["shift", "household"], name="household_turn_unique")
        ]

    def __str__(self):
        return f"{self.household_id} · {self.shift}"

    @property
    def audit_place_path(self) -> str:
        return self.shift.shift_type.group.place.path


# -- hours ledger -----------------------------------------------------------------------------


class HoursKind(models.TextChoices):
    SERVICE = "service", _("service")
    CORRECTION = "correction", pgettext_lazy("hours", "correction")


class HoursEntry(models.Model):
    """One line of the append-only hours ledger: the hours of a served assignment the
    coordinator confirmed, or a correction (plus or minus, with its reason) of an earlier
    entry. Never changed nor deleted: a mistake is corrected by a new entry."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours_entries")
    group = models.ForeignKey(
        VolunteerGroup, on_delete=models.PROTECT, related_name="hours_entries"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="hours_entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HoursKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        constraints = [
            # One service entry per assignment: confirming twice (two tabs) writes one.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(kind="service"),
                name="hours_one_service_entry",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.hours}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("HoursEntry rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("HoursEntry rows are immutable.")

    @property
    def audit_place_path(self) -> str:
        return self.group.place.path


class VolunteerRecord(models.Model):
    """An issued record of volunteer service (志愿服务记录证明, after 民政部《志愿服务记录与
    证明出具办法》): what it said when it was issued — the volunteer's name and masked ID
    number, the service (group, kinds of shift, period), the total hours and the issuer —
    fixed, so that anyone holding its number and verification code checks that very
    document."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    group = models.ForeignKey(VolunteerGroup, on_delete=models.PROTECT, related_name="records")
    number = models.CharField(_("record number"), max_length=32, unique=True)
    code = models.CharField(_("verification code"), max_length=16)
    name = models.CharField(_("name"), max_length=50)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200)
    issuer_place = models.CharField(_("place"), max_length=200)
    service = models.JSONField(_("service"), default=dict)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_until = models.DateField(_("until"), null=True, blank=True)
    total_hours = models.DecimalField(_("total hours"), max_digits=8, decimal_places=2)
    issued_on = models.DateField(_("date of issue"))
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("volunteer service record")
        verbose_name_plural = _("volunteer service records")

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("VolunteerRecord rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("VolunteerRecord rows are immutable.")

    @property
    def audit_place_path(self) -> str:
        return self.group.place.path
