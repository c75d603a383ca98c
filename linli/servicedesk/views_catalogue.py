"""The catalogue's editing pages, for those who keep it (district and street): a new
matter, a new version of one, and taking one out of the catalogue or putting it back.
Whatever was typed comes back with the refusal; nothing is saved until all of it is valid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.core.errors import ForbiddenError

from . import selectors, services
from .forms_catalogue import (
    BLANK_ROWS,
    MaterialFormSet,
    NewMatterForm,
    RevisionNoteForm,
    VersionForm,
    material_initial,
    version_spec,
)

ROWS_PREFIX = "materials"


def _version_forms(request, version=None):
    """The version's form and its materials' formset: bound to what was posted, or filled
    from ``version`` (the one in force), with blank rows to add to; "more rows" keeps what
    was typed and adds blank ones."""
    if request.method == "POST":
        data = request.POST.copy()
        if "more" in data:
            total = int(data.get(f"{ROWS_PREFIX}-TOTAL_FORMS", "0") or 0)
            data[f"{ROWS_PREFIX}-TOTAL_FORMS"] = str(min(total + BLANK_ROWS, 40))
        form = VersionForm(data)
        rows = MaterialFormSet(data, prefix=ROWS_PREFIX)
        return form, rows, "more" in data
    initial = {}
    if version is not None:
        initial = {"situations_text": "\n".join(s.name for s in version.situations.all())}
    form = VersionForm(instance=version, initial=initial)
    rows_initial = material_initial(version) + [{}] * BLANK_ROWS
    rows = MaterialFormSet(initial=rows_initial, prefix=ROWS_PREFIX)
    rows.extra = 0
    return form, rows, False


def _refused(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        form.add_error(target, errors)


@login_required
@require_http_methods(["GET", "POST"])
def matter_create(request):
    places = selectors.catalogue_places(user=request.user)
    if not request.user.has_perm("servicedesk.manage_catalogue") or not places.exists():
        raise Http404("Not found.")
    head = NewMatterForm(request.POST or None, places=places)
    form, rows, more = _version_forms(request)
    valid = not more and all([head.is_valid(), form.is_valid(), rows.is_valid()])
    if request.method == "POST" and valid:
        try:
            matter = services.matter_create(
                actor=request.user,
                place=head.cleaned_data["place"],
                kind=head.cleaned_data["kind"],
                spec=version_spec(form, rows),
                request=request,
            )
        except ValidationError as exc:
            _refused(form, exc)
        except ForbiddenError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("The matter is in the catalogue."))
            return redirect("servicedesk:matter-detail", matter.code)
    return render(
        request,
        "servicedesk/matter_form.html",
        {"head": head, "form": form, "rows": rows, "matter": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def matter_revise(request, code: str):
    matter = selectors.matter_get(user=request.user, code=code)
    if not request.user.has_perm("servicedesk.manage_catalogue", matter):
        raise Http404("Not found.")
    current = selectors.version_get(matter=matter, number=None)
    note = RevisionNoteForm(request.POST or None)
    form, rows, more = _version_forms(request, current)
    valid = not more and all([note.is_valid(), form.is_valid(), rows.is_valid()])
    if request.method == "POST" and valid:
        try:
            version = services.matter_revise(
                actor=request.user,
                matter=matter,
                spec=version_spec(form, rows),
                change_note=note.cleaned_data["change_note"],
                request=request,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s is in force; cases already started keep theirs.")
                % {"number": version.number},
            )
            return redirect("servicedesk:matter-detail", matter.code)
    return render(
        request,
        "servicedesk/matter_form.html",
        {"head": note, "form": form, "rows": rows, "matter": matter},
    )


@login_required
@require_POST
def matter_listing(request, code: str):
    matter = selectors.matter_get(user=request.user, code=code)
    if not request.user.has_perm("servicedesk.manage_catalogue", matter):
        raise Http404("Not found.")
    listed = request.POST.get("listed") == "1"
    services.matter_set_listed(actor=request.user, matter=matter, listed=listed, request=request)
    messages.success(
        request,
        _("The matter is back in the catalogue.")
        if listed
        else _("The matter is out of the catalogue; its cases keep it."),
    )
    return redirect("servicedesk:matter-detail", matter.code)
