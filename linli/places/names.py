"""Places named the way people say them: "6号楼1单元101" for a household, "6号楼" for a
building, with the compound in front ("南官房小区6号楼1单元101") where a page spans several
compounds. English reads "Building 6, Unit 1, Room 101".

The Chinese name is read from the stored ``name_path`` alone, so naming a page of places
costs no query; English needs the ancestors' English names, which ``places_label`` loads for
a whole page in one query (without it, the usual "6号楼" and "1单元" are put into English
by their pattern)."""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import tree
from .models import PATH_SEPARATOR, Place

COMPOUND_INDEX = tree.KIND_DEPTH["compound"] - 1  # the compound's place in a name path
_ENGLISH_ATTR = "_names_en"  # the ancestors' English names, root first (places_label)
_LABEL_ATTR = "_spoken_label"  # the name places_label chose for this page

_DIGITS = re.compile(r"^\d+[A-Za-z]?$")
_BUILDING = re.compile(r"^(\w+?)\s*(?:号楼|栋|幢|号)$")
_UNIT = re.compile(r"^(\w+?)\s*单元$")


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _kinds_below_compound(place: Place, count: int) -> list[str]:
    """The kinds of the ``count`` names below the compound, ending with the place itself (a
    household may sit directly in a building)."""
    kinds = ["building", "unit", "household"][:count]
    if kinds and place.kind == "household" and count == 2:
        kinds = ["building", "household"]
    return kinds


def _chinese_part(kind: str, name: str) -> str:
    if kind == "building" and _DIGITS.match(name):
        return f"{name}号楼"
    if kind == "unit" and _DIGITS.match(name):
        return f"{name}单元"
    return name


def _english_part(kind: str, name: str, name_en: str) -> str:
    if name_en:
        return name_en
    if kind == "building":
        match = _BUILDING.match(name)
        number = match.group(1) if match else (name if _DIGITS.match(name) else None)
        if number is not None:
            return _("Building %(number)s") % {"number": number}
    elif kind == "unit":
        match = _UNIT.match(name)
        number = match.group(1) if match else (name if _DIGITS.match(name) else None)
        if number is not None:
            return _("Unit %(number)s") % {"number": number}
    elif kind == "household" and _DIGITS.match(name):
        return _("Room %(number)s") % {"number": name}
    return name


def spoken_name(place: Place | None, *, with_compound: bool = False) -> str:
    """The place as people say it: below a compound, its building, unit and flat run
    together ("6号楼1单元101"), with the compound in front when ``with_compound``; a
    compound or anything above it is its own name."""
    if place is None:
        return ""
    names = place.name_path.split(PATH_SEPARATOR) if place.name_path else [place.name]
    if len(names) <= COMPOUND_INDEX + 1:
        return place.display_name
    english = _english()
    below = names[COMPOUND_INDEX + 1 :]
    kinds = _kinds_below_compound(place, len(below))
    if english:
        names_en = getattr(place, _ENGLISH_ATTR, None) or [""] * len(names)
        names_en = [*names_en[: len(names) - 1], place.name_en]
        below_en = names_en[COMPOUND_INDEX + 1 :]
        parts = [_english_part(k, n, e) for k, n, e in zip(kinds, below, below_en, strict=True)]
        if with_compound:
            compound_en = names_en[COMPOUND_INDEX]
            if not compound_en and getattr(place, _ENGLISH_ATTR, None) is None:
                # one place on its own (places_label loads a page's names at once)
                compound_id = tree.path_ids(place.path)[COMPOUND_INDEX]
                compound_en = (
                    Place.objects.filter(pk=compound_id).values_list("name_en", flat=True).first()
                )
            parts.insert(0, compound_en or names[COMPOUND_INDEX])
        return ", ".join(parts)
    spoken = "".join(_chinese_part(k, n) for k, n in zip(kinds, below, strict=True))
    return names[COMPOUND_INDEX] + spoken if with_compound else spoken


def spans_compounds(places) -> bool:
    """Do these places lie in (or above) more than one compound?"""
    return len({tree.ancestor_path(p.path, "compound") for p in places if p is not None}) > 1


def places_label(places, *, with_compound: bool | None = None) -> None:
    """Name a page's places once: each gets the spoken name that ``{{ place|spoken }}``
    shows, with the compound when ``with_compound`` or — left None — when the places span
    several compounds. At most one query (the ancestors' English names, in English)."""
    places = [p for p in places if p is not None]
    if not places:
        return
    if with_compound is None:
        with_compound = spans_compounds(places)
    if _english():
        ids = {pk for p in places for pk in tree.path_ids(p.path)}
        english = dict(Place.objects.filter(pk__in=ids).values_list("pk", "name_en"))
        for p in places:
            setattr(p, _ENGLISH_ATTR, [english.get(pk, "") for pk in tree.path_ids(p.path)])
    for p in places:
        setattr(p, _LABEL_ATTR, spoken_name(p, with_compound=with_compound))


def label_of(place: Place | None) -> str:
    """The name ``places_label`` gave the place, else its spoken name on its own."""
    if place is None:
        return ""
    label = getattr(place, _LABEL_ATTR, None)
    return label if label is not None else spoken_name(place)
