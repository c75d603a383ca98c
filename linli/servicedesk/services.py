"""Writes of the service desk: the catalogue of matters (each revision a new version)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.workdays import add_working_days
from linli.places.models import Place
from linli.residents.models import Resident, ResidentStatus
from linli.residents.nearby import compound_of

from .models import (
    CHECKLIST_OPEN_STATUSES,
    LOW_RATINGS,
    Case,
    CaseChannel,
    CaseEvent,
    CaseEventKind,
    CaseMaterial,
    CaseRating,
    CaseStatus,
    Handling,
    Material,
    MaterialForm,
    Matter,
    MatterKind,
    MatterVersion,
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
    if name == "accept":
        missing = [line.name for line in missing_materials(case)]
        if missing:
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
    request=None,
) -> Case:
    """Open a case for a resident at their compound's desk, under the version of the matter
    in force now, with its checklist copied from that version (the materials every applicant
    brings, and the chosen situation's). Nothing is received yet."""
    compound = compound_of(resident.place)
    check_perm(
        actor,
        "servicedesk.open_case",
        compound,
        message=_("You may not open cases for this resident."),
    )
    if resident.status != ResidentStatus.LIVING:
        raise ValidationError({"resident": _("Cases are opened for residents living here.")})
    if channel not in CaseChannel.values:
        raise ValidationError({"channel": _("Choose how the resident came to the desk.")})
    if matter is not None:
        matter = Matter.objects.select_for_update().filter(pk=matter.pk).first()
    if matter is None or not matter.is_active or matter.current_id is None:
        raise ValidationError({"matter": _("Choose a matter of the catalogue.")})
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
        handled_by=user_or_none(actor),
        note=note.strip()[:2000],
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
        data={"version": version.number, "channel": channel},
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
