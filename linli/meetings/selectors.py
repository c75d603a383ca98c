"""Reads of the deliberation meeting, scoped by who asks: organisers and overseers see
their subtree, participants their series, residents their own compound (its agenda once
sent, its decisions once published, never the private notes)."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import VIEW_MEETINGS
from linli.accounts.scope import resident_compounds, scope_of
from linli.core.access import access_by_id
from linli.places import selectors as place_selectors
from linli.places import tree
from linli.places.models import Organisation, Place
from linli.workorders.models import OPEN_STATUSES, Photo, WorkOrder

from .models import (
    AgendaItem,
    AgendaItemEvent,
    Attendance,
    Decision,
    DecisionEvent,
    DecisionReview,
    DecisionStatus,
    Meeting,
    MeetingEvent,
    MeetingSeries,
    MeetingStatus,
    Outcome,
    Participant,
    ProposalSupport,
    Topic,
    TopicEvent,
    TopicSource,
    TopicStatus,
)


def _visible_q(user, *, series_field: str = "series", place_field: str = "place") -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    condition = scope.q(roles=VIEW_MEETINGS, field=f"{place_field}__path")
    compounds = resident_compounds(user)
    if compounds:
        condition |= Q(**{f"{place_field}__path__in": compounds})
    organisations = sorted(scope.member_organisation_ids)
    participating = Participant.objects.filter(left_at__isnull=True).filter(
        Q(user_id=user.pk) | Q(organisation_id__in=organisations)
    )
    condition |= Q(**{f"{series_field}__in": participating.values("series_id")})
    return condition


def series_list(*, user, place=None):
    series = MeetingSeries.objects.filter(_visible_q(user, series_field="id"))
    if place is not None:
        series = series.filter(tree.subtree_q(place.path, "place__path"))
    return series.select_related("place", "chair").order_by("place__path", "id")


def series_get(*, user, pk) -> MeetingSeries:
    return access_by_id(series_list(user=user), pk=pk, user=user, perm=None)


def meeting_list(*, user, place=None, series=None, upcoming: bool | None = None, status=None):
    meetings = Meeting.objects.filter(_visible_q(user))
    if place is not None:
        meetings = meetings.filter(tree.subtree_q(place.path, "place__path"))
    if series is not None:
        meetings = meetings.filter(series=series)
    if status:
        meetings = meetings.filter(status=status)
    now = timezone.now()
    if upcoming is True:
        meetings = meetings.filter(end__gte=now).order_by("start", "id")
    elif upcoming is False:
        meetings = meetings.filter(end__lt=now).order_by("-start", "-id")
    else:
        meetings = meetings.order_by("-start", "-id")
    return meetings.select_related("series", "place")


def meeting_get(*, user, pk) -> Meeting:
    return access_by_id(meeting_list(user=user), pk=pk, user=user, perm="meetings.view_meeting")


def may_see_agenda(user, meeting: Meeting) -> bool:
    """Residents see the agenda once it is sent; the record's viewers always."""
    if user.has_perm("meetings.view_record", meeting):
        return True
    return meeting.status in (
        MeetingStatus.AGENDA_PUBLISHED,
        MeetingStatus.HELD,
        MeetingStatus.PUBLISHED,
    )


def may_see_decisions(user, meeting: Meeting) -> bool:
    if user.has_perm("meetings.view_record", meeting):
        return True
    return meeting.status == MeetingStatus.PUBLISHED


def _orders_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}orders",
        queryset=WorkOrder.objects.select_related("category", "place", "organisation").order_by(
            "created_at", "id"
        ),
    )


def agenda(meeting: Meeting) -> list[AgendaItem]:
    """The agenda with each topic's linked orders and decisions (and their orders): a fixed
    number of queries whatever its length."""
    decisions = Decision.objects.select_related(
        "responsible_organisation", "responsible_user"
    ).prefetch_related(_orders_prefetch())
    return list(
        meeting.items.select_related("topic", "topic__proposer")
        .prefetch_related(
            _orders_prefetch("topic__"),
            "topic__orders__photos",
            Prefetch("decisions", queryset=decisions),
        )
        .order_by("position", "id")
    )


def follow_ups(meeting: Meeting) -> list[Decision]:
    """Earlier decisions of the series to check at this meeting: those still in progress,
    and those done since they were last reported — until a meeting has reported them done."""
    reported_done = DecisionReview.objects.filter(
        decision=OuterRef("pk"),
        status=DecisionStatus.DONE,
        meeting__start__lt=meeting.start,
    )
    return list(
        Decision.objects.filter(series=meeting.series, meeting__start__lt=meeting.start)
        .exclude(status=DecisionStatus.NOT_ADOPTED)
        .exclude(Exists(reported_done))
        .select_related("meeting", "topic", "responsible_organisation", "responsible_user")
        .prefetch_related(_orders_prefetch())
        .order_by("meeting__start", "id")
    )


def reviews(meeting: Meeting) -> list[DecisionReview]:
    """The follow-up as it stood when the meeting's minutes were published."""
    return list(
        meeting.reviews.select_related("decision__meeting", "decision__topic").order_by("id")
    )


def topic_suggestions(meeting: Meeting) -> dict:
    """What the chair may put on the agenda: open topics of the series not on it yet nor
    waiting on another meeting's (referred orders, residents' proposals with their support,
    the chair's own), and the compound's orders that are referred, overdue or reopened and
    not yet taken up."""
    on_agenda = meeting.items.values("topic_id")
    waiting = AgendaItem.objects.filter(topic=OuterRef("pk"), outcome=Outcome.PENDING)
    topics = (
        Topic.objects.filter(series=meeting.series, status=TopicStatus.OPEN)
        .exclude(pk__in=on_agenda)
        .exclude(Exists(waiting))
        .select_related("proposer", "proposed_for")
        .prefetch_related("orders")
        .order_by("-support_count", "created_at", "id")
    )
    # An order already taken up (on a topic, or as a decision's work) is followed there.
    with_topic = Topic.objects.filter(orders=OuterRef("pk"))
    in_decision = Decision.objects.filter(orders=OuterRef("pk"))
    orders = (
        WorkOrder.objects.filter(tree.subtree_q(meeting.place.path, "place__path"))
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(overdue=True) | Q(reopen_count__gt=0) | Q(referred_to_meeting=True))
        .exclude(Exists(with_topic))
        .exclude(Exists(in_decision))
        .select_related("category", "place")
        .order_by("due_at", "id")[:50]
    )
    return {"topics": list(topics), "orders": list(orders)}


def order_topic_source(order: WorkOrder) -> str:
    if order.referred_to_meeting:
        return TopicSource.REFERRED
    if order.overdue:
        return TopicSource.OVERDUE
    return TopicSource.REOPENED


def proposal_list(*, user, place=None, open_only: bool = False):
    """Residents' proposals of the compounds the user may see, with whether the user
    supports each (``supported``)."""
    topics = Topic.objects.filter(source=TopicSource.PROPOSAL).filter(_visible_q(user))
    if place is not None:
        topics = topics.filter(tree.subtree_q(place.path, "place__path"))
    if open_only:
        topics = topics.filter(status=TopicStatus.OPEN)
    mine = ProposalSupport.objects.filter(topic=OuterRef("pk"), user_id=user.pk)
    return (
        topics.annotate(supported=Exists(mine))
        .select_related("place", "proposer", "proposed_for__series")
        .order_by("-created_at", "-id")
    )


def proposal_get(*, user, pk) -> Topic:
    return access_by_id(proposal_list(user=user), pk=pk, user=user, perm=None)


def topic_get(*, user, pk) -> Topic:
    topics = Topic.objects.filter(_visible_q(user)).select_related("series", "place")
    return access_by_id(topics, pk=pk, user=user, perm=None)


# -- the people, places and organisations a page offers --------------------------------------

ORDER_PLACE_KINDS = ("compound", "building", "unit")


def is_resident(user) -> bool:
    """Lives in a compound (sees the proposal board's form)."""
    return bool(resident_compounds(user))


def resident_compound_list(user) -> list[Place]:
    """The compounds the user lives in, where they may propose topics."""
    paths = resident_compounds(user)
    return list(Place.objects.filter(path__in=paths, kind="compound").order_by("path"))


def participant_list(*, series: MeetingSeries) -> list[Participant]:
    """The series' standing participants (a series the caller already may see)."""
    return list(
        series.participants.filter(left_at__isnull=True).select_related("user", "organisation")
    )


def participant_get(*, series: MeetingSeries, pk) -> Participant:
    participants = series.participants.filter(left_at__isnull=True)
    return access_by_id(participants, pk=pk, user=None, perm=None)


def participant_users(meeting: Meeting) -> list[User]:
    """The people behind the standing participants: in person, or staff of a participating
    organisation (told of the agenda; responsible people a decision may name)."""
    participants = meeting.series.participants.filter(left_at__isnull=True)
    user_ids = {p.user_id for p in participants if p.user_id}
    organisation_ids = {p.organisation_id for p in participants if p.organisation_id}
    users = User.objects.filter(is_active=True).filter(pk__in=user_ids) | User.objects.filter(
        is_active=True, memberships__organisation_id__in=organisation_ids
    )
    return list(users.distinct().order_by("pk"))


def organisation_choices(*, user) -> list[Organisation]:
    """Organisations a participant or a decision's responsible body may be: those in the
    user's scope."""
    return list(place_selectors.organisation_list(user=user))


def order_place_choices(*, user, meeting: Meeting) -> list[Place]:
    """Where work a decision creates may be: the meeting's compound and its buildings and
    units that the user may see."""
    places = place_selectors.place_list(user=user, within=meeting.place_id)
    return list(places.filter(kind__in=ORDER_PLACE_KINDS))


def agenda_item_get(*, meeting: Meeting, pk) -> AgendaItem:
    """One item of a meeting's agenda (a meeting the caller already may see)."""
    item = access_by_id(meeting.items.select_related("topic"), pk=pk, user=None, perm=None)
    item.meeting = meeting
    return item


def attendance_list(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.all())


def agenda_photo_get(*, meeting: Meeting, pk) -> Photo:
    """A photo of an order on the meeting's agenda (a meeting the caller may see)."""
    photos = Photo.objects.filter(order__meeting_topics__agenda_items__meeting=meeting)
    return access_by_id(photos.distinct(), pk=pk, user=None, perm=None)


# -- timelines --------------------------------------------------------------------------------


def meeting_events(meeting: Meeting) -> list[MeetingEvent]:
    return list(meeting.events.select_related("actor").order_by("at", "id"))


def topic_events(topic: Topic) -> list[TopicEvent]:
    return list(topic.events.select_related("actor").order_by("at", "id"))


def agenda_item_events(item: AgendaItem) -> list[AgendaItemEvent]:
    return list(item.events.select_related("actor").order_by("at", "id"))


def decision_events(decision: Decision) -> list[DecisionEvent]:
    return list(decision.events.select_related("actor").order_by("at", "id"))
