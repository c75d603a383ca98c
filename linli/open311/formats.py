"""One document, two formats: GeoReport v2 XML, and the JSON the specification derives from
it by the Spark convention (a container of repeated elements is an array, even of one; an
empty element is null).

A document is plain data: dicts (elements with named children, in order), ``Many`` (a
container whose children all have one name) and scalars."""

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from linli.places import tree

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
MIME_TYPES = ["application/json", "text/xml"]  # as announced by discovery

# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/FFFF);
# they are dropped rather than producing a document no client can parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Many:
    """A container element whose children are all ``item`` elements; an array in JSON."""

    item: str
    items: list = field(default_factory=list)


def xml_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")  # 39.9, never 3.99E+1
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, Many):
        for item in value.items:
            _fill(ET.SubElement(element, value.item), item)
    elif isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    else:
        element.text = xml_text(value)


def to_xml(root: str, document) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    return ET.tostring(element, encoding="UTF-8", xml_declaration=True)


def to_json(document):
    if isinstance(document, Many):
        return [to_json(item) for item in document.items]
    if isinstance(document, dict):
        return {name: to_json(child) for name, child in document.items()}
    if document == "":
        return None
    if isinstance(document, Decimal):
        return float(document)
    if isinstance(document, float) and not math.isfinite(document):
        return None
    return document


def render(root: str, document, fmt: str, *, status: int = 200) -> HttpResponse:
    if fmt == JSON:
        body = json.dumps(to_json(document), ensure_ascii=False).encode()
    else:
        body = to_xml(root, document)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(errors: list[tuple[int, str]], fmt: str, *, status: int) -> HttpResponse:
    """The specification's error list: ``<errors><error><code/><description/>…``."""
    document = Many("error", [{"code": code, "description": text} for code, text in errors])
    return render("errors", document, fmt, status=status)


# -- the GeoReport documents -----------------------------------------------------------------

# A mainland mobile number written into free text; masked in what the public reads.
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
# Households and units identify the reporter's home; the public sees the building at most.
PUBLIC_PLACE_DEPTH = 5


def w3(moment) -> str | None:
    """A time in the specification's W3C/ISO-8601 form, with the local offset (+08:00)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def mask_mobiles(text: str) -> str:
    return _MOBILE_IN_TEXT.sub(r"\1****\2", text or "")


def service_notice(*, urgent: bool, hours: int, days: int) -> str:
    if urgent:
        return f"Urgent: handled within {hours} hours of being signed for by the responsible body."
    return f"Handled within {days} working days of being signed for by the responsible body."


def service_document(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.name_en,
        "group": category.parent.name if category.parent_id else None,
    }


def definition_document(category, attributes: list[dict]) -> dict:
    return {
        "service_code": category.code,
        "attributes": Many(
            "attribute",
            [
                {
                    "variable": a["variable"],
                    "code": a["code"],
                    "datatype": a["datatype"],
                    "required": a["required"],
                    "datatype_description": a["datatype_description"],
                    "order": a["order"],
                    "description": a["description"],
                    "values": Many("value", a["values"]),
                }
                for a in attributes
            ],
        ),
    }


def _public_place(place) -> tuple[str, str]:
    """The address and address id the public sees: the place, or its building when the
    place is a unit or a household."""
    names = place.name_path.split("/")[:PUBLIC_PLACE_DEPTH]
    ids = tree.path_ids(place.path)[:PUBLIC_PLACE_DEPTH]
    return "/".join(names), str(ids[-1] if ids else place.pk)


def status_notes(order) -> str:
    """The richer status behind open/closed: the order's number, its status in the reader's
    language, and the latest note written for the reporter."""
    notes = f"[{order.number}] {order.get_status_display()}"
    public_note = getattr(order, "public_note", None)
    if public_note:
        notes += f" — {mask_mobiles(public_note)}"
    return notes


def request_document(order, *, closed: bool) -> dict:
    address, address_id = _public_place(order.place)
    return {
        "service_request_id": str(order.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(order),
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": mask_mobiles(order.description),
        "agency_responsible": order.organisation.name if order.organisation_id else None,
        "service_notice": service_notice(
            urgent=order.urgent,
            hours=order.category.urgent_hours,
            days=order.category.time_limit_days,
        ),
        "requested_datetime": w3(order.created_at),
        "updated_datetime": w3(order.closed_at if closed and order.closed_at else order.updated_at),
        "expected_datetime": w3(order.due_at),
        "address": address,
        "address_id": address_id,
        "zipcode": None,
        "lat": order.lat,
        "long": order.long,
        "media_url": None,
    }
