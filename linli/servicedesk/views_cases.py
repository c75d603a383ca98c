"""Pages of the desk's cases (办件): the counter view (find a resident, open a case for a
matter and situation, tick materials as they arrive), a case's page, a resident's own
cases, and the two printouts: the 一次告知单 and the 受理回执."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.accounts.scope import resident_compounds
from linli.core.forms import redirect_back, run_action, submit_form
from linli.core.pagination import paginate
from linli.residents.selectors import resident_get

from . import selectors, services
from .forms_cases import (
    CaseOpenForm,
    CaseRatingForm,
    CaseStepForm,
    MaterialMarkForm,
    ResidentSearchForm,
)
from .models import Matter
from .views import consultation_form

# Cases due within this many days (or overdue) are listed first at the counter.
DUE_SOON_DAYS = 2
# How each step's button reads.
STEP_BUTTONS = {
    "record_missing": gettext_lazy("Record what is missing (一次告知)"),
    "accept": gettext_lazy("Accept the case"),
    "forward": gettext_lazy("Forward"),
    "approve": gettext_lazy("Record the approval"),
    "refuse": gettext_lazy("Record the refusal"),
    "finish": gettext_lazy("Result handed over: close the case"),
    "withdraw": gettext_lazy("Withdraw the case"),
}
# The steps whose form asks for something more than a button.
STEP_FIELDS = {"forward": ("department",), "approve": ("answer",), "refuse": ("reason", "answer")}


def _require(request, perm: str, obj=None) -> None:
    """Pages a user may not use answer as missing, so that nothing leaks."""
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


def _id_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise Http404("Not found.")
    return int(raw)


def _chosen_matter(request):
    code = request.GET.get("matter", "")[:40]
    if not code:
        return None
    matter = Matter.objects.filter(code=code, is_active=True, current__isnull=False).first()
    if matter is None:
        raise Http404("Not found.")
    return matter


@login_required
@require_safe
def desk(request):
    """The counter: find a resident with the register's search, choose a matter, its
    situation and the channel, and open a case; the open cases of the desk below."""
    _require(request, "servicedesk.open_case")
    search = ResidentSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    resident_id = _id_param(request, "resident")
    resident = resident_get(user=request.user, pk=resident_id) if resident_id else None
    matter = _chosen_matter(request) if resident else None
    open_form = None
    if matter is not None:
        version = selectors.version_get(matter=matter, number=None)
        open_form = CaseOpenForm(
            initial={"resident": resident.pk, "matter": matter.code},
            situations=version.situations.all(),
        )
    page = paginate(request, selectors.case_list(user=request.user, open_only=True))
    today = timezone.localdate()
    return render(
        request,
        "servicedesk/desk.html",
        {
            "online_new": selectors.online_cases_new(user=request.user),
            "consult_form": consultation_form(
                request.user, initial={"resident": resident.pk} if resident else None
            ),
            "due": selectors.cases_due(user=request.user, by=today + timedelta(days=DUE_SOON_DAYS)),
            "search": search,
            "q": q,
            "residents": selectors.desk_residents(user=request.user, q=q) if q else [],
            "resident": resident,
            "matters": selectors.desk_matters() if resident else [],
            "matter": matter,
            "open_form": open_form,
            "page": page,
        },
    )


@login_required
@require_POST
def case_open(request):
    _require(request, "servicedesk.open_case")
    situations = ()
    form = CaseOpenForm(request.POST)
    if form.is_valid() or "matter" in form.cleaned_data:
        matter = Matter.objects.filter(code=form.cleaned_data.get("matter", "")).first()
        if matter is not None and matter.current_id:
            situations = matter.current.situations.all()
            form = CaseOpenForm(request.POST, situations=situations)
    if not form.is_valid():
        return _desk_again(request, form)
    data = form.cleaned_data
    resident = resident_get(user=request.user, pk=data["resident"])
    matter = Matter.objects.filter(code=data["matter"]).first()
    if matter is None:
        raise Http404("Not found.")
    case = submit_form(
        request,
        form,
        lambda: services.case_open(
            actor=request.user,
            resident=resident,
            matter=matter,
            situation_id=data["situation"],
            channel=data["channel"],
            note=data["note"],
            would_call_12345=data["would_call_12345"],
            request=request,
        ),
        _("The case is opened; tick the materials as they arrive."),
    )
    if case is None:
        return _desk_again(request, form)
    return redirect("servicedesk:case-detail", case.pk)


def _desk_again(request, form):
    return render(
        request,
        "servicedesk/desk.html",
        {
            "search": ResidentSearchForm(),
            "consult_form": consultation_form(request.user),
            "open_form": form,
            "matters": [],
            "page": paginate(request, selectors.case_list(user=request.user, open_only=True)),
        },
        status=400,
    )


def _case_context(request, case) -> dict:
    user = request.user
    steps = services.case_steps(user=user, case=case)
    checklist = selectors.case_checklist(case=case)
    return {
        "case": case,
        "checklist": checklist,
        "missing": [line for line in checklist if not line.received],
        "steps": [(name, STEP_BUTTONS[name], STEP_FIELDS.get(name, ())) for name in steps],
        "serves": user.has_perm("servicedesk.serve_case", case),
        "may_tick": user.has_perm("servicedesk.serve_case", case)
        and case.status in services.CHECKLIST_OPEN_STATUSES,
        "is_mine": case.resident.user_id is not None and case.resident.user_id == user.pk,
    }


def _detail(request, case, rating_form=None):
    context = _case_context(request, case)
    context["timeline"] = selectors.case_timeline(case=case)
    # 代办: seen by the desk and the resident; the desk may authorise one on an open case.
    context["proxy_visible"] = request.user.has_perm("servicedesk.view_proxy", case)
    context["proxies"] = selectors.case_proxies(case=case) if context["proxy_visible"] else []
    context["may_authorise"] = (
        case.is_open
        and request.user.has_perm("servicedesk.manage_proxy", case)
        and not any(proxy.status != "revoked" for proxy in context["proxies"])
    )
    context["accept_blocked"] = (
        context["serves"] and case.status in services.CHECKLIST_OPEN_STATUSES and context["missing"]
    )
    may_rate = (
        case.status == services.CS.DONE
        and not case.rating
        and request.user.has_perm("servicedesk.rate_case", case)
    )
    context["rating_form"] = (rating_form or CaseRatingForm()) if may_rate else None
    if rating_form is not None and not may_rate:  # refused as a whole (rated, not done)
        for error in rating_form.non_field_errors():
            messages.error(request, error)
    return render(request, "servicedesk/case_detail.html", context)


@login_required
@require_safe
def case_detail(request, pk: int):
    return _detail(request, selectors.case_get(user=request.user, pk=pk))


@login_required
@require_POST
def case_rate(request, pk: int):
    """The resident's 好差评; a refused one comes back with what they chose and wrote."""
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseRatingForm(request.POST)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services.case_rate(
            actor=request.user,
            case=case,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        ),
        _("Thank you: your rating is recorded."),
    ):
        return redirect("servicedesk:case-detail", case.pk)
    return _detail(request, case, rating_form=form)


@login_required
@require_POST
def case_material(request, pk: int, material_id: int):
    case = selectors.case_get(user=request.user, pk=pk)
    back = redirect_back(request, reverse("servicedesk:case-detail", args=[case.pk]))
    form = MaterialMarkForm(request.POST)
    if not form.is_valid():
        return back
    received = form.cleaned_data["received"]
    run_action(
        request,
        lambda: services.case_material_mark(
            actor=request.user,
            case=case,
            material_id=material_id,
            received=received,
            note=form.cleaned_data["note"] if "note" in request.POST else None,
            request=request,
        ),
        _("Ticked as received.") if received else _("Unticked: still missing."),
    )
    return back


@login_required
@require_POST
def case_step(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    back = redirect_back(request, reverse("servicedesk:case-detail", args=[case.pk]))
    form = CaseStepForm(request.POST)
    if not form.is_valid():
        return back
    data = form.cleaned_data
    run_action(
        request,
        lambda: services.case_take_step(
            actor=request.user,
            case=case,
            step=data["step"],
            department=data["department"],
            reason=data["reason"],
            answer=data["answer"],
            request=request,
        ),
        _("Done: the case is on its timeline."),
    )
    return back


@login_required
@require_safe
def my_cases(request):
    """A resident's own cases, newest first."""
    page = paginate(request, selectors.case_list(user=request.user, mine=True))
    return render(
        request,
        "servicedesk/my_cases.html",
        {
            "page": page,
            "consultations": selectors.consultation_list(user=request.user, mine=True)[:20],
            # a resident of a compound may start a case online (scope: no query)
            "may_start": bool(resident_compounds(request.user)),
        },
    )


@login_required
@require_safe
def case_missing(request, pk: int):
    """The 一次告知单: everything still missing for the case, at once, to print."""
    case = selectors.case_get(user=request.user, pk=pk)
    return render(
        request,
        "servicedesk/case_missing.html",
        {"case": case, "missing": services.missing_materials(case)},
    )


@login_required
@require_safe
def case_receipt(request, pk: int):
    """The 受理回执: the case number, the matter, the day accepted and the due date."""
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "servicedesk/case_receipt.html", {"case": case})
