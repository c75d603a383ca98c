"""Reads of the Open311 interface: the services (active categories) and their extra
questions, work orders as the public sees them, and the places a key's organisation may
report at. Every list is one query, whatever its length."""

import re
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length

from linli.core.ids import is_valid_id
from linli.core.models import AuditEvent
from linli.places import tree
from linli.places.models import Place
from linli.workorders.models import Category, EventKind, Status, WorkOrder, WorkOrderEvent
from linli.workorders.selectors import category_choices

MAX_REQUESTS = 1000  # the specification's default limit (with the 90-day span)
CLOSED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)
# Steps whose note is written for the reporter, not progress notes between staff.
PUBLIC_NOTE_KINDS = (
    EventKind.ACCEPTED,
    EventKind.DISPATCHED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
    EventKind.REJECTED,
)
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")

_SERVICE_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
_TOKEN = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
_ADDRESS_SEPARATORS = re.compile(r"[/\s,，、;；]+")


# -- services --------------------------------------------------------------------------------


def service_list() -> QuerySet:
    return category_choices()


def service_get(code: str) -> Category | None:
    if not _SERVICE_CODE.match(code):
        return None
    return Category.objects.filter(is_active=True, code=code).select_related("parent").first()


def service_attributes(category: Category) -> list[dict]:
    """The category's extra questions as Open311 attributes. The configuration is edited by
    hand, so anything malformed in it is skipped rather than breaking the service."""
    attributes = []
    raw = category.attributes if isinstance(category.attributes, list) else []
    for position, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not str(entry.get("code", "")).strip():
            continue
        datatype = entry.get("datatype", "string")
        values = []
        for value in entry.get("values") or []:
            if isinstance(value, dict) and "key" in value:
                values.append({"key": str(value["key"]), "name": str(value.get("name", ""))})
            elif isinstance(value, str | int | float):
                values.append({"key": str(value), "name": str(value)})
        order = entry.get("order")
        attributes.append(
            {
                "variable": bool(entry.get("variable", True)),
                "code": str(entry["code"]).strip(),
                "datatype": datatype if datatype in DATATYPES else "string",
                "required": bool(entry.get("required", False)),
                "datatype_description": str(entry.get("datatype_description") or ""),
                "order": order if isinstance(order, int) and order > 0 else position,
                "description": str(entry.get("description") or ""),
                "values": values,
            }
        )
    return sorted(attributes, key=lambda a: a["order"])


def services_changed_at() -> datetime | None:
    """When a category was last changed through the admin (discovery's changeset)."""
    return (
        AuditEvent.objects.filter(object_type="workorders.category")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


# -- service requests ------------------------------------------------------------------------


def _requests() -> QuerySet:
    latest_public_note = (
        WorkOrderEvent.objects.filter(order=OuterRef("pk"), kind__in=PUBLIC_NOTE_KINDS)
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return (
        WorkOrder.objects.select_related("category", "place", "organisation")
        .annotate(public_note=Subquery(latest_public_note))
        .order_by("-created_at", "-id")
    )


def request_list(
    *,
    ids: list[int] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[WorkOrder]:
    """Service requests as GET requests finds them: by id (which overrides every other
    filter), else by service code, requested time and open/closed; newest first."""
    qs = _requests()
    if ids is not None:
        return list(qs.filter(pk__in=ids)[:MAX_REQUESTS])
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(status__in=CLOSED_STATUSES)
        qs = qs.filter(closed if "closed" in statuses else ~closed)
    return list(qs[:MAX_REQUESTS])


def request_get(pk: int) -> WorkOrder | None:
    if not is_valid_id(pk):
        return None
    return _requests().filter(pk=pk).first()


def request_by_token(token: str) -> WorkOrder | None:
    if not _TOKEN.match(token):
        return None
    return WorkOrder.objects.filter(open311_token=token).only("pk", "open311_token").first()


def is_closed(order: WorkOrder) -> bool:
    return order.status in CLOSED_STATUSES


# -- places ----------------------------------------------------------------------------------


def place_within(*, root: Place, pk: int) -> Place | None:
    """The place ``pk`` if it lies in ``root``'s subtree."""
    if not is_valid_id(pk):
        return None
    return Place.objects.filter(tree.subtree_q(root.path), pk=pk).first()


def place_by_address(*, root: Place, text: str) -> Place:
    """The place in ``root``'s subtree that an address written by hand names: the place
    whose full name path it is, else the most general place whose path ends with it, else
    the most general one whose path holds it as whole segments; else ``root`` itself.

    Segments may be separated by "/", spaces or commas, and written from the most general
    (as Chinese addresses are) or, as the specification suggests, from the most specific."""
    segments = [s for s in _ADDRESS_SEPARATORS.split(text[:255]) if s]
    if not segments:
        return root
    candidates = {"/".join(segments), "/".join(reversed(segments))}
    within = Place.objects.filter(tree.subtree_q(root.path)).order_by(Length("name_path"), "path")
    suffix, inside = Q(), Q()
    for candidate in candidates:
        suffix |= Q(name_path__endswith="/" + candidate)
        inside |= Q(name_path__contains="/" + candidate + "/")
    for condition in (Q(name_path__in=candidates), suffix, inside):
        place = within.filter(condition).first()
        if place is not None:
            return place
    return root
