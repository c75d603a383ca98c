"""Reads of work orders within the asking user's scope: the orders they oversee (by place),
handle (by organisation) or reported."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from linli.accounts.roles import VIEW_ORDERS
from linli.accounts.scope import resident_compounds, scope_of
from linli.core.access import access_by_id
from linli.core.ids import is_valid_id
from linli.places.models import Organisation, Place
from linli.places.selectors import within_place

from .models import OPEN_STATUSES, Category, Photo, Support, WorkOrder, WorkOrderEvent


def _visible_q(user) -> Q:
    """Orders the user oversees (by place), handles (by organisation) or reported, as one
    ``id IN (… UNION …)``: each part is served by its own index, where an OR of the three
    would scan the whole table (measured on two million orders)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    parts = [WorkOrder.objects.filter(reporter_id=user.pk)]
    if scope.has_role(VIEW_ORDERS):
        places = Place.objects.filter(scope.q(roles=VIEW_ORDERS, field="path")).values("pk")
        parts.append(WorkOrder.objects.filter(place_id__in=places))
    if scope.member_organisation_ids:
        parts.append(
            WorkOrder.objects.filter(organisation_id__in=sorted(scope.member_organisation_ids))
        )
    ids = [part.values("pk").order_by() for part in parts]
    return Q(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])


def order_list(
    *,
    user,
    status: str | None = None,
    open_only: bool = False,
    place: int | None = None,
    category: int | None = None,
    overdue: bool | None = None,
    mine: bool = False,
) -> QuerySet:
    qs = WorkOrder.objects.filter(_visible_q(user))
    if mine:
        qs = qs.filter(reporter_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if place is not None:
        qs = within_place(qs, place, "place__path")
    if category is not None:
        qs = qs.filter(category_id=category)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    return qs.select_related("place", "category", "organisation").order_by("-created_at", "-id")


def order_counts(*, user, **filters) -> dict[str, int]:
    """Orders per status for the queue's tabs, in one query."""
    filters.pop("status", None)
    rows = order_list(user=user, **filters).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def order_get(*, user, pk) -> WorkOrder:
    return access_by_id(
        WorkOrder.objects.select_related("place", "category", "organisation", "reporter"),
        pk=pk,
        user=user,
        perm="workorders.view_order",
    )


def order_timeline(*, order: WorkOrder) -> QuerySet:
    return WorkOrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "id")


def board_list(*, user, compound_path: str | None = None) -> QuerySet:
    """The public board: every order of the user's compound(s), reporters masked by the
    template (only the category, place, status and dates are shown)."""
    from linli.places import tree

    compounds = [compound_path] if compound_path else resident_compounds(user)
    condition = Q(pk__in=[])
    for path in compounds:
        condition |= tree.subtree_q(path, "place__path")
    return (
        WorkOrder.objects.filter(condition)
        .exclude(status="merged")
        .select_related("place", "category")
        .order_by("-created_at", "-id")
    )


def supported_order_ids(*, user, orders) -> set[int]:
    """Which of ``orders`` the user has said "me too" on (one query)."""
    ids = [o.pk for o in orders]
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Support.objects.filter(user=user, order_id__in=ids).values_list("order_id", flat=True)
    )


def category_choices():
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("parent__sort_key", "sort_key", "id")
    )


def order_get_for_board(*, user, pk) -> WorkOrder:
    """An order as shown on its compound's public board (for "me too")."""
    return access_by_id(
        WorkOrder.objects.select_related("place", "category"),
        pk=pk,
        user=user,
        perm="workorders.view_board",
    )


def category_by_code(code: str) -> Category:
    category = Category.objects.filter(is_active=True, code=code).first()
    if category is None:
        raise ValidationError({"category": _("There is no such category.")})
    return category


# Where a resident reports: their compound, or one of its buildings or units (never a
# household: the public board shows where an order is, and a flat would name its reporter).
RESIDENT_FILING_KINDS = ("compound", "building", "unit")


def filing_place_list(*, user, search: str = "", also: Place | None = None) -> QuerySet:
    """The places the user may report at, for the report form's picker: a resident's
    compounds with their buildings and units; for staff who file, every place they see in
    the subtrees of those grants, households aside. ``search`` keeps the places whose
    name as people say it (any part, e.g. "6号楼1单元" or "南官房") holds every word.

    The broadest places come first (a compound before its buildings, a building before its
    units), and a resident's own building before the others, so that a short list shows
    what is wanted most. ``also`` adds a place the user came from and may report at (a
    household's page, for staff)."""
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.functions import Length, Replace

    from linli.accounts.roles import FILE_ORDERS, Role
    from linli.places import tree

    scope = scope_of(user)
    condition = Q(pk__in=[])
    for path in resident_compounds(user):
        condition |= tree.subtree_q(path) & Q(kind__in=RESIDENT_FILING_KINDS)
    if scope.has_role(FILE_ORDERS):
        condition |= (
            scope.q(roles=FILE_ORDERS, field="path") & scope.place_q() & ~Q(kind="household")
        )
    if also is not None and user.has_perm("workorders.file_order", also):
        condition |= Q(pk=also.pk)
    qs = Place.objects.filter(condition)
    words = search.split()[:5]
    if words:
        qs = qs.annotate(spoken=Replace("name_path", Value("/"), Value("")))
        for word in words:
            qs = qs.filter(Q(spoken__icontains=word) | Q(name_en__icontains=word))
    home = [
        tree.ancestor_path(g.path, "building")
        for g in scope.grants
        if g.role == Role.RESIDENT and tree.depth(g.path) > tree.KIND_DEPTH["building"]
    ]
    if home:
        near = Case(
            *[When(tree.subtree_q(path), then=Value(0)) for path in home],
            default=Value(1),
            output_field=IntegerField(),
        )
        return qs.order_by(near, Length("path"), "path")
    return qs.order_by(Length("path"), "path")


def filing_spans_compounds(*, user) -> bool:
    """Does the user report in more than one compound (so that the picker names each
    place's compound)? Staff granted above a compound do."""
    from linli.accounts.roles import FILE_ORDERS
    from linli.accounts.scope import COMPOUND_DEPTH, compound_path_of
    from linli.places import tree

    scope = scope_of(user)
    if scope.is_superuser:
        return True
    paths = set(resident_compounds(user))
    for grant in scope.grants:
        if grant.role in FILE_ORDERS:
            if tree.depth(grant.path) < COMPOUND_DEPTH:
                return True
            paths.add(compound_path_of(grant.path))
    return len(paths) > 1


def filing_default_place(*, user) -> int | None:
    """The place a resident's report starts at: the unit (or building) of their home."""
    from linli.accounts.roles import Role
    from linli.places import tree

    for grant in scope_of(user).grants:
        if grant.role == Role.RESIDENT and tree.depth(grant.path) > tree.KIND_DEPTH["building"]:
            return tree.path_ids(grant.path)[-2]
    return None


def filing_place_get(*, user, pk) -> Place:
    """A place the user may report at (a resident: anywhere in their compound)."""
    return access_by_id(Place.objects.all(), pk=pk, user=user, perm="workorders.file_order")


def dispatch_organisations(*, user) -> QuerySet:
    """The organisations this user may dispatch orders to: active ones serving the places
    in their scope (the dispatch form's list and the API's check)."""
    return (
        Organisation.objects.filter(scope_of(user).organisation_q(), is_active=True)
        .select_related("place")
        .order_by("place__path", "name")
    )


def dispatch_organisation_get(*, user, pk) -> Organisation:
    """One organisation to dispatch to, or 404 when it is missing or out of scope."""
    return access_by_id(dispatch_organisations(user=user), pk=pk, user=user, perm=None)


def photo_get(*, user, pk) -> Photo:
    """A photo of an order the user may see; 404 alike for missing and not visible."""
    if not is_valid_id(pk):
        raise Http404("Not found.")
    photo = Photo.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404("Not found.")
    order_get(user=user, pk=photo.order_id)
    return photo


def photo_list(*, order: WorkOrder):
    """The photos of an order the caller has already fetched through ``order_get``."""
    return Photo.objects.filter(order=order).order_by("uploaded_at", "id")
