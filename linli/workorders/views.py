"""Pages of work orders: filing, my reports, the work queue, the order with its timeline and
steps, the compound's public board. Thin: selectors decide what is visible, services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.roles import FILE_ORDERS, Role
from linli.accounts.scope import resident_compounds, scope_of
from linli.core.errors import LinliError
from linli.core.forms import submit_form
from linli.core.pagination import paginate
from linli.places import tree
from linli.places.models import Place
from linli.places.selectors import place_get

from . import selectors, services
from .forms import OrderFileForm, OrderQueueForm, StepForm
from .models import Satisfaction, Status
from .selectors import photo_list
from .services import photo_add


def _filing_places(user, initial_place: Place | None):
    """Where this user may report: a resident picks a building or unit of their compound;
    staff get the place they came from (and its buildings and units)."""
    compounds = resident_compounds(user)
    condition = None
    from django.db.models import Q

    for path in compounds:
        part = tree.subtree_q(path) & Q(kind__in=["compound", "building", "unit"])
        condition = part if condition is None else condition | part
    if initial_place is not None and scope_of(user).covers(initial_place.path, roles=FILE_ORDERS):
        part = tree.subtree_q(initial_place.path) & Q(kind__in=["compound", "building", "unit"])
        part |= Q(pk=initial_place.pk)
        condition = part if condition is None else condition | part
    if condition is None:
        return Place.objects.none()
    return Place.objects.filter(condition).order_by("path")


@login_required
def order_list(request):
    """The work queue of staff and handlers; residents see their own reports."""
    if not (
        request.user.has_perm("workorders.manage_order")
        or scope_of(request.user).member_organisation_ids
        or scope_of(request.user).has_role({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
    ):
        return redirect("workorders:order-mine")
    form = OrderQueueForm(request.GET or None)
    filters = form.filters() if request.GET else OrderQueueForm({}).filters()
    orders = selectors.order_list(user=request.user, **filters)
    counts = selectors.order_counts(user=request.user, **{**filters, "open_only": False})
    return render(
        request,
        "workorders/order_list.html",
        {
            "page": paginate(request, orders),
            "form": form,
            "counts": [(s, counts.get(s.value, 0)) for s in Status],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def order_mine(request):
    orders = selectors.order_list(user=request.user, mine=True)
    return render(request, "workorders/order_mine.html", {"page": paginate(request, orders)})


@login_required
def order_create(request):
    initial_place = None
    if request.GET.get("place", "").isdigit():
        initial_place = place_get(user=request.user, pk=int(request.GET["place"]))
    places = _filing_places(request.user, initial_place)
    if not places.exists():
        raise Http404("Nowhere to report.")
    staff = scope_of(request.user).has_role(FILE_ORDERS)
    form = OrderFileForm(
        request.POST or None,
        request.FILES or None,
        categories=selectors.category_choices(),
        places=places,
        staff=staff,
        initial={"place": initial_place.pk if initial_place else None},
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data.get("file_anyway"):
            duplicates = list(
                services.likely_duplicates(category=data["category"], place=data["place"])[:5]
            )
        if not duplicates:
            order = submit_form(
                request,
                form,
                lambda: _file_with_photos(request, data),
                _("Your report was filed. You can follow it here."),
            )
            if order is not None:
                return redirect("workorders:order-detail", pk=order.pk)
        else:
            form.data = form.data.copy()
            form.data["file_anyway"] = "True"
    return render(
        request,
        "workorders/order_form.html",
        {"form": form, "duplicates": duplicates, "staff": staff},
    )


@transaction.atomic
def _file_with_photos(request, data):
    """File the order and attach its photos in one transaction: a refused photo leaves no
    half-filed order behind (and the form keeps what was typed)."""
    order = services.order_file(
        actor=request.user,
        category=data["category"],
        place=data["place"],
        title=data["title"],
        description=data["description"],
        channel=data.get("channel") or "online",
        external_ticket=data.get("external_ticket", ""),
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        request=request,
    )
    try:
        for upload in request.FILES.getlist("photos"):
            photo_add(actor=request.user, order=order, upload=upload)
    except ValidationError as exc:  # shown next to the form's "photos" field
        raise ValidationError({"photos": exc.messages}) from exc
    return order


@login_required
def order_detail(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    steps = services.allowed_steps(user=request.user, order=order)
    return render(
        request,
        "workorders/order_detail.html",
        {
            "order": order,
            "timeline": selectors.order_timeline(order=order),
            "steps": steps,
            "photos": photo_list(order=order),
            "organisations": selectors.dispatch_organisations(user=request.user)
            if "dispatch" in steps
            else [],
            # The category's handler is offered first; a returned order keeps its last one.
            "dispatch_default": order.organisation_id or order.category.organisation_id,
            "satisfactions": Satisfaction.choices,
            "show_reporter": request.user.has_perm("workorders.manage_order", order)
            or request.user.has_perm("workorders.handle_order", order),
            "can_support": order.is_open
            and request.user.has_perm("workorders.support_order", order),
        },
    )


@login_required
@require_POST
def order_step(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The step could not be read; please try again."))
        return redirect("workorders:order-detail", pk=order.pk)
    data = form.cleaned_data
    try:
        services.order_take_step(
            actor=request.user,
            order=order,
            step=data["step"],
            note=data["note"],
            reason=data["reason"],
            satisfaction=data["satisfaction"],
            extra_days=data["extra_days"],
            into=selectors.order_get(user=request.user, pk=data["into"]) if data["into"] else None,
            organisation=selectors.dispatch_organisation_get(
                user=request.user, pk=data["organisation"]
            )
            if data["organisation"]
            else None,
            approve={"yes": True, "no": False}.get(data["approve"]),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except LinliError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("workorders:order-detail", pk=order.pk)


@login_required
@require_POST
def order_support(request, pk):
    order = selectors.order_get_for_board(user=request.user, pk=pk)
    try:
        services.order_support(actor=request.user, order=order)
    except LinliError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: your “me too” was added."))
    return redirect("workorders:order-board")


@login_required
def order_board(request):
    compound = None
    if request.GET.get("place", "").isdigit():
        compound = place_get(user=request.user, pk=int(request.GET["place"]))
        if not request.user.has_perm("workorders.view_board_of", compound):
            raise Http404("No board here.")
    elif not resident_compounds(request.user):
        raise Http404("No board here.")
    orders = selectors.board_list(
        user=request.user, compound_path=compound.path if compound else None
    )
    return render(
        request,
        "workorders/order_board.html",
        {"page": paginate(request, orders), "compound": compound},
    )
