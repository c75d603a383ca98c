"""/api/v1/servicedesk/mediations: dispute mediations (人民调解) under the same permissions as
the pages — the desk's staff of the compound and the mediators see and act, the parties
who are residents see their own (never the other side's phone), the street and the
district only count (``/counts``); everyone else gets 404. Each read of a mediation's
content is audited.

Statuses: ``registered`` (written down at the desk), ``in_mediation`` (accepted; sessions
are held), ``agreed`` (an agreement with the contents of 人民调解法 art. 29; the parties may
ask a court for judicial confirmation until ``confirmation_last_day``), ``failed`` (no
agreement; the parties were referred to a court, arbitration or an administrative
department), ``closed`` (the follow-up visit found whether the agreement was carried out),
``withdrawn``."""

from datetime import date, datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.accounts.models import User
from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Error,
    Id,
    InputSchema,
    MaskedPhone,
    Moment,
    PlaceRef,
    Text,
)
from linli.core.audit import audit_record
from linli.core.lifecycle import check_perm

from . import selectors, services
from .models import DisputeKind, MediationEndReason, MediationStatus, Referral, Side

router = Router(tags=["mediation"])

STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}
STATUS_DOC = (
    "`registered` → `in_mediation` (accepted) → `agreed` (agreement) or `failed` (referred); "
    "`agreed` → `closed` (follow-up visit); `registered` or `in_mediation` → `withdrawn`."
)


# -- output ---------------------------------------------------------------------------------


class MediationPartyOut(Schema):
    side: Side
    name: str
    resident: bool = Field(..., description="A resident of the register")
    details: str = Field(..., description="Basic facts (gender, age, occupation)")
    address: str
    # Masked; empty for a party whose number you may not see (the other side's).
    phone: MaskedPhone


class MediationSessionOut(Schema):
    held_at: datetime
    venue: str
    attendees: str
    notes: str | None = Field(..., description="The mediators' notes; null for the parties")


class MediationAgreementOut(Schema):
    agreed_on: date
    facts: str = Field(..., description="The main facts of the dispute")
    matters: str = Field(..., description="The disputed matters and each side's responsibility")
    terms: str
    method: str = Field(..., description="How the terms are carried out")
    due: date | None = Field(..., description="By when")
    confirmation_last_day: date = Field(
        ..., description="The last day to ask a court for judicial confirmation (art. 33)"
    )


class MediationFailureOut(Schema):
    failed_on: date
    reason: MediationEndReason | None = Field(
        ..., description="Why the mediation ended (人民调解法 art. 26)"
    )
    referral: Referral
    note: str


class MediationFollowUpOut(Schema):
    visited_on: date
    carried_out: bool
    note: str | None


class MediationOut(Schema):
    id: int
    number: str
    place: PlaceRef
    kind: DisputeKind
    subject: str
    status: MediationStatus = Field(..., description=STATUS_DOC)
    created_at: datetime
    confirmation_last_day: date | None = Field(
        ..., description="For an agreement: the last day to ask for judicial confirmation"
    )

    @staticmethod
    def resolve_created_at(m):
        value = m["created_at"] if isinstance(m, dict) else m.created_at
        return timezone.localtime(value)


class MediationEventOut(Schema):
    at: datetime
    kind: str
    from_status: str
    to_status: str


class MediationDetailOut(MediationOut):
    facts: str
    mediators: list[str]
    parties: list[MediationPartyOut]
    sessions: list[MediationSessionOut]
    agreement: MediationAgreementOut | None
    failure: MediationFailureOut | None
    follow_up: MediationFollowUpOut | None
    timeline: list[MediationEventOut]
    steps: list[str] = Field(..., description="The steps you may take now")


class MediationCountsOut(Schema):
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]


def _detail(request, mediation) -> dict:
    user = request.user
    notes = user.has_perm("mediation.view_notes", mediation)
    parties = []
    for p in mediation.parties.all():
        own = p.resident is not None and p.resident.user_id == user.pk
        parties.append(
            {
                "side": p.side,
                "name": p.name,
                "resident": p.resident_id is not None,
                "details": p.details,
                "address": p.address,
                "phone": p.phone if (notes or own) else "",
            }
        )
    m = mediation
    return {
        "id": m.pk,
        "number": m.number,
        "place": {"id": m.place_id, "name": m.place.name},
        "kind": m.kind,
        "subject": m.subject,
        "status": m.status,
        "created_at": m.created_at,
        "confirmation_last_day": m.confirmation_last_day,
        "facts": m.facts,
        "mediators": [u.display_name for u in m.mediators.all()],
        "parties": parties,
        "sessions": [
            {
                "held_at": timezone.localtime(s.held_at),
                "venue": s.venue,
                "attendees": s.attendees,
                "notes": s.notes if notes else None,
            }
            for s in m.sessions.all()
        ],
        "agreement": {
            "agreed_on": m.agreed_on,
            "facts": m.agreement_facts,
            "matters": m.agreement_matters,
            "terms": m.agreement_terms,
            "method": m.performance_method,
            "due": m.performance_due,
            "confirmation_last_day": m.confirmation_last_day,
        }
        if m.agreed_on
        else None,
        "failure": {
            "failed_on": m.failed_on,
            "reason": m.end_reason or None,
            "referral": m.referral,
            "note": m.referral_note,
        }
        if m.status == MediationStatus.FAILED
        else None,
        "follow_up": {
            "visited_on": m.followed_up_on,
            "carried_out": bool(m.carried_out),
            "note": m.follow_up_note if notes else None,
        }
        if m.followed_up_on
        else None,
        "timeline": [
            {
                "at": timezone.localtime(e.at),
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
            }
            for e in selectors.mediation_timeline(mediation=m)
        ],
        "steps": services.allowed_steps(user=user, mediation=m),
    }


def _read(request, mediation_id: int):
    mediation = selectors.mediation_get(user=request.user, pk=mediation_id)
    audit_record(actor=request.user, action="mediation.read", obj=mediation, request=request)
    return MediationDetailOut.model_validate(
        _detail(request, mediation), context={"request": request}
    )


# -- input ----------------------------------------------------------------------------------


class MediationFilters(Schema):
    status: MediationStatus | None = None
    kind: DisputeKind | None = None


class MediationPartyIn(InputSchema):
    side: Side
    resident: Id | None = Field(
        None, description="A resident of the compound's register; any other id answers 400"
    )
    name: Text(50) = Field("", description="Someone not in the register")
    phone: Text(20) = ""
    address: Text(200) = ""
    details: Text(200) = Field("", description="Basic facts (gender, age, occupation)")


class MediationIn(InputSchema):
    place: Id = Field(..., description="The compound")
    kind: DisputeKind
    subject: Text(100, 1)
    facts: Text(5000, 1)
    parties: list[MediationPartyIn] = Field(..., min_length=2, max_length=20)
    mediators: list[Id] = Field(..., min_length=1, max_length=5, description="Accounts")
    order: Id | None = Field(None, description="The work order it comes from")


class MediationNoteIn(InputSchema):
    note: Text(500) = ""


class MediationSessionIn(InputSchema):
    held_at: Moment
    venue: Text(100, 1)
    attendees: Text(300, 1)
    notes: Text(5000) = ""


class MediationAgreementIn(InputSchema):
    agreed_on: Day
    facts: Text(5000, 1)
    matters: Text(5000, 1)
    terms: Text(5000, 1)
    method: Text(5000, 1)
    due: Day | None = None


class MediationFailureIn(InputSchema):
    failed_on: Day
    reason: MediationEndReason = Field(
        MediationEndReason.NO_AGREEMENT, description="Why the mediation ended (art. 26)"
    )
    referral: Referral
    note: Text(5000, 1)


class MediationFollowUpIn(InputSchema):
    visited_on: Day
    carried_out: bool
    note: Text(5000, 1)


class MediationWithdrawIn(InputSchema):
    reason: Text(500, 1)


# -- endpoints ------------------------------------------------------------------------------


@router.get("", response={200: list[MediationOut], **LIST_ERRORS}, summary="Mediations you may see")
@paginate(Pagination)
def mediations_list(request: HttpRequest, filters: Query[MediationFilters]):
    return selectors.mediation_list(user=request.user, status=filters.status, kind=filters.kind)


@router.get(
    "/counts",
    response={200: MediationCountsOut, **LIST_ERRORS},
    summary="How many, by status and kind (the desk's staff, the street, the district)",
)
def mediations_counts(request: HttpRequest):
    counts = selectors.mediation_counts(user=request.user)
    return {
        "total": counts["total"],
        "by_status": {value: n for value, _label, n in counts["by_status"]},
        "by_kind": counts["by_kind"],
    }


@router.get(
    "/{mediation_id}", response={200: MediationDetailOut, **READ_ERRORS}, summary="One mediation"
)
def mediations_get(request: HttpRequest, mediation_id: int = Path(..., ge=1, le=MAX_ID)):
    return _read(request, mediation_id)


@router.post(
    "",
    response={201: MediationDetailOut, **STEP_ERRORS},
    summary="Register a dispute for mediation (the desk's staff)",
    description="Parties on both sides (A and B); a resident is named by their id in the "
    "compound's register. 409 `already_mediated` for a work order already mediated.",
)
def mediations_open(request: HttpRequest, payload: MediationIn):
    from linli.places.models import Place
    from linli.residents.models import Resident

    place = Place.objects.filter(pk=payload.place).first()
    if place is None:
        raise Http404("Not found.")
    check_perm(
        request.user,
        "mediation.open_mediation",
        place,
        message=_("Only the desk's staff of this compound may register a mediation."),
    )
    order = None
    if payload.order is not None:
        from linli.workorders.selectors import order_get

        order = order_get(user=request.user, pk=payload.order)
    parties = []
    for p in payload.parties:
        raw = p.dict()
        if p.resident is not None:
            resident = Resident.objects.select_related("place").filter(pk=p.resident).first()
            if resident is None:
                raise Http404("Not found.")
            raw["resident"] = resident
        parties.append(raw)
    mediators = list(User.objects.filter(pk__in=payload.mediators))
    if len(mediators) != len(set(payload.mediators)):
        raise Http404("Not found.")
    mediation = services.mediation_open(
        actor=request.user,
        place=place,
        kind=payload.kind,
        subject=payload.subject,
        facts=payload.facts,
        parties=parties,
        mediators=mediators,
        source_order=order,
        request=request,
    )
    return Status(201, _read(request, mediation.pk))


def _step(request, mediation_id: int, write):
    mediation = selectors.mediation_get(user=request.user, pk=mediation_id)
    write(mediation)
    return _read(request, mediation_id)


@router.post(
    "/{mediation_id}/accept",
    response={200: MediationDetailOut, **ACTION_STEP_ERRORS},
    summary="Accept for mediation: `registered` → `in_mediation`",
)
def mediations_accept(request: HttpRequest, mediation_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_accept(actor=request.user, mediation=m),
    )


@router.post(
    "/{mediation_id}/sessions",
    response={200: MediationDetailOut, **STEP_ERRORS},
    summary="Record a session held (`in_mediation`)",
)
def mediations_session(
    request: HttpRequest,
    payload: MediationSessionIn,
    mediation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_session_record(
            actor=request.user, mediation=m, **payload.dict()
        ),
    )


@router.post(
    "/{mediation_id}/agreement",
    response={200: MediationDetailOut, **STEP_ERRORS},
    summary="Record the agreement (人民调解法 art. 29): `in_mediation` → `agreed`",
)
def mediations_agree(
    request: HttpRequest,
    payload: MediationAgreementIn,
    mediation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_agree(actor=request.user, mediation=m, **payload.dict()),
    )


@router.post(
    "/{mediation_id}/failure",
    response={200: MediationDetailOut, **STEP_ERRORS},
    summary="No agreement, with the referral: `in_mediation` → `failed`",
)
def mediations_fail(
    request: HttpRequest,
    payload: MediationFailureIn,
    mediation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_fail(actor=request.user, mediation=m, **payload.dict()),
    )


@router.post(
    "/{mediation_id}/follow-up",
    response={200: MediationDetailOut, **STEP_ERRORS},
    summary="The follow-up visit (回访): `agreed` → `closed`",
)
def mediations_follow_up(
    request: HttpRequest,
    payload: MediationFollowUpIn,
    mediation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_follow_up(actor=request.user, mediation=m, **payload.dict()),
    )


@router.post(
    "/{mediation_id}/withdraw",
    response={200: MediationDetailOut, **STEP_ERRORS},
    summary="Withdraw: `registered` or `in_mediation` → `withdrawn`",
)
def mediations_withdraw(
    request: HttpRequest,
    payload: MediationWithdrawIn,
    mediation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _step(
        request,
        mediation_id,
        lambda m: services.mediation_withdraw(actor=request.user, mediation=m, **payload.dict()),
    )
