"""Pages of rooms and bookings: the rooms a user may see, one room with its rules and its
day / week / month calendar of busy blocks and free slots, the booking form and weekly
bookings, one booking with its timeline and steps, the resident's own bookings, the duty
desk, the usage report and the room's management. Thin: selectors (and ``reports``) decide
what is visible, the services act, the permissions are named here."""

import calendar
import contextlib
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.accounts.roles import Role
from linli.accounts.scope import scope_of
from linli.core.forms import run_action, safe_next, submit_form, submitted
from linli.core.ids import is_valid_id
from linli.core.images import photo_response
from linli.core.pagination import paginate
from linli.core.xlsx import xlsx_response
from linli.places import selectors as place_selectors
from linli.places.models import Place
from linli.places.names import spoken_name

from . import forms, ical, reports, selectors, services
from .models import BookingStatus, Purpose, RoomPhoto, Weekday
from .predicates import can_oversee_booking

VIEWS = ("day", "week", "month")
UPCOMING_COUNT = 50
# Free slots are offered from the next quarter hour.
SLOT_STEP_MINUTES = 15


def _place_filter(request) -> Place | None:
    return place_selectors.place_from_param(user=request.user, raw=request.GET.get("place"))


def _require(request, perm, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _hhmm(value: datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


# -- the rooms list ---------------------------------------------------------------------------


@login_required
def room_list(request):
    _require(request, "bookings.view_room")
    place = _place_filter(request)
    rooms = list(selectors.room_list(user=request.user, place=place.pk if place else None))
    next_free = reports.next_free_slots([room for room in rooms if room.is_active])
    for room in rooms:
        room.next_free = next_free.get(room.pk)
    return render(
        request,
        "bookings/room_list.html",
        {
            "place": place,
            "rooms": rooms,
            "next_free_days": reports.NEXT_FREE_DAYS,
            "can_manage": request.user.has_perm("bookings.manage_booking"),
            "can_add_room": request.user.has_perm("bookings.manage_room"),
            "can_report": request.user.has_perm("bookings.view_booking"),
        },
    )


# -- one room and its calendar -----------------------------------------------------------------


def _parse_date(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _round_up(value: datetime) -> datetime:
    exact = value.replace(second=0, microsecond=0)
    if exact != value:
        exact += timedelta(minutes=1)
    return exact + timedelta(minutes=-exact.minute % SLOT_STEP_MINUTES)


def _slot_link(room, slot) -> dict:
    """A free slot as the booking form's prefill: from its start (to the next quarter hour)
    for as long as the room may be booked at once, within the slot."""
    start = _round_up(timezone.localtime(slot.start))
    end = min(timezone.localtime(slot.end), start + timedelta(hours=room.max_hours))
    url = reverse("bookings:booking-new", args=[room.pk])
    return {
        "start": timezone.localtime(slot.start),
        "end": timezone.localtime(slot.end),
        "url": f"{url}?date={start:%Y-%m-%d}&start={start:%H:%M}&end={_hhmm(end)}",
    }


def _calendar(request, room, oversee: bool) -> dict:
    view = request.GET.get("view")
    if view not in VIEWS:
        view = "week"
    today = timezone.localdate()
    anchor = _parse_date(request.GET.get("date")) or today
    if view == "day":
        first = last = anchor
        previous, following = anchor - timedelta(days=1), anchor + timedelta(days=1)
    elif view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
    else:
        first, last = _month_bounds(anchor)
        previous, following = _add_months(first, -1), _add_months(first, 1)
    blocks = reports.calendar_blocks(
        room=room, start_date=first, end_date=last, user=request.user, oversee=oversee
    )
    slots = selectors.free_slots(room=room, start_date=first, end_date=last)
    days = []
    day = first
    while day <= last:
        day_start = datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())
        day_end = day_start + timedelta(days=1)
        day_blocks = [b for b in blocks if b.start < day_end and b.end > day_start]
        day_slots = [_slot_link(room, s) for s in slots if s.start.date() == day]
        entries = [("block", b.start, b) for b in day_blocks] + [
            ("slot", s["start"], s) for s in day_slots
        ]
        entries.sort(key=lambda e: (e[1], e[0] == "slot"))
        days.append(
            {
                "date": day,
                "weekday": Weekday(day.weekday()).label,
                "is_today": day == today,
                "open": services.opening_window(room, day) is not None,
                "entries": [{"type": kind, "item": item} for kind, _start, item in entries],
                "booked": sum(b.kind == "booking" for b in day_blocks),
                "pending": sum(b.status == BookingStatus.PENDING for b in day_blocks),
                "free": len(day_slots),
            }
        )
        day += timedelta(days=1)
    context = {
        "view": view,
        "anchor": anchor,
        "first": first,
        "last": last,
        "days": days,
        "previous": previous,
        "following": following,
        "today": today,
        "views": [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
    }
    if view == "month":
        # Weeks from Monday to Sunday; days outside the month are left blank.
        lead = [None] * first.weekday()
        cells = lead + days
        cells += [None] * (-len(cells) % 7)
        context["weeks"] = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        context["weekday_names"] = [label for _value, label in Weekday.choices]
    return context


@login_required
def room_detail(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    user = request.user
    oversee = bool(can_oversee_booking(user, room))
    now = timezone.now()
    weekdays = room.open_weekdays
    context = {
        "room": room,
        "oversee": oversee,
        "can_book": room.is_active and user.has_perm("bookings.book_room", room),
        "can_manage_room": user.has_perm("bookings.manage_room", room),
        "can_manage_booking": user.has_perm("bookings.manage_booking", room),
        "photos": list(selectors.room_photo_list(room=room)),
        "blackouts": list(room.blackouts.filter(end__gt=now)[:20]),
        "recurring": list(room.recurring_blackouts.all()),
        "every_day": len(weekdays) == 7,
        "weekday_labels": [Weekday(d).label for d in weekdays],
        "purpose_labels": [Purpose(p).label for p in room.purposes],
        "ical_url": request.build_absolute_uri(reverse("bookings:room-ical", args=[room.pk])),
        **_calendar(request, room, oversee),
    }
    return render(request, "bookings/room_detail.html", context)


@require_safe
@login_required
def room_photo(request, pk, photo_id, variant):
    room = selectors.room_get(user=request.user, pk=pk)
    if not is_valid_id(photo_id):
        raise Http404("Not found.")
    photo = RoomPhoto.objects.filter(pk=photo_id, room=room).first()
    if photo is None:
        raise Http404("Not found.")
    return photo_response(photo, variant)


# -- booking ----------------------------------------------------------------------------------


def _prefill(request) -> dict:
    initial = {}
    day = _parse_date(request.GET.get("date"))
    if day:
        initial["date"] = day
    for name, key in (("start_time", "start"), ("end_time", "end")):
        with contextlib.suppress(ValueError):
            initial[name] = time.fromisoformat(request.GET.get(key, ""))
    return initial


@login_required
def booking_new(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    _require(request, "bookings.book_room", room)
    if request.method == "POST":
        form = forms.BookingForm(request.POST, room=room)
        if form.is_valid():
            data = form.cleaned_data
            start, end = form.span()
            booking = submit_form(
                request,
                form,
                lambda: services.booking_request(
                    actor=request.user,
                    room=room,
                    start=start,
                    end=end,
                    purpose=data["purpose"],
                    title=data["title"],
                    attendees=data["attendees"],
                ),
                _("Your booking was made."),
            )
            if booking is not None:
                return redirect("bookings:booking-detail", pk=booking.pk)
    else:
        form = forms.BookingForm(initial=_prefill(request), room=room)
    return render(
        request,
        "bookings/booking_form.html",
        {
            "room": room,
            "form": form,
            "purpose_labels": [Purpose(p).label for p in room.purposes],
        },
    )


@login_required
def series_new(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    _require(request, "bookings.manage_booking", room)
    if request.method == "POST":
        form = forms.SeriesForm(request.POST, room=room)
        if form.is_valid():
            data = form.cleaned_data
            result = submit_form(
                request,
                form,
                lambda: services.booking_series_create(
                    actor=request.user,
                    room=room,
                    weekday=data["weekday"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    from_date=data["from_date"],
                    until_date=data["until_date"],
                    purpose=data["purpose"],
                    title=data["title"],
                    skip_dates=data["skip_dates"],
                ),
                _("The weekly booking was made."),
            )
            if result is not None:
                if result.refused:
                    messages.warning(
                        request,
                        _("%(booked)s dates were booked; %(refused)s could not be (see below).")
                        % {"booked": len(result.bookings), "refused": len(result.refused)},
                    )
                return redirect("bookings:series-detail", pk=result.series.pk)
    else:
        form = forms.SeriesForm(room=room)
    return render(request, "bookings/series_form.html", {"room": room, "form": form})


def _series_context(request, series, skip_form=None) -> dict:
    return {
        "series": series,
        "room": series.room,
        "oversee": bool(can_oversee_booking(request.user, series)),
        "occurrences": list(series.bookings.order_by("start", "id")),
        "exceptions": sorted(series.exceptions, key=lambda e: e.get("date", "")),
        "can_skip": request.user.has_perm("bookings.cancel_booking", series),
        "skip_form": skip_form or forms.SkipForm(),
    }


@login_required
def series_detail(request, pk):
    series = reports.series_get(user=request.user, pk=pk)
    return render(request, "bookings/series_detail.html", _series_context(request, series))


@login_required
@require_POST
def series_skip(request, pk):
    series = reports.series_get(user=request.user, pk=pk)
    _require(request, "bookings.cancel_booking", series)
    form = forms.SkipForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if submitted(
            request,
            form,
            lambda: services.booking_series_skip(
                actor=request.user, series=series, day=data["day"], reason=data["reason"]
            ),
            _("The date was skipped."),
        ):
            return redirect("bookings:series-detail", pk=series.pk)
    context = _series_context(request, series, skip_form=form)
    return render(request, "bookings/series_detail.html", context)


# -- one booking ------------------------------------------------------------------------------


@login_required
def booking_detail(request, pk):
    booking = selectors.booking_get(user=request.user, pk=pk)
    # The page speaks to whoever reads it: the booker reads "your booking", the staff who
    # oversee it read whose booking it is (a worker who approved it is not its booker, nor
    # one who booked at the desk for another household: that household is named).
    is_mine = booking.booked_by_id is not None and booking.booked_by_id == request.user.pk
    for_household = (
        booking.household is not None
        and booking.booked_by is not None
        and not any(
            grant.role == Role.RESIDENT and grant.path == booking.household.place.path
            for grant in scope_of(booking.booked_by).grants
        )
    )
    is_mine = is_mine and not for_household
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "is_mine": is_mine,
            "booked_for": spoken_name(booking.household.place, with_compound=True)
            if for_household
            else (booking.booked_by.display_name if booking.booked_by_id else ""),
            "can_manage": request.user.has_perm("bookings.manage_booking", booking),
            "oversee": bool(can_oversee_booking(request.user, booking)),
            "timeline": list(booking.events.select_related("actor").order_by("at", "id")),
            "steps": services.allowed_steps(user=request.user, booking=booking),
        },
    )


STEP_MESSAGES = {
    "approve": gettext_lazy("The booking was approved."),
    "decline": gettext_lazy("The booking was declined."),
    "cancel": gettext_lazy("The booking was cancelled."),
    "check_in": gettext_lazy("Checked in."),
    "mark_no_show": gettext_lazy("Marked as a no-show."),
}


def _do_step(step, *, actor, booking, reason):
    if step == "approve":
        return services.booking_approve(actor=actor, booking=booking)
    if step == "decline":
        return services.booking_decline(actor=actor, booking=booking, reason=reason)
    if step == "cancel":
        return services.booking_cancel(actor=actor, booking=booking, reason=reason)
    if step == "check_in":
        return services.booking_check_in(actor=actor, booking=booking)
    return services.booking_mark_no_show(actor=actor, booking=booking)


@login_required
@require_POST
def booking_action(request, pk):
    """A step on a booking (approve, decline, cancel, check in, mark no-show): a refusal
    comes back as a message on the page the step was taken from."""
    booking = selectors.booking_get(user=request.user, pk=pk)
    back = safe_next(request, reverse("bookings:booking-detail", args=[booking.pk]))
    step = request.POST.get("step", "")
    if step not in services.BOOKING.steps:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect(back)
    _require(request, services.BOOKING.steps[step].perm, booking)
    reason = request.POST.get("reason", "")[:200]
    label = STEP_MESSAGES[step]
    run_action(
        request,
        lambda: _do_step(step, actor=request.user, booking=booking, reason=reason),
        label,
    )
    return redirect(back)


# -- my bookings and my private calendar feed --------------------------------------------------


@login_required
def my_bookings(request):
    now = timezone.now()
    mine = selectors.booking_list(user=request.user, mine=True)
    upcoming = list(mine.filter(end__gt=now)[:UPCOMING_COUNT])
    for booking in upcoming:
        booking.can_cancel = "cancel" in services.allowed_steps(
            user=request.user, booking=booking, now=now
        )
    past = mine.filter(end__lte=now).order_by("-start", "-id")
    return render(
        request,
        "bookings/booking_mine.html",
        {
            "upcoming": upcoming,
            "page": paginate(request, past),
            "feed_url": ical.private_feed_url(request.user, request),
        },
    )


@login_required
@require_POST
def private_feed_reset(request):
    run_action(
        request,
        lambda: ical.private_feed_reset(request.user, request),
        _("Your calendar link was reset; the old link no longer works."),
    )
    return redirect("bookings:my-bookings")


# -- the duty desk ----------------------------------------------------------------------------


@login_required
def desk(request):
    _require(request, "bookings.manage_booking")
    now = timezone.now()
    board = reports.desk_bookings(user=request.user, now=now)
    for rows, wanted in (
        (board.pending, ("approve", "decline")),
        (board.today, ("check_in", "cancel")),
        (board.overdue, ("check_in", "mark_no_show")),
    ):
        for booking in rows:
            allowed = services.allowed_steps(user=request.user, booking=booking, now=now)
            booking.steps = [step for step in wanted if step in allowed]
    return render(request, "bookings/desk.html", {"desk": board})


# -- the usage report -------------------------------------------------------------------------


def _report_range(request):
    today = timezone.localdate()
    data = request.GET if "start" in request.GET or "end" in request.GET else None
    form = forms.ReportForm(data, initial={"start": today - timedelta(days=29), "end": today})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, today - timedelta(days=29), today


@login_required
def report(request):
    _require(request, "bookings.view_booking")
    place = _place_filter(request)
    form, start, end = _report_range(request)
    usage = reports.usage_report(
        user=request.user, start_date=start, end_date=end, place=place.pk if place else None
    )
    query = request.GET.copy()
    query["start"], query["end"] = start.isoformat(), end.isoformat()
    return render(
        request,
        "bookings/report.html",
        {
            "form": form,
            "place": place,
            "start": start,
            "end": end,
            "usage": usage,
            "statuses": BookingStatus.choices,
            "export_query": query.urlencode(),
        },
    )


@login_required
@require_safe
def report_export(request):
    _require(request, "bookings.view_booking")
    place = _place_filter(request)
    _form, start, end = _report_range(request)
    filename, fallback = reports.export_filename(start, end)
    response = xlsx_response(filename, fallback)
    reports.usage_export(
        actor=request.user,
        start_date=start,
        end_date=end,
        place=place,
        out=response,
        request=request,
    )
    return response


# -- managing a room --------------------------------------------------------------------------


def _edit_context(room, form=None, photo_form=None) -> dict:
    return {
        "room": room,
        "form": form or forms.RoomForm.for_room(room),
        "photo_form": photo_form or forms.PhotoForm(),
        "photos": list(selectors.room_photo_list(room=room)),
        "max_photos": services.MAX_PHOTOS_PER_ROOM,
    }


@login_required
def room_new(request):
    """A new room of a community, compound or building the user runs rooms at."""
    _require(request, "bookings.manage_room")
    places = selectors.room_places(user=request.user)
    chosen = _place_filter(request)
    if request.method == "POST":
        form = forms.RoomCreateForm(request.POST, places=places)
        if form.is_valid():
            data = dict(form.cleaned_data)
            room = submit_form(
                request,
                form,
                lambda: services.room_create(
                    actor=request.user,
                    place=data.pop("place"),
                    name=data.pop("name"),
                    kind=data.pop("kind"),
                    request=request,
                    **data,
                ),
                _("The room was added. Add photos and blackout periods here."),
            )
            if room is not None:
                return redirect("bookings:room-edit", pk=room.pk)
    else:
        form = forms.RoomCreateForm.with_defaults(places=places, place=chosen)
    return render(request, "bookings/room_new.html", {"form": form})


@login_required
def room_edit(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    _require(request, "bookings.manage_room", room)
    form = None
    if request.method == "POST":
        form = forms.RoomForm.for_room(room, request.POST)
        if form.is_valid() and submitted(
            request,
            form,
            lambda: services.room_update(
                actor=request.user, room=room, request=request, **form.cleaned_data
            ),
            _("The room was saved."),
        ):
            return redirect("bookings:room-detail", pk=room.pk)
    return render(request, "bookings/room_edit.html", _edit_context(room, form=form))


@login_required
@require_POST
def room_photo_add(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    _require(request, "bookings.manage_room", room)
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if submitted(
            request,
            form,
            lambda: services.room_photo_add(
                actor=request.user,
                room=room,
                upload=data["photo"],
                caption=data["caption"],
                request=request,
            ),
            _("The photo was added."),
        ):
            return redirect("bookings:room-edit", pk=room.pk)
    return render(request, "bookings/room_edit.html", _edit_context(room, photo_form=form))


def _blackouts_context(room, oneoff=None, recurring=None) -> dict:
    return {
        "room": room,
        "blackouts": list(room.blackouts.filter(end__gt=timezone.now())),
        "recurring": list(room.recurring_blackouts.all()),
        "oneoff_form": oneoff or forms.BlackoutForm(),
        "recurring_form": recurring or forms.RecurringBlackoutForm(),
    }


@login_required
def room_blackouts(request, pk):
    """The room's blackout periods: a one-off one (repairs, an official event), a regular
    one (the meeting on the 15th), and taking one away."""
    room = selectors.room_get(user=request.user, pk=pk)
    _require(request, "bookings.manage_room", room)
    if request.method != "POST":
        return render(request, "bookings/room_blackouts.html", _blackouts_context(room))
    back = redirect("bookings:room-blackouts", pk=room.pk)
    action = request.POST.get("action")
    if action == "oneoff":
        form = forms.BlackoutForm(request.POST)
        if form.is_valid() and submitted(
            request,
            form,
            lambda: services.blackout_create(actor=request.user, room=room, **form.cleaned_data),
            _("The room is blocked for that period."),
        ):
            return back
        return render(
            request, "bookings/room_blackouts.html", _blackouts_context(room, oneoff=form)
        )
    if action == "recurring":
        form = forms.RecurringBlackoutForm(request.POST)
        if form.is_valid() and submitted(
            request,
            form,
            lambda: services.recurring_blackout_create(
                actor=request.user, room=room, **form.cleaned_data
            ),
            _("The regular blackout was added."),
        ):
            return back
        return render(
            request, "bookings/room_blackouts.html", _blackouts_context(room, recurring=form)
        )
    if action in ("delete_oneoff", "delete_recurring"):
        raw = request.POST.get("blackout", "")
        rows = room.blackouts if action == "delete_oneoff" else room.recurring_blackouts
        blackout = (
            rows.filter(pk=int(raw)).first() if raw.isdigit() and is_valid_id(int(raw)) else None
        )
        if blackout is None:
            raise Http404("Not found.")
        blackout.room = room
        run_action(
            request,
            lambda: services.blackout_delete(actor=request.user, blackout=blackout),
            _("The blackout was removed."),
        )
        return back
    messages.error(request, _("Unknown action; nothing was changed."))
    return back
