"""Pages of events (phone first): what the resident can join, an event with its register,
cancel, take-or-decline buttons, my registrations; for organisers, creating and publishing
an event, its registrations and the desk. Thin: selectors decide what is visible (404 for
everyone else), services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.core.errors import LinliError
from linli.core.forms import redirect_back, run_action
from linli.core.ids import is_valid_id
from linli.places.models import Organisation, Place

from . import forms, ical, selectors, services, services_series
from .models import Registration, RegistrationStatus
from .predicates import ORGANISE_EVENTS, partner_organisation_ids

EVENT_STEPS = {
    "publish": (services.event_publish, gettext_lazy("Published; the audience has a notice.")),
    "hold": (services.event_mark_held, gettext_lazy("Marked as held.")),
    "close": (services.event_close, gettext_lazy("Closed.")),
    "cancel": (services.event_cancel, gettext_lazy("Event cancelled.")),
}
REGISTRATION_STEPS = {
    "accept": (services.registration_accept, gettext_lazy("The place is yours.")),
    "decline": (services.registration_decline, gettext_lazy("Declined; it passes on.")),
    "cancel": (services.registration_cancel, gettext_lazy("Registration cancelled.")),
}


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404("Not found.")


def _decorate(events, user, now):
    mine = selectors.my_registration_by_event(user=user, events=events)
    for event in events:
        event.places_left = max(event.capacity - event.held_places, 0)
        event.is_open = services.registration_is_open(event, now)
        event.mine = mine.get(event.pk)
    return events


@login_required
@require_safe
def event_list(request):
    now = timezone.now()
    events = _decorate(
        list(selectors.event_list(user=request.user, upcoming=True, now=now)[:100]),
        request.user,
        now,
    )
    past = list(selectors.event_list(user=request.user, upcoming=False, now=now).reverse()[:20])
    return render(
        request,
        "events/event_list.html",
        {
            "events": events,
            "past": past,
            "may_create": request.user.has_perm("events.create_event"),
        },
    )


@login_required
@require_safe
def event_detail(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    now = timezone.now()
    _decorate([event], request.user, now)
    may_manage = request.user.has_perm("events.manage_event", event)
    members = []
    if event.is_open and event.mine is None and request.user.has_perm("events.register", event):
        members = selectors.household_members(user=request.user)
    mine_steps = []
    if event.mine is not None:
        mine_steps = services.REGISTRATION.allowed(
            user=request.user, obj=event.mine, now=now, by=request.user
        )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "members": members,
            "mine_steps": mine_steps,
            "may_manage": may_manage,
            "event_steps": services.EVENT.allowed(user=request.user, obj=event, now=now)
            if may_manage
            else [],
            "feed_url": ical.feed_url(request.user, event, request),
            "sessions": list(selectors.series_sessions(series=event)),
            "series_feed_url": ical.series_feed_url(request.user, event, request),
            "progress": services_series.series_progress(series=event)
            if may_manage or event.mine is not None
            else [],
            "now": now,
        },
    )


@login_required
@require_POST
def event_register(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    members = {str(m.pk): m for m in selectors.household_members(user=request.user)}
    chosen = [members[k] for k in request.POST.getlist("people") if k in members]
    done = run_action(
        request,
        lambda: services.registration_create(actor=request.user, event=event, people=chosen),
        _("Registered."),
    )
    if done:
        mine = selectors.my_registration_by_event(user=request.user, events=[event]).get(event.pk)
        if mine is not None and mine.status == RegistrationStatus.WAITING:
            messages.info(request, _("The event is full: you are on the wait list."))
    return redirect("events:event-detail", pk=event.pk)


@login_required
@require_POST
def registration_step(request, pk):
    if not is_valid_id(pk):
        raise Http404("Not found.")
    registration = access_by_id(
        Registration.objects.select_related("event__place", "event__organisation", "contact"),
        pk=pk,
        user=request.user,
        perm="events.view_registration",
    )
    step = request.POST.get("step", "")
    if step not in REGISTRATION_STEPS:
        raise Http404("Not found.")
    write, message = REGISTRATION_STEPS[step]
    run_action(request, lambda: write(actor=request.user, registration=registration), message)
    return redirect_back(request, reverse("events:event-detail", args=[registration.event_id]))


@login_required
@require_POST
def event_step(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    _require_obj(request, "events.manage_event", event)
    step = request.POST.get("step", "")
    if step not in EVENT_STEPS:
        raise Http404("Not found.")
    write, message = EVENT_STEPS[step]
    run_action(request, lambda: write(actor=request.user, event=event), message)
    return redirect("events:event-detail", pk=event.pk)


def _require_obj(request, perm, obj) -> None:
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


@login_required
@require_safe
def my_registrations(request):
    registrations = list(selectors.my_registrations(user=request.user)[:100])
    return render(request, "events/registration_mine.html", {"registrations": registrations})


def _form_choices(user):
    scope = scope_of(user)
    organisers: dict = {}
    place_ids = {g.place_id for g in scope.grants if g.role in ORGANISE_EVENTS}
    for place in Place.objects.filter(pk__in=place_ids).order_by("path"):
        organisers[f"p{place.pk}"] = place
    for org in (
        Organisation.objects.filter(
            scope.q(roles=ORGANISE_EVENTS, field="place__path") | _member_q(request_user=user),
            is_active=True,
        )
        .select_related("place")
        .order_by("place__path", "name")[:200]
    ):
        organisers[f"o{org.pk}"] = org
    from linli.bookings.selectors import room_list

    rooms = list(room_list(user=user, active_only=True).select_related("place")[:100])
    places = list(
        Place.objects.filter(
            scope.place_q(), kind__in=("district", "street", "community", "compound")
        ).order_by("path")[:300]
    )
    return {"organisers": organisers, "rooms": rooms, "places": places}


def _member_q(*, request_user):
    from django.db.models import Q

    return Q(pk__in=sorted(partner_organisation_ids(request_user)))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request):
    _require(request, "events.create_event")
    choices = _form_choices(request.user)
    form = forms.EventForm(request.POST or None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **form.service_arguments())
        except LinliError as exc:
            form.add_error(None, exc.message)
        except Exception as exc:  # noqa: BLE001 - a ValidationError goes back to the form
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Draft saved; publish it when it is ready."))
            return redirect("events:event-detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form})


@login_required
@require_safe
def event_registrations(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    _require_obj(request, "events.manage_event", event)
    _decorate([event], request.user, timezone.now())
    query = request.GET.get("q", "")[:50]
    found = list(selectors.desk_residents(user=request.user, event=event, query=query))
    return render(
        request,
        "events/event_registrations.html",
        {
            "event": event,
            "registrations": list(selectors.event_registrations(event=event)[:500]),
            "query": query,
            "found": found,
        },
    )


@login_required
@require_POST
def event_desk_register(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    _require_obj(request, "events.register_at_desk", event)
    allowed = {int(key): None for key in request.POST.getlist("people")[:10] if key.isdigit()}
    allowed = {pk: None for pk in allowed if is_valid_id(pk)}
    from linli.residents import selectors as resident_selectors

    people = list(resident_selectors.resident_list(user=request.user).filter(pk__in=list(allowed)))
    run_action(
        request,
        lambda: services.registration_create(
            actor=request.user, event=event, people=people, desk=True
        ),
        _("Registered at the desk."),
    )
    return redirect("events:event-registrations", pk=event.pk)


@require_safe
def organiser_feed(request, token, organiser):
    """An organiser's events as iCalendar, opened by the user's private calendar token."""
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control
    from django.utils.http import content_disposition_header

    from linli.bookings.ical import CONTENT_TYPE, private_feed_user

    user = private_feed_user(token[:200])
    calendar = ical.organiser_calendar(user=user, key=organiser[:20]) if user else None
    if calendar is None:
        raise Http404("Not found.")
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"events-{organiser[:20]}.ics"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response


ATTENDANCE_CHOICES = {"present", "absent", "excused"}


def _session_of(request, pk, session_pk):
    series = selectors.event_get(user=request.user, pk=pk)
    _require_obj(request, "events.manage_event", series)
    if not is_valid_id(session_pk):
        raise Http404("Not found.")
    session = series.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404("Not found.")
    return series, session


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_attendance(request, pk, session_pk):
    """The organisers record who came to a session of a series (excused absences too, and
    at a make-up session what it makes up)."""
    from .models import RegistrationPerson, SessionAttendance

    series, session = _session_of(request, pk, session_pk)
    people = list(
        RegistrationPerson.objects.filter(
            registration__event=series, registration__status=RegistrationStatus.REGISTERED
        ).select_related("resident", "registration")
    )
    if request.method == "POST":
        excused = {
            row.person_id: row
            for row in SessionAttendance.objects.filter(
                person__in=people, status="excused", made_up_by__isnull=True
            )
        }
        errors = []
        for person in people:
            status = request.POST.get(f"p{person.pk}", "")
            if status not in ATTENDANCE_CHOICES:
                continue
            makeup_for = excused.get(person.pk) if session.is_makeup else None
            if status != "present":
                makeup_for = None
            try:
                services_series.attendance_record(
                    actor=request.user,
                    session=session,
                    person=person,
                    status=status,
                    makeup_for=makeup_for,
                )
            except LinliError as exc:
                errors.append(f"{person.resident.name}: {exc.message}")
        for error in errors[:5]:
            messages.error(request, error)
        if not errors:
            messages.success(request, _("Attendance saved."))
        return redirect("events:session-attendance", pk=series.pk, session_pk=session.pk)
    current = {
        row.person_id: row.status for row in SessionAttendance.objects.filter(session=session)
    }
    for person in people:
        person.current = current.get(person.pk, "")
    return render(
        request,
        "events/session_attendance.html",
        {"series": series, "session": session, "people": people},
    )


@login_required
@require_safe
def series_certificate(request, pk, person_pk):
    """A printable (A4) certificate of completion of a series, for its person or the
    organisers; 404 until the series is completed."""
    series = selectors.event_get(user=request.user, pk=pk)
    progress = {p.person.pk: p for p in services_series.series_progress(series=series)}
    row = progress.get(person_pk) if is_valid_id(person_pk) else None
    if row is None or not row.complete:
        raise Http404("Not found.")
    if not request.user.has_perm("events.view_registration", row.person.registration):
        raise Http404("Not found.")
    return render(
        request,
        "events/series_certificate.html",
        {"series": series, "row": row, "sessions": list(selectors.series_sessions(series=series))},
    )


@require_safe
def series_feed(request, token, pk):
    """A series' sessions as iCalendar, opened by the user's private calendar token."""
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control
    from django.utils.http import content_disposition_header

    from linli.bookings.ical import CONTENT_TYPE, private_feed_user

    user = private_feed_user(token[:200])
    if user is None or not is_valid_id(pk):
        raise Http404("Not found.")
    series = selectors.event_list(user=user).filter(pk=pk).first()
    if series is None or not user.has_perm("events.view_event", series):
        raise Http404("Not found.")
    response = HttpResponse(
        ical.series_calendar(series=series).to_ical(), content_type=CONTENT_TYPE
    )
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"series-{series.pk}.ics"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, pk):
    from django.core.exceptions import ValidationError

    event = selectors.event_get(user=request.user, pk=pk)
    _require_obj(request, "events.manage_event", event)
    initial = {name: getattr(event, name) for name in services.EDITABLE}
    initial["registration_closes"] = timezone.localtime(event.registration_closes)
    initial["cancel_until"] = timezone.localtime(event.cancel_until)
    form = forms.EventEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, **form.cleaned_data)
        except LinliError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("events:event-detail", pk=event.pk)
    return render(request, "events/event_edit.html", {"form": form, "event": event})
