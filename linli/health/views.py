"""Pages of health help (健康帮扶卡): the care team's list of cards, a card with its
readings, trend charts and the forms to record a reading, give or withdraw a consent and
register a home device; the printable card with its QR code and the QR code's landing page;
the alerts, follow-ups and "my residents" work lists; and the resident's own page with who
looked at their card. Thin: the selectors decide what is visible and audit each read, the
services act, the permissions are named here.

Pages a user may not use, and cards they may not see, answer 404 (nothing leaks); a step on
a card they may see but not change answers 403. The emergency contact's phone is shown in
full only to the care team (who call it when an alert comes) and to the resident; consented
organisations and the printed card see it masked. Every opening of a card is audited once
per request by ``card_get`` / ``card_by_qr``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.accounts.roles import HEALTH_STAFF, MAKE_HEALTH_CARDS
from linli.accounts.selectors import users_with_roles_over
from linli.core.access import access_by_id
from linli.core.crypto import mask_phone
from linli.core.forms import redirect_back, run_action, submit_form
from linli.core.pagination import paginate
from linli.places import selectors as place_selectors
from linli.places.models import Place
from linli.residents.models import Resident

from . import charts, forms, qr, selectors, services
from .models import (
    Level,
    ReadingKind,
)

# Nav-only permissions (named in rules.py): who has the care team's work lists, and
# who is a resident with a card.
LISTS_PERM = "health.nav_work_lists"
OWN_CARD_PERM = "health.nav_my_card"
RESIDENTS_FOUND = 20
# Readings a page shows at once, newest first, with pages for the older ones.
READINGS_PER_PAGE = 20
MY_READINGS_PER_PAGE = 10
# The latest looks at "my health"; the others are on their own page.
LOOKS_SHOWN = 5
LOOKS_PER_PAGE = 20
LATEST_KINDS = (ReadingKind.BLOOD_PRESSURE, ReadingKind.GLUCOSE, ReadingKind.WEIGHT)
PRINT_SIZES = ("a6", "a4")


def _require(request, perm: str, obj=None) -> None:
    """Pages a user may not use answer as missing, so that nothing leaks."""
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


def _where(place: Place) -> str:
    """The compound, building, unit and room of a household, without the district above."""
    parts = place.name_path.split("/")
    return " ".join(parts[3:]) if len(parts) > 3 else place.name_path


def _hide_readings(user, cards: list) -> None:
    """A card shared with the user without its readings shows no reading-derived figure."""
    shown = selectors.card_ids_with_readings(user=user, ids=[card.pk for card in cards])
    for card in cards:
        card.where = _where(card.place)
        card.readings_shown = card.pk in shown
        _label_levels(card)


def _label_levels(card) -> None:
    card.bp_level_label = Level(card.bp_level).label if card.bp_level else ""
    glucose = getattr(card, "glucose_level", None)
    card.glucose_level_label = Level(glucose).label if glucose else ""


def _place_filter(request) -> Place | None:
    return place_selectors.place_from_param(user=request.user, raw=request.GET.get("place"))


# -- the list of cards ------------------------------------------------------------------------


@login_required
@require_safe
def card_list(request):
    user = request.user
    if not user.has_perm(LISTS_PERM):
        if user.has_perm(OWN_CARD_PERM):
            return redirect("health:my-card")
        raise Http404("Not found.")
    place = _place_filter(request)
    filter_form = forms.CardFilterForm(request.GET or None)
    cards = selectors.card_list(user=user, place=place, **filter_form.filters())
    page = paginate(request, selectors.with_latest(cards))
    _hide_readings(user, page.object_list)
    return render(
        request,
        "health/card_list.html",
        {
            "page": page,
            "place": place,
            "filter_form": filter_form,
            "places": place_selectors.place_list(user=user, kind="compound")[:100],
            "can_make": user.has_perm("health.make_card"),
        },
    )


# -- making and changing a card ---------------------------------------------------------------


def _people(resident: Resident) -> dict:
    """Who may be named on the card: clinic staff of the resident's area as family doctor,
    clinic staff and community workers as responsible worker."""
    path = resident.place.path
    return {
        "doctors": users_with_roles_over(path, HEALTH_STAFF),
        "workers": users_with_roles_over(path, MAKE_HEALTH_CARDS),
    }


@login_required
def card_create(request):
    user = request.user
    _require(request, "health.make_card")
    raw = request.GET.get("resident", "")
    if not raw:
        search = forms.ResidentSearchForm(request.GET or None)
        found = []
        if search.is_valid() and search.cleaned_data["q"].strip():
            q = search.cleaned_data["q"].strip()
            found = list(selectors.card_resident_choices(user=user, q=q)[:RESIDENTS_FOUND])
            for resident in found:
                resident.where = _where(resident.place)
                resident.card_id = getattr(getattr(resident, "health_card", None), "pk", None)
        return render(request, "health/card_pick.html", {"search": search, "found": found})
    if not raw.isdigit():
        raise Http404("Not found.")
    resident = access_by_id(
        selectors.card_resident_choices(user=user), pk=int(raw), user=user, perm="health.make_card"
    )
    resident.where = _where(resident.place)
    existing = selectors.card_id_of_resident(resident_id=resident.pk)
    form = forms.CardForm(request.POST or None, **_people(resident))
    if request.method == "POST" and existing is None and form.is_valid():
        values = form.values()
        if values["responsible_worker"] is None:
            # Let the service name a community worker who makes the card.
            del values["responsible_worker"]
        card = submit_form(
            request,
            form,
            lambda: services.card_create(actor=user, resident=resident, request=request, **values),
            _("The card was made."),
        )
        if card is not None:
            return redirect("health:card-detail", pk=card.pk)
    return render(
        request,
        "health/card_form.html",
        {
            "form": form,
            "resident": resident,
            "where": resident.where,
            "existing": existing,
            "card": None,
        },
    )


@login_required
def card_edit(request, pk):
    user = request.user
    card = selectors.card_get(user=user, pk=pk, request=request, how="page")
    if not user.has_perm("health.edit_card", card):
        raise PermissionDenied
    people = _people(card.resident)
    if request.method == "POST":
        form = forms.CardForm(request.POST, **people)
        if form.is_valid() and submit_form(
            request,
            form,
            lambda: services.card_update(
                actor=user, card=card, request=request, **form.changes(card)
            ),
            _("The card was saved."),
        ):
            return redirect("health:card-detail", pk=card.pk)
    else:
        form = forms.CardForm(initial=forms.CardForm.initial_of(card), **people)
    card.where = _where(card.place)
    return render(
        request,
        "health/card_form.html",
        {
            "form": form,
            "resident": card.resident,
            "where": card.where,
            "card": card,
            "existing": None,
        },
    )


# -- one card ---------------------------------------------------------------------------------


def _trends(card) -> list[dict]:
    kinds = (ReadingKind.BLOOD_PRESSURE, ReadingKind.GLUCOSE, ReadingKind.WEIGHT)
    return charts.card_charts({kind: selectors.reading_trend(card, kind) for kind in kinds})


def _detail_context(request, card, *, full: bool, how: str = "page", bound=None) -> dict:
    """Everything the card's page shows. ``full``: the card's content may be shown (else a
    readings-only consent). Reads the readings through the audited selector."""
    user = request.user
    bound = bound or {}
    card.where = _where(card.place)
    context = {
        "card": card,
        "full": full,
        "can_edit": user.has_perm("health.edit_card", card),
        "can_record": user.has_perm("health.record_reading", card),
        "can_consent": user.has_perm("health.manage_consent", card),
        "can_withdraw": user.has_perm("health.withdraw_consent", card),
        "can_devices": user.has_perm("health.manage_device", card),
        "can_handle": user.has_perm("health.handle_follow_up", card),
        "can_print": full,
        "readings_shown": user.has_perm("health.view_readings", card),
        "today": timezone.localdate(),
        **bound.get("extra", {}),
    }
    if full:
        context["phone"] = selectors.card_emergency_phone(user=user, card=card)
        context["consents"] = list(card.consents.select_related("organisation"))
    if context["readings_shown"]:
        readings = selectors.readings(user=user, card=card, request=request, how=how)
        context["readings_page"] = paginate(request, readings, per_page=READINGS_PER_PAGE)
        context["readings"] = context["readings_page"].object_list
        context["charts"] = _trends(card)
        context["follow_ups"] = list(selectors.follow_up_list(user=user, card=card))
        context["alerts"] = list(selectors.alert_list(user=user, card=card))
    if context["can_record"]:
        context["reading_forms"] = [
            bound.get(kind) or form_class() for kind, form_class in forms.READING_FORMS.items()
        ]
        context["open_kind"] = next(
            (kind for kind in forms.READING_FORMS if kind in bound), ReadingKind.BLOOD_PRESSURE
        )
    if context["can_consent"] and card.is_active:
        context["consent_form"] = bound.get("consent") or forms.ConsentForm(
            organisations=selectors.consent_organisation_choices(user=user)
        )
    if context["can_devices"]:
        context["devices"] = list(selectors.device_list(card=card))
        context["device_form"] = bound.get("device") or forms.DeviceForm()
    if context["can_handle"]:
        context["done_form"] = forms.FollowUpDoneForm()
        context["acknowledge_form"] = forms.AlertAcknowledgeForm()
    return context


def _open_card(request, pk, how="page"):
    """The card with its content, or for a readings-only consent the card without it."""
    try:
        return selectors.card_get(user=request.user, pk=pk, request=request, how=how), True
    except Http404:
        return selectors.card_for_readings(user=request.user, pk=pk), False


@login_required
@require_safe
def card_detail(request, pk):
    card, full = _open_card(request, pk)
    response = render(request, "health/card_detail.html", _detail_context(request, card, full=full))
    response["Cache-Control"] = "no-store"
    return response


def _record(request, card):
    kind = request.POST.get("kind", "")
    form_class = forms.READING_FORMS.get(kind)
    if form_class is None:
        messages.error(request, _("Unknown kind of reading; nothing was saved."))
        return None
    form = form_class(request.POST)
    if form.is_valid():
        reading = submit_form(
            request,
            form,
            lambda: services.reading_record(
                actor=request.user, card=card, request=request, **form.values()
            ),
            _("The reading was saved."),
        )
        if reading is not None:
            if reading.alerts.exists():
                messages.warning(
                    request,
                    _("This reading is %(level)s: an alert was raised. Please act now.")
                    % {"level": reading.get_level_display()},
                )
            elif reading.follow_ups.exists():
                messages.warning(
                    request,
                    _("This reading is %(level)s: a follow-up within two weeks was planned.")
                    % {"level": reading.get_level_display()},
                )
            return None
    return {kind: form}


def _consent(request, card):
    organisations = selectors.consent_organisation_choices(user=request.user)
    form = forms.ConsentForm(request.POST, organisations=organisations)
    if form.is_valid() and submit_form(
        request,
        form,
        lambda: services.consent_give(
            actor=request.user,
            card=card,
            organisation=form.cleaned_data["organisation"],
            scope=form.cleaned_data["scope"],
            note=form.cleaned_data["note"],
            request=request,
        ),
        _("The consent was recorded."),
    ):
        return None
    return {"consent": form}


def _device(request, card):
    form = forms.DeviceForm(request.POST)
    if form.is_valid():
        result = submit_form(
            request,
            form,
            lambda: services.device_register(
                actor=request.user,
                card=card,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                request=request,
            ),
            _("The device was registered."),
        )
        if result is not None:
            device, token = result
            # Shown on this one page, never again: only its hash is kept.
            return {"extra": {"new_device": device, "new_token": token}}
    return {"device": form}


def _revoke(request, card):
    raw = request.POST.get("device", "")
    device = (
        selectors.device_list(card=card, active_only=False).filter(pk=int(raw)).first()
        if raw.isdigit()
        else None
    )
    if device is None:
        raise Http404("Not found.")
    run_action(
        request,
        lambda: services.device_revoke(actor=request.user, device=device, request=request),
        _("The device was revoked: it can no longer send readings."),
    )
    return None


# action -> (handler, permission)
CARD_ACTIONS = {
    "reading": (_record, "health.record_reading"),
    "consent": (_consent, "health.manage_consent"),
    "device": (_device, "health.manage_device"),
    "revoke": (_revoke, "health.manage_device"),
}


@login_required
@require_POST
def card_action(request, pk):
    """Every change on the card's page, by its ``action``: a refusal comes back as the page
    again with what was typed and why; a registered device's token is shown this once."""
    card = selectors.card_for_readings(user=request.user, pk=pk)
    action = CARD_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect("health:card-detail", pk=card.pk)
    handler, perm = action
    if not request.user.has_perm(perm, card):
        raise PermissionDenied
    bound = handler(request, card)
    if bound is None:
        return redirect("health:card-detail", pk=card.pk)
    card, full = _open_card(request, card.pk)
    response = render(
        request, "health/card_detail.html", _detail_context(request, card, full=full, bound=bound)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def card_print(request, pk):
    card = selectors.card_get(user=request.user, pk=pk, request=request, how="print")
    size = request.GET.get("size", "a6")
    if size not in PRINT_SIZES:
        size = "a6"
    url = request.build_absolute_uri(reverse("health:card-qr", args=[card.qr_token]))
    card.where = _where(card.place)
    response = render(
        request,
        "health/card_print.html",
        {
            "card": card,
            "size": size,
            "qr_url": url,
            "qr_svg": qr.svg(url),
            "phone": mask_phone(card.emergency_phone),
            "printed_on": timezone.localdate(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def card_qr(request, token):
    """The printed card's QR code: the card's page for those who may see it (audited as a
    QR open), 404 for everyone else — it never says whose card it is."""
    card = selectors.card_by_qr(user=request.user, token=token, request=request)
    response = render(
        request, "health/card_detail.html", _detail_context(request, card, full=True, how="qr")
    )
    response["Cache-Control"] = "no-store"
    return response


# -- consents ---------------------------------------------------------------------------------


@login_required
@require_POST
def consent_withdraw(request, pk):
    consent = access_by_id(
        selectors.consent_list(user=request.user),
        pk=pk,
        user=request.user,
        perm="health.withdraw_consent",
    )
    run_action(
        request,
        lambda: services.consent_withdraw(actor=request.user, consent=consent, request=request),
        _("The consent was withdrawn: %(organisation)s no longer sees your record.")
        % {"organisation": consent.organisation.name},
    )
    return redirect_back(request, reverse("health:card-detail", args=[consent.card_id]))


# -- work lists -------------------------------------------------------------------------------


@login_required
@require_safe
def alert_list(request):
    user = request.user
    _require(request, LISTS_PERM)
    page = paginate(request, selectors.alert_list(user=user))
    for alert in page.object_list:
        alert.can_handle = user.has_perm("health.handle_follow_up", alert.card)
        alert.card.where = _where(alert.card.place)
    return render(
        request,
        "health/alert_list.html",
        {"page": page, "acknowledge_form": forms.AlertAcknowledgeForm()},
    )


@login_required
@require_POST
def alert_acknowledge(request, pk):
    alert = access_by_id(
        selectors.alert_list(user=request.user, open_only=False),
        pk=pk,
        user=request.user,
        perm=None,
    )
    form = forms.AlertAcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not request.user.has_perm("health.handle_follow_up", alert.card):
        raise PermissionDenied
    run_action(
        request,
        lambda: services.alert_acknowledge(
            actor=request.user, alert=alert, note=note, request=request
        ),
        _("Noted: the alert is taken care of."),
    )
    return redirect_back(request, reverse("health:alert-list"))


@login_required
@require_safe
def follow_up_list(request):
    user = request.user
    _require(request, LISTS_PERM)
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    page = paginate(
        request, selectors.follow_up_list(user=user, mine=mine, overdue=overdue, today=today)
    )
    for follow_up in page.object_list:
        follow_up.overdue = follow_up.due_on < today
        follow_up.can_handle = user.has_perm("health.handle_follow_up", follow_up.card)
        follow_up.card.where = _where(follow_up.card.place)
    return render(
        request,
        "health/follow_up_list.html",
        {
            "page": page,
            "mine": mine,
            "overdue": overdue,
            "today": today,
            "done_form": forms.FollowUpDoneForm(),
        },
    )


@login_required
@require_POST
def follow_up_done(request, pk):
    follow_up = access_by_id(
        selectors.follow_up_list(user=request.user, open_only=False),
        pk=pk,
        user=request.user,
        perm=None,
    )
    if not request.user.has_perm("health.handle_follow_up", follow_up.card):
        raise PermissionDenied
    form = forms.FollowUpDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the follow-up found."))
        return redirect_back(request, reverse("health:follow-up-list"))
    run_action(
        request,
        lambda: services.follow_up_done(
            actor=request.user,
            follow_up=follow_up,
            outcome=form.cleaned_data["outcome"],
            request=request,
        ),
        _("The follow-up is done."),
    )
    return redirect_back(request, reverse("health:follow-up-list"))


@login_required
@require_safe
def my_residents(request):
    """The elderly residents the user is responsible worker or family doctor of, those with
    an overdue follow-up first."""
    _require(request, LISTS_PERM)
    today = timezone.localdate()
    cards = selectors.my_cards(user=request.user, today=today)
    page = paginate(request, cards)
    for card in page.object_list:
        card.where = _where(card.place)
        _label_levels(card)
    return render(request, "health/my_residents.html", {"page": page, "today": today})


# -- the resident's own card ------------------------------------------------------------------


def _latest(readings) -> list:
    """The newest reading of each kind a resident follows (one indexed query each)."""
    latest = (readings.filter(kind=kind).first() for kind in LATEST_KINDS)
    return [reading for reading in latest if reading is not None]


@login_required
@require_safe
def my_card(request):
    """The resident's own card: the latest reading of each kind and who looked at the card
    first, then the card, the trends, the readings a page at a time and the sharing."""
    user = request.user
    pk = selectors.own_card_id(user=user)
    if pk is None:
        return render(request, "health/my_card.html", {"card": None})
    card = selectors.card_get(user=user, pk=pk, request=request, how="page")
    readings = selectors.readings(user=user, card=card, request=request, how="page")
    readings_page = paginate(request, readings, per_page=MY_READINGS_PER_PAGE)
    looks = selectors.card_audit_events(card_id=card.pk, exclude_actor=user)
    card.where = _where(card.place)
    response = render(
        request,
        "health/my_card.html",
        {
            "card": card,
            "phone": card.emergency_phone,
            "latest": _latest(readings),
            "readings_page": readings_page,
            "readings": readings_page.object_list,
            "charts": _trends(card),
            "consents": list(card.consents.select_related("organisation")),
            "looks": selectors.looks_of(list(looks[:LOOKS_SHOWN])),
            "looks_total": looks.count(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def my_looks(request):
    """Everyone who looked at the resident's card, newest first, a page at a time. Shows no
    health data, so it is not itself a read of the card."""
    user = request.user
    pk = selectors.own_card_id(user=user)
    if pk is None:
        raise Http404("Not found.")
    page = paginate(
        request,
        selectors.card_audit_events(card_id=pk, exclude_actor=user),
        per_page=LOOKS_PER_PAGE,
    )
    response = render(
        request,
        "health/my_looks.html",
        {"page": page, "looks": selectors.looks_of(list(page.object_list))},
    )
    response["Cache-Control"] = "no-store"
    return response
