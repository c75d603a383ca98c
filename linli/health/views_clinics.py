"""Pages of the free clinics (义诊): the list of clinics (upcoming and past), a new clinic, a
clinic with its slots (a resident registers there; the clinic's people see who registered in
each slot and register others), the clinic-day entry page — one compact form per person for
blood pressure, glucose, weight, height and advice, saved one person at a time — and the
printable summary report. Thin: ``selectors_clinics`` decides what is visible and offers the
choices, ``services_clinics`` acts, and the permissions are named here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core.forms import run_action, submit_form
from linli.core.pagination import paginate

from . import selectors_clinics, services_clinics
from .forms_clinics import ClinicForm, RegisterForm, StaffRegisterForm, VisitForm
from .models import ClinicStatus, RegistrationStatus

UPCOMING_SHOWN = 50
RUN = "health.run_clinic"


def register_clinic_nav() -> None:
    """The "Free clinics" entry of the home page and navigation (called from AppConfig.ready).
    Clinics are public to the district's people, so every signed-in user gets it."""
    from linli.core.navigation import NavEntry, register_nav_entry

    register_nav_entry(
        NavEntry(
            "health:clinic-list",
            gettext_lazy("Free clinics"),
            gettext_lazy(
                "义诊: free clinics of partner clinics near you — register for a slot; the "
                "clinic's staff enter readings and advice on the day."
            ),
        ),
        after="health:my-card",
    )


def _runner_only(request, event) -> None:
    """Pages for the clinic's people answer as missing to everyone else."""
    if not request.user.has_perm(RUN, event):
        raise Http404("Not found.")


# -- the list ----------------------------------------------------------------------------------


@login_required
@require_safe
def clinic_list(request):
    user = request.user
    upcoming = list(selectors_clinics.clinic_list(user=user, upcoming=True)[:UPCOMING_SHOWN])
    page = paginate(request, selectors_clinics.clinic_list(user=user, upcoming=False))
    for event in [*upcoming, *page.object_list]:
        event.free = selectors_clinics.clinic_free_places(event)
    return render(
        request,
        "health/clinic_list.html",
        {
            "upcoming": upcoming,
            "page": page,
            "can_create": user.has_perm(RUN),
        },
    )


# -- a new clinic ------------------------------------------------------------------------------


@login_required
def clinic_create(request):
    if not request.user.has_perm(RUN):
        raise Http404("Not found.")
    organisations, places = selectors_clinics.clinic_create_choices(user=request.user)
    form = ClinicForm(request.POST or None, organisations=organisations, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = submit_form(
            request,
            form,
            lambda: services_clinics.clinic_create(
                actor=request.user,
                organisation=data["organisation"],
                place=data["place"],
                title=data["title"],
                specialty=data["specialty"],
                start=data["start"],
                end=data["end"],
                slot_minutes=data["slot_minutes"],
                per_slot=data["per_slot"],
                venue=data["venue"],
                description=data["description"],
                request=request,
            ),
            _("The clinic was planned; residents can register now."),
        )
        if event is not None:
            return redirect("health:clinic-detail", pk=event.pk)
    return render(request, "health/clinic_form.html", {"form": form})


# -- a clinic ----------------------------------------------------------------------------------


def _detail_context(request, event, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    slots = selectors_clinics.clinic_slots(event)
    now = timezone.now()
    is_runner = user.has_perm(RUN, event)
    is_open = event.status == ClinicStatus.PLANNED and now < event.end
    context = {
        "event": event,
        "slots": slots,
        "free": sum(free for _s, _t, free in slots),
        "is_runner": is_runner,
        "is_open": is_open,
        "statuses": RegistrationStatus,
    }
    mine = selectors_clinics.my_registration(user=user, event=event)
    if mine is not None and mine.status != RegistrationStatus.CANCELLED:
        context["mine"] = mine
    elif is_open and not is_runner:
        card = selectors_clinics.own_card(user)
        context["own_card"] = card
        if card is not None:
            future = selectors_clinics.clinic_slot_choices(event, staff=False, now=now, slots=slots)
            context["register_form"] = bound.get("register") or RegisterForm(slots=future)
    if is_runner:
        registrations = list(
            selectors_clinics.registration_list(user=user, event=event, request=request)
        )
        context["by_slot"] = selectors_clinics.registrations_by_slot(
            event, [r for r in registrations if r.status != RegistrationStatus.CANCELLED]
        )
        context["cancelled"] = [
            r for r in registrations if r.status == RegistrationStatus.CANCELLED
        ]
        context["timeline"] = selectors_clinics.clinic_log(event)
        if is_open:
            open_slots = selectors_clinics.clinic_slot_choices(
                event, staff=True, now=now, slots=slots
            )
            context["staff_form"] = bound.get("staff") or StaffRegisterForm(
                slots=open_slots,
                cards=selectors_clinics.clinic_card_choices(user=user, event=event),
            )
    return context


@login_required
@require_safe
def clinic_detail(request, pk):
    event = selectors_clinics.clinic_get(user=request.user, pk=pk)
    return render(request, "health/clinic_detail.html", _detail_context(request, event))


def _register(request, event):
    card = selectors_clinics.own_card(request.user)
    if card is None:
        messages.error(
            request,
            _(
                "You have no health help card yet. Please ask at the clinic station or your "
                "community worker: they make it with you, then you can register."
            ),
        )
        return None
    slots = selectors_clinics.clinic_slot_choices(event, staff=False)
    form = RegisterForm(request.POST, slots=slots)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services_clinics.registration_create(
            actor=request.user,
            event=event,
            card=card,
            slot_start=form.cleaned_data["slot_start"],
            complaint=form.cleaned_data["complaint"],
            request=request,
        ),
        _("You are registered. Please come on time and bring your health card."),
    ):
        return None
    return {"register": form}


def _register_staff(request, event):
    _runner_only(request, event)
    slots = selectors_clinics.clinic_slot_choices(event, staff=True)
    form = StaffRegisterForm(
        request.POST,
        slots=slots,
        cards=selectors_clinics.clinic_card_choices(user=request.user, event=event),
    )
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services_clinics.registration_create(
            actor=request.user,
            event=event,
            card=form.cleaned_data["card"],
            slot_start=form.cleaned_data["slot_start"],
            complaint=form.cleaned_data["complaint"],
            request=request,
        ),
        _("Registered."),
    ):
        return None
    return {"staff": form}


def _registration_from_post(request, event):
    raw = request.POST.get("registration", "")
    if not raw.isdigit():
        raise Http404("Not found.")
    return selectors_clinics.registration_get(event=event, pk=int(raw))


def _cancel(request, event):
    registration = _registration_from_post(request, event)
    if not request.user.has_perm("health.register_at_clinic", registration):
        raise Http404("Not found.")
    run_action(
        request,
        lambda: services_clinics.registration_cancel(
            actor=request.user, registration=registration, request=request
        ),
        _("The registration was cancelled."),
    )


def _close(request, event):
    _runner_only(request, event)
    run_action(
        request,
        lambda: services_clinics.clinic_close(actor=request.user, event=event, request=request),
        _("The clinic was closed. Whoever did not come is marked so."),
    )


@login_required
@require_POST
def clinic_action(request, pk):
    """Every change on the clinic's page, by its ``action``."""
    event = selectors_clinics.clinic_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    if action == "register":
        bound = _register(request, event)
    elif action == "register_staff":
        bound = _register_staff(request, event)
    elif action == "cancel":
        bound = _cancel(request, event)
    elif action == "close":
        bound = _close(request, event)
    else:
        messages.error(request, _("Unknown action; nothing was changed."))
        bound = None
    if bound:
        context = _detail_context(request, event, bound=bound)
        return render(request, "health/clinic_detail.html", context)
    return redirect("health:clinic-detail", pk=event.pk)


# -- the clinic day ----------------------------------------------------------------------------


def _day_context(request, event, bound: tuple[int, VisitForm] | None = None) -> dict:
    registrations = [
        r
        for r in selectors_clinics.registration_list(
            user=request.user, event=event, request=request, how="day"
        )
        if r.status != RegistrationStatus.CANCELLED
    ]
    for registration in registrations:
        if bound is not None and bound[0] == registration.pk:
            registration.form = bound[1]
        else:
            registration.form = VisitForm(prefix=f"r{registration.pk}")
        registration.may_no_show = registration.status == RegistrationStatus.REGISTERED
    summary = {
        "registered": len(registrations),
        "seen": sum(r.status == RegistrationStatus.SEEN for r in registrations),
        "waiting": sum(r.status == RegistrationStatus.REGISTERED for r in registrations),
        "no_shows": sum(r.status == RegistrationStatus.NO_SHOW for r in registrations),
    }
    return {
        "event": event,
        "registrations": registrations,
        "summary": summary,
        "is_open": event.status == ClinicStatus.PLANNED,
        "statuses": RegistrationStatus,
    }


@login_required
def clinic_day(request, pk):
    """The clinic-day entry page of the clinic's people."""
    event = selectors_clinics.clinic_get(user=request.user, pk=pk)
    _runner_only(request, event)
    if request.method == "POST":
        registration = _registration_from_post(request, event)
        action = request.POST.get("action", "")
        target = reverse("health:clinic-day", args=[event.pk]) + f"#r{registration.pk}"
        name = registration.card.resident.name
        if action == "no_show":
            run_action(
                request,
                lambda: services_clinics.registration_no_show(
                    actor=request.user, registration=registration, request=request
                ),
                _("%(name)s is marked as not come.") % {"name": name},
            )
            return redirect(target)
        if action != "visit":
            messages.error(request, _("Unknown action; nothing was changed."))
            return redirect(target)
        form = VisitForm(request.POST, prefix=f"r{registration.pk}")
        if form.is_valid() and submit_form(
            request,
            form,
            lambda: services_clinics.clinic_visit_record(
                actor=request.user,
                registration=registration,
                readings=form.readings(),
                advice=form.cleaned_data["advice"],
                request=request,
            ),
            _("Saved for %(name)s.") % {"name": name},
        ):
            return redirect(target)
        context = _day_context(request, event, bound=(registration.pk, form))
        context["error_for"] = registration.pk
        return render(request, "health/clinic_day.html", context)
    return render(request, "health/clinic_day.html", _day_context(request, event))


# -- the report --------------------------------------------------------------------------------


@login_required
@require_safe
def clinic_report(request, pk):
    event = selectors_clinics.clinic_get(user=request.user, pk=pk)
    _runner_only(request, event)
    return render(
        request,
        "health/clinic_report.html",
        {
            "event": event,
            "summary": selectors_clinics.clinic_summary(event),
            "slots": selectors_clinics.clinic_slots(event),
        },
    )
