"""Pages of the shelf of donated items (物品借用): the catalogue with what is free, an item
with its photos and the form to ask for it (residents) or lend it (the desk), the
resident's own loans, the duty desk (requests to hand over, items out, returns), the overdue
list, the donation form and the usage report with its Excel export. Thin: the selectors
decide what is visible, the services act, the permissions are named here."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from linli.accounts.scope import resident_compounds
from linli.core.forms import redirect_back, run_action, submit_form
from linli.core.images import photo_response
from linli.core.pagination import paginate
from linli.core.xlsx import xlsx_response
from linli.places import selectors as place_selectors
from linli.places.models import Place

from . import exports, forms, selectors, services
from .models import Item, LoanStatus, WaitStatus

REQUESTS_SHOWN = 100
WAITS_SHOWN = 100
DONATIONS_SHOWN = 20
REPORT_DEFAULT_DAYS = 90


def _place_filter(request) -> Place | None:
    return place_selectors.place_from_param(user=request.user, raw=request.GET.get("place"))


def _require(request, perm: str, obj=None) -> None:
    """Pages a user may not use answer as missing, so that nothing leaks."""
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


# -- the catalogue ----------------------------------------------------------------------------


@login_required
@require_safe
def item_list(request):
    _require(request, "lending.view_item")
    place = _place_filter(request)
    filter_form = forms.ItemFilterForm(request.GET or None)
    items = selectors.item_list(
        user=request.user,
        place=place.pk if place else None,
        active_only=True,
        **filter_form.filters(),
    )
    return render(
        request,
        "lending/item_list.html",
        {
            "place": place,
            "filter_form": filter_form,
            "page": paginate(request, items),
            "is_resident": bool(resident_compounds(request.user)),
            "can_oversee": request.user.has_perm("lending.oversee_loans"),
            "can_manage": request.user.has_perm("lending.manage_item"),
        },
    )


def _detail_context(request, item: Item, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    can_manage = user.has_perm("lending.manage_item", item)
    can_oversee = user.has_perm("lending.oversee_loans", item)
    can_borrow = not can_manage and user.has_perm("lending.borrow_item", item)
    context = {
        "item": item,
        "photos": selectors.item_photos(item),
        "donations": list(selectors.donation_list(item=item)[:DONATIONS_SHOWN]),
        "show_donor": selectors.may_see_donor(user, item),
        "can_manage": can_manage,
        "can_oversee": can_oversee,
        "can_borrow": can_borrow,
        "statuses": LoanStatus,
        "today": timezone.localdate(),
        "hold_hours": services.hold_hours(),
    }
    if can_borrow:
        context["request_form"] = bound.get("request") or forms.RequestForm()
        context["my_loans"] = list(
            selectors.loan_list(user=user, item=item, mine=True, active_only=True)
        )
        wait = selectors.my_wait(user=user, item=item)
        context["my_wait"] = wait
        held = wait is not None and wait.status == WaitStatus.OFFERED
        # Nothing free (or only what the wait list is owed): no form to ask with, but when a
        # unit is expected back and the wait list — unless a unit is held for this resident.
        context["may_ask"] = held or (item.available > 0 and not selectors.has_waiters(item))
    if item.available == 0:
        context["expected_back"] = services.expected_back(item, context["today"])
    if can_manage:
        context["lend_form"] = bound.get("lend") or forms.LendForm()
        context["photo_form"] = bound.get("photo") or forms.PhotoForm()
        context["item_form"] = bound.get("item") or forms.ItemForm.for_item(item)
        context["return_form"] = forms.ReturnForm()
    if can_oversee:
        context["page"] = paginate(request, selectors.loan_list(user=user, item=item))
        context["waits"] = list(selectors.wait_list(user=user, item=item, open_only=True)[:50])
        for entry in context["waits"]:
            entry.steps = services.wait_steps(user=user, entry=entry)
    return context


@login_required
@require_safe
def item_detail(request, pk):
    item = selectors.item_get(user=request.user, pk=pk)
    return render(request, "lending/item_detail.html", _detail_context(request, item))


def _ask(request, item):
    form = forms.RequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        loan = submit_form(
            request,
            form,
            lambda: services.loan_request(
                actor=request.user, item=item, quantity=data["quantity"], note=data["note"]
            ),
            _("Your request was sent: fetch the item at the lending desk."),
        )
        if loan is not None:
            return None
    return {"request": form}


def _lend(request, item):
    form = forms.LendForm(request.POST, user=request.user, shelf=item.place)
    if form.is_valid():
        data = form.cleaned_data
        loan = submit_form(
            request,
            form,
            lambda: services.loan_lend(
                actor=request.user,
                item=item,
                quantity=data["quantity"],
                borrower_user=data["borrower_username"],
                borrower_name=data["borrower_name"],
                days=data["days"],
                note=data["note"],
            ),
            _("Lent. Please tell the borrower the date it is due back."),
        )
        if loan is not None:
            return None
    return {"lend": form}


def _photo(request, item):
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services.item_photo_add(
            actor=request.user,
            item=item,
            upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"],
            request=request,
        ),
        _("The photo was added."),
    ):
        return None
    return {"photo": form}


def _update(request, item):
    form = forms.ItemForm(request.POST)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services.item_update(
            actor=request.user, item=item, request=request, **form.changes(item)
        ),
        _("The item was saved."),
    ):
        return None
    return {"item": form}


def _wait(request, item):
    run_action(
        request,
        lambda: services.wait_join(actor=request.user, item=item),
        _("You are on the wait list: we will tell you when a unit is held for you."),
    )


# action -> (handler, permission)
ITEM_ACTIONS = {
    "request": (_ask, "lending.borrow_item"),
    "wait": (_wait, "lending.borrow_item"),
    "lend": (_lend, "lending.manage_item"),
    "photo": (_photo, "lending.manage_item"),
    "update": (_update, "lending.manage_item"),
}


@login_required
@require_POST
def item_action(request, pk):
    """Every change on the item's page, by its ``action``: refusals come back as the form
    again, with what was typed and why."""
    item = selectors.item_get(user=request.user, pk=pk)
    action = ITEM_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect("lending:item-detail", pk=item.pk)
    handler, perm = action
    if not request.user.has_perm(perm, item):
        raise PermissionDenied
    bound = handler(request, item)
    if bound is not None:
        item.refresh_from_db()
        context = _detail_context(request, item, bound=bound)
        return render(request, "lending/item_detail.html", context, status=200)
    return redirect("lending:item-detail", pk=item.pk)


@require_safe
@login_required
def item_photo(request, pk, photo_id, variant):
    photo = selectors.item_photo_get(user=request.user, item_pk=pk, pk=photo_id)
    return photo_response(photo, variant)


# -- loans ------------------------------------------------------------------------------------


@login_required
@require_safe
def loan_list(request):
    """The user's own loans: what they asked for, have, and gave back."""
    loans = selectors.loan_list(user=request.user, mine=True)
    page = paginate(request, loans)
    today = timezone.localdate()
    for loan in page.object_list:
        loan.steps = services.allowed_steps(user=request.user, loan=loan)
        loan.overdue = loan.is_overdue(today)
    waits = list(selectors.wait_list(user=request.user, mine=True, open_only=True)[:20])
    return render(request, "lending/loan_list.html", {"page": page, "today": today, "waits": waits})


STEP_MESSAGES = {
    "hand_over": gettext_lazy("Handed over."),
    "renew": gettext_lazy("Renewed."),
    "return": gettext_lazy("Taken back. Thank you!"),
    "mark_lost": gettext_lazy("Marked as lost."),
    "cancel": gettext_lazy("The request was cancelled."),
}


@login_required
@require_POST
def loan_action(request, pk):
    loan = selectors.loan_get(user=request.user, pk=pk)
    step = request.POST.get("action", "")
    back = redirect_back(request, reverse("lending:loan-list"))
    if step not in services.STEP_FUNCTIONS:
        messages.error(request, _("Unknown action; nothing was changed."))
        return back
    kwargs = {}
    if step == "return":
        form = forms.ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The step could not be read; please try again."))
            return back
        kwargs = form.cleaned_data
    elif step in ("cancel", "mark_lost"):
        form = forms.ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        kwargs = {"reason": reason} if step == "cancel" else {"note": reason}
    function = services.STEP_FUNCTIONS[step]
    run_action(
        request,
        lambda: function(actor=request.user, loan=loan, **kwargs),
        str(STEP_MESSAGES[step]),
    )
    return back


@login_required
@require_safe
def wait_detail(request, pk):
    """One wait-list entry: its item, its place in line, its status in words, its timeline,
    and the steps the viewer may take (the waiter leaves or borrows the unit held for them;
    the desk takes them off or lends it to them)."""
    entry = selectors.wait_get(user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "lending/wait_detail.html",
        {
            "entry": entry,
            "is_mine": entry.user_id == user.pk,
            "oversee": user.has_perm("lending.oversee_loans", entry),
            "held_up": entry.is_open and not selectors.item_lendable(entry.item),
            "timeline": selectors.wait_timeline(entry=entry),
            "steps": services.wait_page_steps(user=user, entry=entry),
        },
    )


@login_required
@require_safe
def wait_held_up(request):
    """The wait lists only the desk can move on: neighbours waiting for an item that is not
    being lent (the workbench's count links here)."""
    _require(request, "lending.manage_loan")
    place = _place_filter(request)
    waits = selectors.waits_held_up(user=request.user, place=place.pk if place else None)
    page = paginate(request, waits)
    for entry in page.object_list:
        entry.steps = services.wait_steps(user=request.user, entry=entry)
    return render(request, "lending/wait_held_up.html", {"place": place, "page": page})


@login_required
@require_POST
def wait_action(request, pk):
    """Leave a wait list (the waiter), or take someone off it (the desk)."""
    entry = selectors.wait_get(user=request.user, pk=pk)
    back = redirect_back(request, reverse("lending:item-detail", args=[entry.item_id]))
    if request.POST.get("action", "") != "leave":
        messages.error(request, _("Unknown action; nothing was changed."))
        return back
    run_action(
        request,
        lambda: services.wait_leave(actor=request.user, entry=entry),
        _("Taken off the wait list."),
    )
    return back


# -- the desk ---------------------------------------------------------------------------------


@login_required
@require_safe
def desk(request):
    """The duty desk: requests to hand over, and everything out (overdue first), each with
    its buttons."""
    _require(request, "lending.oversee_loans")
    place = _place_filter(request)
    data = selectors.desk(user=request.user, place=place.pk if place else None)
    requests = list(data["requests"][:REQUESTS_SHOWN])
    page = paginate(request, data["out"])
    today = data["today"]
    for loan in [*requests, *page.object_list]:
        loan.steps = services.allowed_steps(user=request.user, loan=loan)
        loan.overdue = loan.is_overdue(today)
    waits = list(
        selectors.desk_waits(user=request.user, place=place.pk if place else None)[:WAITS_SHOWN]
    )
    for entry in waits:
        entry.steps = services.wait_steps(user=request.user, entry=entry)
    return render(
        request,
        "lending/desk.html",
        {
            "place": place,
            "requests": requests,
            "waits": waits,
            "page": page,
            "today": today,
            "return_form": forms.ReturnForm(),
            "can_manage": request.user.has_perm("lending.manage_item"),
        },
    )


@login_required
@require_safe
def overdue_list(request):
    _require(request, "lending.oversee_loans")
    place = _place_filter(request)
    today = timezone.localdate()
    loans = selectors.overdue_list(
        user=request.user, place=place.pk if place else None, today=today
    )
    page = paginate(request, loans)
    for loan in page.object_list:
        loan.days_late = (today - loan.due_on).days
        loan.steps = services.allowed_steps(user=request.user, loan=loan)
    return render(
        request,
        "lending/overdue_list.html",
        {"place": place, "page": page, "today": today, "return_form": forms.ReturnForm()},
    )


# -- donations --------------------------------------------------------------------------------


@login_required
def donation_create(request):
    _require(request, "lending.manage_item")
    items = selectors.donation_item_choices(user=request.user)
    places = selectors.donation_place_choices(user=request.user)
    initial = {}
    raw = request.GET.get("item", "")
    if raw.isdigit():
        initial["item"] = raw
    form = forms.DonationForm(
        request.POST or None, items=items, places=places, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        donation = submit_form(
            request,
            form,
            lambda: services.donation_record(
                actor=request.user,
                item=data["item"],
                place=data["place"],
                name=data["name"],
                category=data["category"],
                condition=data["condition"],
                location=data["location"],
                quantity=data["quantity"],
                donor_name=data["donor_name"],
                donor_user=data["donor_username"],
                anonymous=data["anonymous"],
                donated_on=data["donated_on"],
                note=data["note"],
                request=request,
            ),
            _("The donation was recorded and the neighbours thanked in a notice."),
        )
        if donation is not None:
            return redirect("lending:item-detail", pk=donation.item_id)
    return render(request, "lending/donation_form.html", {"form": form})


# -- the usage report -------------------------------------------------------------------------


def _report_form(request):
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else None
    form = forms.ReportForm(
        data, initial={"start": today - timedelta(days=REPORT_DEFAULT_DAYS), "end": today}
    )
    if data is None:
        return form, today - timedelta(days=REPORT_DEFAULT_DAYS), today
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, None, None


@login_required
@require_GET
def usage_report(request):
    _require(request, "lending.oversee_loans")
    place = _place_filter(request)
    form, start, end = _report_form(request)
    rows = []
    if start is not None:
        try:
            rows = selectors.usage_report(
                user=request.user, start=start, end=end, place=place.pk if place else None
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    query = request.GET.urlencode()
    return render(
        request,
        "lending/usage_report.html",
        {"form": form, "rows": rows, "place": place, "start": start, "end": end, "query": query},
    )


@login_required
@require_GET
def usage_export(request):
    _require(request, "lending.oversee_loans")
    place = _place_filter(request)
    form, start, end = _report_form(request)
    if start is None:
        raise Http404("Not found.")
    filename, fallback = exports.export_filename(start, end)
    response = xlsx_response(filename, fallback)
    response["Cache-Control"] = "no-store"
    try:
        exports.usage_export(
            actor=request.user,
            start=start,
            end=end,
            place=place.pk if place else None,
            out=response,
            request=request,
        )
    except ValidationError as exc:
        raise Http404("Not found.") from exc
    return response
