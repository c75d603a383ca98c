"""Pages of work orders: filing, my reports, the work queue, the order with its timeline and
steps, the compound's public board. Thin: selectors decide what is visible, services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.roles import FILE_ORDERS, Role
from linli.accounts.scope import resident_compounds, scope_of
from linli.core.errors import LinliError
from linli.core.forms import redirect_back, submit_form
from linli.core.ids import is_valid_id
from linli.core.kept_uploads import (
    uploads_discard,
    uploads_keep,
    uploads_kept,
    uploads_kept_names,
)
from linli.core.pagination import paginate
from linli.places import tree
from linli.places.forms import PICKER_LIMIT, picker_choices
from linli.places.names import places_label
from linli.places.selectors import place_get

from . import selectors, services
from .actions import order_actions
from .forms import OrderFileForm, OrderQueueForm, StepForm
from .models import Satisfaction, Status
from .selectors import photo_list
from .services import photo_add


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
    page = paginate(request, orders)
    places_label([o.place for o in page.object_list])
    return render(
        request,
        "workorders/order_list.html",
        {
            "page": page,
            "form": form,
            "counts": [(s, counts.get(s.value, 0)) for s in Status],
            "query": request.GET.urlencode(),
            "can_file": request.user.has_perm("workorders.file_order"),
        },
    )


@login_required
def order_mine(request):
    orders = selectors.order_list(user=request.user, mine=True)
    page = paginate(request, orders)
    places_label([o.place for o in page.object_list])
    return render(
        request,
        "workorders/order_mine.html",
        {
            "page": page,
            "can_file": request.user.has_perm("workorders.file_order"),
            "has_board": bool(resident_compounds(request.user)),
        },
    )


def _place_note(shown: int, places) -> str:
    if shown < PICKER_LIMIT:
        return ""
    total = places.count()
    if total <= shown:
        return ""
    return _("Showing %(shown)d of %(total)d places: type to search for the others.") % {
        "shown": shown,
        "total": total,
    }


def _keep_photos(request, form, token: str) -> None:
    """The form is shown again: what was attached stays attached (nothing a user entered
    is lost). New files replace the kept ones; a refused photo is not kept."""
    if request.FILES.getlist("photos") and "photos" not in form.errors:
        uploads_discard(request, token)
        token = uploads_keep(request, request.FILES.getlist("photos"))
    form.data = form.data.copy()
    form.data["kept_photos"] = token
    kept = uploads_kept_names(request, token)
    if kept:
        form["photos"].help_text = _attached(kept)


def _attached(names) -> str:
    return format_html(
        "{} {}",
        _("Attached: %(names)s.") % {"names": ", ".join(names)},
        _("Choose another file only to replace it."),
    )


def _offer_places(form, places, *, user, initial, valid: bool) -> None:
    """Fill the place picker: a short list named as people say them, with the place
    chosen (or to start at) among them; 404 when the user may report nowhere."""
    selected = form.cleaned_data.get("place") if valid else None
    if not form.is_bound:
        selected = initial
    elif selected is None and str(form.data.get("place", "")).isdigit():
        selected = places.filter(pk=int(form.data["place"])).first()
    _fill_picker(form, places, user=user, selected=selected)


def _fill_picker(form, offered, *, user, selected, note: str = "") -> None:
    choices = picker_choices(
        offered, selected=selected, with_compound=selectors.filing_spans_compounds(user=user)
    )
    if not choices:
        raise Http404("Nowhere to report.")
    field = form.fields["place"]
    field.widget.choices = [("", field.empty_label), *choices]
    field.widget.note = note or _place_note(len(choices), offered)


# The picker's button, pressed without script: show the form again with the places found.
PLACE_SEARCH = "place_search"
NOT_KEPT_BY_SEARCH = ("photos", "file_anyway", "kept_photos")  # a new place: check duplicates again


def _typed(request, form) -> dict:
    """What was typed into the form, as the initial values of the form shown again after a
    place search without script (nothing is checked yet, so no error is shown)."""
    return {
        name: request.POST.get(name)
        for name in form.fields
        if name in request.POST and name not in NOT_KEPT_BY_SEARCH
    }


def _offer_found_places(request, form, places, *, user, also) -> None:
    """The picker after a search without script: the places whose name holds the words,
    the one chosen before kept if it is among them, else the best match chosen (as the
    in-place search does); when nothing matches, the usual list and a word why."""
    words = request.POST.get("place_q", "")[:100]
    form.fields["place"].widget.search_value = words
    found = places
    if words.strip():
        found = selectors.filing_place_list(user=user, search=words, also=also)
    chosen = str(request.POST.get("place", ""))
    before = found.filter(pk=int(chosen)).first() if _an_id(chosen) else None
    best = before or found.first()
    if best is None:
        before = places.filter(pk=int(chosen)).first() if _an_id(chosen) else None
        note = _("No place matches “%(words)s”; try fewer words.") % {"words": words.strip()}
        _fill_picker(form, places, user=user, selected=before, note=note)
        form.initial["place"] = before.pk if before else None
        return
    _fill_picker(form, found, user=user, selected=best)
    form.initial["place"] = best.pk


def _an_id(raw: str) -> bool:
    return raw.isdigit() and is_valid_id(int(raw))


@login_required
def order_create(request):
    """The report form. A resident reports in their compound, starting at their own unit;
    staff who file (from the queue, or from a place's page) choose any place of their scope
    with a searchable picker."""
    user = request.user
    if request.GET.get("place", "").isdigit():
        initial_place = place_get(user=user, pk=int(request.GET["place"]))
        if not user.has_perm("workorders.file_order", initial_place):
            raise Http404("Nowhere to report.")
        places = selectors.filing_place_list(user=user, also=initial_place)
    else:
        places = selectors.filing_place_list(user=user)
        default = selectors.filing_default_place(user=user)
        initial_place = places.filter(pk=default).first() if default else None
    staff = scope_of(user).has_role(FILE_ORDERS)
    if request.method == "POST" and PLACE_SEARCH in request.POST:
        return _search_places_without_script(
            request, places, staff=staff, also=initial_place if "place" in request.GET else None
        )
    form = OrderFileForm(
        request.POST or None,
        request.FILES or None,
        categories=selectors.category_choices(),
        places=places,
        staff=staff,
        search_url=reverse("workorders:order-place-search"),
        initial={"place": initial_place.pk if initial_place else None},
    )
    duplicates = []
    valid = request.method == "POST" and form.is_valid()
    token = form.data.get("kept_photos", "") if form.is_bound else ""
    if valid:
        data = form.cleaned_data
        if not data.get("file_anyway"):
            duplicates = list(
                services.likely_duplicates(category=data["category"], place=data["place"])[:5]
            )
        if not duplicates:
            uploads = request.FILES.getlist("photos") or uploads_kept(request, token)
            order = submit_form(
                request,
                form,
                lambda: _file_with_photos(request, data, uploads),
                _("Your report was filed. You can follow it here."),
            )
            if order is not None:
                uploads_discard(request, token, uploads)
                return redirect("workorders:order-detail", pk=order.pk)
            if not request.FILES.getlist("photos"):
                for kept in uploads:
                    kept.close()
            if "photos" in form.errors:  # a refused photo is not kept to be refused again
                uploads_discard(request, token)
                token = ""
        else:
            form.data = form.data.copy()
            form.data["file_anyway"] = "True"
    if form.is_bound:
        _keep_photos(request, form, token)
    _offer_places(form, places, user=user, initial=initial_place, valid=valid)
    if duplicates:
        places_label([d.place for d in duplicates])
    return render(
        request,
        "workorders/order_form.html",
        {"form": form, "duplicates": duplicates, "staff": staff},
    )


def _search_places_without_script(request, places, *, staff: bool, also):
    """The picker's search button pressed in a browser without script: the form again,
    with what was typed and attached kept, and the matching places offered."""
    form = OrderFileForm(
        categories=selectors.category_choices(),
        places=places,
        staff=staff,
        search_url=reverse("workorders:order-place-search"),
    )
    form.initial = _typed(request, form)
    token = request.POST.get("kept_photos", "")
    if request.FILES.getlist("photos"):
        uploads_discard(request, token)
        token = uploads_keep(request, request.FILES.getlist("photos"))
    form.initial["kept_photos"] = token
    kept = uploads_kept_names(request, token)
    if kept:
        form.fields["photos"].help_text = _attached(kept)
    _offer_found_places(request, form, places, user=request.user, also=also)
    return render(
        request, "workorders/order_form.html", {"form": form, "duplicates": [], "staff": staff}
    )


@login_required
def order_place_search(request):
    """The report form's place picker asks here (htmx) for the places matching what was
    typed, among those the user may report at; answers the ``<option>``s."""
    search = request.GET.get("place_q", "")[:100]
    places = selectors.filing_place_list(user=request.user, search=search)
    selected = None
    raw = request.GET.get("place", "")
    if not search.strip() and raw.isdigit() and is_valid_id(int(raw)):
        selected = places.filter(pk=int(raw)).first()
    choices = picker_choices(
        places, selected=selected, with_compound=selectors.filing_spans_compounds(user=request.user)
    )
    options = [(pk, label, pk == (selected.pk if selected else None)) for pk, label in choices]
    # a fragment: rendered without the page's context (menu, unread count)
    return HttpResponse(render_to_string("places/widgets/place_options.html", {"options": options}))


@transaction.atomic
def _file_with_photos(request, data, uploads):
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
        for upload in uploads:
            photo_add(actor=request.user, order=order, upload=upload)
    except ValidationError as exc:  # shown next to the form's "photos" field
        raise ValidationError({"photos": exc.messages}) from exc
    return order


@login_required
def order_detail(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    steps = services.allowed_steps(user=request.user, order=order)
    places_label([order.place], with_compound=True)
    return render(
        request,
        "workorders/order_detail.html",
        {
            "order": order,
            "timeline": selectors.order_timeline(order=order),
            "steps": steps,
            "order_actions": order_actions(request, order),
            "photos": photo_list(order=order),
            "organisations": selectors.dispatch_organisations(user=request.user)
            if "dispatch" in steps
            else [],
            # The category's handler is offered first; a returned order keeps its last one.
            "dispatch_default": order.organisation_id or order.category.organisation_id,
            "satisfactions": Satisfaction.choices,
            "show_reporter": request.user.has_perm("workorders.manage_order", order)
            or request.user.has_perm("workorders.handle_order", order),
            "can_support": order.may_be_supported
            and request.user.has_perm("workorders.support_order", order),
            "supported": order.pk
            in selectors.supported_order_ids(user=request.user, orders=[order])
            if order.supporter_count
            else False,
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
    return redirect_back(request, reverse("workorders:order-board-entry", args=[order.pk]))


def _board_links(user, orders) -> None:
    """Each entry of a board links to what its viewer may open: the order itself for those
    who may see it, else its public entry."""
    for o in orders:
        if user.has_perm("workorders.view_order", o):
            o.link = reverse("workorders:order-detail", args=[o.pk])
        else:
            o.link = reverse("workorders:order-board-entry", args=[o.pk])


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
    page = paginate(request, orders)
    rows = list(page.object_list)
    places_label([o.place for o in rows])
    _board_links(request.user, rows)
    supported = selectors.supported_order_ids(user=request.user, orders=rows)
    for o in rows:
        o.supported = o.pk in supported
        o.can_support = o.may_be_supported and request.user.has_perm("workorders.support_order", o)
    return render(
        request,
        "workorders/order_board.html",
        {"page": page, "rows": rows, "compound": compound},
    )


@login_required
def order_board_entry(request, pk):
    """One order as its compound's public board shows it (no description, no reporter):
    what a neighbour may open from the board."""
    order = selectors.order_get_for_board(user=request.user, pk=pk)
    if order.status == Status.MERGED:
        raise Http404("Not on the board.")
    places_label([order.place], with_compound=True)
    compound_path = tree.ancestor_path(order.place.path, "compound")
    board_url = reverse("workorders:order-board")
    if compound_path not in resident_compounds(request.user):
        board_url += f"?place={tree.path_ids(compound_path)[-1]}"
    return render(
        request,
        "workorders/order_board_entry.html",
        {
            "order": order,
            "board_url": board_url,
            "can_view_order": request.user.has_perm("workorders.view_order", order),
            "can_support": order.may_be_supported
            and request.user.has_perm("workorders.support_order", order),
            "supported": order.pk
            in selectors.supported_order_ids(user=request.user, orders=[order]),
        },
    )
