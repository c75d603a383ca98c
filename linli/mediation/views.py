"""Pages of dispute mediation (人民调解): the list (with the counts, and all that
administrators see), registering a dispute (also from a neighbour-dispute work order), a
mediation's page with its parties, sessions, outcome, timeline and the viewer's steps, the
agreement printed for signing, and the notice of a failed mediation with its referral.
Thin: the selectors decide what is visible (404 for everyone else), the services act; every
read of a mediation's content is audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core.audit import audit_record
from linli.core.errors import LinliError
from linli.core.forms import submit_form
from linli.core.pagination import paginate
from linli.core.validators import normalise_mobile

from . import forms, selectors, services
from .models import DisputeKind, MediationStatus

STEP_MESSAGES = {
    "accept": gettext_lazy("Accepted for mediation."),
    "session": gettext_lazy("Session recorded."),
    "agree": gettext_lazy("Agreement recorded."),
    "fail": gettext_lazy("Recorded as failed, with the referral."),
    "follow_up": gettext_lazy("Follow-up visit recorded; the mediation is closed."),
    "withdraw": gettext_lazy("Withdrawn."),
}


@login_required
@require_safe
def mediation_list(request):
    user = request.user
    status = request.GET.get("status", "")
    if status not in MediationStatus.values:
        status = ""
    counts = (
        selectors.mediation_counts(user=user)
        if user.has_perm("mediation.count_mediations")
        else None
    )
    mediations = selectors.mediation_list(user=user, status=status or None)
    page = paginate(request, mediations)
    return render(
        request,
        "mediation/mediation_list.html",
        {
            "page": page,
            "status": status,
            "statuses": MediationStatus.choices,
            "counts": counts,
            "kinds": DisputeKind.choices,
            "may_open": user.has_perm("mediation.open_mediation"),
        },
    )


def _source_order(request):
    raw = request.GET.get("order") or request.POST.get("order")
    if not raw:
        return None
    from linli.workorders.selectors import order_get

    if not raw.isdigit():
        raise Http404("Not found.")
    return order_get(user=request.user, pk=int(raw))


@login_required
def mediation_create(request):
    user = request.user
    if not user.has_perm("mediation.open_mediation"):
        raise Http404("Not found.")
    order = _source_order(request)
    places = list(selectors.mediation_places(user=user)[:200])
    mediators = {}
    for place in places[:20]:
        for m in selectors.mediator_choices(place=place):
            mediators[m.pk] = m
    initial = {"mediators": [str(user.pk)], "kind": DisputeKind.NEIGHBOURS}
    if order is not None:
        compound = next((p for p in places if order.place.path.startswith(p.path)), None)
        initial.update(
            place=str(compound.pk) if compound else "",
            subject=order.title[:100],
            facts=order.description,
            a0_name=order.reporter_name or "",
            a0_phone=order.reporter_phone or "",
        )
    form = forms.OpenForm(
        request.POST or None, initial=initial, places=places, mediators=mediators.values()
    )
    if request.method == "POST" and form.is_valid():
        place = next(p for p in places if str(p.pk) == form.cleaned_data["place"])
        parties = form.parties()
        for party in parties:
            if party["phone"]:
                try:
                    phone = normalise_mobile(party["phone"])
                except ValidationError:
                    continue  # the service refuses it with its message
                party["resident"] = selectors.resident_by_phone(place=place, phone=phone)
                if party["resident"] is not None:
                    party.pop("name")
        chosen = [mediators[int(pk)] for pk in form.cleaned_data["mediators"]]
        mediation = submit_form(
            request,
            form,
            lambda: services.mediation_open(
                actor=user,
                place=place,
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                facts=form.cleaned_data["facts"],
                parties=parties,
                mediators=chosen,
                source_order=order,
                request=request,
            ),
            _("Mediation registered."),
        )
        if mediation is not None:
            return redirect("mediation:mediation-detail", mediation.pk)
    return render(
        request,
        "mediation/mediation_form.html",
        {
            "form": form,
            "order": order,
            "sides": [
                ("a", _("Party A"), form.party_rows("a")),
                ("b", _("Party B"), form.party_rows("b")),
            ],
        },
    )


def _detail_context(request, mediation, bound=None):
    user = request.user
    steps = services.allowed_steps(user=user, mediation=mediation)
    step_forms = {
        name: (bound or {}).get(name) or forms.STEP_FORMS[name]()
        for name in steps
        if name in forms.STEP_FORMS
    }
    mine = {
        p.pk
        for p in mediation.parties.all()
        if p.resident is not None and p.resident.user_id == user.pk
    }
    return {
        "mediation": mediation,
        "notes": user.has_perm("mediation.view_notes", mediation),
        "mine": mine,
        "parties_a": [p for p in mediation.parties.all() if p.side == "a"],
        "parties_b": [p for p in mediation.parties.all() if p.side == "b"],
        "sessions": list(mediation.sessions.all()),
        "timeline": selectors.mediation_timeline(mediation=mediation),
        "steps": steps,
        "step_forms": step_forms,
        "open_step": next(iter(bound)) if bound else "",
    }


@login_required
@require_safe
def mediation_detail(request, pk):
    mediation = selectors.mediation_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action="mediation.read", obj=mediation, request=request)
    return render(request, "mediation/mediation_detail.html", _detail_context(request, mediation))


@login_required
@require_POST
def mediation_action(request, pk):
    mediation = selectors.mediation_get(user=request.user, pk=pk)
    step = request.POST.get("action", "")
    back = reverse("mediation:mediation-detail", args=[mediation.pk])
    if step not in STEP_MESSAGES:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect(back)
    actor = request.user
    if step == "accept":
        try:
            services.mediation_accept(actor=actor, mediation=mediation)
        except LinliError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, STEP_MESSAGES[step])
        return redirect(back)
    form = forms.STEP_FORMS[step](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        writes = {
            "session": lambda: services.mediation_session_record(
                actor=actor, mediation=mediation, **data
            ),
            "agree": lambda: services.mediation_agree(actor=actor, mediation=mediation, **data),
            "fail": lambda: services.mediation_fail(actor=actor, mediation=mediation, **data),
            "follow_up": lambda: services.mediation_follow_up(
                actor=actor, mediation=mediation, **data
            ),
            "withdraw": lambda: services.mediation_withdraw(
                actor=actor, mediation=mediation, **data
            ),
        }
        if submit_form(request, form, writes[step], STEP_MESSAGES[step]) is not None:
            return redirect(back)
    mediation = selectors.mediation_get(user=request.user, pk=pk)
    return render(
        request,
        "mediation/mediation_detail.html",
        _detail_context(request, mediation, bound={step: form}),
        status=400,
    )


@login_required
@require_safe
def mediation_print(request, pk):
    """The agreement (人民调解协议书) on A4, for the parties and the mediators to sign."""
    mediation = selectors.mediation_get(user=request.user, pk=pk)
    if mediation.agreed_on is None:
        raise Http404("Not found.")
    audit_record(actor=request.user, action="mediation.print", obj=mediation, request=request)
    return render(
        request,
        "mediation/mediation_print.html",
        {
            "mediation": mediation,
            "parties": list(mediation.parties.all()),
            "mediators": list(mediation.mediators.all()),
        },
    )


@login_required
@require_safe
def mediation_notice(request, pk):
    """The notice that a mediation ended without agreement (人民调解终止告知书, 人民调解法
    art. 26) on A4: the parties, the dispute, why it ended, where they may take it and the
    rights they keep, for the mediators to sign and each party to sign for. Only a failed
    mediation has one (404 otherwise); the facts and the phones are not printed."""
    mediation = selectors.mediation_get(user=request.user, pk=pk)
    if mediation.status != MediationStatus.FAILED or mediation.failed_on is None:
        raise Http404("Not found.")
    audit_record(
        actor=request.user, action="mediation.print_notice", obj=mediation, request=request
    )
    return render(
        request,
        "mediation/mediation_notice.html",
        {
            "mediation": mediation,
            "parties": list(mediation.parties.all()),
            "mediators": list(mediation.mediators.all()),
            "sessions": len(mediation.sessions.all()),
        },
    )
