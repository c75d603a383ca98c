"""Every change of a work order: filing, the lifecycle (an explicit table of allowed steps),
time limits, and the timeline. Each step locks the order, checks who may take it in the
order's current state, and writes one timeline event; a refused step changes nothing."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.images import photo_attach, refuse
from linli.core.lifecycle import Lifecycle, Step, check_perm, field_values, save_changed, validated
from linli.core.validators import normalise_mobile
from linli.core.workdays import add_working_days
from linli.places.models import Organisation, Place

from .hooks import run_order_hooks
from .models import (
    Category,
    Channel,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Photo,
    Satisfaction,
    Status,
    Support,
    WorkOrder,
    WorkOrderEvent,
)
from .tasks import notify_event_task

S = Status
MANAGE, HANDLE, REPORTER = (
    "workorders.manage_order",
    "workorders.handle_order",
    "workorders.give_feedback",
)
ORDER = Lifecycle(
    name="workorders.order",
    model=WorkOrder,
    event_model=WorkOrderEvent,
    subject="order",
    event_kinds=EventKind,
    select_related=("place", "category"),
    illegal_message=gettext_lazy("This order is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("This step is not yours to take on this order."),
    guard=lambda name, order, **context: _guard(name, order),
    # Modules that build on orders (the meeting) follow their steps inside the transaction;
    # notifications go out after commit, re-reading what they need.
    after_event=run_order_hooks,
    notify_task=notify_event_task,
    steps={
        "accept": Step(frozenset({S.SUBMITTED}), S.ACCEPTED, MANAGE, EventKind.ACCEPTED),
        "reject": Step(frozenset({S.SUBMITTED}), S.REJECTED, MANAGE, EventKind.REJECTED),
        "dispatch": Step(frozenset({S.ACCEPTED}), S.DISPATCHED, MANAGE, EventKind.DISPATCHED),
        "sign": Step(frozenset({S.DISPATCHED}), S.IN_PROGRESS, HANDLE, EventKind.SIGNED),
        "return": Step(
            frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.ACCEPTED, HANDLE, EventKind.RETURNED
        ),
        "progress": Step(frozenset({S.IN_PROGRESS}), None, HANDLE, EventKind.PROGRESS),
        "request_extension": Step(
            frozenset({S.IN_PROGRESS}), None, HANDLE, EventKind.EXTENSION_REQUESTED
        ),
        "resolve": Step(frozenset({S.IN_PROGRESS}), S.RESOLVED, HANDLE, EventKind.RESOLVED),
        "feedback": Step(frozenset({S.RESOLVED}), None, REPORTER, EventKind.FEEDBACK),
        "close": Step(frozenset({S.RESOLVED}), S.CLOSED, MANAGE, EventKind.CLOSED),
        "merge": Step(frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED, MANAGE, EventKind.MERGED),
        "refer": Step(
            frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
            None,
            MANAGE,
            EventKind.REFERRED,
        ),
        # The overdue check (SYSTEM) flags and chases an order past its deadline.
        "chase": Step(
            frozenset({S.DISPATCHED, S.IN_PROGRESS}), None, "workorders.chase_order",
            EventKind.CHASED,
        ),
    },
)  # fmt: skip

X = ExtensionStatus
DECIDE = "workorders.decide_extension"
# An extension request's decision goes on its order's timeline.
EXTENSION = Lifecycle(
    name="workorders.extension",
    model=ExtensionRequest,
    event_model=WorkOrderEvent,
    subject="order",
    event_subject=lambda extension: extension.order,
    event_kinds=EventKind,
    select_related=("order__place", "order__category"),
    illegal_message=gettext_lazy(
        "This extension request is %(status)s; it cannot be %(step)s now."
    ),
    forbidden_message=gettext_lazy("This step is not yours to take on this order."),
    after_event=run_order_hooks,
    notify_task=notify_event_task,
    steps={
        "approve": Step(
            frozenset({X.PENDING}), X.APPROVED, DECIDE, EventKind.EXTENSION_APPROVED,
            gettext_lazy("approved"),
        ),
        "refuse": Step(
            frozenset({X.PENDING}), X.REFUSED, DECIDE, EventKind.EXTENSION_REFUSED,
            gettext_lazy("refused"),
        ),
    },
)  # fmt: skip


def _guard(name: str, order: WorkOrder) -> None:
    if name == "refer" and order.referred_to_meeting:
        raise ConflictError(_("This order is already referred to the meeting."), code="referred")


def allowed_steps(*, user, order: WorkOrder) -> list[str]:
    """The steps this user may take on this order now (for buttons and the API)."""
    steps = [name for name in ORDER.allowed(user=user, obj=order) if name != "chase"]
    if order.status != S.IN_PROGRESS:  # extensions are asked for only while in progress
        return steps
    pending = order.extensions.filter(status=ExtensionStatus.PENDING).first()
    if pending is not None and EXTENSION.allowed(user=user, obj=pending):
        steps.append("decide_extension")
    return steps


def _take(step_name, *, actor, order, note="", data=None, **changes) -> WorkOrder:
    return ORDER.take(step_name, actor=actor, obj=order, note=note, data=data, **changes)


def due_from(start, *, category: Category, urgent: bool):
    if urgent:
        return start + timedelta(hours=category.urgent_hours)
    return add_working_days(start, category.time_limit_days)


# -- filing ---------------------------------------------------------------------------------


def likely_duplicates(*, category: Category, place: Place, days: int = 30):
    """Open orders of the same category in the same building within ``days`` days."""
    from linli.places import tree

    building_path = tree.ancestor_path(place.path, "building")
    since = timezone.now() - timedelta(days=days)
    return (
        WorkOrder.objects.filter(
            category=category,
            status__in=[S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS],
            created_at__gte=since,
        )
        .filter(tree.subtree_q(building_path, "place__path"))
        .select_related("place")
        .order_by("-created_at")
    )


@transaction.atomic
def order_file(
    *,
    actor,
    category: Category,
    place: Place,
    title: str,
    description: str = "",
    channel: str = Channel.ONLINE,
    appeal_kind: str | None = None,
    external_ticket: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    address_string: str = "",
    lat=None,
    long=None,
    source_organisation: Organisation | None = None,
    open311_token: str | None = None,
    request=None,
) -> WorkOrder:
    """File an order: online by a resident (the reporter is the actor), at the counter or by
    phone on a resident's behalf, from a patrol, an inspection or a meeting, as a 12345
    transfer (with its ticket number) or through Open311."""
    check_perm(
        actor,
        "workorders.file_order",
        place,
        message=_("You may not report problems at this place."),
    )
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    if channel == Channel.HOTLINE and not external_ticket.strip():
        raise ValidationError({"external_ticket": _("A 12345 transfer needs its ticket number.")})
    phone = normalise_mobile(reporter_phone) if reporter_phone.strip() else ""
    if channel == Channel.ONLINE and reporter is None:
        reporter = actor
    order = WorkOrder(
        title=title.strip(),
        description=description.strip(),
        category=category,
        appeal_kind=appeal_kind or category.appeal_kind,
        channel=channel,
        external_ticket=external_ticket.strip(),
        place=place,
        address_string=address_string.strip()[:255],
        lat=lat,
        long=long,
        reporter=reporter,
        reporter_name=reporter_name.strip() or (reporter.display_name if reporter else ""),
        reporter_phone=phone,
        created_by=user_or_none(actor),
        urgent=category.urgent,
        source_organisation=source_organisation,
        open311_token=open311_token,
    )
    if not order.title:
        raise ValidationError({"title": _("Say in a few words what the problem is.")})
    validated(order)
    order.save()
    # the one event a new order has, kept for callers that answer with the order at once
    order.filed_event = ORDER.record(
        obj=order,
        kind=EventKind.FILED,
        actor=actor,
        to_status=order.status,
        data={"channel": channel, "external_ticket": order.external_ticket},
    )
    audit_record(actor=actor, action="workorder.file", obj=order, request=request)
    return order


@transaction.atomic
def order_support(*, actor, order: WorkOrder) -> WorkOrder:
    """ "Me too": a resident of the compound backs an open order instead of filing again."""
    order = ORDER.locked(order)
    if order.status == S.RESOLVED:
        raise ConflictError(
            _("This problem is marked resolved, so “me too” is closed. If it is back, report it."),
            code="closed",
        )
    if not order.may_be_supported:
        raise ConflictError(_("This order is no longer open."), code="closed")
    check_perm(
        actor,
        "workorders.support_order",
        order,
        message=_("Only neighbours in this compound can say “me too”."),
    )
    _support, created = Support.objects.get_or_create(order=order, user=actor)
    if not created:
        raise ConflictError(_("You already said “me too” on this order."), code="supported")
    order.supporter_count = order.supports.count()
    order.save(update_fields=["supporter_count", "updated_at"])
    ORDER.record(obj=order, kind=EventKind.SUPPORTED, actor=actor)
    return order


# -- lifecycle ------------------------------------------------------------------------------


@transaction.atomic
def order_accept(*, actor, order, note=""):
    return _take("accept", actor=actor, order=order, note=note)


@transaction.atomic
def order_reject(*, actor, order, reason: str):
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is rejected.")})
    return _take("reject", actor=actor, order=order, note=reason.strip(), closed_at=timezone.now())


@transaction.atomic
def order_dispatch(*, actor, order, organisation: Organisation | None = None, note=""):
    organisation = organisation or order.organisation or order.category.organisation
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the organisation to dispatch to.")})
    if not actor.has_perm("workorders.dispatch_to", organisation):
        raise ValidationError(
            {"organisation": _("Choose an organisation that serves the places in your care.")}
        )
    return _take(
        "dispatch",
        actor=actor,
        order=order,
        note=note,
        data={"organisation": organisation.name},
        organisation=organisation,
        signed_at=None,
        due_at=None,
    )


@transaction.atomic
def order_sign(*, actor, order, note=""):
    """The handling organisation signs for the order; its clock starts now."""
    now = timezone.now()
    locked = ORDER.locked(order)
    due = due_from(now, category=locked.category, urgent=locked.urgent)
    return ORDER.take(
        "sign",
        actor=actor,
        obj=locked,
        is_locked=True,
        note=note,
        signed_at=now,
        due_at=due,
        data={"due_at": due.isoformat()},
    )


@transaction.atomic
def order_return(*, actor, order, reason: str):
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is returned.")})
    return _take(
        "return",
        actor=actor,
        order=order,
        note=reason.strip(),
        signed_at=None,
        due_at=None,
        overdue=False,
    )


@transaction.atomic
def order_progress(*, actor, order, note: str):
    if not note.strip():
        raise ValidationError({"note": _("Write what was done.")})
    return _take("progress", actor=actor, order=order, note=note.strip())


@transaction.atomic
def order_request_extension(*, actor, order, extra_days: int, reason: str):
    """The handler asks for more working days before the deadline; a worker decides."""
    locked = ORDER.locked(order)
    ORDER.check("request_extension", actor=actor, obj=locked)
    if locked.due_at and timezone.now() >= locked.due_at:
        raise ConflictError(
            _("An extension must be asked for before the deadline."), code="too_late"
        )
    if not 1 <= extra_days <= 30 or not reason.strip():
        raise ValidationError({"extra_days": _("Ask for 1 to 30 working days and give a reason.")})
    if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ConflictError(_("An extension request is already waiting."), code="pending")
    extension = ExtensionRequest(
        order=locked, requested_by=actor, extra_days=extra_days, reason=reason.strip()
    )
    validated(extension)
    extension.save()
    return ORDER.take(
        "request_extension",
        actor=actor,
        obj=locked,
        is_locked=True,
        note=reason.strip(),
        data={"extra_days": extra_days},
    )


@transaction.atomic
def order_decide_extension(*, actor, order, approve: bool, note=""):
    """A worker approves (the deadline moves by the working days asked for) or refuses the
    waiting extension request."""
    locked = ORDER.locked(order)
    extension = locked.extensions.filter(status=ExtensionStatus.PENDING).first()
    if extension is None:
        if not actor.has_perm(DECIDE, ExtensionRequest(order=locked)):
            raise ForbiddenError(ORDER.forbidden_message, code="forbidden")
        raise ConflictError(_("No extension request is waiting."), code="none_pending")
    extension = EXTENSION.locked(extension)
    extension.order = locked
    snapshot = field_values(locked)
    data = {"extra_days": extension.extra_days}
    if approve and locked.due_at:
        locked.due_at = add_working_days(locked.due_at, extension.extra_days)
        locked.overdue = locked.due_at <= timezone.now()
        data["due_at"] = locked.due_at.isoformat()
    EXTENSION.take(
        "approve" if approve else "refuse",
        actor=actor,
        obj=extension,
        is_locked=True,
        note=note,
        data=data,
        decided_by=user_or_none(actor),
        decided_at=timezone.now(),
    )
    save_changed(locked, snapshot)
    return locked


@transaction.atomic
def order_resolve(*, actor, order, note: str):
    if not note.strip():
        raise ValidationError({"note": _("Say how the problem was solved.")})
    return _take("resolve", actor=actor, order=order, note=note.strip(), resolved_at=timezone.now())


@transaction.atomic
def order_feedback(*, actor, order, satisfaction: str, note=""):
    """The reporter rates the resolution. Satisfied (or fairly) closes the order; unsatisfied
    reopens it once, and closes it the second time."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied you are.")})
    locked = ORDER.take(
        "feedback",
        actor=actor,
        obj=order,
        note=note.strip(),
        data={"satisfaction": satisfaction},
        satisfaction=satisfaction,
    )
    before = locked.status
    snapshot = field_values(locked)
    if satisfaction == Satisfaction.UNSATISFIED and locked.reopen_count == 0:
        locked.status = S.IN_PROGRESS
        locked.reopen_count += 1
        locked.resolved_at = None
        locked.signed_at = timezone.now()
        locked.due_at = due_from(locked.signed_at, category=locked.category, urgent=locked.urgent)
        locked.overdue = False
        kind = EventKind.REOPENED
    else:
        locked.status = S.CLOSED
        locked.closed_at = timezone.now()
        kind = EventKind.CLOSED
    # What the feedback leads to is the feedback step's consequence, not a step of its own.
    save_changed(locked, snapshot)
    ORDER.record(obj=locked, kind=kind, actor=actor, from_status=before, to_status=locked.status)
    return locked


@transaction.atomic
def order_close(*, actor, order, note=""):
    """A worker's check closes a resolved order (e.g. the reporter gave no feedback)."""
    return _take("close", actor=actor, order=order, note=note, closed_at=timezone.now())


@transaction.atomic
def order_merge(*, actor, order, into: WorkOrder, note=""):
    """Merge a duplicate into another open order; its reporter becomes a supporter there."""
    if into.pk == order.pk:
        raise ValidationError({"into": _("An order cannot be merged into itself.")})
    target = ORDER.locked(into)
    if not target.is_open:
        raise ConflictError(_("Merge into an open order."), code="closed")
    merged = _take(
        "merge",
        actor=actor,
        order=order,
        note=note,
        merged_into=target,
        closed_at=timezone.now(),
        data={"into": target.number},
    )
    if merged.reporter_id and merged.reporter_id != target.reporter_id:
        Support.objects.get_or_create(order=target, user_id=merged.reporter_id)
        target.supporter_count = target.supports.count()
        target.save(update_fields=["supporter_count", "updated_at"])
    ORDER.record(
        obj=target,
        kind=EventKind.MERGED,
        actor=actor,
        note=note,
        data={"from": merged.number},
    )
    return merged


@transaction.atomic
def order_chase(*, actor, order, now=None):
    """Flag an order past its deadline and chase its handler (the overdue check, SYSTEM)."""
    now = now or timezone.now()
    late = now - order.due_at if order.due_at else timedelta(0)
    return _take(
        "chase",
        actor=actor,
        order=order,
        data={"hours_late": round(late.total_seconds() / 3600, 1)},
        overdue=True,
        last_chased_at=now,
    )


@transaction.atomic
def order_refer(*, actor, order, note=""):
    """Refer the order to the compound's next deliberation meeting."""
    return _take("refer", actor=actor, order=order, note=note, referred_to_meeting=True)


def order_take_step(
    *,
    actor,
    order: WorkOrder,
    step: str,
    note: str = "",
    reason: str = "",
    satisfaction: str = "",
    extra_days: int | None = None,
    into: WorkOrder | None = None,
    organisation: Organisation | None = None,
    approve: bool | None = None,
) -> WorkOrder:
    """Take a step by name with the inputs a page or the API posted; each step uses the
    inputs it needs and refuses missing ones with a message."""
    base = {"actor": actor, "order": order}
    if step == "accept":
        return order_accept(**base, note=note)
    if step == "reject":
        return order_reject(**base, reason=reason or note)
    if step == "dispatch":
        return order_dispatch(**base, organisation=organisation, note=note)
    if step == "sign":
        return order_sign(**base, note=note)
    if step == "return":
        return order_return(**base, reason=reason or note)
    if step == "progress":
        return order_progress(**base, note=note)
    if step == "request_extension":
        return order_request_extension(**base, extra_days=extra_days or 0, reason=reason or note)
    if step == "decide_extension":
        if approve is None:
            raise ValidationError({"approve": _("Approve or refuse the extension.")})
        return order_decide_extension(**base, approve=approve, note=note)
    if step == "resolve":
        return order_resolve(**base, note=note)
    if step == "feedback":
        return order_feedback(**base, satisfaction=satisfaction, note=note)
    if step == "close":
        return order_close(**base, note=note)
    if step == "merge":
        if into is None:
            raise ValidationError({"into": _("Choose the order to merge into.")})
        return order_merge(**base, into=into, note=note)
    if step == "refer":
        return order_refer(**base, note=note)
    raise LinliError(_("Unknown step."), code="unknown_step")


@transaction.atomic
def category_save(*, actor, category: Category, changed: list[str], request=None) -> Category:
    """Save a category (configuration, from the admin) and record the change in the audit
    log, which is the category's history."""
    created = category.pk is None
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action="category.create" if created else "category.change",
        obj=category,
        request=request,
        details={name: str(getattr(category, name, "")) for name in changed},
    )
    return category


# -- photos ---------------------------------------------------------------------------------

MAX_PHOTOS_PER_ORDER = 9


def _check_may_add(*, actor, order: WorkOrder) -> None:
    if actor.has_perm("workorders.add_photo", order):
        return
    if (
        getattr(actor, "is_authenticated", False)
        and actor.has_perm("workorders.give_feedback", order)
        and not order.is_open
    ):
        raise ConflictError(_("This order is no longer open."), code="closed")
    raise ForbiddenError(_("You may not add photos to this order."), code="forbidden")


def _check_room(order: WorkOrder) -> None:
    if Photo.objects.filter(order=order).count() >= MAX_PHOTOS_PER_ORDER:
        raise refuse(
            _("An order can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ORDER}
        )


def photo_add(*, actor, order: WorkOrder, upload, request=None) -> Photo:
    """Attach a photo to an order (``core.images.photo_attach``)."""

    def check(order):
        _check_may_add(actor=actor, order=order)
        _check_room(order)

    return photo_attach(
        record=order,
        upload=upload,
        check=check,
        lock=ORDER.locked,
        make=lambda locked: Photo(order=locked, uploaded_by=user_or_none(actor)),
        audit=lambda locked, photo: audit_record(
            actor=actor,
            action="workorder.photo_add",
            obj=locked,
            request=request,
            details={"photo": photo.pk, "content_type": photo.content_type},
        ),
    )
