"""Every change of the deliberation meeting: series and their meetings, topics and residents'
proposals, the agenda, the record (attendance, notes, decisions and votes), follow-up of
decisions and publication. A meeting, a topic, an agenda item's outcome and a decision each
move through a ``core.lifecycle`` step table; every step writes one timeline event, and a
refused step raises a readable error and changes nothing."""

import calendar
import logging
import math
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.actors import SYSTEM, user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.notices.services import notice_publish
from linli.places.models import Organisation, Place
from linli.workorders import services as order_services
from linli.workorders.models import Category, Channel, Status, WorkOrder

from .models import (
    AgendaItem,
    AgendaItemEvent,
    AgendaItemEventKind,
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionEvent,
    DecisionEventKind,
    DecisionReview,
    DecisionStatus,
    Meeting,
    MeetingEvent,
    MeetingEventKind,
    MeetingSeries,
    MeetingStatus,
    Outcome,
    Participant,
    PassRule,
    ProposalSupport,
    Recurrence,
    Topic,
    TopicEvent,
    TopicEventKind,
    TopicSource,
    TopicStatus,
    VoteResult,
)

M = MeetingStatus
MANAGE = "meetings.manage_meeting"
MANAGE_ITEM = "meetings.manage_item"
NOT_ORGANISER = gettext_lazy("Only the meeting's organisers may do this.")


def _meeting_guard(name: str, meeting: Meeting, now=None, **context) -> None:
    """What the state allows but the moment does not."""
    if name == "publish_agenda" and not meeting.items.exists():
        raise ConflictError(_("Put at least one topic on the agenda first."), code="empty")
    if name == "hold":
        now = now or timezone.now()
        if timezone.localdate(now) < timezone.localdate(meeting.start):
            raise ConflictError(
                _("The record opens on the day of the meeting (%(day)s).")
                % {"day": timezone.localdate(meeting.start).isoformat()},
                code="too_early",
            )
    if name == "publish_minutes":
        now = now or timezone.now()
        if now < meeting.start:
            local = timezone.localtime(meeting.start)
            raise ConflictError(
                _(
                    "The meeting has not taken place yet: it starts on %(day)s at %(time)s. "
                    "Publish its minutes after it."
                )
                % {"day": local.date().isoformat(), "time": local.strftime("%H:%M")},
                code="too_early",
            )
        pending = list(
            meeting.items.filter(outcome=Outcome.PENDING).values_list("topic__title", flat=True)
        )
        if pending:
            raise ConflictError(
                _("Record a decision, or carry or drop, for: %(topics)s.")
                % {"topics": "、".join(pending)},
                code="pending_topics",
            )


MEETING = Lifecycle(
    name="meetings.meeting",
    model=Meeting,
    event_model=MeetingEvent,
    subject="meeting",
    event_kinds=MeetingEventKind,
    select_related=("series", "place"),
    illegal_message=gettext_lazy("This meeting is %(status)s; you cannot %(step)s now."),
    forbidden_message=NOT_ORGANISER,
    guard=_meeting_guard,
    steps={
        "publish_agenda": Step(
            frozenset({M.SCHEDULED, M.AGENDA_PUBLISHED}), M.AGENDA_PUBLISHED, MANAGE,
            MeetingEventKind.AGENDA_PUBLISHED, gettext_lazy("send the agenda"),
        ),
        "hold": Step(
            frozenset({M.SCHEDULED, M.AGENDA_PUBLISHED}), M.HELD, MANAGE,
            MeetingEventKind.HELD, gettext_lazy("start the record"),
        ),
        "publish_minutes": Step(
            frozenset({M.HELD}), M.PUBLISHED, MANAGE,
            MeetingEventKind.MINUTES_PUBLISHED, gettext_lazy("publish the minutes"),
        ),
        "cancel": Step(
            frozenset({M.SCHEDULED, M.AGENDA_PUBLISHED}), M.CANCELLED, MANAGE,
            MeetingEventKind.CANCELLED, gettext_lazy("cancel"),
        ),
    },
)  # fmt: skip

T = TopicStatus
# A topic waits on one agenda at a time (agenda_add and the agenda_topic_pending_once
# constraint); carried, it leaves one agenda for the next.
TOPIC = Lifecycle(
    name="meetings.topic",
    model=Topic,
    event_model=TopicEvent,
    subject="topic",
    event_kinds=TopicEventKind,
    select_related=("series", "place"),
    illegal_message=gettext_lazy("This topic is %(status)s; it cannot be %(step)s now."),
    forbidden_message=NOT_ORGANISER,
    steps={
        "decide": Step(frozenset({T.OPEN, T.DROPPED}), T.DECIDED, MANAGE, TopicEventKind.DECIDED),
        "drop": Step(frozenset({T.OPEN, T.DECIDED}), T.DROPPED, MANAGE, TopicEventKind.DROPPED),
    },
)

PENDING = frozenset({Outcome.PENDING})
ITEM = Lifecycle(
    name="meetings.agenda_item",
    model=AgendaItem,
    event_model=AgendaItemEvent,
    subject="item",
    event_kinds=AgendaItemEventKind,
    status_field="outcome",
    select_related=("meeting__series", "meeting__place", "topic"),
    illegal_message=gettext_lazy("This topic already has an outcome."),
    forbidden_message=NOT_ORGANISER,
    steps={
        # Each decision recorded on the item (a topic may take several).
        "decide": Step(
            frozenset({Outcome.PENDING, Outcome.DECIDED}), Outcome.DECIDED, MANAGE_ITEM,
            AgendaItemEventKind.DECIDED,
        ),
        "carry": Step(PENDING, Outcome.CARRIED, MANAGE_ITEM, AgendaItemEventKind.CARRIED),
        "drop": Step(PENDING, Outcome.DROPPED, MANAGE_ITEM, AgendaItemEventKind.DROPPED),
    },
)  # fmt: skip

D = DecisionStatus
DECISION = Lifecycle(
    name="meetings.decision",
    model=Decision,
    event_model=DecisionEvent,
    subject="decision",
    event_kinds=DecisionEventKind,
    select_related=("meeting", "series__place"),
    illegal_message=gettext_lazy("This decision is not in progress."),
    forbidden_message=NOT_ORGANISER,
    guard=lambda name, decision, **context: _decision_guard(name, decision),
    steps={
        # A later meeting marks it done with a note of how.
        "mark_done": Step(
            frozenset({D.OPEN}), D.DONE, "meetings.follow_up_decision",
            DecisionEventKind.MARKED_DONE,
        ),
        # The system marks it done when every linked work order is closed.
        "complete": Step(
            frozenset({D.OPEN}), D.DONE, "meetings.complete_decision",
            DecisionEventKind.WORK_DONE,
        ),
    },
)  # fmt: skip


def _decision_guard(name: str, decision: Decision) -> None:
    if name == "complete":
        orders = list(decision.orders.select_related("merged_into"))
        if not orders or not all(_order_done(o) for o in orders):
            raise ConflictError(
                _("Not all of this decision's work orders are closed."), code="work_open"
            )


AGENDA_EDITABLE = frozenset({M.SCHEDULED, M.AGENDA_PUBLISHED, M.HELD})

logger = logging.getLogger(__name__)


def _check_manage(actor, obj) -> None:
    check_perm(actor, MANAGE, obj, message=NOT_ORGANISER)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return MEETING.locked(meeting)


def meeting_step_sources(step: str) -> frozenset:
    """The statuses a meeting's step may start from (for the page's forms)."""
    return MEETING.steps[step].sources


def _check_record_open(meeting: Meeting) -> None:
    if meeting.status != M.HELD:
        raise ConflictError(
            _("The record can be written only while the meeting is held (it is %(status)s).")
            % {"status": meeting.get_status_display()},
            code="record_closed",
        )


# -- series and meetings --------------------------------------------------------------------


@transaction.atomic
def series_create(*, actor, place: Place, venue: str, name: str = "民情议事厅", **fields):
    """A meeting series of a compound (the seed: monthly on the 15th in the deliberation
    hall)."""
    _check_manage(actor, place)
    if place.kind != "compound":
        raise ValidationError({"place": _("A meeting series belongs to a compound.")})
    series = MeetingSeries(place=place, venue=venue.strip(), name=name.strip(), **fields)
    series.full_clean()
    series.save()
    audit_record(actor=actor, action="meetings.series.create", obj=series)
    return series


@transaction.atomic
def series_update(*, actor, series: MeetingSeries, **fields) -> MeetingSeries:
    _check_manage(actor, series)
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    audit_record(
        actor=actor,
        action="meetings.series.change",
        obj=series,
        details={k: str(v) for k, v in fields.items()},
    )
    return series


@transaction.atomic
def participant_add(
    *, actor, series: MeetingSeries, role: str, organisation=None, user=None, name: str = ""
) -> Participant:
    _check_manage(actor, series)
    if organisation is None and user is None and not name.strip():
        raise ValidationError({"role": _("Name the person or organisation taking part.")})
    if not role.strip():
        raise ValidationError({"role": _("Say what role they have at the meeting.")})
    position = series.participants.aggregate(top=Max("sort_key"))["top"]
    participant = Participant(
        series=series,
        organisation=organisation,
        user=user,
        name=name.strip(),
        role=role.strip(),
        sort_key=(position or 0) + 1,
    )
    participant.full_clean()
    participant.save()
    audit_record(
        actor=actor,
        action="meetings.participant.add",
        obj=series,
        details={"participant": str(participant)},
    )
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> Participant:
    _check_manage(actor, participant.series)
    participant.left_at = timezone.now()
    participant.save(update_fields=["left_at"])
    audit_record(
        actor=actor,
        action="meetings.participant.remove",
        obj=participant.series,
        details={"participant": str(participant)},
    )
    return participant


def meeting_hold_hall(meeting: Meeting, now=None) -> None:
    """Book the series' hall for the meeting, so that it shows on the room's calendar and no
    one else books the hall then. When the hall is already booked at that time the meeting
    stays (its venue text still says where) and the organisers are told."""
    hall = meeting.series.hall
    if hall is None or meeting.booking_id is not None:
        return
    from linli.bookings.models import Purpose
    from linli.bookings.services import booking_hold

    from .notify import notify_hall_taken

    try:
        with transaction.atomic():
            meeting.booking = booking_hold(
                actor=SYSTEM,
                room=hall,
                start=meeting.start,
                end=meeting.end,
                purpose=Purpose.MEETING,
                title=meeting.title,
                now=now,
            )
    except LinliError as exc:
        logger.warning("meeting %s: hall not held: %s", meeting.pk, exc.message)
        notify_hall_taken(meeting, exc.message)
        return
    meeting.save(update_fields=["booking"])


def _check_in_hall(meeting: Meeting, now) -> None:
    """The meeting took place in its hall: its hold is checked in (when it is held on the
    day; a record opened later leaves the hold as it was)."""
    from linli.bookings.models import BookingStatus
    from linli.bookings.services import booking_check_in

    booking = meeting.booking
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return
    try:
        with transaction.atomic():
            booking_check_in(actor=SYSTEM, booking=booking, now=now)
    except ConflictError:
        pass


def _release_hall(meeting: Meeting) -> None:
    from linli.bookings.services import booking_cancel

    booking = meeting.booking
    if booking is not None and booking.is_active and booking.start > timezone.now():
        booking_cancel(actor=SYSTEM, booking=booking, reason=_("The meeting was cancelled."))


def _occurrence(series: MeetingSeries, day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, series.start_time))
    return start, start + timedelta(minutes=series.duration_minutes)


def _monthly_dates(series: MeetingSeries, today: date, count: int) -> list[date]:
    dates, year, month = [], today.year, today.month
    while len(dates) < count:
        day = min(series.day_of_month, calendar.monthrange(year, month)[1])
        candidate = date(year, month, day)
        if candidate >= today:
            dates.append(candidate)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return dates


@transaction.atomic
def meetings_schedule(
    *, series: MeetingSeries, count: int = 2, now=None, actor=SYSTEM
) -> list[Meeting]:
    """Make sure the series' next ``count`` regular meetings exist. Idempotent. The system
    schedules them (daily, and on demand when a proposal or a carried topic needs one)."""
    check_perm(actor, "meetings.schedule_meetings", series)
    if series.recurrence != Recurrence.MONTHLY or not series.is_active:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = []
    for day in _monthly_dates(series, today, count):
        start, end = _occurrence(series, day)
        # A regular meeting that day already exists (perhaps moved to another hour).
        if Meeting.objects.filter(series=series, extra=False, start__date=day).exists():
            continue
        meeting = Meeting(
            series=series,
            place=series.place,
            title=series.name,
            start=start,
            end=end,
            venue=series.venue,
        )
        meeting.full_clean()
        meeting.save()
        MEETING.record(
            obj=meeting, kind=MeetingEventKind.SCHEDULED, actor=actor, to_status=meeting.status
        )
        meeting_hold_hall(meeting, now=now)
        created.append(meeting)
    return created


@transaction.atomic
def meeting_create_extra(
    *, actor, series: MeetingSeries, start: datetime, end: datetime, title: str = "", venue=""
) -> Meeting:
    """A single extra meeting besides the regular ones."""
    _check_manage(actor, series)
    if end <= start:
        raise ValidationError({"end": _("A meeting must end after it starts.")})
    meeting = Meeting(
        series=series,
        place=series.place,
        title=title.strip() or _("%(name)s (extra meeting)") % {"name": series.name},
        start=start,
        end=end,
        venue=venue.strip() or series.venue,
        extra=True,
    )
    meeting.full_clean()
    meeting.save()
    MEETING.record(
        obj=meeting, kind=MeetingEventKind.SCHEDULED, actor=actor, to_status=meeting.status
    )
    meeting_hold_hall(meeting)
    audit_record(actor=actor, action="meetings.meeting.create", obj=meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    _check_manage(actor, meeting)

    def change(meeting):
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
        meeting.cancelled_reason = reason.strip()[:200]

    waiting = list(meeting.items.filter(outcome=Outcome.PENDING).select_related("topic"))
    meeting = MEETING.take(
        "cancel",
        actor=actor,
        obj=meeting,
        note=reason.strip(),
        change=change,
        data={"topics": [item.topic.title for item in waiting]},
    )
    # Its topics go back to the list, free for another meeting's agenda (the record never
    # opened, so they carry no decision).
    AgendaItem.objects.filter(pk__in=[item.pk for item in waiting]).delete()
    _release_hall(meeting)
    audit_record(actor=actor, action="meetings.meeting.cancel", obj=meeting)
    return meeting


def next_meeting(*, series: MeetingSeries, after: datetime, create: bool = True) -> Meeting | None:
    """The series' first meeting starting after ``after`` that is not cancelled; scheduled
    on demand for a monthly series."""
    found = (
        Meeting.objects.filter(series=series, start__gt=after)
        .exclude(status=M.CANCELLED)
        .order_by("start")
        .first()
    )
    if found is None and create and series.recurrence == Recurrence.MONTHLY:
        meetings_schedule(actor=SYSTEM, series=series, count=2, now=after + timedelta(minutes=1))
        return next_meeting(series=series, after=after, create=False)
    return found


def proposals_close_at(meeting: Meeting) -> datetime:
    return meeting.start - timedelta(days=meeting.series.proposal_close_days)


def proposal_meeting(*, series: MeetingSeries, now=None) -> Meeting | None:
    """The meeting a proposal made now goes to: the first one whose proposals are still
    open."""
    now = now or timezone.now()
    after = now
    for _attempt in range(4):
        meeting = next_meeting(series=series, after=after)
        if meeting is None:
            return None
        if proposals_close_at(meeting) > now:
            return meeting
        after = meeting.start
    return None


def series_of_compound(place: Place) -> MeetingSeries | None:
    from linli.accounts.scope import compound_path_of

    path = compound_path_of(place.path)
    return (
        MeetingSeries.objects.filter(place__path=path, is_active=True)
        .select_related("place")
        .order_by("id")
        .first()
    )


# -- topics and proposals -------------------------------------------------------------------


@transaction.atomic
def topic_create(
    *, actor, series: MeetingSeries, title: str, description: str = "", orders=()
) -> Topic:
    """The chair puts a matter of their own on the list."""
    _check_manage(actor, series)
    return _topic_new(
        actor=actor,
        series=series,
        title=title,
        description=description,
        source=TopicSource.CHAIR,
        orders=orders,
    )


def _topic_new(*, actor, series, title, description, source, orders=(), **extra) -> Topic:
    topic = Topic(
        series=series,
        place=series.place,
        title=title.strip()[:120],
        description=description.strip(),
        source=source,
        created_by=user_or_none(actor),
        **extra,
    )
    if not topic.title:
        raise ValidationError({"title": _("Give the topic a short title.")})
    topic.full_clean()
    topic.save()
    if orders:
        topic.orders.add(*orders)
    TOPIC.record(
        obj=topic,
        kind=TopicEventKind.CREATED,
        actor=actor,
        to_status=topic.status,
        data={"source": source, "orders": [order.pk for order in orders]},
    )
    audit_record(
        actor=actor,
        action="meetings.topic.create",
        obj=topic,
        details={"source": source},
    )
    return topic


@transaction.atomic
def topic_from_order(
    *, actor, order: WorkOrder, source: str = TopicSource.REFERRED, series=None
) -> Topic:
    """A topic from a work order (referred, overdue or reopened) in ``series`` (by default
    the compound's). One open topic per order: asking again returns the one there is."""
    existing = order.meeting_topics.filter(status=TopicStatus.OPEN).first()
    if existing is not None:
        return existing
    series = series or series_of_compound(order.place)
    if series is None:
        raise ConflictError(_("This compound holds no deliberation meeting yet."), code="no_series")
    check_perm(actor, "meetings.add_order_topic", series, message=NOT_ORGANISER)
    return _topic_new(
        actor=actor,
        series=series,
        title=order.title,
        description=order.description,
        source=source,
        orders=[order],
    )


def topic_from_referral(event) -> None:
    """Hook on the work-order step "referred to the meeting": the order becomes a topic of
    its compound's series (when the compound has one). The system puts it there: the
    worker who referred it need not be one of the meeting's organisers."""
    order = event.order
    if series_of_compound(order.place) is not None:
        topic_from_order(actor=SYSTEM, order=order, source=TopicSource.REFERRED)


@transaction.atomic
def proposal_create(
    *, actor, place: Place, title: str, description: str = "", now=None, request=None
) -> Topic:
    """A resident proposes a topic for their compound's next meeting whose proposals are
    still open; neighbours can support it until then."""
    series = series_of_compound(place)
    refusal = _("You can propose topics only for the compound you live in.")
    if series is None:
        raise ForbiddenError(refusal, code="forbidden")
    check_perm(actor, "meetings.propose", series, message=refusal)
    meeting = proposal_meeting(series=series, now=now)
    if meeting is None:
        raise ConflictError(_("No meeting is planned to take proposals."), code="no_meeting")
    topic = _topic_new(
        actor=actor,
        series=series,
        title=title,
        description=description,
        source=TopicSource.PROPOSAL,
        proposer=actor,
        proposed_for=meeting,
    )
    return topic


@transaction.atomic
def proposal_support(*, actor, topic: Topic, now=None) -> Topic:
    """One resident, one support; only neighbours of the compound; only until the
    meeting's proposals close."""
    now = now or timezone.now()
    topic = Topic.objects.select_for_update().select_related("series", "place").get(pk=topic.pk)
    if topic.source != TopicSource.PROPOSAL:
        raise ConflictError(_("Only residents' proposals collect support."), code="not_proposal")
    if topic.proposer_id == actor.pk:
        raise ConflictError(_("You made this proposal; it already counts you."), code="own")
    check_perm(
        actor,
        "meetings.support_proposal",
        topic,
        message=_("Only residents of this compound can support its proposals."),
    )
    meeting = topic.proposed_for
    if topic.status != TopicStatus.OPEN or meeting is None or now >= proposals_close_at(meeting):
        raise ConflictError(_("Support for this proposal has closed."), code="closed")
    try:
        with transaction.atomic():
            ProposalSupport.objects.create(topic=topic, user=actor)
    except IntegrityError:
        raise ConflictError(_("You already support this proposal."), code="supported") from None
    topic.support_count = F("support_count") + 1
    topic.save(update_fields=["support_count"])
    topic.refresh_from_db(fields=["support_count"])
    TOPIC.record(obj=topic, kind=TopicEventKind.SUPPORTED, actor=actor)
    return topic


# -- the agenda -----------------------------------------------------------------------------


def topic_waiting_on(topic: Topic) -> Meeting | None:
    """The meeting on whose agenda the topic waits for an outcome, if any."""
    item = (
        AgendaItem.objects.filter(topic=topic, outcome=Outcome.PENDING)
        .select_related("meeting")
        .first()
    )
    return item.meeting if item is not None else None


def _check_agenda_editable(meeting: Meeting) -> None:
    if meeting.status not in AGENDA_EDITABLE:
        raise ConflictError(
            _("The agenda of a meeting that is %(status)s cannot change.")
            % {"status": meeting.get_status_display()},
            code="agenda_closed",
        )


@transaction.atomic
def agenda_add(*, actor, meeting: Meeting, topic: Topic, carried: bool = False) -> AgendaItem:
    _check_manage(actor, meeting)
    meeting = _locked_meeting(meeting)
    _check_agenda_editable(meeting)
    if topic.series_id != meeting.series_id:
        raise ValidationError({"topic": _("This topic belongs to another compound's meeting.")})
    # The topic's row is locked too, so that two meetings cannot take it at the same moment.
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.status != TopicStatus.OPEN:
        raise ConflictError(_("This topic is already settled."), code="settled")
    if meeting.items.filter(topic=topic).exists():
        raise ConflictError(_("This topic is already on the agenda."), code="on_agenda")
    elsewhere = topic_waiting_on(topic)
    if elsewhere is not None:
        local = timezone.localtime(elsewhere.start)
        raise ConflictError(
            _(
                "This topic is already on the agenda of %(meeting)s on %(day)s. Take it off "
                "there first, or carry it from there to this meeting."
            )
            % {"meeting": elsewhere.title, "day": local.date().isoformat()},
            code="on_other_agenda",
        )
    top = meeting.items.aggregate(top=Max("position"))["top"]
    item = AgendaItem(meeting=meeting, topic=topic, position=(top or 0) + 1, carried=carried)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_add_order(*, actor, meeting: Meeting, order: WorkOrder, source: str) -> AgendaItem:
    """Put a suggested order (overdue, reopened, referred) on the agenda as a topic."""
    _check_manage(actor, meeting)
    if order.place.path[: len(meeting.place.path)] != meeting.place.path:
        raise ValidationError({"order": _("This order is not from this compound.")})
    topic = topic_from_order(actor=actor, order=order, source=source, series=meeting.series)
    return agenda_add(actor=actor, meeting=meeting, topic=topic)


@transaction.atomic
def agenda_remove(*, actor, item: AgendaItem) -> None:
    _check_manage(actor, item.meeting)
    meeting = _locked_meeting(item.meeting)
    _check_agenda_editable(meeting)
    if item.decisions.exists():
        raise ConflictError(_("A topic with a decision stays on the agenda."), code="decided")
    item.delete()
    _renumber(meeting)


@transaction.atomic
def agenda_move(*, actor, item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) the agenda."""
    _check_manage(actor, item.meeting)
    meeting = _locked_meeting(item.meeting)
    _check_agenda_editable(meeting)
    items = list(meeting.items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    _renumber(meeting, items)


def _renumber(meeting: Meeting, items=None) -> None:
    items = items if items is not None else list(meeting.items.order_by("position", "id"))
    for position, item in enumerate(items, start=1):
        item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


def _notify_participants_later(meeting: Meeting, actor) -> None:
    from .tasks import notify_agenda_task

    user = user_or_none(actor)
    actor_id = user.pk if user is not None else None
    transaction.on_commit(lambda: notify_agenda_task.enqueue(meeting.pk, actor_id))


@transaction.atomic
def meeting_publish_agenda(*, actor, meeting: Meeting, request=None) -> Meeting:
    """Send the agenda to the standing participants, with each topic's background."""
    _check_manage(actor, meeting)
    meeting = MEETING.take(
        "publish_agenda", actor=actor, obj=meeting, agenda_published_at=timezone.now()
    )
    audit_record(actor=actor, action="meetings.agenda.publish", obj=meeting, request=request)
    _notify_participants_later(meeting, actor)
    return meeting


# -- the record -----------------------------------------------------------------------------


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, now=None, request=None) -> Meeting:
    """Open the record on the day of the meeting: attendance starts with every standing
    participant marked absent until the secretary marks them."""
    _check_manage(actor, meeting)
    now = now or timezone.now()
    meeting = MEETING.take("hold", actor=actor, obj=meeting, context={"now": now}, held_at=now)
    _check_in_hall(meeting, now)
    participants = meeting.series.participants.filter(left_at__isnull=True).select_related(
        "user", "organisation"
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                participant=p,
                name=p.display_name,
                role=p.role,
                status=AttendanceStatus.ABSENT,
            )
            for p in participants
        ]
    )
    audit_record(actor=actor, action="meetings.meeting.hold", obj=meeting, request=request)
    return meeting


@transaction.atomic
def attendance_mark(
    *, actor, meeting: Meeting, marks: dict[int, tuple[str, str]], guests=()
) -> Meeting:
    """Mark attendance: ``marks`` maps attendance row ids to (status, proxy name); guests
    are (name, role) of people present who are not standing participants."""
    _check_manage(actor, meeting)
    meeting = _locked_meeting(meeting)
    _check_record_open(meeting)
    rows = {row.pk: row for row in meeting.attendance.all()}
    errors = []
    for pk, (status, proxy_name) in marks.items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError({"attendance": _("Unknown attendance row.")})
        if status not in AttendanceStatus.values:
            errors.append(_("Choose present, absent or proxy for %(name)s.") % {"name": row.name})
            continue
        if status == AttendanceStatus.PROXY and not proxy_name.strip():
            errors.append(_("Name the proxy of %(name)s.") % {"name": row.name})
            continue
        row.status = status
        row.proxy_name = proxy_name.strip()[:100] if status == AttendanceStatus.PROXY else ""
    if errors:
        raise ValidationError({"attendance": errors})
    Attendance.objects.bulk_update(list(rows.values()), ["status", "proxy_name"])
    for name, role in guests:
        if name.strip():
            Attendance.objects.create(
                meeting=meeting,
                name=name.strip()[:100],
                role=role.strip()[:100],
                status=AttendanceStatus.PRESENT,
            )
    return meeting


def quorum(meeting: Meeting) -> dict:
    """Standing participants present or represented, and how many the series needs."""
    rows = list(meeting.attendance.all())
    standing = [row for row in rows if row.participant_id is not None]
    represented = sum(
        row.status in (AttendanceStatus.PRESENT, AttendanceStatus.PROXY) for row in standing
    )
    voters = sum(row.status in (AttendanceStatus.PRESENT, AttendanceStatus.PROXY) for row in rows)
    needed = math.ceil(len(standing) * meeting.series.quorum_percent / 100)
    return {
        "standing": len(standing),
        "represented": represented,
        "needed": needed,
        "voters": voters,
        "met": len(standing) > 0 and represented >= needed,
    }


def vote_passes(*, rule: str, votes_for: int, votes_against: int, voters: int) -> bool:
    if rule == PassRule.ABSOLUTE:
        return votes_for * 2 > voters
    if rule == PassRule.TWO_THIRDS:
        return votes_for * 3 >= voters * 2
    return votes_for > votes_against


@transaction.atomic
def item_save_notes(*, actor, item: AgendaItem, notes: str) -> AgendaItem:
    _check_manage(actor, item.meeting)
    _check_record_open(_locked_meeting(item.meeting))
    item.notes = notes.strip()
    item.save(update_fields=["notes"])
    return item


def _item_locked(item: AgendaItem) -> AgendaItem:
    return (
        AgendaItem.objects.select_for_update()
        .select_related("meeting__series", "meeting__place", "topic")
        .get(pk=item.pk)
    )


@transaction.atomic
def decision_record(
    *,
    actor,
    item: AgendaItem,
    text: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    responsible_organisation: Organisation | None = None,
    responsible_user=None,
    due_date: date | None = None,
    new_order: dict | None = None,
    link_orders=(),
    request=None,
) -> Decision:
    """Record a decision on an agenda item. With a vote, the series' quorum and pass rule
    apply; a vote that fails is recorded as not adopted and creates no work. A decision may
    create a work order (``new_order``: category, place, title, description — filed from
    the meeting, accepted and dispatched to the responsible organisation) or link orders."""
    _check_manage(actor, item.meeting)
    meeting = _locked_meeting(item.meeting)
    _check_record_open(meeting)
    item = _item_locked(item)
    if item.outcome in (Outcome.CARRIED, Outcome.DROPPED):
        raise ConflictError(
            _("This topic was %(outcome)s; it takes no decision here.")
            % {"outcome": item.get_outcome_display()},
            code="settled",
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write down what was decided.")})
    votes = [votes_for, votes_against, votes_abstain]
    result = VoteResult.NONE
    if any(v is not None for v in votes):
        if any(v is None or v < 0 for v in votes):
            raise ValidationError(
                {"votes_for": _("Give the votes for, against and abstaining (0 where none).")}
            )
        count = quorum(meeting)
        if not count["met"]:
            raise ConflictError(
                _(
                    "No quorum: %(represented)s of %(standing)s standing participants present "
                    "or represented, %(needed)s needed. Record attendance first."
                )
                % count,
                code="no_quorum",
            )
        if sum(votes) > count["voters"]:
            raise ValidationError(
                {
                    "votes_for": _("%(votes)s votes, but only %(voters)s people present.")
                    % {"votes": sum(votes), "voters": count["voters"]}
                }
            )
        passed = vote_passes(
            rule=meeting.series.pass_rule,
            votes_for=votes_for,
            votes_against=votes_against,
            voters=count["voters"],
        )
        result = VoteResult.PASSED if passed else VoteResult.FAILED
    orders_to_link = list(link_orders)
    for order in orders_to_link:
        if not order.place.path.startswith(meeting.place.path):
            raise ValidationError({"link_orders": _("Link only orders of this compound.")})
    decision = Decision(
        item=item,
        meeting=meeting,
        topic=item.topic,
        series=meeting.series,
        text=text,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        vote_result=result,
        responsible_organisation=responsible_organisation,
        responsible_user=responsible_user,
        due_date=due_date,
        status=DecisionStatus.NOT_ADOPTED if result == VoteResult.FAILED else DecisionStatus.OPEN,
        created_by=user_or_none(actor),
    )
    validated(decision)
    decision.save()
    if decision.status == DecisionStatus.OPEN:
        if new_order:
            orders_to_link.append(
                _file_order(actor=actor, decision=decision, meeting=meeting, **new_order)
            )
        if orders_to_link:
            decision.orders.add(*orders_to_link)
            item.topic.orders.add(*orders_to_link)
    DECISION.record(
        obj=decision,
        kind=DecisionEventKind.RECORDED,
        actor=actor,
        to_status=decision.status,
        data={"vote": result, "orders": [order.pk for order in orders_to_link]},
    )
    if decision.status == DecisionStatus.OPEN:
        item = ITEM.take(
            "decide", actor=actor, obj=item, is_locked=True, data={"decision": decision.pk}
        )
        # A second decision on the same topic leaves it decided.
        if item.topic.status != TopicStatus.DECIDED:
            TOPIC.take("decide", actor=actor, obj=item.topic)
    audit_record(
        actor=actor,
        action="meetings.decision.record",
        obj=meeting,
        request=request,
        details={"decision": decision.pk, "vote": result},
    )
    return decision


def _file_order(
    *, actor, decision, meeting, category: Category, title: str, description="", place=None
) -> WorkOrder:
    place = place or meeting.place
    if not place.path.startswith(meeting.place.path):
        raise ValidationError({"place": _("The work must be in this compound.")})
    order = order_services.order_file(
        actor=actor,
        category=category,
        place=place,
        title=title,
        description=description or decision.text,
        channel=Channel.MEETING,
        reporter_name=meeting.series.name,
    )
    order = order_services.order_accept(
        actor=actor,
        order=order,
        note=_("Decided at the meeting of %(day)s.")
        % {"day": timezone.localdate(meeting.start).isoformat()},
    )
    organisation = decision.responsible_organisation or category.organisation
    if organisation is not None:
        order = order_services.order_dispatch(actor=actor, order=order, organisation=organisation)
    return order


@transaction.atomic
def decision_link_order(*, actor, decision: Decision, order: WorkOrder) -> Decision:
    _check_manage(actor, decision.meeting)
    if decision.status != DecisionStatus.OPEN:
        raise ConflictError(_("Only a decision in progress takes more work."), code="settled")
    if not order.place.path.startswith(decision.meeting.place.path):
        raise ValidationError({"order": _("Link only orders of this compound.")})
    decision.orders.add(order)
    decision.topic.orders.add(order)
    DECISION.record(
        obj=decision,
        kind=DecisionEventKind.ORDER_LINKED,
        actor=actor,
        data={"order": order.pk, "number": order.number},
    )
    return decision


@transaction.atomic
def item_carry(*, actor, item: AgendaItem, note: str = "") -> AgendaItem:
    """Carry the topic to the next meeting: it goes onto that agenda at once (the parking
    study spans several meetings)."""
    _check_manage(actor, item.meeting)
    meeting = _locked_meeting(item.meeting)
    _check_record_open(meeting)
    item = _item_locked(item)
    if item.outcome != Outcome.PENDING:
        raise ConflictError(_("This topic already has an outcome."), code="settled")
    following = next_meeting(series=meeting.series, after=meeting.start)
    if following is None:
        raise ConflictError(
            _("Plan the next meeting first; the topic will be carried to it."), code="no_meeting"
        )

    def change(item):
        if note.strip():
            item.notes = "\n".join(filter(None, [item.notes, note.strip()]))

    item = ITEM.take(
        "carry",
        actor=actor,
        obj=item,
        is_locked=True,
        change=change,
        data={"meeting": following.pk},
    )
    if not following.items.filter(topic=item.topic).exists():
        top = following.items.aggregate(top=Max("position"))["top"]
        AgendaItem.objects.create(
            meeting=following, topic=item.topic, position=(top or 0) + 1, carried=True
        )
    return item


@transaction.atomic
def item_drop(*, actor, item: AgendaItem, reason: str) -> AgendaItem:
    """Close a topic without a decision; the reason is published with the minutes."""
    _check_manage(actor, item.meeting)
    meeting = _locked_meeting(item.meeting)
    _check_record_open(meeting)
    item = _item_locked(item)
    if item.outcome != Outcome.PENDING:
        raise ConflictError(_("This topic already has an outcome."), code="settled")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the topic is dropped; residents see it.")})
    item = ITEM.take(
        "drop",
        actor=actor,
        obj=item,
        is_locked=True,
        note=reason.strip(),
        outcome_note=reason.strip(),
    )
    if item.topic.status != TopicStatus.DROPPED:
        TOPIC.take("drop", actor=actor, obj=item.topic, note=reason.strip())
    return item


# -- follow-up ------------------------------------------------------------------------------


def _order_done(order: WorkOrder) -> bool:
    if order.status == Status.CLOSED:
        return True
    return (
        order.status == Status.MERGED
        and order.merged_into is not None
        and order.merged_into.status == Status.CLOSED
    )


@transaction.atomic
def decision_mark_done(*, actor, decision: Decision, meeting: Meeting, note: str) -> Decision:
    """A later meeting marks a decision done (work that needed no order, or was done
    otherwise), with a note of how."""
    _check_manage(actor, meeting)
    meeting = _locked_meeting(meeting)
    _check_record_open(meeting)
    decision = DECISION.locked(decision)
    if decision.series_id != meeting.series_id or decision.meeting.start >= meeting.start:
        raise ValidationError({"decision": _("Only a later meeting checks a decision.")})
    if decision.status != DecisionStatus.OPEN:
        raise ConflictError(_("This decision is not in progress."), code="settled")
    if not note.strip():
        raise ValidationError({"note": _("Say how the decision was carried out.")})
    decision = DECISION.take(
        "mark_done",
        actor=actor,
        obj=decision,
        is_locked=True,
        note=note.strip(),
        data={"meeting": meeting.pk},
        done_at=timezone.now(),
        done_note=note.strip(),
        done_by=user_or_none(actor),
        done_meeting=meeting,
    )
    audit_record(
        actor=actor,
        action="meetings.decision.done",
        obj=meeting,
        details={"decision": decision.pk},
    )
    return decision


@transaction.atomic
def decision_complete(*, actor, decision: Decision) -> Decision:
    """The system marks a decision done when every linked work order is closed."""
    decision = DECISION.locked(decision)
    orders = list(decision.orders.all())
    closed = [o.closed_at for o in orders if o.closed_at] or [timezone.now()]
    return DECISION.take(
        "complete",
        actor=actor,
        obj=decision,
        is_locked=True,
        data={"orders": sorted(o.pk for o in orders)},
        done_at=max(closed),
        done_note=_("All linked work orders are closed."),
    )


def decisions_refresh(*, actor, order_ids=None) -> int:
    """Mark done the decisions in progress whose linked work is all closed. Runs when an
    order closes (a hook inside that step) and hourly as a safety net; the system takes
    the step."""
    decisions = Decision.objects.filter(status=DecisionStatus.OPEN, orders__isnull=False)
    if order_ids is not None:
        decisions = decisions.filter(orders__in=order_ids)
    done = 0
    for decision in decisions.distinct().prefetch_related("orders__merged_into"):
        if all(_order_done(o) for o in decision.orders.all()):
            try:
                decision_complete(actor=actor, decision=decision)
            except ConflictError:  # done meanwhile
                continue
            done += 1
    return done


def decisions_refresh_for_event(event) -> None:
    """Hook on closing (and merging) steps of work orders."""
    order_ids = [event.order_id]
    if event.order.merged_into_id:
        order_ids.append(event.order.merged_into_id)
    order_ids += list(event.order.merged_orders.values_list("pk", flat=True))
    decisions_refresh(actor=SYSTEM, order_ids=order_ids)


# -- publication ----------------------------------------------------------------------------


@transaction.atomic
def meeting_publish_minutes(
    *, actor, meeting: Meeting, summary: str = "", now=None, request=None
) -> Meeting:
    """Publish the minutes once the meeting has begun: every topic needs an outcome; the
    follow-up of earlier decisions is kept as it stood; a notice (公示) goes to the
    compound's residents."""
    from .selectors import follow_ups

    _check_manage(actor, meeting)
    now = now or timezone.now()
    checked = []

    def change(meeting):
        # The follow-up is kept as it stood when the minutes went out.
        checked.extend(follow_ups(meeting))
        DecisionReview.objects.bulk_create(
            [
                DecisionReview(
                    meeting=meeting,
                    decision=d,
                    status=d.status,
                    note=d.done_note if d.status == DecisionStatus.DONE else "",
                    orders=[
                        {"id": o.pk, "number": o.number, "title": o.title, "status": o.status}
                        for o in d.orders.all()
                    ],
                )
                for d in checked
            ]
        )
        meeting.published_at = now
        meeting.summary = summary.strip() or meeting.summary

    meeting = MEETING.take(
        "publish_minutes", actor=actor, obj=meeting, change=change, context={"now": now}
    )
    notice_publish(
        actor=actor,
        place=meeting.place,
        kind="meetings.minutes",
        title=_("%(name)s of %(day)s: decisions")
        % {"name": meeting.title, "day": timezone.localdate(meeting.start).isoformat()},
        body=_minutes_text(meeting, checked),
        url=reverse("meetings:meeting-detail", args=[meeting.pk]),
    )
    audit_record(actor=actor, action="meetings.minutes.publish", obj=meeting, request=request)
    return meeting


def _minutes_text(meeting: Meeting, checked) -> str:
    lines = [meeting.summary] if meeting.summary else []
    for item in meeting.items.select_related("topic").prefetch_related("decisions"):
        for decision in item.decisions.all():
            lines.append(
                _("%(topic)s — %(decision)s (%(status)s)")
                % {
                    "topic": item.topic.title,
                    "decision": decision.text,
                    "status": decision.get_status_display(),
                }
            )
        if item.outcome == Outcome.CARRIED:
            lines.append(_("%(topic)s — carried to the next meeting") % {"topic": item.topic.title})
        if item.outcome == Outcome.DROPPED:
            lines.append(
                _("%(topic)s — dropped: %(reason)s")
                % {"topic": item.topic.title, "reason": item.outcome_note}
            )
    for decision in checked:
        lines.append(
            _("Follow-up: %(decision)s — %(status)s")
            % {"decision": decision.text, "status": decision.get_status_display()}
        )
    return "\n".join(lines)


def meeting_take_step(
    *, actor, meeting: Meeting, step: str, reason="", summary="", now=None, request=None
):
    if step == "publish_agenda":
        return meeting_publish_agenda(actor=actor, meeting=meeting, request=request)
    if step == "hold":
        return meeting_hold(actor=actor, meeting=meeting, now=now, request=request)
    if step == "publish_minutes":
        return meeting_publish_minutes(
            actor=actor, meeting=meeting, summary=summary, now=now, request=request
        )
    if step == "cancel":
        return meeting_cancel(actor=actor, meeting=meeting, reason=reason)
    raise LinliError(_("Unknown step."), code="unknown_step")
