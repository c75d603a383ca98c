"""Pages of the deliberation meeting (民情议事厅): meetings and series, one meeting with its
agenda and — for its organisers — the agenda editor and the record, the print view of the
minutes, the residents' proposal board and the photos of orders on an agenda. Thin: the
selectors decide what is visible, the services act, the permissions are named here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core.errors import LinliError
from linli.core.forms import run_action, submit_form, submitted
from linli.core.ids import is_valid_id
from linli.core.images import photo_response
from linli.core.pagination import paginate
from linli.places import selectors as place_selectors
from linli.places.models import Place
from linli.workorders import selectors as order_selectors

from . import forms, selectors, services
from .models import AttendanceStatus, MeetingStatus, Outcome

UPCOMING_COUNT = 12


# -- meetings and series ---------------------------------------------------------------------


def _place_filter(request) -> Place | None:
    return place_selectors.place_from_param(user=request.user, raw=request.GET.get("place"))


@login_required
def meeting_list(request):
    place = _place_filter(request)
    upcoming = selectors.meeting_list(user=request.user, place=place, upcoming=True)
    past = selectors.meeting_list(user=request.user, place=place, upcoming=False)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "place": place,
            "upcoming": list(upcoming[:UPCOMING_COUNT]),
            "page": paginate(request, past),
            "series": selectors.series_list(user=request.user, place=place),
            "is_resident": selectors.is_resident(request.user),
        },
    )


def _series_context(request, series, *, meeting_form=None, participant_form=None) -> dict:
    can_manage = request.user.has_perm("meetings.manage_meeting", series)
    can_record = request.user.has_perm("meetings.view_record", series)
    context = {
        "series": series,
        "can_manage": can_manage,
        "can_record": can_record,
        "page": paginate(request, selectors.meeting_list(user=request.user, series=series)),
        "participants": selectors.participant_list(series=series) if can_record else [],
    }
    if can_manage:
        organisations = selectors.organisation_choices(user=request.user)
        context["meeting_form"] = meeting_form or forms.ExtraMeetingForm()
        context["participant_form"] = participant_form or forms.ParticipantForm(
            organisations=organisations
        )
    return context


@login_required
def series_detail(request, pk):
    series = selectors.series_get(user=request.user, pk=pk)
    return render(request, "meetings/series_detail.html", _series_context(request, series))


@login_required
@require_POST
def series_action(request, pk):
    series = selectors.series_get(user=request.user, pk=pk)
    if not request.user.has_perm("meetings.manage_meeting", series):
        raise PermissionDenied
    action = request.POST.get("action")
    back = redirect("meetings:series-detail", pk=series.pk)
    if action == "add_meeting":
        form = forms.ExtraMeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            meeting = submit_form(
                request,
                form,
                lambda: services.meeting_create_extra(
                    actor=request.user,
                    series=series,
                    start=data["start"],
                    end=data["end"],
                    title=data["title"],
                    venue=data["venue"],
                ),
                _("The extra meeting was planned."),
            )
            if meeting is not None:
                return redirect("meetings:meeting-detail", pk=meeting.pk)
        context = _series_context(request, series, meeting_form=form)
        return render(request, "meetings/series_detail.html", context)
    if action == "add_participant":
        organisations = selectors.organisation_choices(user=request.user)
        form = forms.ParticipantForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            if submitted(
                request,
                form,
                lambda: services.participant_add(
                    actor=request.user,
                    series=series,
                    role=data["role"],
                    organisation=data["organisation"],
                    name=data["name"],
                ),
                _("The participant was added."),
            ):
                return back
        context = _series_context(request, series, participant_form=form)
        return render(request, "meetings/series_detail.html", context)
    if action == "remove_participant":
        participant = selectors.participant_get(series=series, pk=_post_id(request, "participant"))
        run_action(
            request,
            lambda: services.participant_remove(actor=request.user, participant=participant),
            _("The participant was removed."),
        )
        return back
    messages.error(request, _("Unknown action; nothing was changed."))
    return back


# -- one meeting -----------------------------------------------------------------------------


class _Choices:
    """What the record's forms offer, read once per page."""

    def __init__(self, request, meeting):
        self.organisations = selectors.organisation_choices(user=request.user)
        self.people = selectors.participant_users(meeting)
        self.categories = list(order_selectors.category_choices())
        self.places = selectors.order_place_choices(user=request.user, meeting=meeting)

    def decision_form(self, data=None, *, item_pk):
        return forms.DecisionForm(
            data,
            organisations=self.organisations,
            people=self.people,
            categories=self.categories,
            places=self.places,
            auto_id=f"id_d{item_pk}_%s",
        )


def _attendance_counts(rows) -> dict:
    return {status: sum(row.status == status for row in rows) for status in AttendanceStatus.values}


def _detail_context(request, meeting, bound: dict | None = None) -> dict:
    """Everything the meeting page shows to this user; ``bound`` holds forms refused by a
    service, shown again with what was typed and why."""
    bound = bound or {}
    user = request.user
    can_record = user.has_perm("meetings.view_record", meeting)
    can_manage = user.has_perm("meetings.manage_meeting", meeting)
    show_agenda = selectors.may_see_agenda(user, meeting)
    show_decisions = selectors.may_see_decisions(user, meeting)
    held = meeting.status == MeetingStatus.HELD
    published = meeting.status == MeetingStatus.PUBLISHED
    editable = can_manage and meeting.status in services.AGENDA_EDITABLE
    recording = can_manage and held
    items = selectors.agenda(meeting) if show_agenda else []
    context = {
        "meeting": meeting,
        "series": meeting.series,
        "items": items,
        "can_record": can_record,
        "can_manage": can_manage,
        "show_agenda": show_agenda,
        "show_decisions": show_decisions,
        "editable": editable,
        "recording": recording,
        "may_send": can_manage
        and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.AGENDA_PUBLISHED),
        "held": held,
        "published": published,
        "outcomes": Outcome,
        "attendance_choices": AttendanceStatus.choices,
        "topic_form": bound.get("topic") or forms.TopicForm(),
        "cancel_form": bound.get("cancel") or forms.ReasonForm(),
        "summary_form": bound.get("summary") or forms.SummaryForm(),
    }
    if editable:
        context["suggestions"] = selectors.topic_suggestions(meeting)
    if can_manage:  # the meeting's own timeline, read from its events
        context["timeline"] = selectors.meeting_events(meeting)
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.PUBLISHED):
        rows = selectors.attendance_list(meeting)
        context["attendance_counts"] = _attendance_counts(rows)
        if can_record:
            typed = bound.get("attendance", {})
            for row in rows:
                row.typed_status, row.typed_proxy = typed.get("marks", {}).get(
                    row.pk, (row.status, row.proxy_name)
                )
            context["attendance"] = rows
            context["attendance_errors"] = typed.get("errors", [])
            context["guest"] = typed.get("guests", [("", "")])[0]
            context["quorum"] = services.quorum(meeting)
    if recording and timezone.now() < meeting.start:
        context["minutes_from"] = meeting.start  # the step's guard refuses before then
    if recording:
        choices = _Choices(request, meeting)
        for item in items:
            fresh = {
                "decision": lambda item=item: choices.decision_form(item_pk=item.pk),
                "notes": lambda item=item: forms.NotesForm(initial={"notes": item.notes}),
                "drop": forms.ReasonForm,
                "carry": forms.CarryForm,
            }
            for name, make in fresh.items():
                kept = bound.get(name)
                form = kept[1] if kept and kept[0] == item.pk else make()
                setattr(item, f"{name}_form", form)
    if can_record and not published:
        follow = selectors.follow_ups(meeting)
        kept = bound.get("done")
        for decision in follow:
            decision.done_form = kept[1] if kept and kept[0] == decision.pk else forms.DoneForm()
        context["follow_ups"] = follow
    if published and show_decisions:
        context["reviews"] = selectors.reviews(meeting)
    return context


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


def _item_of(meeting, item_pk):
    return selectors.agenda_item_get(meeting=meeting, pk=item_pk)


def _back(meeting, item=None):
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    return redirect(f"{url}#item-{item.pk}" if item is not None else url)


@login_required
@require_POST
def meeting_action(request, pk):
    """Every change on the meeting page, by its ``action``: refusals come back as messages
    (or as the form again, with what was typed), and an unknown action changes nothing."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not request.user.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied
    form = forms.ActionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in ACTIONS:
        if "item" in form.errors:
            raise Http404("Not found.")
        messages.error(request, _("Unknown action; nothing was changed."))
        return _back(meeting)
    handler, needs_item = ACTIONS[form.cleaned_data["action"]]
    item = _item_of(meeting, form.cleaned_data["item"]) if needs_item else None
    outcome = handler(request, meeting, item) if needs_item else handler(request, meeting)
    if isinstance(outcome, dict):  # refused: the page again, with the forms as typed
        context = _detail_context(request, meeting, bound=outcome)
        return render(request, "meetings/meeting_detail.html", context)
    return _back(meeting, item)


def _post_id(request, name):
    raw = request.POST.get(name, "")
    if not raw.isdigit() or not is_valid_id(int(raw)):
        raise Http404("Not found.")
    return int(raw)


def _add_topic(request, meeting):
    topic = selectors.topic_get(user=request.user, pk=_post_id(request, "topic"))
    run_action(
        request,
        lambda: services.agenda_add(actor=request.user, meeting=meeting, topic=topic),
        _("The topic is on the agenda."),
    )


def _add_order(request, meeting):
    order = order_selectors.order_get(user=request.user, pk=_post_id(request, "order"))
    run_action(
        request,
        lambda: services.agenda_add_order(
            actor=request.user,
            meeting=meeting,
            order=order,
            source=selectors.order_topic_source(order),
        ),
        _("The order is on the agenda."),
    )


def _new_topic(request, meeting):
    form = forms.TopicForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data

        @transaction.atomic
        def write():
            topic = services.topic_create(
                actor=request.user,
                series=meeting.series,
                title=data["title"],
                description=data["description"],
            )
            return services.agenda_add(actor=request.user, meeting=meeting, topic=topic)

        if submitted(request, form, write, _("The topic is on the agenda.")):
            return None
    return {"topic": form}


def _move(request, meeting, item):
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset is None:
        messages.error(request, _("Unknown action; nothing was changed."))
        return
    run_action(
        request,
        lambda: services.agenda_move(actor=request.user, item=item, offset=offset),
        _("The agenda was reordered."),
    )


def _remove(request, meeting, item):
    run_action(
        request,
        lambda: services.agenda_remove(actor=request.user, item=item),
        _("The topic was taken off the agenda."),
    )


# The steps that take text, with the form and the page's name for it.
STEP_FORMS = {
    "cancel": (forms.ReasonForm, "cancel"),
    "publish_minutes": (forms.SummaryForm, "summary"),
}


def _step(step, success):
    def handler(request, meeting):
        form_class, key = STEP_FORMS.get(step, (forms.EmptyForm, None))
        form = form_class(request.POST)
        # The page shows a step's form only while the step is possible; otherwise a refusal
        # is told as a message.
        shown = key is not None and meeting.status in services.meeting_step_sources(step)
        if not form.is_valid():
            if shown:
                return {key: form}
            messages.error(request, _("The step could not be read; please try again."))
            return None
        data = form.cleaned_data

        def write():
            return services.meeting_take_step(
                actor=request.user,
                meeting=meeting,
                step=step,
                reason=data.get("reason", ""),
                summary=data.get("summary", ""),
                request=request,
            )

        if shown:
            return None if submitted(request, form, write, success) else {key: form}
        run_action(request, write, success)
        return None

    return handler


def _attendance(request, meeting):
    rows = selectors.attendance_list(meeting)
    marks, guests = forms.attendance_marks(request.POST, rows)
    try:
        services.attendance_mark(actor=request.user, meeting=meeting, marks=marks, guests=guests)
    except ValidationError as exc:
        return {"attendance": {"marks": marks, "guests": guests, "errors": exc.messages}}
    except LinliError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, _("Attendance was recorded."))


def _notes(request, meeting, item):
    form = forms.NotesForm(request.POST)
    if form.is_valid() and submitted(
        request,
        form,
        lambda: services.item_save_notes(
            actor=request.user, item=item, notes=form.cleaned_data["notes"]
        ),
        _("The notes were saved."),
    ):
        return None
    return {"notes": (item.pk, form)}


def _decision(request, meeting, item):
    form = _Choices(request, meeting).decision_form(request.POST, item_pk=item.pk)
    if not form.is_valid():
        return {"decision": (item.pk, form)}
    data = form.cleaned_data
    linked = []
    for order_id in data["link_orders"]:
        try:
            linked.append(order_selectors.order_get(user=request.user, pk=order_id))
        except Http404:
            form.add_error("link_orders", _("There is no order %(id)s.") % {"id": order_id})
    if form.errors:
        return {"decision": (item.pk, form)}
    if submitted(
        request,
        form,
        lambda: services.decision_record(
            actor=request.user,
            item=item,
            text=data["text"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
            responsible_organisation=data["responsible_organisation"],
            responsible_user=data["responsible_user"],
            due_date=data["due_date"],
            new_order=form.new_order(),
            link_orders=linked,
            request=request,
        ),
        _("The decision was recorded."),
    ):
        return None
    return {"decision": (item.pk, form)}


def _carry(request, meeting, item):
    form = forms.CarryForm(request.POST)
    if form.is_valid() and submitted(
        request,
        form,
        lambda: services.item_carry(actor=request.user, item=item, note=form.cleaned_data["note"]),
        _("The topic was carried to the next meeting."),
    ):
        return None
    return {"carry": (item.pk, form)}


def _drop(request, meeting, item):
    form = forms.ReasonForm(request.POST)
    if form.is_valid() and submitted(
        request,
        form,
        lambda: services.item_drop(
            actor=request.user, item=item, reason=form.cleaned_data["reason"]
        ),
        _("The topic was dropped."),
    ):
        return None
    return {"drop": (item.pk, form)}


def _done(request, meeting):
    form = forms.DoneForm(request.POST)
    if not form.is_valid():
        if "decision" in form.errors:
            raise Http404("Not found.")
        return {"done": (None, form)}
    decision = next(
        (d for d in selectors.follow_ups(meeting) if d.pk == form.cleaned_data["decision"]), None
    )
    if decision is None:
        raise Http404("Not found.")
    if submitted(
        request,
        form,
        lambda: services.decision_mark_done(
            actor=request.user, decision=decision, meeting=meeting, note=form.cleaned_data["note"]
        ),
        _("The decision is marked done."),
    ):
        return None
    return {"done": (decision.pk, form)}


# action -> (handler, whether it is about an agenda item)
ACTIONS = {
    "add_topic": (_add_topic, False),
    "add_order": (_add_order, False),
    "new_topic": (_new_topic, False),
    "move": (_move, True),
    "remove": (_remove, True),
    "publish_agenda": (
        _step("publish_agenda", _("The agenda was sent to the participants.")),
        False,
    ),
    "hold": (_step("hold", _("The record is open.")), False),
    "cancel": (_step("cancel", _("The meeting was cancelled.")), False),
    "publish_minutes": (_step("publish_minutes", _("The minutes were published.")), False),
    "attendance": (_attendance, False),
    "notes": (_notes, True),
    "decision": (_decision, True),
    "carry": (_carry, True),
    "drop": (_drop, True),
    "done": (_done, False),
}


@login_required
def meeting_print(request, pk):
    """The minutes on A4, as they are posted: no private notes, no names of who came."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not selectors.may_see_decisions(request.user, meeting):
        raise Http404("Not found.")
    published = meeting.status == MeetingStatus.PUBLISHED
    return render(
        request,
        "meetings/meeting_print.html",
        {
            "meeting": meeting,
            "items": selectors.agenda(meeting),
            "outcomes": Outcome,
            "attendance_counts": _attendance_counts(selectors.attendance_list(meeting)),
            "reviews": selectors.reviews(meeting) if published else [],
            "follow_ups": [] if published else selectors.follow_ups(meeting),
            "published": published,
        },
    )


@require_safe
@login_required
def meeting_photo(request, pk, photo_id, variant):
    """A photo of an order on the meeting's agenda, for those who see the record: the
    participants may not see the order itself (the property company sees only its own)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not request.user.has_perm("meetings.view_record", meeting) or not is_valid_id(photo_id):
        raise Http404("Not found.")
    # The meeting was found visible above; the photo must belong to an order of its agenda.
    return photo_response(selectors.agenda_photo_get(meeting=meeting, pk=photo_id), variant)


# -- the proposal board ----------------------------------------------------------------------


@login_required
def proposal_list(request):
    """Residents propose topics and support their neighbours'; staff read the board."""
    compounds = selectors.resident_compound_list(request.user)
    form = forms.ProposalForm(request.POST or None, compounds=compounds) if compounds else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            if submitted(
                request,
                form,
                lambda: services.proposal_create(
                    actor=request.user,
                    place=form.compound(),
                    title=data["title"],
                    description=data["description"],
                    request=request,
                ),
                _("Your proposal is on the board. Neighbours can support it now."),
            ):
                return redirect("meetings:proposal-list")
    page = paginate(request, selectors.proposal_list(user=request.user, open_only=True))
    now = timezone.now()
    for topic in page.object_list:
        meeting = topic.proposed_for
        topic.closes_at = services.proposals_close_at(meeting) if meeting else None
        topic.is_closed = topic.closes_at is None or now >= topic.closes_at
        topic.can_support = (
            not topic.is_closed
            and not topic.supported
            and request.user.has_perm("meetings.support_proposal", topic)
        )
        topic.is_own = topic.proposer_id == request.user.pk
    return render(request, "meetings/proposal_list.html", {"page": page, "form": form})


@login_required
@require_POST
def proposal_support(request, pk):
    topic = selectors.proposal_get(user=request.user, pk=pk)
    run_action(
        request,
        lambda: services.proposal_support(actor=request.user, topic=topic),
        _("Thank you: your support was counted."),
    )
    return redirect("meetings:proposal-list")
