"""Pages of the service desk. The catalogue is public: a resident can look up what to bring
before coming, without an account."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from linli.core.ids import is_valid_id
from linli.core.pagination import paginate
from linli.core.workdays import UnknownCalendarYear, add_working_days

from . import selectors
from .forms import MatterFilterForm
from .models import MatterKind


@require_safe
def matter_list(request):
    form = MatterFilterForm(request.GET or None)
    filters = form.filters()
    unlisted = request.GET.get("unlisted") == "1" and request.user.has_perm(
        "servicedesk.manage_catalogue"
    )
    matters = selectors.matter_list(user=request.user, unlisted=unlisted, **filters)
    return render(
        request,
        "servicedesk/matter_list.html",
        {
            "form": form,
            "page": paginate(request, matters),
            "unlisted": unlisted,
            "kinds": MatterKind,
            "can_manage": request.user.has_perm("servicedesk.manage_catalogue"),
        },
    )


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit() or not is_valid_id(int(raw)):
        raise Http404("Not found.")
    return int(raw)


@require_safe
def matter_detail(request, code: str):
    matter = selectors.matter_get(user=request.user, code=code)
    number = _int_param(request, "version")
    version = selectors.version_get(matter=matter, number=number)
    situation_id = _int_param(request, "situation")
    if situation_id is not None and not any(s.pk == situation_id for s in version.situations.all()):
        raise Http404("Not found.")
    now = timezone.now()
    try:
        done_by = add_working_days(now, version.promised_days) if version.promised_days else None
    except UnknownCalendarYear:
        done_by = None
    return render(
        request,
        "servicedesk/matter_detail.html",
        {
            "matter": matter,
            "version": version,
            "is_current": version.pk == matter.current_id,
            "history": selectors.version_history(matter=matter),
            "checklist": selectors.checklist(version, situation_id),
            "situation_id": situation_id,
            "done_by": done_by,
            "can_manage": request.user.has_perm("servicedesk.manage_catalogue", matter),
        },
    )
