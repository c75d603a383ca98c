"""Pages of the free clinics (义诊): the list of clinics (upcoming and past), a new clinic, a
clinic with its slots (a resident registers there; the clinic's people see who registered in
each slot and register others), the clinic-day entry page — one compact form per person for
blood pressure, glucose, weight, height and advice, saved one person at a time — and the
printable summary report. Thin: ``clinics`` decides what is visible and acts."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.accounts.roles import RUN_CLINICS
from linli.accounts.scope import COMPOUND_DEPTH, scope_of
from linli.core.forms import run_action, submit_form
from linli.core.pagination import paginate
from linli.places import tree
from linli.places.models import Organisation, OrganisationKind, Place

from . import clinics, selectors
from .forms_clinics import ClinicForm, RegisterForm, StaffRegisterForm, VisitForm
from .models import ClinicStatus, Registration, RegistrationStatus

UPCOMING_SHOWN = 50
CARDS_OFFERED = 500
PLACES_OFFERED = 300
COMMUNITY_DEPTH = COMPOUND_DEPTH - 1
FORM_PLACE_KINDS = ("community", "compound")


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
    if not clinics.clinic_may_run(request.user, event):
        raise Http404("Not found.")


# -- the list ----------------------------------------------------------------------------------


@login_required
@require_safe
def clinic_list(request):
    user = request.user
    upcoming = list(clinics.clinic_list(user=user, upcoming=True)[:UPCOMING_SHOWN])
    page = paginate(request, clinics.clinic_list(user=user, upcoming=False))
    for event in [*upcoming, *page.object_list]:
        event.free = clinics.clinic_free_places(event)
    return render(
        request,
        "health/clinic_list.html",
        {
            "upcoming": upcoming,
            "page": page,
            "can_create": user.has_perm("health.run_clinic"),
        },
    )


# -- a new clinic ------------------------------------------------------------------------------


def _create_choices(user) -> tuple[list[Organisation], list[Place]]:
    """Organisations the user may run a clinic for (their own; for clinic staff also the
    clinics serving their area) and the places in reach."""
    scope = scope_of(user)
    staff_paths = [g.path for g in scope.grants if g.role in RUN_CLINICS]
    orgs_q = Q(pk__in=sorted(scope.member_organisation_ids))
    if staff_paths or scope.is_superuser:
        orgs_q |= Q(kind=OrganisationKind.CLINIC) & scope.organisation_q()
    organisations = list(
        Organisation.objects.filter(orgs_q, is_active=True).select_related("place").order_by("name")
    )
    roots = staff_paths + [
        o.place.path for o in organisations if o.pk in scope.member_organisation_ids
    ]
    places_q = Q(pk__in=[])
    for root in roots:
        places_q |= tree.subtree_q(root)
    if scope.is_superuser:
        places_q = Q()
    places = list(
        # The venue names the room; a building is chosen in the service's API, not here.
        Place.objects.filter(places_q, kind__in=FORM_PLACE_KINDS).order_by("path")[:PLACES_OFFERED]
    )
    return organisations, places


@login_required
def clinic_create(request):
    if not request.user.has_perm("health.run_clinic"):
        raise Http404("Not found.")
    organisations, places = _create_choices(request.user)
    form = ClinicForm(request.POST or None, organisations=organisations, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = submit_form(
            request,
            form,
            lambda: clinics.clinic_create(
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


def _staff_cards(user, event):
    """Cards a runner may register: those they look after in the clinic's community, not
    registered yet."""
    community = event.place.path[: tree.SEGMENT * COMMUNITY_DEPTH]
    registered = Registration.objects.filter(event=event, status__in=clinics.HOLDING).values(
        "card_id"
    )
    return list(
        selectors.card_list(user=user, readings=True)
        .filter(tree.subtree_q(community, "place__path"))
        .exclude(pk__in=registered)
        .order_by("resident__name", "id")[:CARDS_OFFERED]
    )


def _detail_context(request, event, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    slots = clinics.clinic_slots(event)
    now = timezone.now()
    is_runner = clinics.clinic_may_run(user, event)
    is_open = event.status == ClinicStatus.PLANNED and now < event.end
    context = {
        "event": event,
        "slots": slots,
        "free": sum(free for _s, _t, free in slots),
        "is_runner": is_runner,
        "is_open": is_open,
        "statuses": RegistrationStatus,
    }
    mine = clinics.my_registration(user=user, event=event)
    if mine is not None and mine.status != RegistrationStatus.CANCELLED:
        context["mine"] = mine
    elif is_open and not is_runner:
        card = clinics.own_card(user)
        context["own_card"] = card
        if card is not None:
            future = [(s, t, f) for s, t, f in slots if s > now]
            context["register_form"] = bound.get("register") or RegisterForm(slots=future)
    if is_runner:
        registrations = list(clinics.registration_list(user=user, event=event, request=request))
        context["by_slot"] = clinics.registrations_by_slot(
            event, [r for r in registrations if r.status != RegistrationStatus.CANCELLED]
        )
        context["cancelled"] = [
            r for r in registrations if r.status == RegistrationStatus.CANCELLED
        ]
        if is_open:
            open_slots = [(s, t, f) for s, t, f in slots if s + _slot(event) > now]
            context["staff_form"] = bound.get("staff") or StaffRegisterForm(
                slots=open_slots, cards=_staff_cards(user, event)
            )
    return context


def _slot(event) -> timedelta:
    return timedelta(minutes=event.slot_minutes)


@login_required
@require_safe
def clinic_detail(request, pk):
    event = clinics.clinic_get(user=request.user, pk=pk)
    return render(request, "health/clinic_detail.html", _detail_context(request, event))


def _register(request, event):
    card = clinics.own_card(request.user)
    if card is None:
        messages.error(
            request,
            _(
                "You have no health help card yet. Please ask at the clinic station or your "
                "community worker: they make it with you, then you can register."
            ),
        )
        return None
    slots = [(s, t, f) for s, t, f in clinics.clinic_slots(event) if s > timezone.now()]
    form = RegisterForm(request.POST, slots=slots)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: clinics.registration_create(
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
    now = timezone.now()
    slots = [(s, t, f) for s, t, f in clinics.clinic_slots(event) if s + _slot(event) > now]
    form = StaffRegisterForm(request.POST, slots=slots, cards=_staff_cards(request.user, event))
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: clinics.registration_create(
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
    return clinics.registration_get(event=event, pk=int(raw))


def _cancel(request, event):
    registration = _registration_from_post(request, event)
    mine = registration.card.resident.user_id == request.user.pk
    if not mine:
        _runner_only(request, event)
    run_action(
        request,
        lambda: clinics.registration_cancel(
            actor=request.user, registration=registration, request=request
        ),
        _("The registration was cancelled."),
    )


def _close(request, event):
    _runner_only(request, event)
    run_action(
        request,
        lambda: clinics.clinic_close(actor=request.user, event=event, request=request),
        _("The clinic was closed. Whoever did not come is marked so."),
    )


@login_required
@require_POST
def clinic_action(request, pk):
    """Every change on the clinic's page, by its ``action``."""
    event = clinics.clinic_get(user=request.user, pk=pk)
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
        for r in clinics.registration_list(
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
    event = clinics.clinic_get(user=request.user, pk=pk)
    _runner_only(request, event)
    if request.method == "POST":
        registration = _registration_from_post(request, event)
        action = request.POST.get("action", "")
        target = reverse("health:clinic-day", args=[event.pk]) + f"#r{registration.pk}"
        name = registration.card.resident.name
        if action == "no_show":
            run_action(
                request,
                lambda: clinics.registration_no_show(
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
            lambda: clinics.clinic_visit_record(
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
    event = clinics.clinic_get(user=request.user, pk=pk)
    _runner_only(request, event)
    return render(
        request,
        "health/clinic_report.html",
        {
            "event": event,
            "summary": clinics.clinic_summary(event),
            "slots": clinics.clinic_slots(event),
        },
    )
