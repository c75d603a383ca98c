"""Matching the rows of a register file to the register: which addresses exist in the
compound, which residents are new, changed or unchanged, and what stops the import (an
address that does not exist, an ID number registered where the uploader may not go). Reads
only; ``services_import`` writes the plan."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from linli.places import tree
from linli.places.models import PATH_SEPARATOR, Place, PlaceKind

from .import_files import HEADER, Reading, building_key, door_key, unit_key
from .models import Resident
from .services import CleanResident

# Existing residents are looked up by ID hash this many at a time: well under every
# database's limit of query parameters.
LOOKUP_CHUNK = 900


class _Addresses:
    """Every building, unit and door of one compound, loaded in one query."""

    def __init__(self, compound: Place):
        self.compound = compound
        self.buildings: dict[str, str] = {}  # exact name and short key -> name
        self.units: dict[tuple[str, str], str] = {}
        self.has_units: set[str] = set()
        self.doors: dict[tuple[str, str, str], Place] = {}
        prefix = compound.name_path + PATH_SEPARATOR
        places = (
            Place.objects.filter(tree.subtree_q(compound.path))
            .filter(kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOUSEHOLD])
            .only("id", "kind", "name", "path", "name_path", "parent_id")
        )
        for place in places:
            if not place.name_path.startswith(prefix):
                continue
            parts = place.name_path[len(prefix) :].split(PATH_SEPARATOR)
            if place.kind == PlaceKind.BUILDING and len(parts) == 1:
                self.buildings[parts[0]] = parts[0]
                self.buildings.setdefault(building_key(parts[0]), parts[0])
            elif place.kind == PlaceKind.UNIT and len(parts) == 2:
                self.units[(parts[0], parts[1])] = parts[1]
                self.units.setdefault((parts[0], unit_key(parts[1])), parts[1])
                self.has_units.add(parts[0])
            elif place.kind == PlaceKind.HOUSEHOLD and len(parts) in (2, 3):
                building, unit = parts[0], (parts[1] if len(parts) == 3 else "")
                self.doors[(building, unit, parts[-1])] = place
                self.doors.setdefault((building, unit, door_key(parts[-1])), place)

    def resolve(self, building: str, unit: str, door: str) -> tuple[Place | None, str, str]:
        """The household at this address, or (None, column key, message)."""
        if not building:
            return None, "building", _("Enter the building, e.g. 6号楼 or 6.")
        building_name = self.buildings.get(building) or self.buildings.get(building_key(building))
        if building_name is None:
            return (
                None,
                "building",
                _("There is no building “%(building)s” in %(compound)s.")
                % {"building": building[:40], "compound": self.compound.name},
            )
        unit_name = ""
        if unit:
            unit_name = self.units.get((building_name, unit)) or self.units.get(
                (building_name, unit_key(unit))
            )
            if unit_name is None:
                return (
                    None,
                    "unit",
                    _("%(building)s has no unit “%(unit)s”.")
                    % {"building": building_name, "unit": unit[:40]},
                )
        if not door:
            return None, "door", _("Enter the door number, e.g. 101.")
        place = self.doors.get((building_name, unit_name, door)) or self.doors.get(
            (building_name, unit_name, door_key(door))
        )
        if place is None:
            if not unit and building_name in self.has_units:
                return (
                    None,
                    "unit",
                    _("Enter the unit: %(building)s has units.") % {"building": building_name},
                )
            where = f"{building_name}{unit_name}"
            return (
                None,
                "door",
                _("There is no door “%(door)s” in %(where)s.")
                % {"door": door[:40], "where": where},
            )
        return place, "", ""


def _values(clean: CleanResident) -> dict:
    return {
        "name": clean.name,
        "gender": clean.gender,
        "birth_date": clean.birth_date,
        "id_number": clean.id_number,
        "phone": clean.phone,
        "relation": clean.relation,
        "notes": clean.notes,
        **clean.tags,
    }


@dataclass
class ImportPlan:
    new: list[tuple[Place, CleanResident]] = field(default_factory=list)
    updates: list[tuple[Resident, CleanResident]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def summary(self, rows: int) -> dict:
        return {
            "rows": rows,
            "new": len(self.new),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }


def _existing(hashes: list[str]) -> dict[str, Resident]:
    found: dict[str, Resident] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        for resident in Resident.objects.filter(id_number_hash__in=chunk).select_related("place"):
            found[resident.id_number_hash] = resident
    return found


def import_plan(*, actor, compound: Place, reading: Reading) -> ImportPlan:
    """What importing the rows would do to the register, and what stops it: addresses that
    do not exist, ID numbers registered where this user may not go."""
    plan = ImportPlan()
    if not reading.rows:
        return plan
    if not actor.is_active or not actor.has_perm("residents.add_resident", compound):
        plan.errors.append(
            {
                "row": None,
                "column": "",
                "message": _("You may not register residents in this compound."),
            }
        )
        return plan
    addresses = _Addresses(compound)
    for row in reading.rows:
        place, key, message = addresses.resolve(*row.address)
        row.place = place
        if place is None:
            plan.errors.append({"row": row.number, "column": HEADER[key], "message": message})
    existing = _existing(sorted({row.id_hash for row in reading.rows if row.id_hash}))
    for row in reading.rows:
        resident = existing.get(row.id_hash) if row.id_hash else None
        if resident is not None:
            if not tree.in_subtree(resident.place.path, compound.path) or not actor.has_perm(
                "residents.change_resident", resident
            ):
                plan.errors.append(
                    {
                        "row": row.number,
                        "column": HEADER["id_number"],
                        "message": _(
                            "A resident with this ID number is registered elsewhere; ask the "
                            "community that registered them."
                        ),
                    }
                )
                continue
            if row.place is not None and resident.place_id != row.place.pk:
                plan.errors.append(
                    {
                        "row": row.number,
                        "column": HEADER["id_number"],
                        "message": _(
                            "This resident is registered at %(address)s. To record a move, "
                            "use “move” on their page."
                        )
                        % {"address": resident.place.name_path[len(compound.name_path) + 1 :]},
                    }
                )
                continue
        if row.clean is None or row.place is None:
            continue
        if resident is None:
            plan.new.append((row.place, row.clean))
        elif any(getattr(resident, name) != value for name, value in _values(row.clean).items()):
            plan.updates.append((resident, row.clean))
        else:
            plan.unchanged += 1
    return plan
