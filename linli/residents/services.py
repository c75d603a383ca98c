"""Every write to the register. Validation lives here (shared by forms, API and imports);
ID and phone numbers are normalised, cross-checked and hashed for lookup."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.crypto import Revealed, lookup_hash
from linli.core.errors import LinliError
from linli.core.lifecycle import check_perm
from linli.core.validators import normalise_mobile
from linli.places.models import Place, PlaceKind

from .idnumbers import parse_id_number
from .models import (
    STORED_TAGS,
    Gender,
    Household,
    Relation,
    ResidencyRecord,
    Resident,
    ResidentStatus,
)
from .pinyin import pinyin_keys

EDITABLE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "relation",
    "notes",
    *STORED_TAGS,
)


@dataclass
class CleanResident:
    """Validated, normalised values of one resident (from a form, the API or an import row)."""

    name: str
    gender: str
    birth_date: date
    id_number: str = ""
    phone: str = ""
    relation: str = Relation.OTHER
    notes: str = ""
    tags: dict = field(default_factory=dict)

    @property
    def id_number_hash(self) -> str:
        return lookup_hash(self.id_number) if self.id_number else ""

    @property
    def phone_hash(self) -> str:
        return lookup_hash(self.phone) if self.phone else ""


def resident_clean(
    *,
    name: str,
    gender: str | None = None,
    birth_date: date | None = None,
    id_number: str = "",
    phone: str = "",
    relation: str | None = None,
    notes: str = "",
    **tags,
) -> CleanResident:
    """Validate one resident's values. Raises ValidationError with a message per field.
    A missing birth date or gender is taken from the ID number; given ones must agree."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Enter the resident's name."))
    elif len(name) > 50:
        errors.setdefault("name", []).append(_("A name has at most 50 characters."))
    parsed = None
    if id_number and id_number.strip():
        try:
            parsed = parse_id_number(id_number)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
    if parsed:
        if birth_date and birth_date != parsed.birth_date:
            errors.setdefault("birth_date", []).append(
                _("The birth date %(entered)s does not match the one in the ID number (%(in_id)s).")
                % {"entered": birth_date.isoformat(), "in_id": parsed.birth_date.isoformat()}
            )
        if gender and gender != parsed.gender:
            errors.setdefault("gender", []).append(
                _("The gender does not match the ID number, which says %(gender)s.")
                % {"gender": Gender(parsed.gender).label}
            )
        birth_date = birth_date or parsed.birth_date
        gender = gender or parsed.gender
    if not birth_date:
        errors.setdefault("birth_date", []).append(
            _("Enter the birth date (or an ID number, which contains it).")
        )
    elif birth_date > date.today():
        errors.setdefault("birth_date", []).append(_("The birth date is in the future."))
    elif birth_date.year < 1900:
        errors.setdefault("birth_date", []).append(_("The birth date is not plausible."))
    if gender not in Gender.values:
        errors.setdefault("gender", []).append(_("Choose male or female."))
    clean_phone = ""
    if phone and phone.strip():
        try:
            clean_phone = normalise_mobile(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    relation = relation or Relation.OTHER
    if relation not in Relation.values:
        errors.setdefault("relation", []).append(_("Choose a relation to the head of household."))
    unknown = set(tags) - set(STORED_TAGS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors)
    return CleanResident(
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=parsed.value if parsed else "",
        phone=clean_phone,
        relation=relation,
        notes=(notes or "").strip(),
        tags={tag: bool(tags.get(tag, False)) for tag in STORED_TAGS},
    )


def _check_household_place(place: Place) -> None:
    if place.kind != PlaceKind.HOUSEHOLD:
        raise ValidationError(
            {"place": _("Residents live in a household; choose a household address.")}
        )


def _check_may_register(actor, place: Place) -> None:
    check_perm(
        actor,
        "residents.add_resident",
        place,
        message=_("You may not register residents at this address."),
    )


def _check_may_change(actor, resident: Resident) -> None:
    check_perm(
        actor, "residents.change_resident", resident, message=_("You may not change this resident.")
    )


def household_for_place(*, place: Place) -> Household:
    """The active household at a household place, created if there is none yet."""
    _check_household_place(place)
    household = Household.objects.filter(place=place, is_active=True).first()
    if household is None:
        household = Household(place=place)
        household.full_clean()
        household.save()
    return household


def _check_unique_id(clean: CleanResident, *, exclude_pk=None) -> None:
    if not clean.id_number:
        return
    clash = Resident.objects.filter(id_number_hash=clean.id_number_hash)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"id_number": _("A resident with this ID number is already registered.")}
        )


def _apply(resident: Resident, clean: CleanResident) -> None:
    resident.name = clean.name
    resident.name_initials, resident.name_pinyin = pinyin_keys(clean.name)
    resident.gender = clean.gender
    resident.birth_date = clean.birth_date
    resident.id_number = clean.id_number
    resident.id_number_hash = clean.id_number_hash
    resident.phone = clean.phone
    resident.phone_hash = clean.phone_hash
    resident.relation = clean.relation
    resident.notes = clean.notes
    for tag, value in clean.tags.items():
        setattr(resident, tag, value)


@transaction.atomic
def resident_create(*, actor, place: Place, request=None, user=None, **values) -> Resident:
    clean = resident_clean(**values)
    _check_household_place(place)
    _check_may_register(actor, place)
    _check_unique_id(clean)
    household = household_for_place(place=place)
    resident = Resident(place=place, household=household, user=user)
    _apply(resident, clean)
    resident.full_clean()
    resident.save()
    ResidencyRecord.objects.create(
        resident=resident,
        household=household,
        relation=resident.relation,
        started_on=timezone.localdate(),
    )
    audit_record(actor=actor, action="resident.create", obj=resident, request=request)
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, request=None, **values) -> Resident:
    resident = Resident.objects.select_for_update().select_related("place").get(pk=resident.pk)
    _check_may_change(actor, resident)
    current = {f: getattr(resident, f) for f in EDITABLE_FIELDS}
    merged = {**current, **values}
    clean = resident_clean(**merged)
    _check_unique_id(clean, exclude_pk=resident.pk)
    before = {f: getattr(resident, f) for f in EDITABLE_FIELDS}
    _apply(resident, clean)
    changed = [f for f in EDITABLE_FIELDS if getattr(resident, f) != before[f]]
    if not changed:
        return resident
    resident.full_clean()
    resident.save()
    # Which fields changed, never their values: ID and phone numbers stay out of the log.
    audit_record(
        actor=actor,
        action="resident.update",
        obj=resident,
        request=request,
        details={"fields": changed},
    )
    return resident


@transaction.atomic
def resident_move(
    *,
    actor,
    resident: Resident,
    place: Place | None,
    relation: str = Relation.OTHER,
    reason: str = "",
    request=None,
) -> Resident:
    """Move a resident to another household, or away (``place=None``). The old stay is
    closed, never deleted."""
    resident = Resident.objects.select_for_update().select_related("place").get(pk=resident.pk)
    _check_may_change(actor, resident)
    if resident.status != ResidentStatus.LIVING:
        raise LinliError(_("This resident no longer lives here."), code="not_living")
    today = timezone.localdate()
    ResidencyRecord.objects.filter(resident=resident, ended_on__isnull=True).update(
        ended_on=today, end_reason=reason[:200]
    )
    details = {"from": resident.place.name_path, "reason": reason}
    if place is None:
        resident.status = ResidentStatus.MOVED_AWAY
    else:
        _check_may_register(actor, place)
        household = household_for_place(place=place)
        resident.place, resident.household, resident.relation = place, household, relation
        ResidencyRecord.objects.create(
            resident=resident, household=household, relation=relation, started_on=today
        )
        details["to"] = place.name_path
    resident.full_clean()
    resident.save()
    audit_record(
        actor=actor, action="resident.move", obj=resident, request=request, details=details
    )
    return resident


def resident_reveal(*, actor, resident: Resident, request=None, purpose: str = "") -> dict:
    """The full ID and phone numbers, for a user allowed to see them; every reveal is
    audited."""
    check_perm(
        actor,
        "residents.reveal_resident",
        resident,
        message=_("You may not see these numbers in full."),
    )
    audit_record(
        actor=actor,
        action="resident.reveal",
        obj=resident,
        request=request,
        details={"fields": ["id_number", "phone"], "purpose": purpose[:200]},
    )
    return {"id_number": Revealed(resident.id_number), "phone": Revealed(resident.phone)}


@transaction.atomic
def residents_bulk_create(
    *,
    actor,
    rows: list[tuple[Place, CleanResident]],
    action: str = "resident.bulk_create",
    place_path: str = "",
    details: dict | None = None,
    request=None,
    batch_size: int = 2000,
) -> list[Resident]:
    """Register many residents at once (imports, the demo, the generator): a few statements
    per batch, not per row. Rows are already validated (``resident_clean``) and their
    places are households; the caller has checked uniqueness. Households are created where
    a place has none. One audit event records the whole batch."""
    today = timezone.localdate()
    places = {place.pk: place for place, _clean in rows}
    for place in places.values():
        _check_household_place(place)
        _check_may_register(actor, place)
    place_ids = list(places)
    households = {}
    for start in range(0, len(place_ids), 5000):  # keep each IN (...) within any limit
        chunk = place_ids[start : start + 5000]
        for household in Household.objects.filter(place_id__in=chunk, is_active=True):
            households[household.place_id] = household
    missing = [Household(place=places[pk]) for pk in places if pk not in households]
    Household.objects.bulk_create(missing, batch_size=batch_size)
    households.update({h.place_id: h for h in missing})
    residents = []
    for place, clean in rows:
        resident = Resident(place=place, household=households[place.pk])
        _apply(resident, clean)
        residents.append(resident)
    Resident.objects.bulk_create(residents, batch_size=batch_size)
    ResidencyRecord.objects.bulk_create(
        [
            ResidencyRecord(
                resident=r, household=r.household, relation=r.relation, started_on=today
            )
            for r in residents
        ],
        batch_size=batch_size,
    )
    audit_record(
        actor=actor,
        action=action,
        place_path=place_path,
        request=request,
        details={"count": len(residents), **(details or {})},
    )
    return residents


@transaction.atomic
def household_open(*, actor, place: Place, request=None) -> tuple[Household, bool]:
    """The active household at a household place, opened if there is none (for a user who
    may register residents there). Returns (household, created)."""
    _check_may_register(actor, place)
    existing = Household.objects.filter(place=place, is_active=True).first()
    if existing:
        return existing, False
    household = household_for_place(place=place)
    audit_record(actor=actor, action="household.open", obj=household, request=request)
    return household, True
