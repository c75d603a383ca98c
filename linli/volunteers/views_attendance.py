"""Pages of sign-in and the hours ledger: the phone-first page the QR poster in the room
opens (sign in to the current shift there, sign out later), the printable poster for the
coordinators, the board's sign-in, sign-out, no-show and confirmation, my hours and
records, a group's ledger with corrections, its xlsx export and the records issued, the
printable record (A4) and the public check of a record's number and code."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from linli.core.audit import audit_record
from linli.core.errors import LinliError
from linli.core.forms import redirect_back, run_action

from . import selectors, selectors_hours, services
from .models import AssignmentStatus, HoursKind, ShiftKind

ATTENDANCE_MESSAGES = {
    "sign_in": gettext_lazy("Signed in."),
    "sign_out": gettext_lazy("Signed out."),
    "no_show": gettext_lazy("Recorded as not come."),
    "confirm": gettext_lazy("Hours confirmed."),
}


def _mask_name(name: str) -> str:
    """``王思远`` → ``王*远``; ``李明`` → ``李*``."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# -- sign-in ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign_in(request, token):
    """The page the QR poster opens: the volunteer's current or next shift of the shift
    type, with one button to sign in (or out)."""
    shift_type = selectors_hours.shift_type_by_token(token)
    if shift_type is None:
        raise Http404("Not found.")
    now = timezone.now()
    volunteer = selectors.volunteer_of(user=request.user)
    if request.method == "POST":

        def write():
            done = services.sign_in_by_poster(actor=request.user, shift_type=shift_type)
            if done.status == AssignmentStatus.SERVED:
                messages.success(request, _("Signed out. Thank you for your service!"))
            elif done.minutes_late:
                messages.warning(
                    request,
                    _("Signed in, %(minutes)s minutes late.") % {"minutes": done.minutes_late},
                )
            else:
                messages.success(request, _("Signed in. Have a good shift!"))

        try:
            write()
        except LinliError as exc:
            messages.error(request, exc.message)
        return redirect("volunteers:sign-in", token=token)
    assignment = services.sign_in_assignment(volunteer=volunteer, shift_type=shift_type, now=now)
    opens = closes = None
    if assignment is not None:
        opens, closes = services.sign_in_window(assignment.shift)
    return render(
        request,
        "volunteers/sign_in.html",
        {
            "shift_type": shift_type,
            "assignment": assignment,
            "opens": opens,
            "may_act": assignment is not None
            and (assignment.status == AssignmentStatus.ON_DUTY or opens <= now <= closes),
        },
    )


@login_required
@require_safe
def poster(request, pk):
    """The printable poster of a shift type: its QR code opens the sign-in page."""
    from linli.health.qr import svg

    shift_type = selectors_hours.coordinated_shift_type(user=request.user, pk=pk)
    token = services.shift_type_sign_in_token(actor=request.user, shift_type=shift_type)
    url = request.build_absolute_uri(reverse("volunteers:sign-in", args=[token]))
    return render(
        request,
        "volunteers/sign_in_poster.html",
        {"shift_type": shift_type, "qr": svg(url), "url": url},
    )


def _at(raw: str, assignment):
    """A time of day the coordinator typed, on the shift's day (None: now)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        clock = time.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(_("Give the time as HH:MM.")) from exc
    day = timezone.localtime(assignment.shift.start).date()
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_default_timezone())


@login_required
@require_POST
def attendance(request, pk):
    """The board's buttons: sign in or out at a time, record a no-show, confirm hours."""
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    step = request.POST.get("step", "")
    back = reverse("volunteers:board") + f"?group={assignment.shift.shift_type.group_id}"
    if step not in ATTENDANCE_MESSAGES:
        messages.error(request, _("Unknown action; nothing was changed."))
        return redirect_back(request, back)

    def write():
        at = _at(request.POST.get("at", ""), assignment)
        if step == "sign_in":
            return services.assignment_sign_in(actor=request.user, assignment=assignment, at=at)
        if step == "sign_out":
            return services.assignment_sign_out(actor=request.user, assignment=assignment, at=at)
        if step == "no_show":
            return services.assignment_no_show(actor=request.user, assignment=assignment)
        return services.assignment_confirm_hours(actor=request.user, assignment=assignment)

    run_action(request, write, ATTENDANCE_MESSAGES[step])
    return redirect_back(request, back)


@login_required
@require_POST
def lift_pause(request, pk):
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.lift_pause", volunteer):
        raise Http404("Not found.")
    run_action(
        request,
        lambda: services.volunteer_lift_pause(actor=request.user, volunteer=volunteer),
        _("%(name)s may sign up again.") % {"name": volunteer.name},
    )
    return redirect("volunteers:volunteer-detail", pk=volunteer.pk)


# -- hours ledger -----------------------------------------------------------------------------


@login_required
@require_safe
def my_hours(request):
    if not request.user.has_perm("volunteers.use_volunteers"):
        raise Http404("Not found.")
    volunteer = selectors.volunteer_of(user=request.user)
    entries = selectors_hours.my_hours(user=request.user)
    return render(
        request,
        "volunteers/hours_mine.html",
        {
            "volunteer": volunteer,
            "entries": list(entries[:500]),
            "total": selectors_hours.total_hours(entries),
            "records": list(selectors_hours.records(user=request.user).filter(
                volunteer__user_id=request.user.pk
            )[:50]),
        },
    )  # fmt: skip


@login_required
@require_safe
def group_hours(request, pk):
    """A group's ledger (coordinators): the hours to confirm, the entries with their
    corrections, issuing a record, the export."""
    group = selectors.group_get(user=request.user, pk=pk)
    entries = selectors_hours.hours_entries(user=request.user, group=group)
    members = list(selectors.eligible_members(group=group)[:500])
    return render(
        request,
        "volunteers/hours_group.html",
        {
            "group": group,
            "entries": list(entries[:500]),
            "total": selectors_hours.total_hours(entries),
            "to_confirm": list(selectors_hours.to_confirm(group=group)[:200]),
            "members": members,
            "records": list(selectors_hours.records(user=request.user).filter(group=group)[:100]),
            "kinds": HoursKind,
        },
    )


@login_required
@require_POST
def hours_correct(request, pk):
    entry = selectors_hours.hours_entry_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.correct_hours", entry):
        raise Http404("Not found.")
    run_action(
        request,
        lambda: services.hours_correct(
            actor=request.user,
            entry=entry,
            hours=request.POST.get("hours", ""),
            reason=request.POST.get("reason", "")[:300],
        ),
        _("Correction entered; the original entry stays."),
    )
    return redirect_back(request, reverse("volunteers:group-hours", args=[entry.group_id]))


@login_required
@require_POST
def record_issue(request, pk):
    group = selectors.group_get(user=request.user, pk=pk)
    volunteer = (
        selectors.eligible_members(group=group).filter(pk=request.POST.get("volunteer") or 0)
        if str(request.POST.get("volunteer", "")).isdigit()
        else None
    )
    volunteer = volunteer.first() if volunteer is not None else None
    if volunteer is None:
        messages.error(request, _("Choose a volunteer from the list."))
        return redirect("volunteers:group-hours", pk=group.pk)
    record = None

    def write():
        nonlocal record
        record = services.record_issue(actor=request.user, volunteer=volunteer, group=group)

    if run_action(request, write, _("Record issued.")):
        return redirect("volunteers:record", pk=record.pk)
    return redirect("volunteers:group-hours", pk=group.pk)


@login_required
@require_safe
def hours_export(request, pk):
    from openpyxl import Workbook

    from linli.core.xlsx import column_widths, header_row, text_cell, xlsx_response

    group = selectors.group_get(user=request.user, pk=pk)
    if not request.user.has_perm("volunteers.export_hours", group):
        raise Http404("Not found.")
    entries = selectors_hours.hours_entries(user=request.user, group=group).order_by("at", "id")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Hours ledger"))
    column_widths(sheet, [8, 18, 16, 24, 12, 10, 10, 30])
    sheet.append(
        header_row(
            sheet,
            [_("entry"), _("time"), _("volunteer"), _("shift"), _("kind"), _("hours"),
             _("corrects"), _("reason")],
        )
    )  # fmt: skip
    count = 0
    for e in entries[:20000]:
        shift = e.assignment.shift if e.assignment_id else None
        sheet.append(
            [
                e.pk,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                text_cell(sheet, e.volunteer.name),
                text_cell(
                    sheet,
                    f"{timezone.localtime(shift.start):%Y-%m-%d %H:%M} {shift.shift_type.name}"
                    if shift
                    else "",
                ),
                str(e.get_kind_display()),
                float(e.hours),
                e.corrects_id or "",
                text_cell(sheet, e.reason),
            ]
        )
        count += 1
    audit_record(
        actor=request.user,
        action="volunteers.hours_export",
        obj=group,
        request=request,
        details={"rows": count},
    )
    response = xlsx_response(f"{group.name}志愿服务时长.xlsx", "volunteer-hours.xlsx")
    workbook.save(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk):
    """The printable record (A4). POST shows the full ID number (audited)."""
    rec = selectors_hours.record_get(user=request.user, pk=pk)
    full_id = ""
    if request.method == "POST":
        if not request.user.has_perm("volunteers.reveal_id", rec.volunteer):
            raise Http404("Not found.")
        full_id = services.volunteer_reveal_id(
            actor=request.user, volunteer=rec.volunteer, request=request
        )
    kinds = rec.service.get("kinds", [])
    return render(
        request,
        "volunteers/record.html",
        {
            "record": rec,
            "full_id": full_id,
            "kinds": kinds,
            "verify_url": request.build_absolute_uri(reverse("volunteers:verify")),
            "shift_kinds": ShiftKind,
        },
    )


@require_safe
def verify(request):
    """Anyone checks an issued record by its number and code: the name partly masked, the
    hours, the issuer and the date, nothing more."""
    number = request.GET.get("number", "")[:40]
    code = request.GET.get("code", "")[:20]
    found = services.record_verify(number=number, code=code) if number or code else None
    return render(
        request,
        "volunteers/record_verify.html",
        {
            "number": number,
            "code": code,
            "asked": bool(number or code),
            "found": found,
            "masked_name": _mask_name(found.name) if found else "",
        },
    )
