"""Pages of summer tutoring (phone first): the tutoring home (a guardian's children with
today's code, the programmes to enrol in; the programmes one coordinates or tutors in), the
enrolment form with its separate consent, a child's page (masked data, an audited reveal,
collectors and their photos, withdrawing the consent), the programme with its sessions and
their ratio flags, the door of a session (drop-off and pick-up: search by name, the code, the
collector), the day's attendance with the call list of a child not collected, and the
session's log. Thin: the selectors decide what is visible (404 for everyone else), the
services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from linli.accounts.models import User
from linli.core.crypto import lookup_hash
from linli.core.errors import LinliError
from linli.core.forms import redirect_back, run_action, submit_form
from linli.core.validators import normalise_mobile

from . import forms, selectors, services
from .models import AttendanceStatus, ChildStatus


def _require(request, perm: str, obj) -> None:
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


@login_required
@require_safe
def home(request):
    user = request.user
    children = selectors.my_children(user=user)
    return render(
        request,
        "tutoring/home.html",
        {
            "children": children,
            "to_enrol": list(selectors.programmes_to_enrol(user=user)[:20]),
            "programmes": list(selectors.programme_list(user=user)[:50]),
        },
    )


@login_required
@require_safe
def programme_detail(request, pk):
    programme = selectors.programme_get(user=request.user, pk=pk)
    sessions = selectors.session_rows(programme=programme)
    for s in sessions:
        s.programme = programme  # one programme object: its permission caches are shared
        s.may_open = request.user.has_perm("tutoring.view_session", s)
    children = list(selectors.children_of(programme=programme)[:300])
    for c in children:
        c.programme = programme
        c.may_open = request.user.has_perm("tutoring.view_child", c)
    now = timezone.now()
    return render(
        request,
        "tutoring/programme_detail.html",
        {
            "programme": programme,
            "sessions": sessions,
            "flagged": [s for s in sessions if s.below_ratio and s.end > now],
            "children": children,
            "may_manage": request.user.has_perm("tutoring.manage_programme", programme),
            "now": now,
        },
    )


@login_required
@require_POST
def programme_sessions_make(request, pk):
    programme = selectors.programme_get(user=request.user, pk=pk)
    _require(request, "tutoring.manage_programme", programme)
    try:
        made = services.sessions_from_bookings(actor=request.user, programme=programme)
    except (LinliError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(count)s sessions added from the room's bookings.") % {"count": made}
        )
    return redirect("tutoring:programme-detail", pk=programme.pk)


def _guardian_for(request, form, at_desk: bool):
    if not at_desk:
        return request.user
    try:
        mobile = normalise_mobile(form.cleaned_data["guardian_mobile"])
    except ValidationError as exc:
        raise ValidationError({"guardian_mobile": exc.messages}) from exc
    guardian = User.objects.filter(mobile_hash=lookup_hash(mobile), is_active=True).first()
    if guardian is None:
        raise ValidationError({"guardian_mobile": _("No account has this mobile number.")})
    return guardian


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def child_enrol(request, pk):
    programme = selectors.programme_for_enrolment(user=request.user, pk=pk)
    at_desk = request.user.has_perm("tutoring.manage_programme", programme)
    form = forms.EnrolForm(
        request.POST or None,
        at_desk=at_desk,
        initial={"consent_version": services.CONSENT_VERSION},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            return services.child_enrol(
                actor=request.user,
                programme=programme,
                guardian=_guardian_for(request, form, at_desk),
                name=data["name"],
                birth_date=data["birth_date"],
                allergies=data["allergies"],
                medical_notes=data["medical_notes"],
                consent=data["consent"],
                consent_version=data["consent_version"],
                collectors=form.collector_rows(),
            )

        child = submit_form(request, form, write, _("Enrolled, with your consent recorded."))
        if child is not None:
            return redirect("tutoring:child-detail", pk=child.pk)
    return render(
        request,
        "tutoring/child_enrol.html",
        {
            "programme": programme,
            "form": form,
            "consent_text": services.CONSENT_TEXT,
            "consent_version": services.CONSENT_VERSION,
            "at_desk": at_desk,
        },
    )


def _child_page(request, child, *, revealed: bool):
    user = request.user
    return render(
        request,
        "tutoring/child_detail.html",
        {
            "child": child,
            "collectors": [c for c in child.collectors.all() if c.is_active],
            "consents": list(child.consents.all()),
            "revealed": revealed,
            "may_edit": child.status == ChildStatus.ENROLLED
            and user.has_perm("tutoring.edit_child", child),
            "may_withdraw": "withdraw" in services.CHILD.allowed(user=user, obj=child),
            "collector_form": forms.CollectorForm(),
            "age": child.age_on(timezone.localdate()),
        },
    )


@login_required
@require_safe
def child_detail(request, pk):
    return _child_page(request, selectors.child_get(user=request.user, pk=pk), revealed=False)


@login_required
@require_POST
def child_reveal(request, pk):
    """The whole allergies, medical notes and phone numbers, once, audited (a POST: a page
    that reveals is not reloaded from the history or prefetched)."""
    child = selectors.child_get(user=request.user, pk=pk)
    services.child_reveal(actor=request.user, child=child, request=request)
    response = _child_page(request, child, revealed=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def child_withdraw(request, pk):
    child = selectors.child_get(user=request.user, pk=pk)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_action(
        request,
        lambda: services.child_withdraw(actor=request.user, child=child, reason=reason),
        _("Consent withdrawn: the enrolment has ended and the child's data is erased."),
    )
    return redirect("tutoring:child-detail", pk=child.pk)


@login_required
@require_POST
def collector_add(request, pk):
    child = selectors.child_get(user=request.user, pk=pk)
    _require(request, "tutoring.edit_child", child)
    form = forms.CollectorForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: services.collector_add(
                actor=request.user,
                child=child,
                name=data["name"],
                relation=data["relation"],
                phone=data["phone"],
                photo=data["photo"],
            ),
            _("%(name)s may now collect the child.") % {"name": data["name"]},
        )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("tutoring:child-detail", pk=child.pk)


@login_required
@require_POST
def collector_photo(request, pk):
    collector = selectors.collector_get(user=request.user, pk=pk)
    _require(request, "tutoring.edit_child", collector.child)
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        run_action(
            request,
            lambda: services.collector_photo_set(
                actor=request.user, collector=collector, upload=form.cleaned_data["photo"]
            ),
            _("Photo added."),
        )
    else:
        messages.error(request, _("Choose a photo."))
    return redirect("tutoring:child-detail", pk=collector.child_id)


@login_required
@require_POST
def collector_remove(request, pk):
    collector = selectors.collector_get(user=request.user, pk=pk)
    run_action(
        request,
        lambda: services.collector_remove(actor=request.user, collector=collector),
        _("%(name)s may no longer collect the child.") % {"name": collector.name},
    )
    return redirect("tutoring:child-detail", pk=collector.child_id)


@login_required
@require_safe
def collector_photo_file(request, pk):
    """A collector's photo, decrypted for a reader allowed to see the child; each view is
    audited and nothing is cached."""
    collector = selectors.collector_get(user=request.user, pk=pk)
    try:
        data = services.collector_photo_read(
            actor=request.user, collector=collector, request=request
        )
    except LinliError as exc:
        raise Http404("Not found.") from exc
    response = HttpResponse(data, content_type=collector.photo_content_type or "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _door_rows(request, session, q=""):
    rows = list(selectors.attendance_list(session=session, q=q)[:200])
    now = timezone.now()
    for row in rows:
        row.steps = services.attendance_steps(user=request.user, attendance=row, now=now)
        row.collector_choices = list(row.child.collectors.all())
    return rows


@login_required
@require_safe
def session_door(request, pk):
    """At the door, on a phone: find the child by name, drop off (the code for the badge) or
    pick up (the code and the collector)."""
    session = selectors.session_get(user=request.user, pk=pk)
    q = request.GET.get("q", "")[:50]
    return render(
        request,
        "tutoring/session_door.html",
        {"session": session, "rows": _door_rows(request, session, q), "q": q},
    )


@login_required
@require_POST
def attendance_step(request, pk, step):
    attendance = selectors.attendance_get(user=request.user, pk=pk)
    back = reverse("tutoring:session-door", args=[attendance.session_id])
    name = attendance.child.name
    if step == "drop_off":
        try:
            row = services.attendance_drop_off(actor=request.user, attendance=attendance)
        except LinliError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s dropped off. Code for the badge: %(code)s")
                % {"name": name, "code": row.code},
            )
    elif step == "pick_up":
        collectors = list(attendance.child.collectors.all())
        form = forms.PickUpForm(request.POST, collectors=collectors)
        if not form.is_valid():
            messages.error(
                request,
                _("Nothing was changed: enter the code and choose the collector from the list."),
            )
        else:
            collector = next(c for c in collectors if c.pk == form.cleaned_data["collector"])
            run_action(
                request,
                lambda: services.attendance_pick_up(
                    actor=request.user,
                    attendance=attendance,
                    code=form.cleaned_data["code"],
                    collector=collector,
                ),
                _("%(name)s picked up by %(collector)s.")
                % {"name": name, "collector": collector.name},
            )
    elif step == "mark_absent":
        run_action(
            request,
            lambda: services.attendance_mark_absent(actor=request.user, attendance=attendance),
            _("%(name)s marked absent.") % {"name": name},
        )
    else:
        raise Http404("Not found.")
    return redirect_back(request, back)


@login_required
@require_safe
def session_attendance(request, pk):
    """The day's attendance; for a child not collected in time, the call list with whole
    numbers (for the session's people only; each view audited)."""
    session = selectors.session_get(user=request.user, pk=pk)
    rows = list(selectors.attendance_list(session=session)[:300])
    alerts = [r for r in rows if r.status == AttendanceStatus.DROPPED_OFF and r.alert_raised_at]
    for row in alerts:
        services.call_list_reveal(actor=request.user, attendance=row, request=request)
        row.calls = services.call_list(row)
    response = render(
        request,
        "tutoring/session_attendance.html",
        {
            "session": session,
            "rows": rows,
            "alerts": alerts,
            "tutors": selectors.session_tutors(session=session),
            "counts": {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values},
            "statuses": AttendanceStatus,
        },
    )
    if alerts:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_log(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    form = forms.LogForm(request.POST or None)
    if request.method == "POST":
        _require(request, "tutoring.write_log", session)
        if form.is_valid() and submit_form(
            request,
            form,
            lambda: services.log_write(
                actor=request.user, session=session, text=form.cleaned_data["text"]
            ),
            _("Written in the session's log."),
        ):
            return redirect("tutoring:session-log", pk=session.pk)
    entries = list(session.log.select_related("author").order_by("created_at", "id")[:200])
    return render(
        request,
        "tutoring/session_log.html",
        {
            "session": session,
            "entries": entries,
            "form": form,
            "may_write": request.user.has_perm("tutoring.write_log", session),
        },
    )
