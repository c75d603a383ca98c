"""Pages of the place tree and the organisations. Thin: selectors decide what is visible."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linli.core.forms import submit_form
from linli.core.navigation import place_links
from linli.core.pagination import paginate

from . import selectors, services
from .forms import ChildFilterForm, OrganisationFilterForm, PlaceForm


@login_required
def place_list(request):
    roots = list(selectors.place_roots(user=request.user))
    if len(roots) == 1:
        return redirect("places:place-detail", pk=roots[0].pk)
    counts = selectors.place_children_counts(user=request.user, places=roots)
    return render(
        request,
        "places/place_list.html",
        {"roots": [(place, counts.get(place.pk, 0)) for place in roots]},
    )


@login_required
def place_detail(request, pk):
    place = selectors.place_get(user=request.user, pk=pk)
    form = ChildFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else None
    children = selectors.place_list(user=request.user, parent=place.pk, kind=kind or None)
    page = paginate(request, children)
    counts = selectors.place_children_counts(user=request.user, places=page.object_list)
    organisations = selectors.organisation_list(user=request.user, place=place.pk)
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "ancestors": selectors.place_ancestors(user=request.user, place=place),
            "page": page,
            "children": [(child, counts.get(child.pk, 0)) for child in page.object_list],
            "filter_form": form,
            "organisations": organisations,
            "can_edit": request.user.has_perm("places.change_place", place),
            "links": place_links(request, place),
        },
    )


@login_required
def place_edit(request, pk):
    place = selectors.place_get(user=request.user, pk=pk)
    if not request.user.has_perm("places.change_place", place):
        raise Http404("No such place.")
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        fields = {field: form.cleaned_data[field] for field in PlaceForm.Meta.fields}
        saved = submit_form(
            request,
            form,
            lambda: services.place_update(
                actor=request.user, place=place, request=request, **fields
            ),
            _("Saved."),
        )
        if saved is not None:
            return redirect("places:place-detail", pk=place.pk)
    return render(request, "places/place_edit.html", {"place": place, "form": form})


@login_required
def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else None
    page = paginate(request, selectors.organisation_list(user=request.user, kind=kind or None))
    return render(request, "places/organisation_list.html", {"page": page, "filter_form": form})


@login_required
def organisation_detail(request, pk):
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    members = organisation.memberships.select_related("user").order_by("user__full_name")
    return render(
        request,
        "places/organisation_detail.html",
        {"organisation": organisation, "members": members},
    )
