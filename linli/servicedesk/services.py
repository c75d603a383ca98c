"""Writes of the service desk: the catalogue of matters (each revision a new version)."""

import base64
import binascii
import io
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.crypto import decrypt_bytes, encrypt_bytes
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.images import photo_files_delete, photo_prepare
from linli.core.lifecycle import Lifecycle, Step, check_perm, require_actor, validated
from linli.core.validators import normalise_mobile
from linli.core.workdays import add_working_days
from linli.places.models import Place
from linli.residents.idnumbers import parse_id_number
from linli.residents.models import Resident, ResidentStatus, age_on
from linli.residents.nearby import compound_of

from .models import (
    CHECKLIST_OPEN_STATUSES,
    LOW_RATINGS,
    OPEN_CASE_STATUSES,
    PROXY_ELDERLY_AGE,
    Case,
    CaseChannel,
    CaseEvent,
    CaseEventKind,
    CaseMaterial,
    CaseRating,
    CaseStatus,
    Consultation,
    Handling,
    Material,
    MaterialForm,
    Matter,
    MatterKind,
    MatterVersion,
    OriginalCustody,
    ProxyAuthorisation,
    ProxyFile,
    ProxyFileKind,
    ProxyIdMethod,
    ProxyReason,
    ProxyRelation,
    ProxyStatus,
    SignatureMethod,
    Situation,
)

CATALOGUE_KINDS = ("district", "street")


@dataclass
class MaterialSpec:
    """A material as a revision lists it; ``situations`` names the version's situations
    it is needed in (empty: every applicant brings it)."""

    name: str
    form: str = MaterialForm.COPY
    copies: int = 1
    note: str = ""
    situations: list[str] = field(default_factory=list)


@dataclass
class VersionSpec:
    name: str
    department: str
    implementing_body: str
    legal_basis: str
    promised_days: int
    statutory_days: int | None = None
    name_en: str = ""
    summary: str = ""
    fee: str = ""
    handling: str = Handling.LOCAL
    situations: list[str] = field(default_factory=list)
    materials: list[MaterialSpec] = field(default_factory=list)


def code_prefix(place: Place) -> str:
    """The first part of the catalogue's codes: ``LINLI_MATTER_CODE_PREFIX`` when set (e.g.
    the unified social credit code of the body that owns the catalogue), else the place's
    administrative code."""
    return getattr(settings, "LINLI_MATTER_CODE_PREFIX", "") or place.code


def next_code(*, place: Place, kind: str) -> str:
    """The next free code of ``kind`` under the catalogue's prefix: ``140213-JF-0003``."""
    prefix = f"{code_prefix(place)}-{kind}-"
    taken = Matter.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def matter_create(
    *, actor, place: Place, kind: str, spec: VersionSpec, code: str = "", request=None
) -> Matter:
    """Add a matter to the catalogue of a district or street, with its first version."""
    check_perm(
        actor,
        "servicedesk.manage_catalogue",
        place,
        message=_("You may not change this catalogue."),
    )
    if place.kind not in CATALOGUE_KINDS:
        raise ValidationError({"place": _("A catalogue belongs to a district or a street.")})
    if kind not in MatterKind.values:
        raise ValidationError({"kind": _("Choose the kind of matter.")})
    matter = Matter(place=place, kind=kind, code=code.strip() or next_code(place=place, kind=kind))
    validated(matter)
    matter.save()
    version = _version_write(actor=actor, matter=matter, spec=spec, number=1, change_note="")
    audit_record(
        actor=actor,
        action="servicedesk.matter.create",
        obj=matter,
        place_path=place.path,
        request=request,
        details={"version": version.number},
    )
    return matter


@transaction.atomic
def matter_revise(
    *, actor, matter: Matter, spec: VersionSpec, change_note: str, request=None
) -> MatterVersion:
    """Publish a new version of a matter. Earlier versions stay as they were: the cases
    started under them keep their checklists."""
    matter = Matter.objects.select_for_update().select_related("place").get(pk=matter.pk)
    check_perm(
        actor,
        "servicedesk.manage_catalogue",
        matter,
        message=_("You may not change this catalogue."),
    )
    if not change_note.strip():
        raise ValidationError({"change_note": _("Say what changed in this version.")})
    last = matter.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _version_write(
        actor=actor, matter=matter, spec=spec, number=last + 1, change_note=change_note
    )
    audit_record(
        actor=actor,
        action="servicedesk.matter.revise",
        obj=matter,
        place_path=matter.place.path,
        request=request,
        details={"version": version.number, "change": change_note.strip()[:300]},
    )
    return version


@transaction.atomic
def matter_set_listed(*, actor, matter: Matter, listed: bool, request=None) -> Matter:
    """Take a matter out of the catalogue (its cases keep it) or put it back."""
    matter = Matter.objects.select_for_update().select_related("place").get(pk=matter.pk)
    check_perm(
        actor,
        "servicedesk.manage_catalogue",
        matter,
        message=_("You may not change this catalogue."),
    )
    if matter.is_active != listed:
        matter.is_active = listed
        matter.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="servicedesk.matter.list" if listed else "servicedesk.matter.unlist",
            obj=matter,
            place_path=matter.place.path,
            request=request,
        )
    return matter


def _version_write(*, actor, matter: Matter, spec: VersionSpec, number: int, change_note: str):
    situations = [name.strip() for name in spec.situations if name.strip()]
    if len(set(situations)) != len(situations):
        raise ValidationError({"situations": _("Each situation is named once.")})
    version = MatterVersion(
        matter=matter,
        number=number,
        name=spec.name.strip(),
        name_en=spec.name_en.strip(),
        summary=spec.summary.strip(),
        department=spec.department.strip(),
        implementing_body=spec.implementing_body.strip(),
        legal_basis=spec.legal_basis.strip(),
        statutory_days=spec.statutory_days,
        promised_days=spec.promised_days,
        fee=spec.fee.strip(),
        handling=spec.handling,
        change_note=change_note.strip(),
        published_at=timezone.now(),
        published_by=user_or_none(actor),
    )
    statutory, promised = version.statutory_days, version.promised_days
    if statutory is not None and promised is not None and promised > statutory:
        raise ValidationError(
            {"promised_days": _("The promised time limit cannot be longer than the law's.")}
        )
    validated(version)
    version.save()
    by_name = {}
    for position, name in enumerate(situations):
        situation = Situation(version=version, position=position, name=name)
        validated(situation, fields=["name"])
        situation.save()
        by_name[name] = situation
    for position, spec_material in enumerate(spec.materials):
        unknown = [name for name in spec_material.situations if name not in by_name]
        if unknown:
            raise ValidationError(
                {
                    "materials": _(
                        "“%(material)s” names a situation the matter does not have: %(names)s."
                    )
                    % {"material": spec_material.name, "names": "、".join(unknown)}
                }
            )
        material = Material(
            version=version,
            position=position,
            name=spec_material.name.strip(),
            form=spec_material.form,
            copies=spec_material.copies,
            note=spec_material.note.strip(),
        )
        validated(material, fields=["name", "form", "copies", "note"])
        material.save()
        material.situations.set([by_name[name] for name in spec_material.situations])
    Matter.objects.filter(pk=matter.pk).update(current=version)
    matter.current = version
    return version


# -- cases (办件) --------------------------------------------------------------------------------


def _case_lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("place", "version", "resident", "situation")
        .get(pk=case.pk)
    )


def missing_materials(case: Case) -> list[CaseMaterial]:
    """The lines of the case's checklist not received yet, in the checklist's order."""
    return list(case.materials.filter(received=False).order_by("position", "id"))


def _case_guard(name: str, case: Case, **context) -> None:
    if name == "remind" and context.get("kind") is None:
        raise ConflictError(_("This case needs no reminder now."), code="no_reminder")
    # A list of cases (``selectors.case_list``) says with each row whether originals are
    # held and materials missing, so that working out its steps costs no query per row; a
    # step taken reads the locked row, and its refusal names what is held or missing.
    listed_holds = getattr(case, "holds_originals", None)
    listed_missing = getattr(case, "has_missing", None)
    if name in ("finish", "withdraw"):
        held = []
        if listed_holds is None:
            held = list(
                OriginalCustody.objects.filter(
                    proxy__case=case, returned_at__isnull=True
                ).values_list("document", flat=True)
            )
        if held or listed_holds:
            raise ConflictError(
                _(
                    "The desk still holds originals for this case under 代办: %(names)s. "
                    "Return each one, signed for, before the case is closed."
                )
                % {"names": "、".join(held)},
                code="originals_in_custody",
            )
    if name == "accept":
        missing = [] if listed_missing is not None else [m.name for m in missing_materials(case)]
        if missing or listed_missing:
            raise ConflictError(
                _(
                    "The case cannot be accepted yet: %(names)s still missing. Give the "
                    "resident the 一次告知单, which lists everything still missing at once."
                )
                % {"names": "、".join(missing)},
                code="materials_missing",
            )


CS = CaseStatus
SERVE, DECIDE = "servicedesk.serve_case", "servicedesk.decide_case"
CASE = Lifecycle(
    name="servicedesk.case",
    model=Case,
    event_model=CaseEvent,
    subject="case",
    event_kinds=CaseEventKind,
    illegal_message=gettext_lazy("This case is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("This step is not yours to take on this case."),
    lock=_case_lock,
    guard=_case_guard,
    audit_prefix="servicedesk.case",
    steps={
        # The desk gives the resident the 一次告知单: everything still missing, at once.
        "record_missing": Step(
            frozenset({CS.CONSULTED}), CS.MATERIALS_INCOMPLETE, SERVE,
            CaseEventKind.MISSING_TOLD, gettext_lazy("told what is missing"),
        ),
        "accept": Step(
            frozenset({CS.CONSULTED, CS.MATERIALS_INCOMPLETE}), CS.ACCEPTED, SERVE,
            CaseEventKind.ACCEPTED, pgettext_lazy("case step", "accepted"),
        ),
        "forward": Step(
            frozenset({CS.ACCEPTED}), CS.FORWARDED, DECIDE, CaseEventKind.FORWARDED,
            gettext_lazy("forwarded"),
        ),
        "approve": Step(
            frozenset({CS.ACCEPTED, CS.FORWARDED}), CS.APPROVED, DECIDE,
            CaseEventKind.APPROVED, pgettext_lazy("case step", "approved"),
        ),
        "refuse": Step(
            frozenset({CS.ACCEPTED, CS.FORWARDED}), CS.REFUSED, DECIDE,
            CaseEventKind.REFUSED, pgettext_lazy("case step", "refused"),
        ),
        "finish": Step(
            frozenset({CS.APPROVED, CS.REFUSED}), CS.DONE, SERVE, CaseEventKind.DONE,
            gettext_lazy("closed with the result handed over"),
        ),
        # The reminder job (SYSTEM) tells the desk of a deadline near or passed; no change.
        "remind": Step(
            frozenset({CS.ACCEPTED, CS.FORWARDED}), None, "servicedesk.remind_case",
            CaseEventKind.REMINDED, gettext_lazy("reminded"),
        ),
        "withdraw": Step(
            frozenset({CS.CONSULTED, CS.MATERIALS_INCOMPLETE, CS.ACCEPTED}), CS.WITHDRAWN,
            "servicedesk.withdraw_case", CaseEventKind.WITHDRAWN,
            pgettext_lazy("case step", "withdrawn"),
        ),
    },
)  # fmt: skip
CASE_STEPS = tuple(CASE.steps)


def case_steps(*, user, case: Case) -> list[str]:
    """The steps this user may take on this case now (for buttons and the API)."""
    return CASE.allowed(user=user, obj=case)


def applicable_materials(version: MatterVersion, situation: Situation | None) -> list[Material]:
    """The version's materials an applicant in ``situation`` brings: those every applicant
    brings, and the situation's own."""
    materials = version.materials.prefetch_related("situations").order_by("position", "id")
    chosen = []
    for material in materials:
        needed_in = {s.pk for s in material.situations.all()}
        if not needed_in or (situation is not None and situation.pk in needed_in):
            chosen.append(material)
    return chosen


@transaction.atomic
def case_open(
    *,
    actor,
    resident: Resident,
    matter: Matter | None,
    situation_id: int | None = None,
    channel: str = CaseChannel.COUNTER,
    note: str = "",
    would_call_12345: bool = False,
    origin_note: str = "",
    origin: dict | None = None,
    request=None,
) -> Case:
    """Open a case for a resident at their compound's desk, under the version of the matter
    in force now, with its checklist copied from that version (the materials every applicant
    brings, and the chosen situation's). Nothing is received yet.

    The desk opens cases for the residents of its compounds, by any channel; a resident opens
    one for themselves only, online (``servicedesk.open_own_case``), and not a second one for
    a matter they have open. ``origin_note`` and ``origin`` go on the 'opened' event (where
    the case came from: a consultation)."""
    require_actor(actor)
    compound = compound_of(resident.place)
    by_desk = actor.has_perm("servicedesk.open_case", compound)
    if not by_desk:
        if not actor.has_perm("servicedesk.open_own_case", resident):
            check_perm(
                actor,
                "servicedesk.open_case",
                compound,
                message=_("You may not open cases for this resident."),
            )
        if channel != CaseChannel.ONLINE:
            raise ForbiddenError(
                _("You start a case of your own online; the desk opens cases at the counter."),
                code="online_only",
            )
    if resident.status != ResidentStatus.LIVING:
        raise ValidationError({"resident": _("Cases are opened for residents living here.")})
    if channel not in CaseChannel.values:
        raise ValidationError({"channel": _("Choose how the resident came to the desk.")})
    if matter is not None:
        matter = Matter.objects.select_for_update().filter(pk=matter.pk).first()
    if matter is None or not matter.is_active or matter.current_id is None:
        raise ValidationError({"matter": _("Choose a matter of the catalogue.")})
    if not by_desk and (
        Case.objects.filter(
            resident=resident, version__matter=matter, status__in=OPEN_CASE_STATUSES
        ).exists()
    ):
        raise ConflictError(
            _("You have an open case for this matter already: follow it in My cases."),
            code="already_open",
        )
    version = MatterVersion.objects.get(pk=matter.current_id)
    situation = None
    if situation_id is not None:
        situation = Situation.objects.filter(pk=situation_id, version=version).first()
        if situation is None:
            raise ValidationError({"situation": _("Choose one of the matter's situations.")})
    case = Case(
        resident=resident,
        place=compound,
        version=version,
        situation=situation,
        channel=channel,
        opened_by=user_or_none(actor),
        handled_by=user_or_none(actor) if by_desk else None,
        note=note.strip()[:2000],
        would_call_12345=bool(would_call_12345),
    )
    validated(case)
    case.save()
    CaseMaterial.objects.bulk_create(
        [
            CaseMaterial(
                case=case,
                source=material,
                position=position,
                name=material.name,
                form=material.form,
                copies=material.copies,
                guidance=material.note,
            )
            for position, material in enumerate(applicable_materials(version, situation))
        ]
    )
    CASE.record(
        obj=case,
        kind=CaseEventKind.OPENED,
        actor=actor,
        to_status=case.status,
        note=origin_note[:200],
        data={"version": version.number, "channel": channel, **(origin or {})},
    )
    audit_record(actor=actor, action="servicedesk.case.open", obj=case, request=request)
    return case


@transaction.atomic
def case_material_mark(
    *, actor, case: Case, material_id: int, received: bool, note: str | None = None, request=None
) -> CaseMaterial:
    """Tick a material of the checklist as received (or untick it), with an optional note;
    on the case's timeline. The checklist is kept as it was once the case is accepted."""
    case = _case_lock(case)
    check_perm(
        actor, "servicedesk.serve_case", case, message=_("You may not tick this case's materials.")
    )
    line = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if line is None:
        raise Http404("Not found.")
    if case.status not in CHECKLIST_OPEN_STATUSES:
        raise ConflictError(
            _("This case is %(status)s; its checklist is kept as it was accepted.")
            % {"status": case.get_status_display()},
            code="checklist_closed",
        )
    changed = line.received != received or (note is not None and note.strip() != line.note)
    if not changed:
        return line
    kind = None
    if line.received != received:
        line.received = received
        line.received_at = timezone.now() if received else None
        line.received_by = user_or_none(actor) if received else None
        kind = CaseEventKind.MATERIAL_RECEIVED if received else CaseEventKind.MATERIAL_UNTICKED
    if note is not None:
        line.note = note.strip()[:500]
    validated(line, fields=["note"])
    line.save()
    if kind is not None:
        CASE.record(obj=case, kind=kind, actor=actor, note=line.name, data={"line": line.pk})
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return line


@transaction.atomic
def case_take_step(
    *,
    actor,
    case: Case,
    step: str,
    department: str = "",
    reason: str = "",
    answer: str = "",
    now=None,
    request=None,
) -> Case:
    """Take a step of the case's lifecycle (``CASE``). ``department``: forward's receiving
    department (required); ``reason``: a refusal's (required, given to the resident);
    ``answer``: the department's answer, with an approval or a refusal. Reasons and answers
    are encrypted on the case; the timeline says what was done, not what was written."""
    if step not in CASE.steps:
        raise ValidationError({"step": _("There is no such step.")})
    now = now or timezone.now()
    department, reason, answer = department.strip(), reason.strip(), answer.strip()
    data = {}

    def change(case: Case) -> None:
        # The step's inputs are checked once it is known to be the actor's to take now, so
        # that a step not theirs, or not possible now, answers as such (403, 409).
        if step == "forward" and not department:
            raise ValidationError({"department": _("Name the department it is forwarded to.")})
        if step == "refuse" and not reason:
            raise ValidationError({"reason": _("Give the reason for the refusal.")})
        if step == "forward":
            data["department"] = department[:120]
        if step == "record_missing":
            data["missing"] = [line.name for line in missing_materials(case)]
        elif step == "accept":
            case.accepted_at = now
            case.handled_by = user_or_none(actor) or case.handled_by
            case.due_on = add_working_days(now, case.version.promised_days).date()
        elif step == "forward":
            case.forwarded_to = department[:120]
            case.forwarded_at = now
        elif step in ("approve", "refuse"):
            case.decided_at = now
            if answer:
                case.answer = answer[:2000]
            if step == "refuse":
                case.refusal_reason = reason[:1000]
        elif step == "finish":
            case.done_at = now

    return CASE.take(step, actor=actor, obj=case, change=change, data=data)


@transaction.atomic
def case_rate(*, actor, case: Case, rating: str, comment: str = "") -> Case:
    """The resident's 好差评 of a case that is done: one of the five levels, once; a
    dissatisfied one says what went wrong. The comment stays off the timeline (encrypted on
    the case)."""
    case = _case_lock(case)
    check_perm(
        actor,
        "servicedesk.rate_case",
        case,
        message=_("Only the resident whose case it is rates it."),
    )
    if case.status != CS.DONE:
        raise ConflictError(_("A case is rated once it is done."), code="not_done")
    if case.rating:
        raise ConflictError(_("This case has been rated already."), code="rated")
    if rating not in CaseRating.values:
        raise ValidationError({"rating": _("Choose one of the five levels.")})
    comment = comment.strip()
    if rating in LOW_RATINGS and not comment:
        raise ValidationError(
            {"comment": _("Say what went wrong, so that the desk can check it and put it right.")}
        )
    case.rating, case.rating_comment, case.rated_at = rating, comment[:1000], timezone.now()
    validated(case, fields=["rating", "rating_comment", "rated_at"])
    case.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    CASE.record(obj=case, kind=CaseEventKind.RATED, actor=actor, data={"rating": rating})
    return case


# -- policy consultations (政策咨询) -------------------------------------------------------------

# How a consultation may come to the desk (a home visit's question is answered there too).
CONSULTATION_CHANNELS = (CaseChannel.COUNTER, CaseChannel.PHONE, CaseChannel.HOME_VISIT)
# The channels of the work order a consultation turns into (the workorders' own).
ORDER_CHANNELS = {CaseChannel.PHONE: "phone"}


def _consultation_lock(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("place", "resident__place", "matter")
        .get(pk=consultation.pk)
    )


def _not_converted(consultation: Consultation) -> None:
    if consultation.case_id or consultation.work_order_id:
        raise ConflictError(
            _("This consultation has become a case or a work order already."), code="converted"
        )


@transaction.atomic
def consultation_record(
    *,
    actor,
    question: str,
    answer: str,
    resident: Resident | None = None,
    asker: str = "",
    place: Place | None = None,
    matter: Matter | None = None,
    minutes: int = 5,
    channel: str = CaseChannel.COUNTER,
    would_call_12345: bool = False,
    answered_at=None,
    request=None,
) -> Consultation:
    """Record a question answered at the desk: who asked (a resident of the register, whose
    compound's desk it is, or a name given), the matter it was about (optional), the
    question, the answer and the minutes it took. Question and answer are encrypted."""
    if resident is not None:
        place = compound_of(resident.place)
    if place is None or place.kind != "compound":
        raise ValidationError({"place": _("Say at which compound's desk it was answered.")})
    check_perm(
        actor,
        "servicedesk.record_consultation",
        place,
        message=_("You may not record consultations at this desk."),
    )
    asker = asker.strip()
    if resident is None and not asker:
        raise ValidationError(
            {"asker": _("Say who asked: find the resident, or write the name they gave.")}
        )
    if channel not in CONSULTATION_CHANNELS:
        raise ValidationError({"channel": _("Choose how the question came to the desk.")})
    if matter is not None and (not matter.is_active or matter.current_id is None):
        raise ValidationError({"matter": _("Choose a matter of the catalogue, or none.")})
    question, answer = question.strip(), answer.strip()
    if not question:
        raise ValidationError({"question": _("Write down the question.")})
    if not answer:
        raise ValidationError({"answer": _("Write down the answer given.")})
    consultation = Consultation(
        place=place,
        resident=resident,
        asker=asker[:60] if resident is None else "",
        channel=channel,
        matter=matter,
        question=question[:2000],
        answer=answer[:4000],
        minutes=minutes,
        would_call_12345=bool(would_call_12345),
        answered_by=user_or_none(actor),
        answered_at=answered_at or timezone.now(),
    )
    validated(consultation)
    consultation.save()
    audit_record(
        actor=actor, action="servicedesk.consultation.record", obj=consultation, request=request
    )
    return consultation


@transaction.atomic
def consultation_to_case(
    *, actor, consultation: Consultation, situation_id: int | None = None, request=None
) -> Case:
    """Turn a consultation into a case: opened through ``case_open`` for the resident who
    asked and the matter asked about, by the channel it came, linked to the consultation;
    the case's 'opened' event says where it came from."""
    consultation = _consultation_lock(consultation)
    check_perm(
        actor,
        "servicedesk.convert_consultation",
        consultation,
        message=_("You may not turn this consultation into a case."),
    )
    _not_converted(consultation)
    if consultation.resident_id is None:
        raise ConflictError(
            _(
                "A case is opened for a resident of the register: this consultation names "
                "nobody in it. Find the resident at the counter and open the case there."
            ),
            code="no_resident",
        )
    if consultation.matter_id is None:
        raise ConflictError(
            _("The consultation names no matter: open the case at the counter instead."),
            code="no_matter",
        )
    if not consultation.matter.is_active or consultation.matter.current_id is None:
        raise ConflictError(
            _("The matter is no longer in the catalogue; a case cannot be opened for it."),
            code="matter_unlisted",
        )
    case = case_open(
        actor=actor,
        resident=consultation.resident,
        matter=consultation.matter,
        situation_id=situation_id,
        channel=consultation.channel,
        would_call_12345=consultation.would_call_12345,
        origin_note=_("from the consultation %(number)s") % {"number": consultation.number},
        origin={"consultation": consultation.pk},
        request=request,
    )
    consultation.case = case
    consultation.save(update_fields=["case"])
    audit_record(
        actor=actor,
        action="servicedesk.consultation.to_case",
        obj=consultation,
        request=request,
        details={"case": case.pk},
    )
    return case


@transaction.atomic
def consultation_to_order(
    *,
    actor,
    consultation: Consultation,
    category,
    title: str,
    description: str = "",
    request=None,
):
    """Turn a consultation into a work order: filed through the work orders' own service,
    as at the counter (or by phone, as it came), on the asker's behalf, at the compound (never
    the asker's flat: where an order is shows on the compound's board), and linked to the
    consultation."""
    from linli.workorders.services import order_file

    consultation = _consultation_lock(consultation)
    check_perm(
        actor,
        "servicedesk.convert_consultation",
        consultation,
        message=_("You may not turn this consultation into a work order."),
    )
    _not_converted(consultation)
    if category is None:
        raise ValidationError({"category": _("Choose the work order's category.")})
    resident = consultation.resident
    order = order_file(
        actor=actor,
        category=category,
        place=consultation.place,
        title=title,
        description=description,
        channel=ORDER_CHANNELS.get(consultation.channel, "counter"),
        reporter=resident.user if resident is not None and resident.user_id else None,
        reporter_name=resident.name if resident is not None else consultation.asker,
        request=request,
    )
    consultation.work_order = order
    consultation.save(update_fields=["work_order"])
    audit_record(
        actor=actor,
        action="servicedesk.consultation.to_order",
        obj=consultation,
        request=request,
        details={"order": order.pk},
    )
    return order


# -- 代办 (handling a case on a resident's behalf) ---------------------------------------------

# An agent is an adult (《民法典》第十八条: full civil capacity at eighteen).
PROXY_AGENT_MIN_AGE = 18
# A signature drawn on the screen arrives as a PNG; a photo of a signed sheet as an upload.
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
PROXY_MANAGE = "servicedesk.manage_proxy"


def _proxy_lock(proxy: ProxyAuthorisation) -> ProxyAuthorisation:
    return (
        ProxyAuthorisation.objects.select_for_update(of=("self",))
        .select_related("case__place", "case__resident", "letter")
        .get(pk=proxy.pk)
    )


def _proxy_guard(name: str, proxy: ProxyAuthorisation, **context) -> None:
    if name == "check_ids" and proxy.letter_id is None:
        raise ConflictError(
            _(
                "File the signed authorisation letter (代办委托书) first: the IDs are checked "
                "against the letter."
            ),
            code="letter_missing",
        )


PS = ProxyStatus
PROXY = Lifecycle(
    name="servicedesk.proxy",
    model=ProxyAuthorisation,
    event_model=CaseEvent,
    subject="case",
    event_subject=lambda proxy: proxy.case,
    event_kinds=CaseEventKind,
    illegal_message=gettext_lazy("This 代办 is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("Only the desk serving this case keeps its 代办."),
    lock=_proxy_lock,
    guard=_proxy_guard,
    audit_prefix="servicedesk.proxy",
    steps={
        # The desk checked both identities against the signed letter: the 代办 is in force.
        "check_ids": Step(
            frozenset({PS.PENDING}), PS.ACTIVE, PROXY_MANAGE, CaseEventKind.PROXY_ID_CHECKED,
            gettext_lazy("checked"),
        ),
        "revoke": Step(
            frozenset({PS.PENDING, PS.ACTIVE}), PS.REVOKED, PROXY_MANAGE,
            CaseEventKind.PROXY_REVOKED, gettext_lazy("revoked"),
        ),
    },
)  # fmt: skip


def proxy_qualifies(resident: Resident, reason: str, reason_note: str = "") -> str | None:
    """Why the resident may not be served under 代办 for ``reason`` (a message), or None.
    Elderly, disabled and living alone are read from the register (age from the birth
    date); bedridden or another reason is what the worker states."""
    today = timezone.localdate()
    if reason == ProxyReason.ELDERLY:
        if resident.birth_date is None or age_on(resident.birth_date, today) < PROXY_ELDERLY_AGE:
            return _(
                "The register gives %(name)s's age as under %(age)d: 代办 for an elderly "
                "resident is for those of %(age)d or more. State another reason if there is one."
            ) % {"name": resident.name, "age": PROXY_ELDERLY_AGE}
    elif reason == ProxyReason.DISABLED:
        if not resident.disabled:
            return _(
                "The register does not mark %(name)s as disabled. Correct the register, or "
                "state the reason."
            ) % {"name": resident.name}
    elif reason == ProxyReason.LIVES_ALONE:
        if not resident.lives_alone:
            return _(
                "The register does not mark %(name)s as living alone. Correct the register, "
                "or state the reason."
            ) % {"name": resident.name}
    elif reason in (ProxyReason.BEDRIDDEN, ProxyReason.OTHER):
        if not reason_note.strip():
            return _("Say why the resident cannot come to the desk themselves.")
    else:
        return _("Choose why the case is handled on the resident's behalf.")
    return None


def proxy_in_force(case: Case) -> ProxyAuthorisation | None:
    return (
        ProxyAuthorisation.objects.filter(case=case)
        .exclude(status=ProxyStatus.REVOKED)
        .select_related("letter")
        .first()
    )


def originals_in_custody(case: Case) -> list[OriginalCustody]:
    """The originals the desk still holds for the case (under any of its 代办, revoked too)."""
    return list(
        OriginalCustody.objects.filter(proxy__case=case, returned_at__isnull=True).order_by(
            "taken_at", "id"
        )
    )


@transaction.atomic
def proxy_authorise(
    *,
    actor,
    case: Case,
    agent_name: str,
    agent_relation: str,
    agent_id_number: str,
    agent_phone: str = "",
    agent_relation_note: str = "",
    reason: str,
    reason_note: str = "",
    powers: str = "",
    authorised_on=None,
    request=None,
) -> ProxyAuthorisation:
    """Record that the case is handled on its resident's behalf (代办): who acts (name,
    relation, ID and mobile numbers, encrypted), why (the resident must qualify: 60 or over,
    disabled or living alone as the register says, or a reason the worker states), and what
    the agent may do. It is ``pending`` until the signed letter is filed and both identities
    are checked. On the case's timeline; audited."""
    case = _case_lock(case)
    check_perm(
        actor, PROXY_MANAGE, case, message=_("Only the desk serving this case keeps its 代办.")
    )
    if not case.is_open:
        raise ConflictError(
            _("This case is %(status)s: a 代办 is recorded on an open case.")
            % {"status": case.get_status_display()},
            code="case_closed",
        )
    if proxy_in_force(case) is not None:
        raise ConflictError(
            _("This case already has a 代办 in force; revoke it before authorising another agent."),
            code="proxy_exists",
        )
    errors: dict[str, list] = {}
    agent_name = agent_name.strip()
    if not agent_name:
        errors["agent_name"] = [_("Name the agent.")]
    if agent_relation not in ProxyRelation.values:
        errors["agent_relation"] = [_("Choose how the agent is related to the resident.")]
    parsed = None
    try:
        parsed = parse_id_number(agent_id_number or "")
    except ValidationError as exc:
        errors["agent_id_number"] = exc.messages
    if parsed is not None:
        if age_on(parsed.birth_date, timezone.localdate()) < PROXY_AGENT_MIN_AGE:
            errors["agent_id_number"] = [
                _("The agent must be an adult (%(age)d or over).") % {"age": PROXY_AGENT_MIN_AGE}
            ]
        elif case.resident.id_number and parsed.value == case.resident.id_number:
            errors["agent_id_number"] = [
                _(
                    "This is the resident's own ID number: a resident acting for themselves "
                    "needs no 代办."
                )
            ]
    phone = ""
    if agent_phone and agent_phone.strip():
        try:
            phone = normalise_mobile(agent_phone)
        except ValidationError as exc:
            errors["agent_phone"] = exc.messages
    refusal = proxy_qualifies(case.resident, reason, reason_note)
    if refusal:
        errors["reason_note" if reason in ProxyReason.values else "reason"] = [refusal]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    authorised_on = authorised_on or today
    if authorised_on > today:
        raise ValidationError({"authorised_on": _("The letter cannot be dated in the future.")})
    proxy = ProxyAuthorisation(
        case=case,
        agent_name=agent_name[:60],
        agent_relation=agent_relation,
        agent_relation_note=agent_relation_note.strip()[:60],
        agent_id_number=parsed.value,
        agent_phone=phone,
        reason=reason,
        reason_note=reason_note.strip()[:500],
        powers=(powers.strip() or str(DEFAULT_POWERS))[:300],
        authorised_on=authorised_on,
        created_by=user_or_none(actor),
    )
    validated(proxy)
    proxy.save()
    PROXY.record(
        obj=proxy,
        kind=CaseEventKind.PROXY_AUTHORISED,
        actor=actor,
        to_status=proxy.status,
        note=agent_name[:60],
        data={"proxy": proxy.pk, "relation": agent_relation, "reason": reason},
    )
    audit_record(
        actor=actor,
        action="servicedesk.proxy.authorise",
        obj=proxy,
        request=request,
        details={"case": case.pk, "relation": agent_relation, "reason": reason},
    )
    return proxy


DEFAULT_POWERS = gettext_lazy("递交申请材料、签字确认、领取办理结果")


def _proxy_file_prepare(*, upload=None, drawn: str = "") -> tuple[dict, str]:
    """The cleaned image of a letter or a signature (metadata stripped, re-encoded) and how
    it was signed: a PNG drawn on the screen (a ``data:image/png;base64,`` URL or plain
    base64), or an uploaded photo. Refuses anything that is not a sound image."""
    if drawn:
        payload = drawn.split(",", 1)[1] if drawn.startswith("data:") else drawn
        if not drawn.startswith(("data:image/png;base64,", "iVBOR")) or len(payload) > (
            MAX_SIGNATURE_BYTES * 4 // 3 + 4
        ):
            raise ValidationError({"signature": [_("The drawn signature could not be read.")]})
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(
                {"signature": [_("The drawn signature could not be read.")]}
            ) from exc
        try:
            prepared = photo_prepare(ContentFile(data, name="signature.png"))
        except ValidationError as exc:
            raise ValidationError({"signature": exc.messages}) from exc
        if _blank_image(prepared):
            raise ValidationError({"signature": [_("The signature is empty: sign in the box.")]})
        return prepared, SignatureMethod.DRAWN
    if upload is None:
        raise ValidationError(
            {"signature": [_("Sign on the screen, or add a photo of the signed sheet.")]}
        )
    try:
        return photo_prepare(upload), SignatureMethod.PHOTO
    except ValidationError as exc:
        raise ValidationError({"signature": exc.messages}) from exc


def _blank_image(prepared: dict) -> bool:
    """True when a drawn signature has no stroke (every pixel the same)."""
    from PIL import Image

    with Image.open(io.BytesIO(prepared["data"])) as image:
        extrema = image.convert("LA").getextrema()
    return all(low == high for low, high in extrema)


def _proxy_file_write(*, actor, proxy, kind: str, prepared: dict, method: str, stored: list):
    """Store a prepared image encrypted at rest, under a random name that says nothing."""
    row = ProxyFile(
        proxy=proxy,
        kind=kind,
        method=method,
        content_type=prepared["content_type"],
        size=len(prepared["data"]),
        width=prepared["width"],
        height=prepared["height"],
        created_by=user_or_none(actor),
    )
    row.file.save(
        f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(prepared["data"])), save=False
    )
    stored.append(row.file)
    validated(row, fields=["kind", "method", "content_type", "size"])
    row.save()
    return row


def _with_files_removed_on_failure(write):
    """Run ``write(stored)`` in a transaction; the files of rows not written are removed."""
    stored: list = []
    try:
        with transaction.atomic():
            return write(stored)
    except BaseException:
        photo_files_delete(stored)
        raise


def proxy_letter_attach(
    *, actor, proxy: ProxyAuthorisation, upload=None, drawn: str = "", request=None
) -> ProxyAuthorisation:
    """File the signed 代办委托书 (a photo of it): cleaned, encrypted at rest. Once filed it
    stays; the letter of a 代办 is not replaced (revoke and authorise again instead)."""

    def check(row):
        check_perm(
            actor, PROXY_MANAGE, row, message=_("Only the desk serving this case keeps its 代办.")
        )
        if row.status == ProxyStatus.REVOKED:
            raise ConflictError(_("This 代办 has been revoked."), code="revoked")
        if row.letter_id is not None:
            raise ConflictError(
                _("The signed letter is on file already; it is kept as it was filed."),
                code="letter_filed",
            )

    check(proxy)
    try:
        prepared, method = _proxy_file_prepare(upload=upload, drawn=drawn)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc

    def write(stored):
        locked = _proxy_lock(proxy)
        check(locked)
        letter = _proxy_file_write(
            actor=actor,
            proxy=locked,
            kind=ProxyFileKind.LETTER,
            prepared=prepared,
            method=method,
            stored=stored,
        )
        locked.letter = letter
        locked.save(update_fields=["letter", "updated_at"])
        PROXY.record(
            obj=locked, kind=CaseEventKind.PROXY_LETTER, actor=actor, data={"proxy": locked.pk}
        )
        audit_record(actor=actor, action="servicedesk.proxy.letter", obj=locked, request=request)
        return locked

    return _with_files_removed_on_failure(write)


@transaction.atomic
def proxy_check_ids(
    *,
    actor,
    proxy: ProxyAuthorisation,
    resident_method: str,
    agent_method: str,
    request=None,
) -> ProxyAuthorisation:
    """Record that the desk checked the resident's and the agent's identities against the
    signed letter, and how (the original ID card seen, read by the card reader, the 户口簿, …):
    the 代办 is then in force, and originals may be taken into custody."""

    def change(row):
        errors = {}
        if resident_method not in ProxyIdMethod.values:
            errors["resident_method"] = [_("Say how the resident's identity was checked.")]
        if agent_method not in ProxyIdMethod.values or agent_method == ProxyIdMethod.IN_PERSON:
            errors["agent_method"] = [
                _("Say how the agent's identity was checked: an agent shows an ID document.")
            ]
        if errors:
            raise ValidationError(errors)
        row.resident_id_method, row.agent_id_method = resident_method, agent_method
        row.id_checked_at, row.id_checked_by = timezone.now(), user_or_none(actor)

    return PROXY.take(
        "check_ids",
        actor=actor,
        obj=proxy,
        change=change,
        data={"proxy": proxy.pk, "resident": resident_method, "agent": agent_method},
    )


@transaction.atomic
def proxy_revoke(
    *, actor, proxy: ProxyAuthorisation, reason: str, request=None
) -> ProxyAuthorisation:
    """Revoke a 代办 (the resident withdrew it, the agent can no longer act, …), with the
    reason (encrypted). Originals still in custody stay on the log, to be returned; no new
    one is taken under it."""
    reason = reason.strip()

    def change(row):
        if not reason:
            raise ValidationError({"reason": _("Say why the 代办 is revoked.")})
        row.revoked_at, row.revoked_by = timezone.now(), user_or_none(actor)
        row.revoke_reason = reason[:1000]

    return PROXY.take("revoke", actor=actor, obj=proxy, change=change, data={"proxy": proxy.pk})


def original_take(
    *,
    actor,
    proxy: ProxyAuthorisation,
    document: str,
    taken_from: str,
    count: int = 1,
    material_id: int | None = None,
    note: str = "",
    signature_upload=None,
    signature_drawn: str = "",
    request=None,
) -> OriginalCustody:
    """Take an original document into the desk's custody (原件保管) under a 代办 in force:
    what, how many, from whom (the agent or the resident), signed for by them (drawn on the
    screen, or a photo of the signed custody sheet; encrypted). A line of the log, never
    edited; on the case's timeline."""
    document, taken_from = document.strip(), taken_from.strip()

    def check(row):
        check_perm(
            actor, PROXY_MANAGE, row, message=_("Only the desk serving this case keeps its 代办.")
        )
        if row.status != ProxyStatus.ACTIVE:
            raise ConflictError(
                _(
                    "Originals are taken under a 代办 in force: file the signed letter and "
                    "check both identities first."
                )
                if row.status == ProxyStatus.PENDING
                else _("This 代办 has been revoked: no original is taken under it."),
                code="proxy_not_in_force",
            )
        if not row.case.is_open:
            raise ConflictError(
                _("This case is %(status)s: no original is taken for it.")
                % {"status": row.case.get_status_display()},
                code="case_closed",
            )

    check(proxy)
    errors = {}
    if not document:
        errors["document"] = [_("Name the original document.")]
    if not taken_from:
        errors["taken_from"] = [_("Say whom it was taken from.")]
    if not isinstance(count, int) or not 1 <= count <= 20:
        errors["count"] = [_("Between 1 and 20.")]
    material = None
    if material_id is not None:
        material = CaseMaterial.objects.filter(pk=material_id, case_id=proxy.case_id).first()
        if material is None:
            errors["material"] = [_("Choose a line of this case's checklist.")]
    if errors:
        raise ValidationError(errors)
    prepared, method = _proxy_file_prepare(upload=signature_upload, drawn=signature_drawn)

    def write(stored):
        locked = _proxy_lock(proxy)
        check(locked)
        signature = _proxy_file_write(
            actor=actor,
            proxy=locked,
            kind=ProxyFileKind.TAKEN_SIGNATURE,
            prepared=prepared,
            method=method,
            stored=stored,
        )
        line = OriginalCustody(
            proxy=locked,
            material=material,
            document=document[:160],
            count=count,
            taken_from=taken_from[:60],
            taken_at=timezone.now(),
            taken_by=user_or_none(actor),
            taken_signature=signature,
            note=note.strip()[:500],
        )
        validated(line)
        line.save()
        PROXY.record(
            obj=locked,
            kind=CaseEventKind.ORIGINAL_TAKEN,
            actor=actor,
            note=line.document,
            data={"proxy": locked.pk, "custody": line.pk, "count": count},
        )
        audit_record(
            actor=actor,
            action="servicedesk.proxy.original_take",
            obj=locked,
            request=request,
            details={"custody": line.pk, "document": line.document},
        )
        return line

    return _with_files_removed_on_failure(write)


def original_return(
    *,
    actor,
    custody: OriginalCustody,
    returned_to: str,
    signature_upload=None,
    signature_drawn: str = "",
    request=None,
) -> OriginalCustody:
    """Give an original back, once: to whom, signed for by them. Allowed under a revoked
    代办 too, so that everything taken goes back."""
    returned_to = returned_to.strip()

    def check(line):
        check_perm(
            actor,
            PROXY_MANAGE,
            line.proxy,
            message=_("Only the desk serving this case keeps its 代办."),
        )
        if line.returned_at is not None:
            raise ConflictError(
                _("This original was returned on %(day)s; a return is recorded once.")
                % {"day": f"{timezone.localtime(line.returned_at):%Y-%m-%d}"},
                code="returned",
            )

    check(custody)
    if not returned_to:
        raise ValidationError({"returned_to": [_("Say whom it was returned to.")]})
    prepared, method = _proxy_file_prepare(upload=signature_upload, drawn=signature_drawn)

    def write(stored):
        line = (
            OriginalCustody.objects.select_for_update(of=("self",))
            .select_related("proxy__case__place", "proxy__case__resident")
            .get(pk=custody.pk)
        )
        check(line)
        signature = _proxy_file_write(
            actor=actor,
            proxy=line.proxy,
            kind=ProxyFileKind.RETURNED_SIGNATURE,
            prepared=prepared,
            method=method,
            stored=stored,
        )
        line.returned_at, line.returned_by = timezone.now(), user_or_none(actor)
        line.returned_to, line.returned_signature = returned_to[:60], signature
        validated(line, fields=["returned_at", "returned_to", "returned_signature"])
        line.save(update_fields=["returned_at", "returned_by", "returned_to", "returned_signature"])
        PROXY.record(
            obj=line.proxy,
            kind=CaseEventKind.ORIGINAL_RETURNED,
            actor=actor,
            note=line.document,
            data={"proxy": line.proxy_id, "custody": line.pk},
        )
        audit_record(
            actor=actor,
            action="servicedesk.proxy.original_return",
            obj=line.proxy,
            request=request,
            details={"custody": line.pk, "document": line.document},
        )
        return line

    return _with_files_removed_on_failure(write)


def proxy_file_read(*, actor, proxy_file: ProxyFile, request=None) -> bytes:
    """The decrypted image of a letter or a signature, for a reader allowed to see the 代办;
    every view is audited."""
    check_perm(
        actor, "servicedesk.view_proxy", proxy_file.proxy, message=_("This is not yours to see.")
    )
    with proxy_file.file.open("rb") as stored:
        data = decrypt_bytes(stored.read())
    audit_record(
        actor=actor,
        action="servicedesk.proxy.file_view",
        obj=proxy_file.proxy,
        request=request,
        details={"file": proxy_file.pk, "kind": proxy_file.kind},
    )
    return data


def proxy_print(*, actor, proxy: ProxyAuthorisation, sheet: str, request=None) -> None:
    """The printed 代办委托书 and 原件保管清单 carry the agent's whole ID and mobile numbers
    (for signing): printing is a reveal, for the desk only, and audited."""
    check_perm(
        actor, PROXY_MANAGE, proxy, message=_("Only the desk serving this case prints its 代办.")
    )
    audit_record(
        actor=actor,
        action="servicedesk.proxy.print",
        obj=proxy,
        request=request,
        details={"sheet": sheet},
    )


# -- deadline reminders -------------------------------------------------------------------------


def case_reminder_kind(case: Case, today) -> str | None:
    """Which reminder an accepted or forwarded case is owed: "due" when it is due by the next
    working day and the desk was not told of that date, "overdue" once past it and not told
    yet; None otherwise."""
    from linli.core.workdays import next_working_day

    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.FORWARDED) or case.due_on is None:
        return None
    if case.due_on < today:
        return None if case.overdue_reminded_at else "overdue"
    if case.due_on <= next_working_day(today) and case.due_reminded_on != case.due_on:
        return "due"
    return None


@transaction.atomic
def case_remind(*, actor, case: Case, now=None) -> tuple[Case, str]:
    """Claim the reminder a case is owed (the job, as SYSTEM): a second run finds it taken.
    Returns the case and which reminder it was ("due" or "overdue")."""
    now = now or timezone.now()
    case = _case_lock(case)
    kind = case_reminder_kind(case, timezone.localdate(now))
    case = CASE.take(
        "remind",
        actor=actor,
        obj=case,
        is_locked=True,
        context={"kind": kind},
        data={"reminder": kind or "", "due_on": case.due_on.isoformat() if case.due_on else ""},
        **({"overdue_reminded_at": now} if kind == "overdue" else {"due_reminded_on": case.due_on}),
    )
    return case, kind
