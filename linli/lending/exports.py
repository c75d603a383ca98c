"""The usage report of the shelf as an Excel workbook: the same rows as the page, for the
same user, and every export written to the audit log."""

from datetime import date
from urllib.parse import quote

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from linli.core.audit import audit_record

from . import selectors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(start: date, end: date) -> tuple[str, str]:
    """The file's name, and an ASCII one for old browsers."""
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"物品借用统计-{span}.xlsx", f"lending-usage-{span}.xlsx"


def content_disposition(filename: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _text(sheet, value: str):
    # A name typed by a person must never run as a formula in the reader's Excel.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def usage_export(
    *, actor, start: date, end: date, out, place: int | None = None, request=None
) -> int:
    """Write the usage report this user may see into ``out``; returns how many items."""
    rows = selectors.usage_report(user=actor, start=start, end=end, place=place)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Usage"))
    for column, width in zip("ABCDEFGHI", (16, 18, 10, 8, 8, 8, 10, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    header = [
        _("shelf"),
        _("item"),
        _("category"),
        _("units owned"),
        _("loans"),
        _("units lent"),
        _("unit-days out"),
        _("late loans"),
        _("lost"),
    ]
    bold = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        item = row.item
        sheet.append(
            [
                _text(sheet, item.place.name),
                _text(sheet, item.name),
                str(item.get_category_display()),
                item.quantity,
                row.loans,
                row.units,
                row.days_out,
                row.overdue,
                row.lost,
            ]
        )
    book.save(out)
    audit_record(
        actor=actor,
        action="lending.usage.export",
        request=request,
        details={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "place": place,
            "items": len(rows),
        },
    )
    return len(rows)
