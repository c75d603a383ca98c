"""Pages of swaps and the rota (phone first): the offers I could take, my own offers and the
ones I took, the coordinator's approvals, one swap with its timeline; the rota of this week
and next (who cleans what, the households' turns), filling it and marking turns; absences.
Thin: the selectors decide what is visible (404 for everyone else), the services act."""

from datetime import date, timedelta

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core.forms import redirect_back, run_action

from . import forms, selectors, selectors_swaps, services_rota, services_swaps
from .models import HouseholdTurnStatus, RotaMode

SWAP_MESSAGES = {
    "take": gettext_lazy("You took the shift."),
    "approve": gettext_lazy("Swap approved."),
    "decline": gettext_lazy("Swap declined."),
    "withdraw": gettext_lazy("Offer withdrawn."),
}
# How far ahead the rota page's button fills.
FILL_WEEKS = 2


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404("Not found.")


# -- swaps --


@login_required
@require_safe
def swap_list(request):
    user = request.user
    _require(request, "volunteers.use_volunteers")
    return render(
        request,
        "volunteers/swap_list.html",
        {
            "open": list(selectors_swaps.open_swaps(user=user)[:200]),
            "mine": list(selectors_swaps.my_swaps(user=user)[:200]),
            "approvals": list(selectors_swaps.swap_approvals(user=user)[:200])
            if user.has_perm("volunteers.coordinate")
            else [],
        },
    )


@login_required
@require_safe
def swap_detail(request, pk):
    swap = selectors_swaps.swap_get(user=request.user, pk=pk)
    return render(
        request,
        "volunteers/swap_detail.html",
        {
            "swap": swap,
            "events": list(swap.events.all()),
            "steps": services_swaps.swap_steps(user=request.user, swap=swap),
        },
    )


@login_required
@require_POST
def swap_offer(request, pk):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_action(
        request,
        lambda: services_swaps.swap_offer(actor=request.user, assignment=assignment, note=note),
        _("Your shift is offered; the volunteers who could take it are told."),
    )
    return redirect_back(request, reverse("volunteers:shift-mine"))


@login_required
@require_POST
def swap_step(request, pk):
    swap = selectors_swaps.swap_get(user=request.user, pk=pk)
    step = request.POST.get("step", "")
    back = reverse("volunteers:swap-detail", args=[swap.pk])
    if step not in SWAP_MESSAGES:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect_back(request, back)
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    write = getattr(services_swaps, f"swap_{step}")
    run_action(
        request, lambda: write(actor=request.user, swap=swap, note=note), SWAP_MESSAGES[step]
    )
    return redirect_back(request, back)


# -- rota --


def _week_start(raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except (TypeError, ValueError):
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@login_required
@require_safe
def rota(request):
    """Who cleans what, this week and next: each rota's shifts with their people or
    households; the user's own places and their household's turns marked."""
    user = request.user
    types = list(selectors_swaps.rota_types(user=user)[:50])
    if not types and not user.has_perm("volunteers.use_volunteers"):
        raise Http404("Not found.")
    week = _week_start(request.GET.get("week", ""))
    volunteer = selectors.volunteer_of(user=user)
    household = selectors_swaps._household_of(user)
    shifts = selectors_swaps.rota_shifts(shift_types=types, start=week, days=14)
    weeks = [(week, []), (week + timedelta(weeks=1), [])]
    for shift in shifts:
        day = timezone.localtime(shift.start).date()
        shift.mine = bool(volunteer) and any(
            a.volunteer_id == volunteer.pk for a in shift.active_assignments
        )
        shift.ours = bool(household) and any(t.household_id == household.pk for t in shift.turns)
        shift.households = shift.shift_type.rota == RotaMode.HOUSEHOLDS
        weeks[0 if day < weeks[1][0] else 1][1].append(shift)
    fillable = [t for t in types if user.has_perm("volunteers.fill_rota", t)]
    return render(
        request,
        "volunteers/rota.html",
        {
            "weeks": weeks,
            "types": types,
            "fillable": fillable,
            "markable": {t.group_id for t in fillable},
            "previous": week - timedelta(weeks=1),
            "next": week + timedelta(weeks=1),
            "now": timezone.now(),
            "turn_statuses": HouseholdTurnStatus,
        },
    )


@login_required
@require_POST
def rota_fill(request, pk):
    shift_type = selectors_swaps.rota_type_get(user=request.user, pk=pk)
    until = timezone.localdate() + timedelta(weeks=FILL_WEEKS)
    result = {}

    def write():
        result["made"] = services_rota.rota_fill(
            actor=request.user, shift_type=shift_type, until=until
        )

    done = run_action(request, write, _("The rota is filled for the coming two weeks."))
    if done and not result["made"]:
        messages.info(request, _("Nothing to fill: every place is taken."))
    return redirect_back(request, reverse("volunteers:rota"))


@login_required
@require_POST
def turn_mark(request, pk):
    turn = selectors_swaps.turn_get(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_action(
        request,
        lambda: services_rota.turn_mark(actor=request.user, turn=turn, status=status, note=note),
        _("The turn is marked."),
    )
    return redirect_back(request, reverse("volunteers:rota"))


class AbsenceForm(django_forms.Form):
    who = django_forms.ChoiceField(label=_("who"))
    from_date = django_forms.DateField(
        label=_("away from"), widget=django_forms.DateInput(attrs={"type": "date"})
    )
    until_date = django_forms.DateField(
        label=_("away until"), widget=django_forms.DateInput(attrs={"type": "date"})
    )
    reason = django_forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = choices


def _absence_choices(user, groups):
    """(value, label, group, volunteer, household): who the user may enter an absence for."""
    from linli.residents.models import Household

    from .models import Membership, MembershipStatus, Volunteer

    rows = []
    volunteer = selectors.volunteer_of(user=user)
    household = selectors_swaps._household_of(user)
    for group in groups:
        coordinates = user.has_perm("volunteers.coordinate", group)
        if coordinates:
            members = Volunteer.objects.filter(
                memberships__group=group, memberships__status=MembershipStatus.APPROVED
            ).order_by("name", "id")
            for v in members[:300]:
                rows.append((f"v{group.pk}-{v.pk}", f"{group.name} · {v.name}", group, v, None))
            has_households = group.shift_types.filter(rota=RotaMode.HOUSEHOLDS).exists()
            if has_households:
                for h in services_rota.rota_households(group).select_related("place")[:500]:
                    label = f"{group.name} · {h.place.name}"
                    rows.append((f"h{group.pk}-{h.pk}", label, group, None, h))
        else:
            if (
                volunteer is not None
                and Membership.objects.filter(
                    group=group, volunteer=volunteer, status=MembershipStatus.APPROVED
                ).exists()
            ):
                rows.append(
                    (f"v{group.pk}-{volunteer.pk}", f"{group.name} · {volunteer.name}", group,
                     volunteer, None)
                )  # fmt: skip
            if (
                isinstance(household, Household)
                and services_rota.rota_households(group).filter(pk=household.pk).exists()
            ):
                label = f"{group.name} · {household.place.name}"
                rows.append((f"h{group.pk}-{household.pk}", label, group, None, household))
    return rows


@login_required
def absences(request):
    """Absences from the rota: a member enters their own, a coordinator anyone's."""
    user = request.user
    groups = selectors_swaps.absence_groups(user=user)
    if not groups:
        raise Http404("Not found.")
    rows = _absence_choices(user, groups)
    form = AbsenceForm(request.POST or None, choices=[(r[0], r[1]) for r in rows])
    if request.method == "POST" and form.is_valid():
        row = next(r for r in rows if r[0] == form.cleaned_data["who"])
        data = form.cleaned_data
        if run_action(
            request,
            lambda: services_rota.absence_record(
                actor=user, group=row[2], volunteer=row[3], household=row[4],
                from_date=data["from_date"], until_date=data["until_date"],
                reason=data["reason"],
            ),
            _("The absence is entered; the rota passes over it."),
        ):  # fmt: skip
            return redirect("volunteers:absences")
    listed = list(selectors_swaps.absence_list(user=user, since=timezone.localdate())[:300])
    for absence in listed:
        absence.removable = user.has_perm("volunteers.record_absence", absence)
    return render(request, "volunteers/absences.html", {"form": form, "absences": listed})


@login_required
@require_POST
def absence_remove(request, pk):
    absence = selectors_swaps.absence_get(user=request.user, pk=pk)
    run_action(
        request,
        lambda: services_rota.absence_remove(actor=request.user, absence=absence),
        _("The absence is taken off."),
    )
    return redirect_back(request, reverse("volunteers:absences"))
