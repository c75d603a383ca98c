"""/api/v1/servicedesk: the catalogue of matters — what the desk handles, its time limits in
working days, and what to bring in each situation — with every published version; and the
desk's cases (办件): opened for a resident under the version in force, their checklists
ticked as materials arrive, and their steps."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import model_validator

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
    MaskedIdNumber,
    MaskedPhone,
    PlaceRef,
    Text,
    ValidationErrors,
)
from linli.core.errors import ForbiddenError
from linli.places.models import Place
from linli.residents.selectors import resident_get

from . import selectors, services
from .models import (
    CaseChannel,
    CaseEventKind,
    CaseRating,
    CaseStatus,
    Handling,
    MaterialForm,
    Matter,
    MatterKind,
    ProxyFileKind,
    ProxyIdMethod,
    ProxyReason,
    ProxyRelation,
    ProxyStatus,
    SignatureMethod,
)

router = Router(tags=["servicedesk"])

CODE_PATTERN = r"^[0-9A-Z]{1,24}-[A-Z]{2}-[0-9]{4}$"


class MatterOut(Schema):
    id: int
    code: str = Field(..., description="GB/T 39554.1 style: the catalogue's prefix, kind, number")
    kind: MatterKind
    place: PlaceRef = Field(..., description="The district or street whose catalogue it is")
    listed: bool = Field(..., alias="is_active", description="In the catalogue")
    version: int = Field(..., alias="current.number", description="The version in force")
    name: str = Field(..., alias="current.name")
    name_en: str = Field(..., alias="current.name_en")
    department: str = Field(..., alias="current.department")
    promised_days: int = Field(
        ..., alias="current.promised_days", description="Working days; 0: on the spot"
    )
    handling: Handling = Field(..., alias="current.handling")


class SituationOut(Schema):
    id: int
    name: str


class MaterialOut(Schema):
    name: str
    form: MaterialForm
    copies: int
    note: str
    situations: list[int] = Field(
        ..., description="Ids of the situations it is needed in; empty: every applicant"
    )

    @staticmethod
    def resolve_situations(material):
        return [s.pk for s in material.situations.all()]


class VersionRef(Schema):
    number: int
    published_at: datetime
    change_note: str


class MatterDetailOut(Schema):
    id: int
    code: str
    kind: MatterKind
    place: PlaceRef
    listed: bool
    number: int = Field(..., description="This version")
    current: bool = Field(..., description="Whether this version is the one in force")
    name: str
    name_en: str
    summary: str
    department: str
    implementing_body: str
    legal_basis: str
    statutory_days: int | None = Field(..., description="Working days; null: no law sets one")
    promised_days: int = Field(..., description="Working days; 0: on the spot")
    fee: str = Field(..., description="Empty: free of charge")
    handling: Handling
    published_at: datetime
    change_note: str
    situations: list[SituationOut]
    materials: list[MaterialOut]
    versions: list[VersionRef]


class MatterFilters(Schema):
    q: Text(60) = Field("", description="Part of the name, code or department")
    code: str | None = Field(None, max_length=40, pattern=CODE_PATTERN, description="Exactly")
    kind: MatterKind | None = None


@router.get("/matters", response={200: list[MatterOut], **LIST_ERRORS}, summary="The catalogue")
@paginate(Pagination)
def matters_list(request: HttpRequest, filters: Query[MatterFilters]):
    return selectors.matter_list(
        user=request.user, q=filters.q, kind=filters.kind or "", code=filters.code or ""
    )


@router.get(
    "/matters/{matter_id}",
    response={200: MatterDetailOut, **READ_ERRORS},
    summary="One matter: what to bring, in the version in force or an earlier one",
)
def matters_get(
    request: HttpRequest,
    matter_id: int = Path(..., ge=1, le=MAX_ID),
    version: int | None = Query(None, ge=1, le=MAX_ID, description="An earlier version"),
):
    matter = selectors.matter_get_by_id(user=request.user, pk=matter_id)
    shown = selectors.version_get(matter=matter, number=version)
    return {
        "id": matter.pk,
        "code": matter.code,
        "kind": matter.kind,
        "place": matter.place,
        "listed": matter.is_active,
        "number": shown.number,
        "current": shown.pk == matter.current_id,
        **{
            name: getattr(shown, name)
            for name in (
                "name",
                "name_en",
                "summary",
                "department",
                "implementing_body",
                "legal_basis",
                "statutory_days",
                "promised_days",
                "fee",
                "handling",
                "published_at",
                "change_note",
            )
        },
        "situations": list(shown.situations.all()),
        "materials": list(shown.materials.all()),
        "versions": selectors.version_history(matter=matter),
    }


# -- cases (办件) --------------------------------------------------------------------------------

# Writes on a case: 409 for a step its status forbids (or an accept with materials missing,
# code `materials_missing`; a tick once the checklist is kept, `checklist_closed`).
STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
CaseStep = Literal["record_missing", "accept", "forward", "approve", "refuse", "finish", "withdraw"]
# Every step of the table but the reminder job's (SYSTEM's alone, not a request's).
assert set(CaseStep.__args__) == set(services.CASE_STEPS) - {"remind"}


class CaseMatterRef(Schema):
    code: str
    name: str
    version: int = Field(..., description="The version the case started under; it keeps it")


class CaseOut(Schema):
    id: int
    number: str = Field(..., description="The number on the receipt (受理回执)")
    status: CaseStatus
    channel: CaseChannel
    matter: CaseMatterRef
    situation: str | None = Field(..., description="The situation chosen; null: none")
    resident: str = Field(..., description="The resident's name")
    place: PlaceRef = Field(..., description="The compound whose desk serves the case")
    opened_at: datetime
    accepted_at: datetime | None
    due_on: date | None = Field(..., description="Accepted + promised working days")
    forwarded_to: str = Field(..., description="The receiving department; empty: not forwarded")
    steps: list[str] = Field(..., description="The steps you may take now")

    @staticmethod
    def resolve_matter(case):
        version = case.version
        return {"code": version.matter.code, "name": version.name, "version": version.number}

    @staticmethod
    def resolve_situation(case):
        return case.situation.name if case.situation_id else None

    @staticmethod
    def resolve_resident(case):
        return case.resident.name

    @staticmethod
    def resolve_opened_at(case):
        return timezone.localtime(case.created_at)

    @staticmethod
    def resolve_accepted_at(case):
        return timezone.localtime(case.accepted_at) if case.accepted_at else None

    @staticmethod
    def resolve_steps(case, context):
        return services.case_steps(user=context["request"].user, case=case)


class CaseMaterialOut(Schema):
    id: int
    name: str
    form: MaterialForm
    copies: int
    guidance: str = Field(..., description="What the catalogue says about it")
    received: bool
    received_at: datetime | None
    note: str


class CaseEventOut(Schema):
    at: datetime
    kind: CaseEventKind
    from_status: str
    to_status: str
    note: str = Field(..., description="The material ticked or unticked")


class CaseDetailOut(CaseOut):
    answer: str = Field(..., description="The deciding department's answer")
    refusal_reason: str
    note: str
    materials: list[CaseMaterialOut] = Field(..., alias="checklist_lines")
    missing: list[str] = Field(
        ..., alias="missing_names", description="Names of the materials still missing"
    )
    timeline: list[CaseEventOut] = Field(..., alias="timeline_events")
    rating: CaseRating | None = Field(..., description="The resident's 好差评; null: not rated")
    proxy: int | None = Field(
        ...,
        alias="proxy_in_force_id",
        description="The 代办 in force (/proxies/{id}), for the desk and the resident; null: none",
    )
    rating_comment: str
    rated_at: datetime | None

    @staticmethod
    def resolve_rating(case):
        return case.rating or None


class CaseRatingIn(InputSchema):
    rating: CaseRating = Field(..., description="One of the five levels of 国办发〔2019〕51号")
    comment: Text(1000) = Field(
        "", description="What went well or wrong (needed for dissatisfied and very dissatisfied)"
    )


class CaseFilters(Schema):
    status: CaseStatus | None = None
    open: bool = Field(False, description="Only cases not yet decided or withdrawn")
    mine: bool = Field(False, description="Only your own cases (as a resident)")
    place: Id | None = Field(None, description="Cases of compounds in this subtree")


class CaseOpenIn(InputSchema):
    resident: Id = Field(..., description="A resident of the register the desk serves")
    matter: str = Field(..., max_length=40, pattern=CODE_PATTERN, description="Its code")
    situation: Id | None = Field(None, description="One of the current version's situations")
    channel: CaseChannel = CaseChannel.COUNTER
    note: Text(2000) = ""
    would_call_12345: bool = Field(False, description="Would otherwise have called 12345")


class MaterialMarkIn(InputSchema):
    received: bool
    note: Text(500) | None = Field(None, description="Replaces the line's note when given")


class CaseStepIn(InputSchema):
    step: CaseStep = Field(
        ..., description="`steps` of the case says which you may take now (another: 409 or 403)"
    )
    department: Text(120) = Field("", description="forward: the receiving department (needed)")
    reason: Text(1000) = Field("", description="refuse: the reason (needed)")
    answer: Text(2000) = Field("", description="approve, refuse: the department's answer")


def _case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    case.checklist_lines = selectors.case_checklist(case=case)
    case.missing_names = [line.name for line in case.checklist_lines if not line.received]
    case.timeline_events = list(selectors.case_timeline(case=case))
    proxy = (
        services.proxy_in_force(case)
        if request.user.has_perm("servicedesk.view_proxy", case)
        else None
    )
    case.proxy_in_force_id = proxy.pk if proxy is not None else None
    return case


@router.get("/cases", response={200: list[CaseOut], **LIST_ERRORS}, summary="Cases you may see")
@paginate(Pagination)
def cases_list(request: HttpRequest, filters: Query[CaseFilters]):
    """The cases of the compounds whose desk you serve, and your own."""
    return selectors.case_list(
        user=request.user,
        status=filters.status or "",
        open_only=filters.open,
        mine=filters.mine,
        place=filters.place,
    )


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="One case with its checklist and timeline",
)
def cases_get(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)):
    return _case_detail(request, case_id)


@router.post(
    "/cases",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    summary="Open a case for a resident (the desk), or start one of your own (online)",
    description="Under the matter's version in force, with its checklist for the situation "
    "(every applicant's materials and the situation's), nothing received yet; `consulted`. "
    "A resident starts a case for themselves with channel `online` (403 `online_only` for "
    "another channel; 409 `already_open` while one for the matter is open). "
    "404 for a resident you do not serve, 403 for anyone but the desk of the resident's "
    "compound, 400 for a matter not in the catalogue or a situation it does not have.",
)
def cases_open(request: HttpRequest, payload: CaseOpenIn):
    own = selectors.own_resident(user=request.user)
    if own is not None and own.pk == payload.resident:  # a resident starting their own, online
        resident = own
    else:
        resident = resident_get(user=request.user, pk=payload.resident)
    case = services.case_open(
        actor=request.user,
        resident=resident,
        matter=Matter.objects.filter(code=payload.matter).first(),
        situation_id=payload.situation,
        channel=payload.channel,
        note=payload.note,
        would_call_12345=payload.would_call_12345,
        request=request,
    )
    return Status(201, _case_detail(request, case.pk))


@router.post(
    "/cases/{case_id}/materials/{material_id}",
    response={200: CaseDetailOut, **STEP_ERRORS},
    summary="Tick a material as received, or untick it (the desk)",
    description="Until the case is accepted; then its checklist is kept (409).",
)
def cases_material(
    request: HttpRequest,
    payload: MaterialMarkIn,
    case_id: int = Path(..., ge=1, le=MAX_ID),
    material_id: int = Path(..., ge=1, le=MAX_ID),
):
    case = selectors.case_get(user=request.user, pk=case_id)
    services.case_material_mark(
        actor=request.user,
        case=case,
        material_id=material_id,
        received=payload.received,
        note=payload.note,
        request=request,
    )
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/steps",
    response={200: CaseDetailOut, **STEP_ERRORS},
    summary="Take a step",
    description="record_missing (the 一次告知: `consulted` → `incomplete`), accept (every "
    "material received; the due date is the promised working days on the official calendar), "
    "forward (to `department`), approve, refuse (with `reason`), finish (`done`), withdraw "
    "(the resident or the desk, before a decision).",
)
def cases_step(
    request: HttpRequest, payload: CaseStepIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    case = selectors.case_get(user=request.user, pk=case_id)
    services.case_take_step(
        actor=request.user,
        case=case,
        step=payload.step,
        department=payload.department,
        reason=payload.reason,
        answer=payload.answer,
        request=request,
    )
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/rating",
    response={200: CaseDetailOut, **STEP_ERRORS},
    summary="Rate a case that is done (the resident whose case it is, once)",
    description="400 (`refused`): a dissatisfied rating without a comment. 403: not your case. "
    "409: the case is not done yet (`not_done`) or has been rated (`rated`).",
)
def cases_rate(
    request: HttpRequest, payload: CaseRatingIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    case = selectors.case_get(user=request.user, pk=case_id)
    services.case_rate(
        actor=request.user, case=case, rating=payload.rating, comment=payload.comment
    )
    return _case_detail(request, case_id)


# -- policy consultations (政策咨询) -------------------------------------------------------------

MONTH_PATTERN = r"^(20[0-9]{2}|21[0-9]{2})-(0[1-9]|1[0-2])$"


class ConsultationMatterRef(Schema):
    id: int
    code: str
    name: str


class ConsultationOut(Schema):
    id: int
    number: str = Field(..., description="ZX, the year answered and the id")
    place: PlaceRef = Field(..., description="The compound whose desk answered it")
    channel: CaseChannel = Field(..., description="counter, phone or home_visit")
    matter: ConsultationMatterRef | None = Field(..., description="null: no particular matter")
    resident: int | None = Field(..., description="The resident who asked; null: a passer-by")
    asker: str = Field(..., description="The resident's name, or the name a passer-by gave")
    minutes: int = Field(..., description="Minutes the answer took")
    would_call_12345: bool = Field(..., description="Would otherwise have called 12345")
    answered_at: datetime
    case: int | None = Field(..., description="The case it became; null: none")
    work_order: int | None = Field(..., description="The work order it became; null: none")

    @staticmethod
    def resolve_matter(consultation):
        matter = consultation.matter
        if matter is None:
            return None
        name = matter.current.name if matter.current_id else ""
        return {"id": matter.pk, "code": matter.code, "name": name}

    @staticmethod
    def resolve_resident(consultation):
        return consultation.resident_id

    @staticmethod
    def resolve_asker(consultation):
        return consultation.resident.name if consultation.resident_id else consultation.asker

    @staticmethod
    def resolve_answered_at(consultation):
        return timezone.localtime(consultation.answered_at)

    @staticmethod
    def resolve_case(consultation):
        return consultation.case_id

    @staticmethod
    def resolve_work_order(consultation):
        return consultation.work_order_id


class ConsultationDetailOut(ConsultationOut):
    """With the question and the answer (personal: the desk and the asker only)."""

    question: str
    answer: str


class ConsultationFilters(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN, description="YYYY-MM, local time")
    matter: Id | None = Field(None, description="Only those about this matter (its id)")
    mine: bool = Field(False, description="Only those you asked (as a resident)")
    place: Id | None = Field(None, description="Only those of compounds in this subtree")


class ConsultationIn(InputSchema):
    resident: Id | None = Field(None, description="The resident who asked, from the register")
    asker: Text(60) = Field("", description="A passer-by's name (when `resident` is null)")
    place: Id | None = Field(
        None, description="The compound whose desk answered (a passer-by's; else the resident's)"
    )
    matter: Id | None = Field(None, description="The matter asked about (its id); null: none")
    channel: CaseChannel = Field(CaseChannel.COUNTER, description="counter, phone or home_visit")
    question: Text(2000, 1)
    answer: Text(4000, 1)
    minutes: int = Field(5, ge=1, le=600)
    would_call_12345: bool = False


class ConsultationCaseIn(InputSchema):
    situation: Id | None = Field(None, description="One of the matter's current situations")


class ConsultationOrderIn(InputSchema):
    category: Text(50, 1) = Field(..., description="The work order's category code")
    title: Text(120, 1)
    description: Text(4000) = Field("", description="Seen by whoever handles the order")


@router.get(
    "/consultations",
    response={200: list[ConsultationOut], **LIST_ERRORS},
    summary="Policy consultations you may see",
)
@paginate(Pagination)
def consultations_list(request: HttpRequest, filters: Query[ConsultationFilters]):
    """Those answered at the desks you serve, and those you asked; the latest first."""
    month = None
    if filters.month:
        year, number = filters.month.split("-")
        month = date(int(year), int(number), 1)
    return selectors.consultation_list(
        user=request.user,
        month=month,
        matter=filters.matter,
        mine=filters.mine,
        place=filters.place,
    )


@router.get(
    "/consultations/{consultation_id}",
    response={200: ConsultationDetailOut, **READ_ERRORS},
    summary="One consultation, with its question and answer",
)
def consultations_get(request: HttpRequest, consultation_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.consultation_get(user=request.user, pk=consultation_id)


@router.post(
    "/consultations",
    response={201: ConsultationDetailOut, **WRITE_ERRORS},
    summary="Record a consultation (the desk)",
    description="Who asked (a resident you serve, or a passer-by's name and the compound), the "
    "matter (optional, in the catalogue), the question, the answer and the minutes. 404 for a "
    "resident you do not serve, 403 for anyone but the desk of the compound, 400 for a matter "
    "not in the catalogue, a channel other than counter, phone or home_visit, or nobody named.",
)
def consultations_create(request: HttpRequest, payload: ConsultationIn):
    resident = resident_get(user=request.user, pk=payload.resident) if payload.resident else None
    matter = None
    if payload.matter is not None:
        matter = Matter.objects.filter(pk=payload.matter).first()
        if matter is None:
            raise ValidationError({"matter": _("Choose a matter of the catalogue, or none.")})
    place = Place.objects.filter(pk=payload.place).first() if payload.place else None
    consultation = services.consultation_record(
        actor=request.user,
        resident=resident,
        asker=payload.asker,
        place=place,
        matter=matter,
        question=payload.question,
        answer=payload.answer,
        minutes=payload.minutes,
        channel=payload.channel,
        would_call_12345=payload.would_call_12345,
        request=request,
    )
    return Status(201, selectors.consultation_get(user=request.user, pk=consultation.pk))


@router.post(
    "/consultations/{consultation_id}/case",
    response={200: ConsultationDetailOut, **STEP_ERRORS},
    summary="Turn a consultation into a case (the desk)",
    description="Opens a case (`consulted`) for the resident who asked and the matter asked "
    "about, by the channel it came, linked to it. 409: it has become a case or a work order "
    "already (`converted`), it names nobody of the register (`no_resident`), no matter "
    "(`no_matter`), or a matter no longer listed (`matter_unlisted`).",
)
def consultations_case(
    request: HttpRequest,
    payload: ConsultationCaseIn,
    consultation_id: int = Path(..., ge=1, le=MAX_ID),
):
    consultation = selectors.consultation_get(user=request.user, pk=consultation_id)
    services.consultation_to_case(
        actor=request.user,
        consultation=consultation,
        situation_id=payload.situation,
        request=request,
    )
    return selectors.consultation_get(user=request.user, pk=consultation_id)


@router.post(
    "/consultations/{consultation_id}/order",
    response={200: ConsultationDetailOut, **STEP_ERRORS},
    summary="Turn a consultation into a work order (the desk)",
    description="Filed as at the counter (by phone, when it came by phone) at the compound, on "
    "the asker's behalf, linked to it. 409 (`converted`): it has become a case or a work order "
    "already; 400: no such category.",
)
def consultations_order(
    request: HttpRequest,
    payload: ConsultationOrderIn,
    consultation_id: int = Path(..., ge=1, le=MAX_ID),
):
    from linli.workorders.selectors import category_by_code

    consultation = selectors.consultation_get(user=request.user, pk=consultation_id)
    services.consultation_to_order(
        actor=request.user,
        consultation=consultation,
        category=category_by_code(payload.category),
        title=payload.title,
        description=payload.description,
        request=request,
    )
    return selectors.consultation_get(user=request.user, pk=consultation_id)


# -- the desk's figures ---------------------------------------------------------------------


class FiguresFilters(Schema):
    start: Day | None = Field(
        None, description="First day, YYYY-MM-DD; the first of the month 11 months before the end"
    )
    end: Day | None = Field(None, description="Last day (included), YYYY-MM-DD; today if omitted")
    place: int | None = Field(
        None, ge=1, le=MAX_ID, description="Narrow to a place of your figures (id)"
    )

    @model_validator(mode="after")
    def _period(self):
        from .figures import MAX_FIGURES_DAYS

        if self.start and self.end and self.end < self.start:
            raise ValueError("end must not be before start")
        if self.start and self.end and (self.end - self.start).days >= MAX_FIGURES_DAYS:
            raise ValueError(f"the figures cover at most {MAX_FIGURES_DAYS} days")
        return self


class FiguresRowOut(Schema):
    key: str = Field(..., description="The matter's id, the channel, or the worker's id")
    label: str
    accepted: int = Field(..., description="Cases accepted (受理) in the period")
    handled: int = Field(..., description="Cases closed with the result handed over (办结)")
    forwarded: int = Field(..., description="Of those handled, forwarded to a department")
    refused: int = Field(..., description="Of those handled, refused")
    proxied: int = Field(..., description="Of those handled, under a 代办 in force")
    consultations: int = Field(..., description="Policy consultations answered in the period")

    @staticmethod
    def resolve_key(row):
        return "" if row.key is None else str(row.key)


class FiguresMonthOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    opened: int
    handled: int
    consultations: int
    hotline: int = Field(..., description="Work orders transferred from 12345")

    @staticmethod
    def resolve_month(month):
        return f"{month.month:%Y-%m}"


class FiguresCompoundOut(Schema):
    place: PlaceRef
    cases: int = Field(..., description="Cases whose resident would otherwise have called 12345")
    consultations: int = Field(..., description="Consultations that would have been a call")
    hotline: int = Field(..., description="Work orders transferred from 12345")


class FiguresOut(Schema):
    start: date
    end: date
    total: FiguresRowOut
    by_matter: list[FiguresRowOut]
    by_channel: list[FiguresRowOut]
    by_worker: list[FiguresRowOut]
    by_month: list[FiguresMonthOut]
    by_compound: list[FiguresCompoundOut]


@router.get(
    "/figures",
    response={200: FiguresOut, **READ_ERRORS, 400: ValidationErrors},
    summary="The desk's figures over a period (counts only)",
)
def figures_get(request: HttpRequest, filters: Query[FiguresFilters]):
    """Matters handled per matter, channel, worker and month, consultations beside them, and
    the 12345 calls saved beside each compound's transfers: as the figures page shows them.
    404 for those who read no desk's figures and for a place outside theirs."""
    from .figures import MAX_FIGURES_DAYS, desk_figures, figures_place, last_twelve_months

    place = figures_place(user=request.user, place_id=filters.place)
    default_start, default_end = last_twelve_months(filters.end or timezone.localdate())
    start, end = filters.start or default_start, filters.end or default_end
    if end < start or (end - start).days >= MAX_FIGURES_DAYS:
        raise ValidationError(
            {"start": _("The figures cover at most %(days)s days.") % {"days": MAX_FIGURES_DAYS}}
        )
    return desk_figures(user=request.user, start=start, end=end, place=place)


# -- 代办 (a case handled on its resident's behalf) ------------------------------------------

# 409 codes of the 代办: `case_closed`, `proxy_exists`, `letter_missing`, `letter_filed`,
# `proxy_not_in_force`, `returned`, `revoked`, `illegal_step`.
PROXY_ERRORS = {**WRITE_ERRORS, 409: Error}


class ProxyFileOut(Schema):
    id: int
    kind: ProxyFileKind
    method: SignatureMethod = Field(..., description="Drawn on the screen, or a photo of paper")
    created_at: datetime
    url: str = Field(..., description="The image, decrypted for you; each view is audited")

    @staticmethod
    def resolve_url(row):
        return reverse("servicedesk:proxy-file", args=[row.pk])


class CustodyOut(Schema):
    id: int
    document: str
    count: int
    material: int | None = Field(..., alias="material_id", description="Its checklist line")
    taken_from: str
    taken_at: datetime
    taken_by: str | None
    taken_signature: int = Field(..., alias="taken_signature_id", description="A file's id")
    in_custody: bool = Field(..., description="Held by the desk (not returned yet)")
    returned_at: datetime | None
    returned_to: str
    returned_by: str | None
    returned_signature: int | None = Field(..., alias="returned_signature_id")
    note: str

    @staticmethod
    def resolve_taken_by(line):
        return line.taken_by.display_name if line.taken_by_id else None

    @staticmethod
    def resolve_returned_by(line):
        return line.returned_by.display_name if line.returned_by_id else None


class ProxyOut(Schema):
    id: int
    number: str = Field(..., description="The number on the 代办委托书")
    case: int = Field(..., alias="case_id")
    status: ProxyStatus = Field(
        ...,
        description="`pending`: authorised, the letter or the ID check to come; `active`: in "
        "force, originals may be taken; `revoked`: ended (originals held still go back)",
    )
    agent_name: str
    agent_relation: ProxyRelation
    agent_relation_note: str
    agent_id_number: MaskedIdNumber
    agent_phone: MaskedPhone
    reason: ProxyReason
    reason_note: str
    powers: str = Field(..., description="What the agent may do, as the letter says")
    authorised_on: date
    letter: ProxyFileOut | None = Field(..., description="The signed letter; null: not filed")
    id_checked_at: datetime | None
    resident_id_method: ProxyIdMethod | None
    agent_id_method: ProxyIdMethod | None
    revoked_at: datetime | None
    revoke_reason: str
    originals: list[CustodyOut] = Field(..., description="The custody log, oldest first")
    in_custody: int = Field(..., description="How many originals the desk holds now")
    ended_with_case: bool = Field(
        ..., description="`active` until its case was closed: the authorisation ended then"
    )

    @staticmethod
    def resolve_resident_id_method(proxy):
        return proxy.resident_id_method or None

    @staticmethod
    def resolve_agent_id_method(proxy):
        return proxy.agent_id_method or None

    @staticmethod
    def resolve_originals(proxy):
        return list(proxy.originals.all())

    @staticmethod
    def resolve_in_custody(proxy):
        return sum(1 for line in proxy.originals.all() if line.in_custody)


class ProxyIn(InputSchema):
    agent_name: Text(60, 1)
    agent_relation: ProxyRelation
    agent_relation_note: Text(60) = ""
    agent_id_number: Text(18, 15) = Field(..., description="The agent's (an adult's) ID number")
    agent_phone: Text(20) = ""
    reason: ProxyReason = Field(
        ...,
        description="elderly (60+ by the register's birth date), disabled or lives_alone (as "
        "the register marks the resident), bedridden or other (`reason_note` needed)",
    )
    reason_note: Text(500) = ""
    powers: Text(300) = Field("", description="Empty: 递交申请材料、签字确认、领取办理结果")
    authorised_on: Day | None = Field(None, description="The letter's date; not ahead; today")


class ProxyCheckIn(InputSchema):
    resident_method: ProxyIdMethod
    agent_method: ProxyIdMethod = Field(..., description="Not `in_person`: an agent shows an ID")


class ProxyRevokeIn(InputSchema):
    reason: Text(1000, 1)


SIGNATURE_DESCRIPTION = "The signature drawn on the screen: a PNG, base64 (a data URL or bare)"


class OriginalTakeIn(InputSchema):
    document: Text(160, 1)
    count: int = Field(1, ge=1, le=20)
    taken_from: Text(60, 1) = Field(..., description="Who handed it over (agent or resident)")
    material: Id | None = Field(None, description="A line of the case's checklist")
    note: Text(500) = ""
    signature_png: str = Field(
        ..., min_length=1, max_length=3_000_000, description=SIGNATURE_DESCRIPTION
    )


class OriginalReturnIn(InputSchema):
    returned_to: Text(60, 1)
    signature_png: str = Field(
        ..., min_length=1, max_length=3_000_000, description=SIGNATURE_DESCRIPTION
    )


def _proxy(request, pk: int):
    return selectors.proxy_get(user=request.user, pk=pk)


def _proxy_manage(request, pk: int):
    """A 代办 the user may see, for a write: 404 when not visible, 403 when only seen."""
    proxy = _proxy(request, pk)
    if not request.user.has_perm("servicedesk.manage_proxy", proxy):
        raise ForbiddenError(_("Only the desk serving this case keeps its 代办."))
    return proxy


@router.get(
    "/cases/{case_id}/proxies",
    response={200: list[ProxyOut], **READ_ERRORS},
    summary="The 代办 of a case (the one in force first, then revoked ones)",
    description="For the desk of the case's compound and the resident whose case it is; "
    "404 for anyone else. ID and mobile numbers are masked.",
)
def proxies_of_case(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)):
    case = selectors.case_get(user=request.user, pk=case_id)
    if not request.user.has_perm("servicedesk.view_proxy", case):
        raise Http404("Not found.")
    return selectors.case_proxies(case=case)


@router.get(
    "/proxies/{proxy_id}",
    response={200: ProxyOut, **READ_ERRORS},
    summary="One 代办 with its custody log",
)
def proxies_get(request: HttpRequest, proxy_id: int = Path(..., ge=1, le=MAX_ID)):
    return _proxy(request, proxy_id)


@router.post(
    "/cases/{case_id}/proxies",
    response={201: ProxyOut, **PROXY_ERRORS},
    summary="Authorise a 代办 on an open case (the desk)",
    description="`pending` until the signed letter is filed and both IDs are checked. 400 "
    "(fields): the resident does not qualify for `reason` (`reason_note`), the agent's ID "
    "number is not valid, not an adult's or the resident's own, the mobile number is not one, "
    "the letter is dated ahead. 403: not the desk of the case's compound. 409: the case is "
    "not open (`case_closed`), a 代办 is in force already (`proxy_exists`).",
)
def proxies_create(
    request: HttpRequest, payload: ProxyIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    case = selectors.case_get(user=request.user, pk=case_id)
    proxy = services.proxy_authorise(
        actor=request.user, case=case, request=request, **payload.dict()
    )
    return Status(201, _proxy(request, proxy.pk))


@router.post(
    "/proxies/{proxy_id}/letter",
    # A form with a file, not JSON: no 415 (a JSON body lacks its file: 422).
    response={200: ProxyOut, **ACTION_ERRORS, 409: Error},
    summary="File the signed authorisation letter: its photo (JPEG, PNG or WebP) as `photo`",
    description="Stored encrypted, its metadata removed. 400 (`refused`, the field `photo`): "
    "not an image that can be read. 409: revoked (`revoked`), a letter on file already "
    "(`letter_filed`).",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "additionalProperties": False,
                        "properties": {"photo": {"minLength": 1}},
                    }
                }
            }
        }
    },
)
def proxies_letter(
    request: HttpRequest, photo: File[UploadedFile], proxy_id: int = Path(..., ge=1, le=MAX_ID)
):
    extra = sorted((set(request.POST) | set(request.FILES)) - {"photo"})
    if extra:
        raise NinjaValidationError(
            [{"loc": ("form", name), "msg": "Extra inputs are not permitted"} for name in extra]
        )
    proxy = _proxy_manage(request, proxy_id)
    services.proxy_letter_attach(actor=request.user, proxy=proxy, upload=photo, request=request)
    return _proxy(request, proxy_id)


@router.post(
    "/proxies/{proxy_id}/check",
    response={200: ProxyOut, **PROXY_ERRORS},
    summary="Record the ID check: the 代办 is in force (`pending` → `active`)",
    description="409: the letter is not filed yet (`letter_missing`), or not `pending` "
    "(`illegal_step`). 400 (`agent_method`): `in_person` for the agent.",
)
def proxies_check(
    request: HttpRequest, payload: ProxyCheckIn, proxy_id: int = Path(..., ge=1, le=MAX_ID)
):
    proxy = _proxy_manage(request, proxy_id)
    services.proxy_check_ids(
        actor=request.user,
        proxy=proxy,
        resident_method=payload.resident_method,
        agent_method=payload.agent_method,
        request=request,
    )
    return _proxy(request, proxy_id)


@router.post(
    "/proxies/{proxy_id}/revoke",
    response={200: ProxyOut, **PROXY_ERRORS},
    summary="Revoke a 代办 (`pending` or `active` → `revoked`), with the reason",
    description="Originals held stay on the log, to be returned. 409 (`illegal_step`): "
    "revoked already.",
)
def proxies_revoke(
    request: HttpRequest, payload: ProxyRevokeIn, proxy_id: int = Path(..., ge=1, le=MAX_ID)
):
    proxy = _proxy_manage(request, proxy_id)
    services.proxy_revoke(actor=request.user, proxy=proxy, reason=payload.reason, request=request)
    return _proxy(request, proxy_id)


@router.post(
    "/proxies/{proxy_id}/originals",
    response={201: ProxyOut, **PROXY_ERRORS},
    summary="Take an original into custody, signed for (a line of the log, never edited)",
    description="Under an `active` 代办 of an open case. 400: `signature` (not a PNG that can "
    "be read, or empty), `material` (not a line of this case). 409: not in force "
    "(`proxy_not_in_force`), the case is closed (`case_closed`).",
)
def proxies_take(
    request: HttpRequest, payload: OriginalTakeIn, proxy_id: int = Path(..., ge=1, le=MAX_ID)
):
    proxy = _proxy_manage(request, proxy_id)
    services.original_take(
        actor=request.user,
        proxy=proxy,
        document=payload.document,
        count=payload.count,
        taken_from=payload.taken_from,
        material_id=payload.material,
        note=payload.note,
        signature_drawn=payload.signature_png,
        request=request,
    )
    return Status(201, _proxy(request, proxy_id))


@router.post(
    "/proxies/{proxy_id}/originals/{custody_id}/return",
    response={200: ProxyOut, **PROXY_ERRORS},
    summary="Return an original, signed for (once; under a revoked 代办 too)",
    description="400 (`signature`): not a PNG that can be read, or empty. 404: not a line "
    "of this 代办's log. 409 (`returned`): returned already.",
)
def proxies_return(
    request: HttpRequest,
    payload: OriginalReturnIn,
    proxy_id: int = Path(..., ge=1, le=MAX_ID),
    custody_id: int = Path(..., ge=1, le=MAX_ID),
):
    proxy = _proxy_manage(request, proxy_id)
    line = selectors.custody_get(proxy=proxy, pk=custody_id)
    services.original_return(
        actor=request.user,
        custody=line,
        returned_to=payload.returned_to,
        signature_drawn=payload.signature_png,
        request=request,
    )
    return _proxy(request, proxy_id)
