"""Exporting a filtered resident list to Excel. ID and phone numbers are masked unless the
user asks for them in full and may see them for that row; every export is audited."""

from datetime import date

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from linli.accounts.roles import REVEAL_PERSONAL
from linli.accounts.scope import scope_of
from linli.core.audit import audit_record
from linli.core.validators import looks_like_mobile
from linli.core.xlsx import (
    XLSX_CONTENT_TYPE,
    column_widths,
    content_disposition,
    header_row,
    text_cell,
)
from linli.places.models import Place

from . import selectors
from .idnumbers import ID_RE
from .import_files import RELATION_WORDS
from .models import Gender

COLUMNS = (
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "身份证号",
    "手机号",
    "地址",
    "与户主关系",
    "标签",
    "状态",
)
WIDTHS = (10, 6, 12, 6, 22, 14, 48, 10, 24, 10)
GENDER_WORDS = {Gender.MALE: "男", Gender.FEMALE: "女"}
CHUNK = 2000

__all__ = ["XLSX_CONTENT_TYPE", "export_filename", "content_disposition", "residents_export"]


def export_filename(today: date | None = None) -> tuple[str, str]:
    """The file's name, and an ASCII one for old browsers."""
    day = f"{(today or timezone.localdate()):%Y%m%d}"
    return f"居民名册-{day}.xlsx", f"residents-{day}.xlsx"


def _audit_filters(filters: dict) -> dict:
    """The filters, for the audit log, without personal numbers: a search for an ID or
    mobile number is recorded as such, not with the number."""
    kept = {key: value for key, value in filters.items() if value not in (None, "")}
    q = kept.get("q")
    if q:
        compact = str(q).replace(" ", "").upper()
        if ID_RE.match(compact):
            kept["q"] = "[ID number]"
        elif looks_like_mobile(str(q)):
            kept["q"] = "[mobile number]"
    return kept


def residents_export(*, actor, filters: dict, reveal: bool, out, request=None) -> int:
    """Write the residents this user may export, filtered like the list page, as an xlsx
    workbook into ``out`` (a writable file, e.g. an HttpResponse). Returns how many."""
    residents = selectors.resident_list(user=actor, for_export=True, **filters)
    scope = scope_of(actor)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民名册")
    column_widths(sheet, WIDTHS)
    sheet.append(header_row(sheet, COLUMNS))
    count = revealed = 0
    for resident in residents.iterator(chunk_size=CHUNK):
        full = reveal and scope.covers(resident.place.path, roles=REVEAL_PERSONAL)
        birth = WriteOnlyCell(sheet, value=resident.birth_date)
        birth.number_format = "yyyy-mm-dd"
        sheet.append(
            [
                text_cell(sheet, resident.name),
                GENDER_WORDS.get(resident.gender, ""),
                birth,
                resident.age,
                resident.id_number if full else resident.id_number_masked,
                resident.phone if full else resident.phone_masked,
                text_cell(sheet, resident.place.name_path),
                RELATION_WORDS.get(resident.relation, ""),
                "、".join(str(label) for label in resident.tag_labels),
                str(resident.get_status_display()),
            ]
        )
        count += 1
        revealed += bool(full)
    workbook.save(out)
    place_path = ""
    if filters.get("place"):
        place_path = (
            Place.objects.filter(pk=filters["place"]).values_list("path", flat=True).first() or ""
        )
    audit_record(
        actor=actor,
        action="resident.export",
        place_path=place_path,
        request=request,
        details={"count": count, "revealed": revealed > 0, "filters": _audit_filters(filters)},
    )
    return count
