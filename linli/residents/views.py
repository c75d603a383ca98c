"""Pages of the register: the resident list, a resident, a household, forms. Thin: the
selectors decide what is visible, the services validate and write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import LinliError
from linli.core.forms import submit_form
from linli.core.navigation import resident_sections
from linli.core.pagination import paginate
from linli.places import selectors as place_selectors
from linli.places.names import places_label

from . import selectors, services
from .forms import ResidentFilterForm, ResidentForm, ResidentMoveForm

KEEP_IF_EMPTY = ("id_number", "phone", "gender", "birth_date")


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise Http404("Not here.")


@login_required
def resident_list(request):
    _require(request.user, "residents.view_resident")
    form = ResidentFilterForm(request.GET or None)
    filters = form.cleaned_filters() if request.GET else ResidentFilterForm({}).cleaned_filters()
    residents = selectors.resident_list(user=request.user, **filters)
    page = paginate(request, residents)
    # one query names the page's places (the compound shown where they span several)
    places_label([r.place for r in page.object_list])
    place = None
    if filters["place"]:
        place = place_selectors.place_get(user=request.user, pk=filters["place"])
    return render(
        request,
        "residents/resident_list.html",
        {
            "page": page,
            "filter_form": form,
            "filter_place": place,
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("residents.export_resident"),
            "can_add": request.user.has_perm("residents.add_resident", None),
            "can_reveal": request.user.has_perm("residents.reveal_resident", None),
            "can_add_here": place is not None
            and place.kind == "household"
            and request.user.has_perm("residents.add_resident", place),
        },
    )


@login_required
def resident_detail(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    return render(
        request,
        "residents/resident_detail.html",
        {
            "resident": resident,
            "residencies": resident.residencies.select_related("household__place"),
            "can_edit": request.user.has_perm("residents.change_resident", resident),
            "can_reveal": request.user.has_perm("residents.reveal_resident", resident),
            # what other modules keep about them, as far as the viewer may see it
            "sections": resident_sections(request, resident),
        },
    )


@login_required
@require_POST
def resident_reveal(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    try:
        revealed = services.resident_reveal(actor=request.user, resident=resident, request=request)
    except LinliError as exc:
        raise Http404("Not here.") from exc
    response = render(
        request,
        "residents/_revealed.html" if request.htmx else "residents/resident_detail.html",
        {
            "resident": resident,
            "revealed": revealed,
            "residencies": resident.residencies.select_related("household__place"),
            "can_edit": request.user.has_perm("residents.change_resident", resident),
            "can_reveal": True,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def resident_create(request):
    _require(request.user, "residents.add_resident")
    household = None
    household_id = request.GET.get("household") or request.POST.get("household")
    if household_id and household_id.isdigit():
        household = place_selectors.place_get(user=request.user, pk=int(household_id))
    if household is None or household.kind != "household":
        messages.error(
            request, _("Open a household (from the place tree) to add a resident to it.")
        )
        return redirect("places:place-list")
    _require(request.user, "residents.add_resident", household)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = submit_form(
            request,
            form,
            lambda: services.resident_create(
                actor=request.user, place=household, request=request, **form.values()
            ),
            _("Resident registered."),
        )
        if resident is not None:
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_form.html", {"form": form, "household": household})


@login_required
def resident_edit(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    _require(request.user, "residents.change_resident", resident)
    # The full numbers are never put into the page: the fields start empty, show the masked
    # value, and an empty field leaves the number as it is.
    initial = {f: getattr(resident, f) for f in services.EDITABLE_FIELDS if f not in KEEP_IF_EMPTY}
    initial.update(gender=resident.gender, birth_date=resident.birth_date)
    form = ResidentForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = _("Now %(masked)s; leave empty to keep it.") % {
        "masked": resident.id_number_masked or "—"
    }
    form.fields["phone"].help_text = _("Now %(masked)s; leave empty to keep it.") % {
        "masked": resident.phone_masked or "—"
    }
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.values().items() if v or k not in KEEP_IF_EMPTY}
        saved = submit_form(
            request,
            form,
            lambda: services.resident_update(
                actor=request.user, resident=resident, request=request, **values
            ),
            _("Saved."),
        )
        if saved is not None:
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_form.html", {"form": form, "resident": resident})


@login_required
def resident_move(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    _require(request.user, "residents.change_resident", resident)
    form = ResidentMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = None
        if form.cleaned_data["household"]:
            target = place_selectors.place_get(user=request.user, pk=form.cleaned_data["household"])
        moved = submit_form(
            request,
            form,
            lambda: services.resident_move(
                actor=request.user,
                resident=resident,
                place=target,
                relation=form.cleaned_data["relation"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            _("The move was recorded."),
        )
        if moved is not None:
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_move.html", {"form": form, "resident": resident})


@login_required
def household_detail(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    return render(
        request,
        "residents/household_detail.html",
        {
            "household": household,
            "members": selectors.household_members(household=household),
            "can_add": request.user.has_perm("residents.add_resident", household.place),
        },
    )
