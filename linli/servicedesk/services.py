"""Writes of the service desk: the catalogue of matters (each revision a new version)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.lifecycle import check_perm, validated
from linli.places.models import Place

from .models import Handling, Material, MaterialForm, Matter, MatterKind, MatterVersion, Situation

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
