"""The monthly deliberation meeting (民情议事厅): a series per compound with its standing
participants, its meetings, the topics (议题) residents and workers bring, the agenda, the
record (attendance, notes, decisions with optional votes) and the follow-up of decisions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimelineEvent


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", _("monthly, on a day of the month")
    NONE = "none", _("no regular meetings")


class PassRule(models.TextChoices):
    SIMPLE = "simple", _("more votes for than against")
    ABSOLUTE = "absolute", _("more than half of those present")
    TWO_THIRDS = "two_thirds", _("at least two thirds of those present")


class MeetingSeries(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="meeting_series",
    )
    name = models.CharField(_("name"), max_length=100, default="民情议事厅")
    venue = models.CharField(_("room"), max_length=100, help_text=_("Where the meetings are held."))
    hall = models.ForeignKey(
        "bookings.Room",
        verbose_name=_("bookable room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_series",
        help_text=_("When set, each meeting books this room, so it shows on the room's calendar."),
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence.choices, default=Recurrence.MONTHLY
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    start_time = models.TimeField(_("starts at"), default="09:00")
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(720)],
    )
    proposal_close_days = models.PositiveSmallIntegerField(
        _("proposals close (days before)"),
        default=3,
        validators=[MaxValueValidator(30)],
        help_text=_("Residents' proposals for a meeting close this many days before it."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of standing participants)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A vote counts only when at least this share is present or represented."),
    )
    pass_rule = models.CharField(
        _("a vote passes with"), max_length=16, choices=PassRule.choices, default=PassRule.SIMPLE
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place__path", "id"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return f"{self.place.name}{self.name}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class Participant(models.Model):
    """A standing participant: an organisation (all its staff are told) and/or a person, with
    their role at the meeting (e.g. 物管会主任, 居民代表)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_participations",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    role = models.CharField(_("role at the meeting"), max_length=100)
    sort_key = models.PositiveSmallIntegerField(default=0)
    left_at = models.DateTimeField(_("no longer a participant since"), null=True, blank=True)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("standing participant")
        verbose_name_plural = _("standing participants")

    def __str__(self):
        return f"{self.role}: {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.user_id:
            return self.user.display_name
        return self.organisation.name if self.organisation_id else ""


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled, agenda in preparation")
    AGENDA_PUBLISHED = "agenda_published", _("agenda sent")
    HELD = "held", _("held, record being written")
    PUBLISHED = "published", _("minutes published")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="meetings", editable=False
    )
    title = models.CharField(_("title"), max_length=120)
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"))
    venue = models.CharField(_("room"), max_length=100)
    # The hold of the series' hall for this meeting, if the series has one.
    booking = models.OneToOneField(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting",
        editable=False,
    )
    extra = models.BooleanField(_("extra meeting"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    summary = models.TextField(
        _("summary for residents"),
        blank=True,
        help_text=_("Published with the decisions; no private matters here."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["place", "start"], name="meeting_place_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.title} {self.start:%Y-%m-%d}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path

    @property
    def is_open_for_agenda(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.AGENDA_PUBLISHED)


class TopicSource(models.TextChoices):
    REFERRED = "referred", _("work order referred by a worker")
    OVERDUE = "overdue", _("overdue work order")
    REOPENED = "reopened", _("reopened work order")
    PROPOSAL = "proposal", _("residents' proposal")
    CHAIR = "chair", _("added by the chair")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("open")
    DECIDED = "decided", _("decided")
    DROPPED = "dropped", _("dropped")


class Topic(models.Model):
    """A matter for the meeting (议题). It may be discussed at several meetings until it is
    decided (the parking study)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="topics")
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="meeting_topics", editable=False
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("background"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=TopicSource.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_proposals",
    )
    # A proposal collects support until this meeting's proposals close.
    proposed_for = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    orders = models.ManyToManyField(
        "workorders.WorkOrder", blank=True, related_name="meeting_topics"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.title

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class ProposalSupport(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="proposal_support_once")
        ]

    def __str__(self):
        return f"{self.user_id} supports {self.topic_id}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("not yet discussed")
    DECIDED = "decided", _("decided")
    CARRIED = "carried", _("carried to the next meeting")
    DROPPED = "dropped", _("dropped")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    carried = models.BooleanField(_("carried from an earlier meeting"), default=False)
    # Private to the participants: residents see decisions, never these notes.
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    # Why a topic was dropped: published with the minutes.
    outcome_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once"),
            # A topic waits on one agenda at a time: carried, it leaves this one for the next.
            models.UniqueConstraint(
                fields=["topic"],
                condition=models.Q(outcome="pending"),
                name="agenda_topic_pending_once",
            ),
        ]

    def __str__(self):
        return f"{self.meeting_id}#{self.position} {self.topic_id}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    PROXY = "proxy", _("represented by proxy")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)
    status = models.CharField(_("attendance"), max_length=16, choices=AttendanceStatus.choices)
    proxy_name = models.CharField(_("proxy"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=models.Q(participant__isnull=False),
                name="attendance_once",
            )
        ]

    def __str__(self):
        return f"{self.name} {self.status}"


class VoteResult(models.TextChoices):
    NONE = "", _("no vote")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("not passed")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    DONE = "done", _("done")
    NOT_ADOPTED = "not_adopted", _("not adopted (vote failed)")


class Decision(models.Model):
    """A decision (决议) on an agenda item. Done when every linked work order is closed, or
    when a later meeting marks it done with a note."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", editable=False
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="decisions", editable=False
    )
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.PROTECT, related_name="decisions", editable=False
    )
    text = models.TextField(_("decision"))
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstain"), null=True, blank=True)
    vote_result = models.CharField(
        _("vote"), max_length=8, choices=VoteResult.choices, blank=True, default=""
    )
    responsible_organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    orders = models.ManyToManyField(
        "workorders.WorkOrder", blank=True, related_name="meeting_decisions"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["series", "status"], name="decision_series_status")]

    def __str__(self):
        return self.text[:60]

    @property
    def audit_place_path(self) -> str:
        return self.meeting.place.path


class DecisionReview(models.Model):
    """How a decision stood when a later meeting checked it: written when that meeting's
    minutes are published, so the record keeps what was reported then."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=16, choices=DecisionStatus.choices)
    orders = models.JSONField(default=list, blank=True)  # [{"number", "title", "status"}]
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "decision"], name="review_once")]

    def __str__(self):
        return f"{self.meeting_id}: {self.decision_id} {self.status}"


# -- timelines ------------------------------------------------------------------------------
# Every status change of a meeting, a topic, an agenda item's outcome and a decision writes
# one event through its lifecycle (``services``); the history of each is read from these.


class MeetingEventKind(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    AGENDA_PUBLISHED = "agenda_published", _("agenda sent")
    HELD = "held", _("record opened")
    MINUTES_PUBLISHED = "minutes_published", _("minutes published")
    CANCELLED = "cancelled", _("cancelled")


class MeetingEvent(TimelineEvent):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=MeetingEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")

    def __str__(self):
        return f"{self.meeting_id} {self.kind}"


class TopicEventKind(models.TextChoices):
    CREATED = "created", _("put on the list")
    SUPPORTED = "supported", _("supported by a neighbour")
    DECIDED = "decided", _("decided")
    DROPPED = "dropped", _("dropped")


class TopicEvent(TimelineEvent):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=TopicEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")

    def __str__(self):
        return f"{self.topic_id} {self.kind}"


class AgendaItemEventKind(models.TextChoices):
    DECIDED = "decided", _("decided")
    CARRIED = "carried", _("carried to the next meeting")
    DROPPED = "dropped", _("dropped")


class AgendaItemEvent(TimelineEvent):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=AgendaItemEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("agenda item event")
        verbose_name_plural = _("agenda item events")

    def __str__(self):
        return f"{self.item_id} {self.kind}"


class DecisionEventKind(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    ORDER_LINKED = "order_linked", _("work order linked")
    MARKED_DONE = "marked_done", _("marked done at a later meeting")
    WORK_DONE = "work_done", _("done: all linked work orders closed")


class DecisionEvent(TimelineEvent):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=DecisionEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("decision event")
        verbose_name_plural = _("decision events")

    def __str__(self):
        return f"{self.decision_id} {self.kind}"
