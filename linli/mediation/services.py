"""Every change of a mediation: opening it (from the desk, or from a neighbour-dispute work
order), and its steps as one table of ``core.lifecycle`` — accept, hold sessions, record
the agreement (人民调解法 art. 29) or the failure with its referral, the follow-up visit
(回访), a withdrawal, and the reminder of the judicial-confirmation deadline (art. 33) that
only the reminder job takes. A refusal raises the project's error with a code and changes
nothing."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.roles import MEDIATE
from linli.accounts.scope import scope_of
from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, LinliError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.validators import normalise_mobile
from linli.places import tree

from .models import (
    CONFIRMATION_REMIND_DAYS,
    DisputeKind,
    Mediation,
    MediationEndReason,
    MediationEvent,
    MediationEventKind,
    MediationParty,
    MediationSession,
    MediationStatus,
    Referral,
    Side,
)

MAX_PARTIES_PER_SIDE = 10
MAX_MEDIATORS = 5
TEXT_LIMIT = 5000

S = MediationStatus
K = MediationEventKind
MEDIATE_PERM = "mediation.mediate"


def _today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field cannot be blank.")})
    if len(value) > TEXT_LIMIT:
        raise ValidationError({field: _("At most %(count)s characters.") % {"count": TEXT_LIMIT}})
    return value


def _check_mediators(mediators, place) -> list:
    mediators = list({m.pk: m for m in mediators}.values())
    if not mediators:
        raise ValidationError({"mediators": _("Choose at least one mediator.")})
    if len(mediators) > MAX_MEDIATORS:
        raise ValidationError(
            {"mediators": _("At most %(count)s mediators.") % {"count": MAX_MEDIATORS}}
        )
    for user in mediators:
        if not (user.is_active and scope_of(user).covers(place.path, roles=MEDIATE)):
            raise ValidationError(
                {
                    "mediators": _(
                        "%(name)s does not serve this compound's desk and cannot mediate here."
                    )
                    % {"name": user.display_name}
                }
            )
    return mediators


def _party(mediation: Mediation, raw: dict, place) -> MediationParty:
    resident = raw.get("resident")
    side = raw.get("side", "")
    if side not in Side.values:
        raise ValidationError({"parties": _("Each party is on side A or side B.")})
    if resident is not None:
        if not tree.in_subtree(resident.place.path, place.path):
            raise ValidationError(
                {"parties": _("%(name)s does not live in this compound.") % {"name": resident.name}}
            )
        name = resident.name
        phone = raw.get("phone") or resident.phone
        address = raw.get("address") or resident.place.name_path.removeprefix(place.name_path + "/")
    else:
        name = (raw.get("name") or "").strip()
        phone = (raw.get("phone") or "").strip()
        address = (raw.get("address") or "").strip()
        if not name:
            raise ValidationError(
                {"parties": _("Name each party, or choose them from the register.")}
            )
    if phone:
        try:
            phone = normalise_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"parties": exc.messages}) from exc
    party = MediationParty(
        mediation=mediation,
        side=side,
        resident=resident,
        name=name[:50],
        details=(raw.get("details") or "").strip()[:200],
        address=address[:200],
        phone=phone,
    )
    validated(party)
    return party


@transaction.atomic
def mediation_open(
    *,
    actor,
    place,
    kind: str,
    subject: str,
    facts: str,
    parties: list[dict],
    mediators: list,
    source_order=None,
    request=None,
) -> Mediation:
    """Register a dispute for mediation at the compound's desk: its kind, a subject naming
    it, the facts (kept encrypted), the parties of each side (residents of the register or
    people named here) and the mediators (the desk's staff of the compound)."""
    check_perm(
        actor,
        "mediation.open_mediation",
        place,
        message=_("Only the desk's staff of this compound may register a mediation."),
    )
    if place.kind != "compound":
        raise ValidationError({"place": _("A mediation is registered at a compound's desk.")})
    if kind not in DisputeKind.values:
        raise ValidationError({"kind": _("Choose the kind of dispute from the list.")})
    if source_order is not None:
        if not tree.in_subtree(source_order.place.path, place.path):
            raise ValidationError({"source_order": _("The work order is not about this compound.")})
        if source_order.mediations.exclude(status=S.WITHDRAWN).exists():
            raise ConflictError(
                _("A mediation was already started from work order %(number)s.")
                % {"number": source_order.number},
                code="already_mediated",
            )
    mediators = _check_mediators(mediators, place)
    sides = {raw.get("side") for raw in parties}
    if not {Side.A, Side.B} <= sides:
        raise ValidationError({"parties": _("A dispute has a party on each side, A and B.")})
    if len(parties) > 2 * MAX_PARTIES_PER_SIDE:
        raise ValidationError({"parties": _("Too many parties.")})
    mediation = Mediation(
        place=place,
        kind=kind,
        subject=(subject or "").strip(),
        facts=_text(facts, "facts"),
        source_order=source_order,
        created_by=user_or_none(actor),
    )
    mediation.full_clean()
    mediation.save()
    rows = [_party(mediation, raw, place) for raw in parties]
    MediationParty.objects.bulk_create(rows)
    mediation.mediators.set(mediators)
    MEDIATION.record(
        obj=mediation,
        kind=K.REGISTERED,
        actor=actor,
        to_status=mediation.status,
        data={"order": source_order.pk} if source_order is not None else None,
    )
    audit_record(actor=actor, action="mediation.open", obj=mediation, request=request)
    return mediation


# -- the step table ---------------------------------------------------------------------------


def _guard(name: str, mediation: Mediation, *, now: datetime | None = None, **context) -> None:
    if name == "remind":
        today = _today(now)
        last_day = mediation.confirmation_last_day
        if last_day is None or mediation.confirmation_reminded_at is not None:
            raise ConflictError(_("This agreement needs no reminder."), code="no_reminder")
        if not (last_day - timedelta(days=CONFIRMATION_REMIND_DAYS) <= today <= last_day):
            raise ConflictError(
                _("The deadline of this agreement is not near."), code="no_reminder"
            )


MEDIATION = Lifecycle(
    name="mediation.mediation",
    model=Mediation,
    event_model=MediationEvent,
    subject="mediation",
    event_kinds=MediationEventKind,
    illegal_message=gettext_lazy("This mediation is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("Only its mediators and the desk's staff may do this."),
    select_related=("place",),
    guard=_guard,
    audit_prefix="mediation",
    steps={
        "accept": Step(
            frozenset({S.REGISTERED}), S.IN_MEDIATION, MEDIATE_PERM, K.ACCEPTED,
            gettext_lazy("accepted for mediation"),
        ),
        "session": Step(
            frozenset({S.IN_MEDIATION}), None, MEDIATE_PERM, K.SESSION,
            gettext_lazy("given a session"),
        ),
        "agree": Step(
            frozenset({S.IN_MEDIATION}), S.AGREED, MEDIATE_PERM, K.AGREED,
            gettext_lazy("given an agreement"),
        ),
        "fail": Step(
            frozenset({S.IN_MEDIATION}), S.FAILED, MEDIATE_PERM, K.FAILED,
            gettext_lazy("ended without agreement"),
        ),
        "follow_up": Step(
            frozenset({S.AGREED}), S.CLOSED, MEDIATE_PERM, K.FOLLOWED_UP,
            gettext_lazy("closed after a follow-up visit"),
        ),
        "withdraw": Step(
            frozenset({S.REGISTERED, S.IN_MEDIATION}), S.WITHDRAWN, MEDIATE_PERM, K.WITHDRAWN,
            gettext_lazy("withdrawn"),
        ),
        # The reminder job (SYSTEM) notes the reminder of the confirmation deadline.
        "remind": Step(
            frozenset({S.AGREED}), None, "mediation.remind_confirmation", K.REMINDED,
            gettext_lazy("reminded"),
        ),
    },
)  # fmt: skip

# The steps a person takes from the mediation's page (the reminder is the job's).
PAGE_STEPS = ("accept", "session", "agree", "fail", "follow_up", "withdraw")


def allowed_steps(*, user, mediation: Mediation) -> list[str]:
    return [n for n in MEDIATION.allowed(user=user, obj=mediation) if n in PAGE_STEPS]


def _day(value, field: str, *, not_before: date | None = None, now=None) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: _("Give a date.")})
    if value > _today(now):
        raise ValidationError({field: _("This date is in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError({field: _("This date is before the mediation was registered.")})
    return value


@transaction.atomic
def mediation_accept(*, actor, mediation: Mediation, note: str = "") -> Mediation:
    return MEDIATION.take("accept", actor=actor, obj=mediation, note=(note or "").strip()[:500])


@transaction.atomic
def mediation_session_record(
    *,
    actor,
    mediation: Mediation,
    held_at: datetime,
    venue: str,
    attendees: str,
    notes: str = "",
) -> MediationSession:
    """A session held with the parties: when, where, who came, and the mediator's notes
    (kept encrypted; the timeline says only that it was held)."""
    made = {}

    def change(obj):
        if not isinstance(held_at, datetime):
            raise ValidationError({"held_at": _("Give the date and time.")})
        if held_at > timezone.now():
            raise ValidationError({"held_at": _("Record a session once it has been held.")})
        if timezone.localdate(held_at) < timezone.localdate(obj.created_at):
            raise ValidationError(
                {"held_at": _("This date is before the mediation was registered.")}
            )
        session = MediationSession(
            mediation=obj,
            held_at=held_at,
            venue=_text(venue, "venue")[:100],
            attendees=_text(attendees, "attendees")[:300],
            notes=_text(notes, "notes", required=False),
            recorded_by=user_or_none(actor),
        )
        validated(session)
        session.save()
        made["session"] = session

    obj = MEDIATION.take(
        "session",
        actor=actor,
        obj=mediation,
        change=change,
        data={
            "held_at": timezone.localtime(held_at).isoformat()
            if isinstance(held_at, datetime)
            else ""
        },
    )
    session = made["session"]
    session.mediation = obj
    return session


@transaction.atomic
def mediation_agree(
    *,
    actor,
    mediation: Mediation,
    agreed_on: date,
    facts: str,
    matters: str,
    terms: str,
    method: str,
    due: date | None,
    now=None,
) -> Mediation:
    """Record the agreement with the contents of 人民调解法 art. 29: the main facts, the
    disputed matters and each side's responsibility, the terms agreed, and how and by when
    they are carried out. The 30 days for judicial confirmation run from its date."""

    def change(obj):
        obj.agreed_on = _day(
            agreed_on, "agreed_on", not_before=timezone.localdate(obj.created_at), now=now
        )
        obj.agreement_facts = _text(facts, "agreement_facts")
        obj.agreement_matters = _text(matters, "agreement_matters")
        obj.agreement_terms = _text(terms, "agreement_terms")
        obj.performance_method = _text(method, "performance_method")
        if due is not None and not isinstance(due, date):
            raise ValidationError({"performance_due": _("Give a date.")})
        if due is not None and due < obj.agreed_on:
            raise ValidationError(
                {"performance_due": _("The terms cannot be carried out before they are agreed.")}
            )
        obj.performance_due = due

    obj = MEDIATION.take("agree", actor=actor, obj=mediation, change=change)
    return obj


@transaction.atomic
def mediation_fail(
    *,
    actor,
    mediation: Mediation,
    failed_on: date,
    referral: str,
    note: str,
    reason: str = MediationEndReason.NO_AGREEMENT,
    now=None,
) -> Mediation:
    """No agreement: why the mediation ended (人民调解法 art. 26), and where the parties are
    told to take the dispute (a court, arbitration, an administrative department), with a
    note; the notice of it is printed for the parties."""

    def change(obj):
        obj.failed_on = _day(
            failed_on, "failed_on", not_before=timezone.localdate(obj.created_at), now=now
        )
        if reason not in MediationEndReason.values:
            raise ValidationError({"end_reason": _("Choose why the mediation ended.")})
        if referral not in Referral.values:
            raise ValidationError({"referral": _("Choose where the parties were referred.")})
        obj.end_reason = reason
        obj.referral = referral
        obj.referral_note = _text(note, "referral_note")

    return MEDIATION.take(
        "fail",
        actor=actor,
        obj=mediation,
        change=change,
        data={"referral": referral, "reason": reason},
    )


@transaction.atomic
def mediation_follow_up(
    *, actor, mediation: Mediation, visited_on: date, carried_out: bool, note: str, now=None
) -> Mediation:
    """The follow-up visit (回访): was the agreement carried out? It closes the mediation."""

    def change(obj):
        obj.followed_up_on = _day(visited_on, "followed_up_on", not_before=obj.agreed_on, now=now)
        if not isinstance(carried_out, bool):
            raise ValidationError({"carried_out": _("Say whether the agreement was carried out.")})
        obj.carried_out = carried_out
        obj.follow_up_note = _text(note, "follow_up_note")

    return MEDIATION.take(
        "follow_up",
        actor=actor,
        obj=mediation,
        change=change,
        data={"carried_out": carried_out},
    )


@transaction.atomic
def mediation_withdraw(*, actor, mediation: Mediation, reason: str) -> Mediation:
    """The parties no longer want mediation (settled between themselves, gone to court)."""
    reason = (reason or "").strip()
    if not reason:
        raise LinliError(_("Say why the mediation is withdrawn."), code="reason_required")
    return MEDIATION.take("withdraw", actor=actor, obj=mediation, note=reason[:500])


@transaction.atomic
def mediation_remind(*, actor, mediation: Mediation, now: datetime | None = None) -> Mediation:
    """Claim the one reminder of an agreement's confirmation deadline (the job, as SYSTEM):
    a second run finds it taken."""
    now = now or timezone.now()
    return MEDIATION.take(
        "remind",
        actor=actor,
        obj=mediation,
        context={"now": now},
        confirmation_reminded_at=now,
        data={"last_day": mediation.confirmation_last_day.isoformat()}
        if mediation.confirmation_last_day
        else None,
    )
