"""/api/v1/orders and /api/v1/categories: filing, the queue, the order with its timeline,
and every step of the lifecycle, under the same permissions as the pages."""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    InputSchema,
    Text,
)
from linli.places.names import spoken_name

from . import selectors, services
from .models import AppealKind, Channel, EventKind, Satisfaction
from .models import Status as OrderStatus
from .selectors import photo_list
from .services import photo_add

router = Router(tags=["work orders"])
categories_router = Router(tags=["work orders"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent: int | None = Field(None, alias="parent_id")
    appeal_kind: AppealKind
    urgent: bool
    time_limit_days: int
    organisation: int | None = Field(None, alias="organisation_id")


class OrderOut(Schema):
    id: int
    number: str
    title: str
    description: str
    category: int = Field(..., alias="category_id")
    category_name: str = Field(..., alias="category.name")
    appeal_kind: AppealKind
    channel: Channel
    external_ticket: str
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    place_name: str = Field(
        ..., description='The place as people say it, e.g. "6号楼1单元" (within its compound).'
    )
    status: OrderStatus
    urgent: bool
    overdue: bool
    organisation: int | None = Field(None, alias="organisation_id")
    created_at: datetime
    signed_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: str
    supporter_count: int

    @staticmethod
    def resolve_place_name(order):
        return spoken_name(order.place)


class BoardOrderOut(Schema):
    """An order as its compound's public board shows it to the neighbours: no description,
    nothing about who reported it."""

    id: int
    number: str
    title: str
    category: int = Field(..., alias="category_id")
    category_name: str = Field(..., alias="category.name")
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    place_name: str = Field(
        ..., description='The place as people say it, e.g. "6号楼1单元" (within its compound).'
    )
    status: OrderStatus
    created_at: datetime
    supporter_count: int

    @staticmethod
    def resolve_place_name(order):
        return spoken_name(order.place)


class EventOut(Schema):
    at: datetime
    kind: EventKind
    actor: str | None = Field(None, alias="actor.username")
    from_status: str
    to_status: str
    note: str


class OrderPhotoOut(Schema):
    id: int
    content_type: str
    width: int
    height: int
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_url(photo):
        return reverse("workorders:photo-file", args=[photo.pk, "full"])

    @staticmethod
    def resolve_thumbnail_url(photo):
        return reverse("workorders:photo-file", args=[photo.pk, "thumb"])


class OrderDetailOut(OrderOut):
    timeline: list[EventOut] = Field(..., alias="timeline_list")
    allowed_steps: list[str]
    photos: list[OrderPhotoOut] = Field(..., alias="photo_list")


class OrderFilters(Schema):
    status: OrderStatus | None = None
    open: bool = Field(False, description="Only open orders")
    place: int | None = Field(None, ge=1, le=MAX_ID, description="Orders anywhere in this subtree")
    category: int | None = Field(None, ge=1, le=MAX_ID)
    overdue: bool | None = None
    mine: bool = Field(False, description="Only the orders you reported")


class OrderIn(InputSchema):
    category: Text(50, 1) = Field(..., description="Category code")
    place: int = Field(..., ge=1, le=MAX_ID)
    title: Text(120, 1)
    description: Text(5000) = ""
    channel: Channel = Channel.ONLINE
    external_ticket: Text(50) = ""
    reporter_name: Text(100) = ""
    reporter_phone: Text(30) = ""


# The steps services.order_take_step takes by name.
OrderStep = Literal[
    "accept",
    "reject",
    "dispatch",
    "sign",
    "return",
    "progress",
    "request_extension",
    "decide_extension",
    "resolve",
    "feedback",
    "close",
    "merge",
    "refer",
]


class OrderStepIn(InputSchema):
    step: OrderStep = Field(
        ...,
        description="Which step; `allowed_steps` of the order says "
        "which you may take now (another answers 409 or 403)",
    )
    note: Text(5000) = ""
    reason: Text(500) = ""
    satisfaction: Satisfaction | None = None
    extra_days: int | None = Field(None, ge=1, le=30)
    into: int | None = Field(None, ge=1, le=MAX_ID, description="merge: the order to merge into")
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="dispatch: handled by")
    approve: bool | None = Field(None, description="decide_extension")


def _detail(request, order_id: int):
    order = selectors.order_get(user=request.user, pk=order_id)
    order.timeline_list = list(selectors.order_timeline(order=order))
    order.allowed_steps = services.allowed_steps(user=request.user, order=order)
    order.photo_list = list(photo_list(order=order))
    return order


@categories_router.get("", response={200: list[CategoryOut], **LIST_ERRORS}, summary="Categories")
def categories_list(request: HttpRequest):
    return list(selectors.category_choices())


@router.get("", response={200: list[OrderOut], **LIST_ERRORS}, summary="Orders you may see")
@paginate(Pagination)
def orders_list(request: HttpRequest, filters: Query[OrderFilters]):
    return selectors.order_list(
        user=request.user,
        status=filters.status,
        open_only=filters.open,
        place=filters.place,
        category=filters.category,
        overdue=filters.overdue,
        mine=filters.mine,
    )


@router.get("/{order_id}", response={200: OrderDetailOut, **READ_ERRORS}, summary="One order")
def orders_get(request: HttpRequest, order_id: int = Path(..., ge=1, le=MAX_ID)):
    return _detail(request, order_id)


@router.post("", response={201: OrderDetailOut, **WRITE_ERRORS}, summary="File an order")
def orders_create(request: HttpRequest, payload: OrderIn):
    order = services.order_file(
        actor=request.user,
        category=selectors.category_by_code(payload.category),
        place=selectors.filing_place_get(user=request.user, pk=payload.place),
        title=payload.title,
        description=payload.description,
        channel=payload.channel,
        external_ticket=payload.external_ticket,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        request=request,
    )
    # A just-filed order is answered from what the filing holds: its one event, no photos.
    if not request.user.has_perm("workorders.view_order", order):
        raise Http404("Not found.")
    order.timeline_list = [order.filed_event]
    order.allowed_steps = services.allowed_steps(user=request.user, order=order)
    order.photo_list = []
    return Status(201, order)


@router.post(
    "/{order_id}/steps", response={200: OrderDetailOut, **STEP_ERRORS}, summary="Take a step"
)
def orders_step(
    request: HttpRequest, payload: OrderStepIn, order_id: int = Path(..., ge=1, le=MAX_ID)
):
    order = selectors.order_get(user=request.user, pk=order_id)
    services.order_take_step(
        actor=request.user,
        order=order,
        step=payload.step,
        note=payload.note,
        reason=payload.reason,
        satisfaction=payload.satisfaction or "",
        extra_days=payload.extra_days,
        into=selectors.order_get(user=request.user, pk=payload.into) if payload.into else None,
        organisation=selectors.dispatch_organisation_get(user=request.user, pk=payload.organisation)
        if payload.organisation
        else None,
        approve=payload.approve,
    )
    return _detail(request, order_id)


@router.post(
    "/{order_id}/support",
    response={200: BoardOrderOut, **ACTION_STEP_ERRORS},
    summary="Me too",
    description="Support an order of your compound's public board; it answers with the order "
    "as the board shows it. 404: the order is not on a board you may see. 409 (`closed`): the "
    "order is resolved, closed, rejected or merged; (`supported`): you already support it.",
)
def orders_support(request: HttpRequest, order_id: int = Path(..., ge=1, le=MAX_ID)):
    order = selectors.order_get_for_board(user=request.user, pk=order_id)
    return services.order_support(actor=request.user, order=order)


@router.post(
    "/{order_id}/photos",
    response={201: OrderPhotoOut, **ACTION_STEP_ERRORS},
    summary="Add a photo (JPEG, PNG or WebP; metadata removed)",
    description="400 (`refused`, the field `photo`): the file is empty, too large, or not a "
    "JPEG, PNG or WebP image that can be read.",
    # The form holds the photo and nothing else, as a JSON body holds only its fields.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    # an empty file is not kept as one (Django drops it): the photo is missing
                    "schema": {
                        "additionalProperties": False,
                        "properties": {"photo": {"minLength": 1}},
                    }
                }
            }
        }
    },
)
def orders_add_photo(
    request: HttpRequest,
    photo: File[UploadedFile],
    order_id: int = Path(..., ge=1, le=MAX_ID),
):
    extra = sorted((set(request.POST) | set(request.FILES)) - {"photo"})
    if extra:
        raise NinjaValidationError(
            [{"loc": ("form", name), "msg": "Extra inputs are not permitted"} for name in extra]
        )
    order = selectors.order_get(user=request.user, pk=order_id)
    return Status(201, photo_add(actor=request.user, order=order, upload=photo, request=request))
