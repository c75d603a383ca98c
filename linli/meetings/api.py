"""/api/v1/meetings: the deliberation meetings a user may see with their agenda, decisions and
follow-up, residents' proposals, and the organisers' steps, under the same permissions as
the pages (residents get published decisions, never the private notes)."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, model_validator

from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    Id,
    InputSchema,
    PlaceRef,
    Text,
)
from linli.places import selectors as place_selectors
from linli.places.models import Place
from linli.workorders import selectors as order_selectors
from linli.workorders.models import Status as OrderStatus

from . import selectors, services
from .models import (
    AgendaItem,
    Decision,
    DecisionReview,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    Topic,
    TopicSource,
    TopicStatus,
    VoteResult,
)

router = Router(tags=["deliberation meeting"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}


# -- output ---------------------------------------------------------------------------------


class SeriesRef(Schema):
    id: int
    name: str
    place: PlaceRef = Field(..., description="The compound")


class MeetingOut(Schema):
    id: int
    series: SeriesRef
    title: str
    start: datetime = Field(..., description="Local time with its UTC offset")
    end: datetime
    room: str
    status: MeetingStatus
    extra: bool = Field(..., description="An extra meeting besides the regular ones")

    @staticmethod
    def resolve_series(meeting):
        # A meeting's place is its series' compound: no join per row for the series' place.
        return {
            "id": meeting.series_id,
            "name": meeting.series.name,
            "place": {"id": meeting.place_id, "name": meeting.place.name},
        }

    @staticmethod
    def resolve_start(meeting):
        return timezone.localtime(meeting.start)

    @staticmethod
    def resolve_end(meeting):
        return timezone.localtime(meeting.end)

    @staticmethod
    def resolve_room(meeting):
        return meeting.venue


class OrderRef(Schema):
    id: int
    number: str
    title: str
    status: OrderStatus


class OrderNumber(Schema):
    id: int
    number: str


class FollowUpOrder(Schema):
    id: int | None
    number: str
    status: str


class TopicRef(Schema):
    id: int
    title: str
    source: TopicSource
    status: TopicStatus


class DecisionOut(Schema):
    id: int
    item: int
    topic: int
    text: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    vote_result: VoteResult
    status: DecisionStatus
    responsible_organisation: str | None
    due_date: date | None
    orders: list[OrderNumber]
    done_note: str


class AgendaItemOut(Schema):
    id: int
    position: int
    topic: TopicRef
    outcome: Outcome
    outcome_note: str
    carried: bool
    notes: str | None = Field(..., description="Only for the meeting's participants")
    orders: list[OrderRef] | None = Field(..., description="Only for the meeting's participants")
    decisions: list[DecisionOut]


class FollowUpOut(Schema):
    decision: int
    text: str
    topic: str
    meeting: int = Field(..., description="The meeting that took the decision")
    meeting_date: date
    status: DecisionStatus
    orders: list[FollowUpOrder]
    note: str


class MeetingDetailOut(MeetingOut):
    cancelled_reason: str
    summary: str = Field(..., description="Published with the minutes")
    agenda: list[AgendaItemOut] = Field(..., alias="agenda_list")
    decisions: list[DecisionOut] = Field(..., alias="decision_list")
    follow_ups: list[FollowUpOut] = Field(
        ...,
        alias="follow_up_list",
        description="Earlier decisions checked at this meeting (as they stood when the "
        "minutes were published, once they are)",
    )

    @staticmethod
    def resolve_summary(meeting):
        return meeting.summary if meeting.decisions_visible else ""


class ProposalOut(Schema):
    id: int
    title: str
    description: str
    place: PlaceRef
    meeting: int | None = Field(None, alias="proposed_for_id", description="Proposed for")
    closes_at: datetime | None = Field(None, description="Support closes")
    support_count: int
    supported: bool = Field(..., description="You support it")
    mine: bool = Field(..., description="You proposed it")
    status: TopicStatus

    @staticmethod
    def resolve_closes_at(topic):
        if topic.proposed_for is None:
            return None
        return timezone.localtime(services.proposals_close_at(topic.proposed_for))

    @staticmethod
    def resolve_mine(topic, context):
        return topic.proposer_id is not None and topic.proposer_id == context["request"].user.pk


def _decision(decision: Decision) -> dict:
    organisation = decision.responsible_organisation
    return {
        "id": decision.pk,
        "item": decision.item_id,
        "topic": decision.topic_id,
        "text": decision.text,
        "votes_for": decision.votes_for,
        "votes_against": decision.votes_against,
        "votes_abstain": decision.votes_abstain,
        "vote_result": decision.vote_result,
        "status": decision.status,
        "responsible_organisation": organisation.name if organisation else None,
        "due_date": decision.due_date,
        "orders": [{"id": o.pk, "number": o.number} for o in decision.orders.all()],
        "done_note": decision.done_note,
    }


def _item(item: AgendaItem, *, record: bool, decisions: bool) -> dict:
    topic = item.topic
    return {
        "id": item.pk,
        "position": item.position,
        "topic": {
            "id": topic.pk,
            "title": topic.title,
            "source": topic.source,
            "status": topic.status,
        },
        "outcome": item.outcome,
        "outcome_note": item.outcome_note,
        "carried": item.carried,
        "notes": item.notes if record else None,
        "orders": [
            {"id": o.pk, "number": o.number, "title": o.title, "status": o.status}
            for o in topic.orders.all()
        ]
        if record
        else None,
        "decisions": [_decision(d) for d in item.decisions.all()] if decisions else [],
    }


def _follow_up(decision: Decision) -> dict:
    return {
        "decision": decision.pk,
        "text": decision.text,
        "topic": decision.topic.title,
        "meeting": decision.meeting_id,
        "meeting_date": timezone.localdate(decision.meeting.start),
        "status": decision.status,
        "orders": [
            {"id": o.pk, "number": o.number, "status": o.status} for o in decision.orders.all()
        ],
        "note": decision.done_note if decision.status == DecisionStatus.DONE else "",
    }


def _review(review: DecisionReview) -> dict:
    decision = review.decision
    return {
        "decision": decision.pk,
        "text": decision.text,
        "topic": decision.topic.title,
        "meeting": decision.meeting_id,
        "meeting_date": timezone.localdate(decision.meeting.start),
        "status": review.status,
        "orders": [
            {"id": o.get("id"), "number": str(o.get("number", "")), "status": o.get("status", "")}
            for o in review.orders
            if isinstance(o, dict)
        ],
        "note": review.note,
    }


def _detail(request, meeting: Meeting) -> Meeting:
    """The meeting with what this user may see of it attached."""
    user = request.user
    record = user.has_perm("meetings.view_record", meeting)
    show_agenda = selectors.may_see_agenda(user, meeting)
    show_decisions = selectors.may_see_decisions(user, meeting)
    items = selectors.agenda(meeting) if show_agenda else []
    meeting.agenda_list = [_item(i, record=record, decisions=show_decisions) for i in items]
    meeting.decision_list = [d for item in meeting.agenda_list for d in item["decisions"]]
    meeting.decisions_visible = show_decisions
    if not show_decisions:
        meeting.follow_up_list = []
    elif meeting.status == MeetingStatus.PUBLISHED:
        meeting.follow_up_list = [_review(r) for r in selectors.reviews(meeting)]
    else:
        meeting.follow_up_list = [_follow_up(d) for d in selectors.follow_ups(meeting)]
    return meeting


def _within(queryset, place_id: int | None):
    """Narrowed to a place's subtree as the other lists are: an unknown place (or one outside
    the user's scope, whose rows the scope already hides) leaves nothing."""
    if place_id is None:
        return queryset
    return place_selectors.within_place(queryset, place_id, "place__path")


# -- input ----------------------------------------------------------------------------------


class MeetingFilters(Schema):
    place: Id | None = Field(None, description="Meetings anywhere in this subtree")
    status: MeetingStatus | None = None
    upcoming: bool | None = Field(
        None, description="true: not yet over, soonest first; false: past, latest first"
    )


class ProposalFilters(Schema):
    place: Id | None = Field(None, description="Proposals anywhere in this subtree")
    open: bool = Field(False, description="Only proposals not yet decided or dropped")


class ProposalIn(InputSchema):
    place: Id = Field(..., description="Your compound, or any place inside it")
    title: Text(120, 1)
    description: Text(5000) = ""


class MeetingStepIn(InputSchema):
    step: Literal["publish_agenda", "hold", "publish_minutes", "cancel"]
    reason: Text(200) = Field("", description="cancel: why")
    summary: Text(5000) = Field("", description="publish_minutes: the summary for residents")


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


class AgendaIn(InputSchema):
    """Either a topic or a work order: exactly one of the two."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    topic: Id = Field(
        None, description="An open topic of the series", json_schema_extra=_no_default
    )
    order: Id = Field(
        None,
        description="A work order of the compound (overdue, reopened or referred)",
        json_schema_extra=_no_default,
    )

    @model_validator(mode="after")
    def _one_of_them(self):
        if (self.topic is None) == (self.order is None):
            raise ValueError(_("Give either a topic or a work order."))
        return self


class NewOrderIn(InputSchema):
    category: Id | Text(50, 1) = Field(..., description="Category id or code")
    title: Text(120, 1)
    description: Text(5000) = Field("", description="The decision's text when empty")
    place: Id | None = Field(None, description="In the compound; the compound when omitted")


class DecisionIn(InputSchema):
    text: Text(5000, 1)
    votes_for: int | None = Field(None, ge=0, le=10000)
    votes_against: int | None = Field(None, ge=0, le=10000)
    votes_abstain: int | None = Field(None, ge=0, le=10000)
    responsible_organisation: Id | None = None
    due_date: date | None = None
    new_order: NewOrderIn | None = Field(None, description="A work order the decision creates")
    link_orders: list[Id] = Field([], max_length=20, description="Existing orders it covers")


# -- proposals (before /{meeting_id}, which would take the word as an id) -------------------


def _proposal(request, pk: int) -> Topic:
    return selectors.proposal_get(user=request.user, pk=pk)


@router.get(
    "/proposals",
    response={200: list[ProposalOut], **LIST_ERRORS},
    summary="Residents' proposals you may see",
)
@paginate(Pagination)
def proposals_list(request: HttpRequest, filters: Query[ProposalFilters]):
    proposals = selectors.proposal_list(user=request.user, open_only=filters.open)
    return _within(proposals, filters.place)


@router.post("/proposals", response={201: ProposalOut, **STEP_ERRORS}, summary="Propose a topic")
def proposals_create(request: HttpRequest, payload: ProposalIn):
    place = _proposal_place(request, payload.place)
    topic = services.proposal_create(
        actor=request.user,
        place=place,
        title=payload.title,
        description=payload.description,
        request=request,
    )
    return Status(201, _proposal(request, topic.pk))


def _proposal_place(request, pk: int) -> Place:
    """The place a proposal is made for: one the user may see or report at (a resident:
    anywhere in their compound); any other answers as missing."""
    try:
        return order_selectors.filing_place_get(user=request.user, pk=pk)
    except Http404:
        return place_selectors.place_get(user=request.user, pk=pk)


@router.post(
    "/proposals/{proposal_id}/support",
    response={200: ProposalOut, **ACTION_STEP_ERRORS},
    summary="Support a neighbour's proposal",
)
def proposals_support(request: HttpRequest, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    topic = _proposal(request, proposal_id)
    services.proposal_support(actor=request.user, topic=topic)
    return _proposal(request, proposal_id)


# -- meetings -------------------------------------------------------------------------------


@router.get("", response={200: list[MeetingOut], **LIST_ERRORS}, summary="Meetings you may see")
@paginate(Pagination)
def meetings_list(request: HttpRequest, filters: Query[MeetingFilters]):
    meetings = selectors.meeting_list(
        user=request.user, status=filters.status, upcoming=filters.upcoming
    )
    return _within(meetings, filters.place)


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, **READ_ERRORS},
    summary="One meeting with its agenda, decisions and follow-up",
)
def meetings_get(request: HttpRequest, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    return _detail(request, selectors.meeting_get(user=request.user, pk=meeting_id))


@router.post(
    "/{meeting_id}/steps",
    response={200: MeetingDetailOut, **STEP_ERRORS},
    summary="Send the agenda, open the record, publish the minutes or cancel",
)
def meetings_step(
    request: HttpRequest, payload: MeetingStepIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)
):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    services.meeting_take_step(
        actor=request.user,
        meeting=meeting,
        step=payload.step,
        reason=payload.reason,
        summary=payload.summary,
        request=request,
    )
    return _detail(request, selectors.meeting_get(user=request.user, pk=meeting_id))


@router.post(
    "/{meeting_id}/agenda",
    response={201: AgendaItemOut, **STEP_ERRORS},
    summary="Put a topic or a work order on the agenda",
)
def meetings_agenda_add(
    request: HttpRequest, payload: AgendaIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)
):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    if payload.topic is not None:
        topic = selectors.topic_get(user=request.user, pk=payload.topic)
        item = services.agenda_add(actor=request.user, meeting=meeting, topic=topic)
    else:
        order = order_selectors.order_get(user=request.user, pk=payload.order)
        item = services.agenda_add_order(
            actor=request.user,
            meeting=meeting,
            order=order,
            source=selectors.order_topic_source(order),
        )
    return Status(201, _agenda_item(request, meeting, item.pk))


def _agenda_item(request, meeting: Meeting, item_id: int) -> dict:
    item = _find_item(meeting, item_id)
    return _item(
        item,
        record=request.user.has_perm("meetings.view_record", meeting),
        decisions=selectors.may_see_decisions(request.user, meeting),
    )


def _find_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in selectors.agenda(meeting) if i.pk == item_id), None)
    if item is None:
        raise Http404("Not found.")
    return item


def _category(value: int | str):
    if isinstance(value, int):
        category = order_selectors.category_choices().filter(pk=value).first()
        if category is None:
            raise ValidationError({"category": _("There is no such category.")})
        return category
    return order_selectors.category_by_code(value)


@router.post(
    "/{meeting_id}/agenda/{item_id}/decisions",
    response={201: DecisionOut, **STEP_ERRORS},
    summary="Record a decision on an agenda item",
)
def meetings_decision_record(
    request: HttpRequest,
    payload: DecisionIn,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    item_id: int = Path(..., ge=1, le=MAX_ID),
):
    user = request.user
    meeting = selectors.meeting_get(user=user, pk=meeting_id)
    item = _find_item(meeting, item_id)
    organisation = (
        place_selectors.organisation_get(user=user, pk=payload.responsible_organisation)
        if payload.responsible_organisation
        else None
    )
    new_order = None
    if payload.new_order is not None:
        spec = payload.new_order
        new_order = {
            "category": _category(spec.category),
            "title": spec.title,
            "description": spec.description,
            "place": place_selectors.place_get(user=user, pk=spec.place) if spec.place else None,
        }
    link_orders = [order_selectors.order_get(user=user, pk=pk) for pk in payload.link_orders]
    decision = services.decision_record(
        actor=user,
        item=item,
        text=payload.text,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        votes_abstain=payload.votes_abstain,
        responsible_organisation=organisation,
        due_date=payload.due_date,
        new_order=new_order,
        link_orders=link_orders,
        request=request,
    )
    return Status(201, _decision(decision))
