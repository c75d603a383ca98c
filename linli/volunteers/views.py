"""Pages of the volunteers (phone first): my shifts with the private calendar link, the
open shifts of my groups to sign up for or cancel, joining a group, and for coordinators
the week's board (the gaps, assigning a person), the volunteers with their profiles and the
applications to decide. Thin: the selectors decide what is visible (404 for everyone
else), the services act."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core.forms import redirect_back, run_action

from . import forms, ical, selectors, services
from .models import Membership, MembershipStatus

STEP_MESSAGES = {
    "approve": gettext_lazy("Application approved."),
    "decline": gettext_lazy("Application declined."),
    "pause": gettext_lazy("Membership paused."),
    "resume": gettext_lazy("Membership resumed."),
    "leave": gettext_lazy("Left the group."),
    "reapply": gettext_lazy("Applied again."),
}


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404("Not found.")


@login_required
@require_safe
def my_shifts(request):
    user = request.user
    _require(request, "volunteers.use_volunteers")
    volunteer = selectors.volunteer_of(user=user)
    now = timezone.now()
    coming = list(selectors.my_assignments(user=user, since=now)[:100]) if volunteer else []
    # -- swaps --: the open offer of each coming shift (offer or withdraw)
    from .selectors_swaps import open_swap_by_assignment

    offers = open_swap_by_assignment(a.pk for a in coming)
    for a in coming:
        a.open_swap = offers.get(a.pk)
    memberships = (
        list(Membership.objects.filter(volunteer=volunteer).select_related("group"))
        if volunteer
        else []
    )
    return render(
        request,
        "volunteers/shift_mine.html",
        {
            "volunteer": volunteer,
            "coming": coming,
            "memberships": memberships,
            "feed_url": ical.feed_url(user, request) if volunteer else "",
            "may_coordinate": user.has_perm("volunteers.coordinate"),
            "now": now,
        },
    )


@login_required
@require_safe
def open_shifts(request):
    _require(request, "volunteers.use_volunteers")
    shifts = list(selectors.open_shifts(user=request.user)[:200])
    return render(request, "volunteers/shift_open.html", {"shifts": shifts})


@login_required
@require_POST
def shift_signup(request, pk):
    shift = selectors.shift_get(user=request.user, pk=pk)
    run_action(
        request,
        lambda: services.shift_sign_up(actor=request.user, shift=shift),
        _("You are on the shift."),
    )
    return redirect_back(request, reverse("volunteers:shift-open"))


@login_required
@require_POST
def assignment_cancel(request, pk):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    form = forms.NoteForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    run_action(
        request,
        lambda: services.assignment_cancel(
            actor=request.user, assignment=assignment, reason=reason
        ),
        _("Taken off the shift."),
    )
    return redirect_back(request, reverse("volunteers:shift-mine"))


def _week_start(raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except (TypeError, ValueError):
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@login_required
@require_safe
def board(request):
    """The coordinator's week: each shift with its people and its gap, and a person to put
    on it from the approved members who qualify."""
    user = request.user
    _require(request, "volunteers.coordinate")
    groups = list(selectors.group_list(user=user)[:50])
    if not groups:
        return render(request, "volunteers/board.html", {"groups": [], "days": []})
    raw = request.GET.get("group", "")
    with_shifts = selectors.groups_with_shift_types(groups=groups)
    default = next((g for g in groups if g.pk in with_shifts), groups[0])
    group = next((g for g in groups if str(g.pk) == raw), default)
    week = _week_start(request.GET.get("week", ""))
    shifts = list(selectors.board(group=group, week_start=week))
    members = list(selectors.eligible_members(group=group))
    now = timezone.now()
    days = []
    for shift in shifts:
        day = timezone.localtime(shift.start).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        on = {a.volunteer_id for a in shift.active_assignments}
        shift.gap = max(shift.needed - shift.taken, 0)
        shift.choices = [m for m in members if m.pk not in on] if shift.end > now else []
        days[-1][1].append(shift)
    return render(
        request,
        "volunteers/board.html",
        {
            "groups": groups,
            "group": group,
            "week": week,
            "previous": week - timedelta(weeks=1),
            "next": week + timedelta(weeks=1),
            "days": days,
            "gaps": sum(s.gap for s in shifts if s.end > now),
            # -- sign-in -- the board's sign-in opens with the window; the posters per type
            "now": now,
            "soon": now + services.SIGN_IN_EARLY,
            "shift_types": list(group.shift_types.filter(is_active=True)[:20]),
        },
    )


@login_required
@require_POST
def shift_assign(request, pk):
    shift = selectors.shift_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.manage_shifts", shift):
        raise Http404("Not found.")
    volunteers = selectors.eligible_volunteers(shift=shift)
    form = forms.AssignForm(request.POST, volunteers=volunteers)
    back = reverse("volunteers:board") + f"?group={shift.shift_type.group_id}"
    if form.is_valid():
        volunteer = volunteers.get(pk=form.cleaned_data["volunteer"])
        run_action(
            request,
            lambda: services.shift_assign(actor=request.user, shift=shift, volunteer=volunteer),
            _("%(name)s is on the shift.") % {"name": volunteer.name},
        )
    else:
        messages.error(request, _("Choose a volunteer from the list."))
    return redirect_back(request, back)


@login_required
@require_safe
def volunteer_list(request):
    _require(request, "volunteers.coordinate")
    volunteers = list(selectors.volunteer_list(user=request.user)[:500])
    return render(request, "volunteers/volunteer_list.html", {"volunteers": volunteers})


@login_required
@require_safe
def volunteer_detail(request, pk):
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "memberships": list(volunteer.memberships.all()),
            "trainings": list(volunteer.trainings.all()),
            "own": volunteer.user_id == request.user.pk,
        },
    )


@login_required
@require_safe
def application_list(request):
    _require(request, "volunteers.coordinate")
    rows = list(selectors.applications(user=request.user)[:200])
    return render(request, "volunteers/membership_applications.html", {"applications": rows})


@login_required
@require_POST
def membership_step(request, pk):
    membership = selectors.membership_get(user=request.user, pk=pk)
    step = request.POST.get("step", "")
    if step not in STEP_MESSAGES:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect_back(request, reverse("volunteers:shift-mine"))
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    write = getattr(services, f"membership_{step}")
    run_action(
        request,
        lambda: write(actor=request.user, membership=membership, note=note),
        STEP_MESSAGES[step],
    )
    return redirect_back(request, reverse("volunteers:shift-mine"))


@login_required
def join(request):
    """Become a volunteer and apply to a group of the place one lives or serves in."""
    user = request.user
    volunteer = selectors.volunteer_of(user=user)
    groups = list(selectors.groups_to_join(user=user)[:50])
    if not groups and volunteer is None:
        raise Http404("Not found.")
    mine = selectors.membership_of(volunteer=volunteer, groups=groups)
    form = forms.JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = next((g for g in groups if str(g.pk) == request.POST.get("group")), None)
        if group is None:
            raise Http404("Not found.")
        data = form.cleaned_data

        def write():
            nonlocal volunteer
            if volunteer is None:
                volunteer = services.volunteer_register(
                    actor=user,
                    user=user,
                    name=user.display_name,
                    school=data["school"],
                    team=data["team"],
                    skills=data["skills"],
                )
            return services.membership_apply(
                actor=user, volunteer=volunteer, group=group, note=data["note"]
            )

        if run_action(request, write, _("Applied; the group's coordinator will decide.")):
            return redirect("volunteers:shift-mine")
    rows = [(g, mine.get(g.pk)) for g in groups]
    return render(
        request,
        "volunteers/join.html",
        {"form": form, "rows": rows, "volunteer": volunteer, "statuses": MembershipStatus},
    )


@require_safe
def feed(request, token):
    """The volunteer's shifts as iCalendar, opened by their private calendar token."""
    from linli.bookings.ical import CONTENT_TYPE, private_feed_user

    user = private_feed_user(token)
    if user is None:
        raise Http404("Not found.")
    response = HttpResponse(ical.shifts_calendar(user).to_ical(), content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="my-shifts.ics"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response
