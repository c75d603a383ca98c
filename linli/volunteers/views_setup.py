"""Pages that set a volunteer group up without the admin: the groups one coordinates, a new
group (the staff over a community or compound), and a group's page with its coordinators,
its shift types, their weekly rules, the dates skipped or moved and generating the coming
shifts. Thin: the selectors decide what is visible (404 for everyone else), the services
act; a refused form is shown again with what was typed."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core.forms import redirect_back, run_action, submit_form

from . import forms, selectors, services


def _aware(value: datetime | None) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


@login_required
@require_safe
def group_list(request):
    user = request.user
    if not user.has_perm("volunteers.coordinate"):
        raise Http404("Not found.")
    groups = list(selectors.group_list(user=user)[:100])
    return render(
        request,
        "volunteers/group_list.html",
        {"groups": groups, "may_create": selectors.group_places(user=user).exists()},
    )


@login_required
def group_create(request):
    user = request.user
    places = list(selectors.group_places(user=user)[:500])
    if not places:
        raise Http404("Not found.")
    form = forms.GroupForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = next(p for p in places if p.pk == data["place"])
        group = submit_form(
            request,
            form,
            lambda: services.group_create(
                actor=user,
                place=place,
                name=data["name"],
                kind=data["kind"],
                max_consecutive=data["max_consecutive"],
                swap_needs_approval=data["swap_needs_approval"],
            ),
            _("The group is set up. Add its shift types and weekly rules here."),
        )
        if group is not None:
            return redirect("volunteers:group-detail", pk=group.pk)
    return render(request, "volunteers/group_form.html", {"form": form})


def _group_page(request, group, bound: tuple[str, object] | None = None, status: int = 200):
    """The group's page; ``bound`` is the refused form to show again, with its key."""
    setup = selectors.group_setup(group=group)
    rooms = list(selectors.group_rooms(group=group)[:100])
    key, refused = bound or ("", None)
    type_form = refused if key == "type" else forms.ShiftTypeForm(rooms=rooms, prefix="type")
    for shift_type in setup["shift_types"]:
        name = f"rule-{shift_type.pk}"
        shift_type.rule_form = refused if key == name else forms.ShiftRuleForm(prefix=name)
        for rule in shift_type.rules.all():
            name = f"except-{rule.pk}"
            rule.except_form = refused if key == name else forms.ShiftRuleExceptionForm(prefix=name)
    generate_form = refused if key == "generate" else forms.GenerateForm(prefix="generate")
    return render(
        request,
        "volunteers/group_detail.html",
        {
            "group": group,
            **setup,
            "type_form": type_form,
            "generate_form": generate_form,
            "may_choose_coordinators": request.user.has_perm("volunteers.manage_groups", group),
        },
        status=status,
    )


@login_required
@require_safe
def group_detail(request, pk):
    group = selectors.group_get(user=request.user, pk=pk)
    return _group_page(request, group)


@login_required
@require_POST
def shift_type_create(request, pk):
    group = selectors.group_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.manage_shifts", group):
        raise Http404("Not found.")
    rooms = list(selectors.group_rooms(group=group)[:100])
    form = forms.ShiftTypeForm(request.POST, rooms=rooms, prefix="type")
    if form.is_valid():
        data = form.cleaned_data
        room = next((r for r in rooms if r.pk == data["room"]), None)
        done = submit_form(
            request,
            form,
            lambda: services.shift_type_create(
                actor=request.user,
                group=group,
                kind=data["kind"],
                name=data["name"],
                needed=data["needed"],
                room=room,
                skills=data["skills"],
                rota=data["rota"] or "",
            ),
            _("The shift type is added; give it a weekly rule."),
        )
        if done is not None:
            return redirect("volunteers:group-detail", pk=group.pk)
    return _group_page(request, group, ("type", form), status=400)


@login_required
@require_POST
def shift_rule_create(request, pk):
    shift_type = selectors.shift_type_get(user=request.user, pk=pk)
    group = shift_type.group
    form = forms.ShiftRuleForm(request.POST, prefix=f"rule-{shift_type.pk}")
    if form.is_valid():
        data = form.cleaned_data
        done = submit_form(
            request,
            form,
            lambda: services.shift_rule_create(actor=request.user, shift_type=shift_type, **data),
            _("The weekly rule is added. Generate the coming shifts when it is complete."),
        )
        if done is not None:
            return redirect("volunteers:group-detail", pk=group.pk)
    return _group_page(request, group, (f"rule-{shift_type.pk}", form), status=400)


@login_required
@require_POST
def shift_rule_except(request, pk):
    rule = selectors.shift_rule_get(user=request.user, pk=pk)
    group = rule.shift_type.group
    form = forms.ShiftRuleExceptionForm(request.POST, prefix=f"except-{rule.pk}")
    if form.is_valid():
        data = form.cleaned_data
        moved = data["moved_start"] is not None or data["moved_end"] is not None
        done = submit_form(
            request,
            form,
            lambda: services.shift_rule_except(
                actor=request.user,
                rule=rule,
                on_date=data["on_date"],
                reason=data["reason"],
                moved_start=_aware(data["moved_start"]),
                moved_end=_aware(data["moved_end"]),
            ),
            _("The shift of that date is moved.") if moved else _("That date is skipped."),
        )
        if done is not None:
            return redirect("volunteers:group-detail", pk=group.pk)
    return _group_page(request, group, (f"except-{rule.pk}", form), status=400)


@login_required
@require_POST
def shifts_generate(request, pk):
    group = selectors.group_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.generate_shifts", group):
        raise Http404("Not found.")
    form = forms.GenerateForm(request.POST, prefix="generate")
    if form.is_valid():
        made = submit_form(
            request,
            form,
            lambda: services.shifts_generate(
                actor=request.user, group=group, until=form.cleaned_data["until"]
            ),
            _("The coming shifts are generated."),
        )
        if made is not None:
            return redirect(reverse("volunteers:board") + f"?group={group.pk}")
    return _group_page(request, group, ("generate", form), status=400)


@login_required
@require_POST
def membership_coordinator(request, pk):
    membership = selectors.membership_get(user=request.user, pk=pk)
    group = membership.group
    if not request.user.has_perm("volunteers.manage_groups", group):
        raise Http404("Not found.")
    on = request.POST.get("on") == "1"
    run_action(
        request,
        lambda: services.membership_set_coordinator(
            actor=request.user, membership=membership, on=on
        ),
        (_("%(name)s now coordinates the group.") if on else _("%(name)s no longer coordinates."))
        % {"name": membership.volunteer.name},
    )
    return redirect_back(request, reverse("volunteers:group-detail", args=[group.pk]))
