"""Every change of events and their registrations. An event's room is booked through the
bookings' services (refused when it is taken); publishing tells its audience with a notice.
A registration is a party that gets its places together or waits together; every write that
can change who holds a place locks the event's row first, so capacity holds under
concurrency, and frees places to the wait list in its order: the first party that fits is
offered them for ``offer_hours``, and an offer declined or lapsed passes on."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from linli.bookings import services as booking_services
from linli.bookings.models import Purpose
from linli.core.actors import SYSTEM
from linli.core.audit import audit_record
from linli.core.errors import ConflictError
from linli.core.lifecycle import Lifecycle, Step, check_perm, field_values, save_changed, validated
from linli.core.locking import lock_row
from linli.notices.services import notice_publish
from linli.residents.models import Resident, ResidentStatus

from .models import (
    ACTIVE,
    HOLDING,
    Event,
    EventEvent,
    EventEventKind,
    EventStatus,
    Registration,
    RegistrationEvent,
    RegistrationEventKind,
    RegistrationPerson,
    RegistrationStatus,
)

S = EventStatus
R = RegistrationStatus
ADULT_AGE = 18


def _event_guard(name: str, event: Event, *, now: datetime | None = None, **context) -> None:
    now = now or timezone.now()
    if name == "hold" and now < event.start:
        raise ConflictError(
            _("The event has not begun yet; it can be marked as held once it has."),
            code="not_started",
        )
    if name == "cancel" and event.status == S.PUBLISHED and now >= event.end:
        raise ConflictError(_("The event is over; mark it as held instead."), code="over")


EVENT = Lifecycle(
    name="events.event",
    model=Event,
    event_model=EventEvent,
    subject="event",
    event_kinds=EventEventKind,
    select_related=("place", "organisation", "room"),
    lock=lambda obj: lock_row(Event, obj.pk, select_related=("place", "organisation", "room")),
    guard=_event_guard,
    audit_prefix="events.event",
    steps={
        "publish": Step(frozenset({S.DRAFT}), S.PUBLISHED, "events.manage_event", "published"),
        "hold": Step(frozenset({S.PUBLISHED}), S.HELD, "events.manage_event", "held"),
        "close": Step(frozenset({S.HELD}), S.CLOSED, "events.manage_event", "closed"),
        "cancel": Step(
            frozenset({S.DRAFT, S.PUBLISHED}), S.CANCELLED, "events.manage_event", "cancelled"
        ),
    },
)


def _registration_guard(name: str, registration: Registration, *, now=None, by=None, **_c):
    now = now or timezone.now()
    event = registration.event
    if name == "cancel":
        if now >= event.start:
            raise ConflictError(_("The event has begun; it is too late to cancel."), code="started")
        manager = by is not None and by.has_perm("events.manage_event", event)
        if now > event.cancel_until and not manager and registration.status in HOLDING:
            raise ConflictError(
                _("Cancelling was possible until %(when)s; ask the organiser.")
                % {"when": _fmt(event.cancel_until)},
                code="cancel_deadline",
            )
    if name == "accept" and registration.offer_expires_at and now > registration.offer_expires_at:
        raise ConflictError(_("This offer has lapsed."), code="offer_lapsed")
    if name == "expire" and (
        registration.offer_expires_at is None or now <= registration.offer_expires_at
    ):
        raise ConflictError(_("This offer is still open."), code="offer_open")


REGISTRATION = Lifecycle(
    name="events.registration",
    model=Registration,
    event_model=RegistrationEvent,
    subject="registration",
    event_kinds=RegistrationEventKind,
    select_related=("event__place", "event__organisation", "contact"),
    guard=_registration_guard,
    illegal_message=gettext_lazy("This registration is %(status)s; it cannot be %(step)s now."),
    steps={
        "offer": Step(frozenset({R.WAITING}), R.OFFERED, "events.offer_place", "offered"),
        "accept": Step(frozenset({R.OFFERED}), R.REGISTERED, "events.answer_offer", "accepted"),
        "decline": Step(frozenset({R.OFFERED}), R.DECLINED, "events.answer_offer", "declined"),
        "expire": Step(frozenset({R.OFFERED}), R.EXPIRED, "events.expire_offer", "expired"),
        "cancel": Step(
            frozenset({R.REGISTERED, R.WAITING, R.OFFERED}),
            R.CANCELLED,
            "events.cancel_registration",
            "cancelled",
        ),
    },
)


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# -- events ---------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    actor,
    place,
    title: str,
    kind: str,
    start: datetime,
    end: datetime,
    capacity: int,
    audience,
    organisation=None,
    venue: str = "",
    room=None,
    description: str = "",
    age_min: int | None = None,
    age_max: int | None = None,
    with_guardian: bool = False,
    registration_opens: datetime | None = None,
    registration_closes: datetime | None = None,
    cancel_until: datetime | None = None,
    offer_hours: int = 24,
    now: datetime | None = None,
) -> Event:
    """A draft event; its room (if any) is booked at once through the bookings, so that a
    taken room refuses the event (``slot_taken``)."""
    now = now or timezone.now()
    if organisation is not None:
        place = organisation.place
    event = Event(
        place=place,
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        venue=venue.strip(),
        room=room,
        start=start,
        end=end,
        capacity=capacity,
        age_min=age_min,
        age_max=age_max,
        with_guardian=with_guardian,
        registration_opens=registration_opens or now,
        registration_closes=registration_closes or start,
        cancel_until=cancel_until or registration_closes or start,
        offer_hours=offer_hours,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    check_perm(actor, "events.manage_event", event)
    audience = list(audience)
    if not audience:
        raise ValidationError({"audience": _("Choose at least one place the event is for.")})
    if not room and not venue.strip():
        raise ValidationError({"venue": _("Give the place of the event, or choose a room.")})
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValidationError({"age_max": _("The oldest age is below the youngest.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if event.registration_closes > start:
        raise ValidationError(
            {"registration_closes": _("Registration closes by the time the event starts.")}
        )
    if event.registration_closes <= event.registration_opens:
        raise ValidationError({"registration_closes": _("Registration must close after it opens.")})
    validated(event)
    if room is not None:
        event.booking = booking_services.booking_request(
            actor=actor,
            room=room,
            start=start,
            end=end,
            purpose=Purpose.ACTIVITY,
            title=event.title,
            attendees=capacity,
            now=now,
        )
    event.save()
    event.audience.set(audience)
    EVENT.record(obj=event, kind=EventEventKind.CREATED, actor=actor, to_status=event.status)
    audit_record(actor=actor, action="events.event.create", obj=event)
    return event


EDITABLE = ("title", "description", "venue", "capacity", "registration_closes", "cancel_until")


@transaction.atomic
def event_update(*, actor, event: Event, now=None, **values) -> Event:
    """Change a draft or published event's text, venue, places and deadlines (not its time
    or room: cancel and make it again). Places never below those held; a capacity raised
    offers the new places to the wait list."""
    now = now or timezone.now()
    event = lock_row(Event, event.pk, select_related=("place", "organisation", "room"))
    check_perm(actor, "events.manage_event", event)
    if event.status not in (S.DRAFT, S.PUBLISHED):
        raise ConflictError(
            _("This event is %(status)s; it can no longer be changed.")
            % {"status": event.get_status_display()},
            code="illegal_step",
        )
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    snapshot = field_values(event)
    for name, value in values.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    if event.capacity < places_held(event):
        raise ValidationError(
            {"capacity": _("%(held)s places are taken already.") % {"held": places_held(event)}}
        )
    if event.registration_closes > event.start or (
        event.registration_closes <= event.registration_opens
    ):
        raise ValidationError(
            {"registration_closes": _("Registration closes after it opens, by the start.")}
        )
    if not event.room_id and not event.venue:
        raise ValidationError({"venue": _("Give the place of the event, or choose a room.")})
    changed = save_changed(event, snapshot)
    if changed:
        EVENT.record(
            obj=event, kind=EventEventKind.CHANGED, actor=actor, data={"fields": sorted(changed)}
        )
        audit_record(actor=actor, action="events.event.update", obj=event)
        if "capacity" in changed:
            _promote(event, now=now)
    return event


def _notice_body(event: Event) -> str:
    lines = [
        f"{_('Organiser')}: {event.organiser_name}",
        f"{_('When')}: {_fmt(event.start)} – {timezone.localtime(event.end):%H:%M}",
        f"{_('Where')}: {event.room.name if event.room_id else event.venue}",
        f"{pgettext('event capacity', 'Places')}: {event.capacity}",
        f"{_('Registration')}: {_fmt(event.registration_opens)} – "
        f"{_fmt(event.registration_closes)}",
    ]
    if event.age_min is not None or event.age_max is not None:
        lines.append(
            _("For children of %(low)s–%(high)s") % {"low": event.age_min, "high": event.age_max}
            + (f" ({_('with a guardian')})" if event.with_guardian else "")
        )
    if event.description:
        lines += ["", event.description]
    return "\n".join(lines)


@transaction.atomic
def event_publish(*, actor, event: Event, now=None) -> Event:
    """Publish: a notice to each place of the audience, linking to the event's page."""
    event = EVENT.take("publish", actor=actor, obj=event, context={"now": now})
    url = reverse("events:event-detail", args=[event.pk])
    first = None
    for place in event.audience.all():
        notice = notice_publish(
            actor=actor,
            place=place,
            kind="event",
            title=event.title,
            body=_notice_body(event),
            url=url,
        )
        first = first or notice
    Event.objects.filter(pk=event.pk).update(notice=first)
    event.sessions.filter(status=S.DRAFT).update(status=S.PUBLISHED)
    event.notice = first
    return event


@transaction.atomic
def event_mark_held(*, actor, event: Event, now=None) -> Event:
    event = EVENT.take("hold", actor=actor, obj=event, context={"now": now})
    # Offers no longer make sense once the event has taken place.
    for registration in event.registrations.filter(status=R.OFFERED).select_related("event"):
        REGISTRATION.take("expire", actor=SYSTEM, obj=registration, context={"now": event.end})
    return event


@transaction.atomic
def event_close(*, actor, event: Event, now=None) -> Event:
    return EVENT.take("close", actor=actor, obj=event, context={"now": now})


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "", now=None) -> Event:
    """Cancel the event; its room's booking is cancelled and its notice withdrawn."""
    event = EVENT.take("cancel", actor=actor, obj=event, note=reason.strip(), context={"now": now})
    if event.booking_id and (now or timezone.now()) < event.start:
        booking_services.booking_cancel(
            actor=SYSTEM, booking=event.booking, reason=_("The event is cancelled."), now=now
        )
    if event.notice_id:
        type(event.notice).objects.filter(event=event).update(withdrawn_at=timezone.now())
    return event


# -- registrations --------------------------------------------------------------------------


def registration_is_open(event: Event, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        event.status == S.PUBLISHED and event.registration_opens <= now < event.registration_closes
    )


def places_held(event: Event) -> int:
    return (
        Registration.objects.filter(event=event, status__in=HOLDING).aggregate(n=Sum("places"))["n"]
        or 0
    )


def _in_audience(event: Event, resident: Resident) -> bool:
    from linli.places import tree

    return any(tree.in_subtree(resident.place.path, p.path) for p in event.audience.all())


def _check_people(*, actor, event: Event, people: list[Resident], desk: bool, now) -> list:
    """The party's rows (resident, is_guardian), or a refusal with a code."""
    if not people:
        raise ValidationError({"people": _("Choose who comes.")})
    if len({p.pk for p in people}) != len(people):
        raise ValidationError({"people": _("Someone is chosen twice.")})
    if desk:
        for person in people:
            if not actor.has_perm("residents.view_resident", person):
                raise ConflictError(
                    _("%(name)s is not in your register.") % {"name": person.name},
                    code="not_your_resident",
                )
    else:
        own = getattr(actor, "resident", None) if actor.pk else None
        if own is None:
            raise ConflictError(
                _("Only residents in the register can register; ask at the desk."),
                code="not_a_resident",
            )
        for person in people:
            if person.pk != own.pk and (
                own.household_id is None or person.household_id != own.household_id
            ):
                raise ConflictError(
                    _("You can register yourself and the members of your household."),
                    code="not_household",
                )
    day = timezone.localtime(event.start).date()
    rows = []
    children = adults = 0
    limited = event.age_min is not None or event.age_max is not None
    for person in people:
        if person.status != ResidentStatus.LIVING:
            raise ConflictError(
                _("%(name)s is not living here.") % {"name": person.name}, code="not_living"
            )
        if not _in_audience(event, person):
            raise ConflictError(
                _("This event is not for %(name)s's address.") % {"name": person.name},
                code="not_in_audience",
            )
        age = age_on(person.birth_date, day)
        in_range = (event.age_min is None or age >= event.age_min) and (
            event.age_max is None or age <= event.age_max
        )
        guardian = limited and event.with_guardian and age >= ADULT_AGE
        if limited and not in_range and not guardian:
            raise ConflictError(
                _("%(name)s (%(age)s) is outside the event's ages.")
                % {"name": person.name, "age": age},
                code="age",
            )
        children += 1 if (limited and in_range) else 0
        adults += 1 if guardian else 0
        rows.append((person, guardian))
    if limited and event.with_guardian:
        if children == 0:
            raise ConflictError(
                _("This event is for children; register a child with their guardian."),
                code="children_only",
            )
        if adults == 0:
            raise ConflictError(
                _("A child comes with a guardian: register them together."),
                code="guardian_required",
            )
    taken = set(
        RegistrationPerson.objects.filter(
            registration__event=event,
            registration__status__in=ACTIVE,
            resident__in=[p.pk for p in people],
        ).values_list("resident__name", flat=True)
    )
    if taken:
        raise ConflictError(
            _("Already registered: %(names)s.") % {"names": "、".join(sorted(taken))},
            code="already_registered",
        )
    return rows


@transaction.atomic
def registration_create(
    *, actor, event: Event, people: list[Resident], desk: bool = False, now=None
) -> Registration:
    """Register a party: registered when its places are all free, else on the wait list
    (whole, never split). ``desk``: staff register a resident who came to the desk."""
    now = now or timezone.now()
    event = lock_row(Event, event.pk, select_related=("place", "organisation"))
    check_perm(actor, "events.register_at_desk" if desk else "events.register", event)
    if event.status != S.PUBLISHED:
        raise ConflictError(_("This event is not open for registration."), code="not_open")
    if event.series_id is not None:
        raise ConflictError(
            _("Enrol in the whole series, not in one of its sessions."), code="series_session"
        )
    closes = event.start if desk else event.registration_closes
    if now < event.registration_opens or now >= closes:
        raise ConflictError(
            _("Registration is open from %(opens)s to %(closes)s.")
            % {"opens": _fmt(event.registration_opens), "closes": _fmt(event.registration_closes)},
            code="registration_closed",
        )
    rows = _check_people(actor=actor, event=event, people=people, desk=desk, now=now)
    fits = places_held(event) + len(rows) <= event.capacity
    registration = Registration(
        event=event,
        status=R.REGISTERED if fits else R.WAITING,
        places=len(rows),
        registered_by=actor if getattr(actor, "pk", None) else None,
        contact=people[0] if desk else actor.resident,
        at_desk=desk,
    )
    validated(registration)
    registration.save()
    RegistrationPerson.objects.bulk_create(
        RegistrationPerson(registration=registration, resident=person, is_guardian=guardian)
        for person, guardian in rows
    )
    REGISTRATION.record(
        obj=registration,
        kind=RegistrationEventKind.REGISTERED if fits else RegistrationEventKind.WAITLISTED,
        actor=actor,
        to_status=registration.status,
        data={"places": len(rows), "desk": desk},
    )
    audit_record(actor=actor, action="events.registration.create", obj=registration)
    return registration


def _promote(event: Event, *, now: datetime) -> list[Registration]:
    """Offer the freed places to the wait list, in its order: the first parties that fit
    (a family of three does not block a single person behind it). The event is locked."""
    if event.status != S.PUBLISHED or now >= event.start:
        return []
    free = event.capacity - places_held(event)
    offered = []
    waiting = Registration.objects.filter(event=event, status=R.WAITING).order_by(
        "created_at", "id"
    )
    for registration in waiting:
        if free <= 0:
            break
        if registration.places > free:
            continue
        expires = min(now + timedelta(hours=event.offer_hours), event.start)
        registration.event = event
        REGISTRATION.take(
            "offer",
            actor=SYSTEM,
            obj=registration,
            is_locked=True,
            offered_at=now,
            offer_expires_at=expires,
            data={"until": expires.isoformat()},
        )
        free -= registration.places
        offered.append(registration)
        transaction.on_commit(lambda pk=registration.pk: _tell_offer(pk))
    return offered


@transaction.atomic
def registration_offer(*, actor, registration: Registration, now=None) -> Registration:
    """Offer a waiting party its places out of turn (the system's step; ``_promote`` takes
    it in the wait list's order): refused when the places are not free."""
    now = now or timezone.now()
    event = lock_row(Event, registration.event_id, select_related=("place", "organisation"))
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    registration.event = event
    REGISTRATION.check("offer", actor=actor, obj=registration, now=now)
    if places_held(event) + registration.places > event.capacity:
        raise ConflictError(_("There are not enough free places to offer."), code="no_place")
    expires = min(now + timedelta(hours=event.offer_hours), event.start)
    registration = REGISTRATION.take(
        "offer",
        actor=actor,
        obj=registration,
        is_locked=True,
        offered_at=now,
        offer_expires_at=expires,
        context={"now": now},
    )
    transaction.on_commit(lambda: _tell_offer(registration.pk))
    return registration


def _tell_offer(pk: int) -> None:
    from . import notify

    notify.offer_made(pk)


def _step(name: str, *, actor, registration: Registration, now=None, note="", **fields):
    now = now or timezone.now()
    event = lock_row(Event, registration.event_id, select_related=("place", "organisation"))
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=registration.pk)
    )
    registration.event = event
    registration = REGISTRATION.take(
        name,
        actor=actor,
        obj=registration,
        is_locked=True,
        note=note,
        context={"now": now, "by": actor},
        **fields,
    )
    if name != "accept":
        _promote(event, now=now)
    return registration


@transaction.atomic
def registration_accept(*, actor, registration: Registration, now=None) -> Registration:
    return _step("accept", actor=actor, registration=registration, now=now)


@transaction.atomic
def registration_decline(*, actor, registration: Registration, now=None) -> Registration:
    return _step("decline", actor=actor, registration=registration, now=now)


@transaction.atomic
def registration_cancel(*, actor, registration: Registration, reason: str = "", now=None):
    return _step("cancel", actor=actor, registration=registration, now=now, note=reason.strip())


@transaction.atomic
def registration_expire(*, actor, registration: Registration, now=None) -> Registration:
    return _step("expire", actor=actor, registration=registration, now=now)


def offers_expire(*, actor=SYSTEM, now=None) -> int:
    """The job: every offer past its time lapses and passes on (each in its transaction)."""
    now = now or timezone.now()
    count = 0
    lapsed = Registration.objects.filter(status=R.OFFERED, offer_expires_at__lt=now).only(
        "pk", "event_id"
    )
    for registration in lapsed:
        try:
            registration_expire(actor=actor, registration=registration, now=now)
            count += 1
        except ConflictError:
            continue  # answered meanwhile
    return count
