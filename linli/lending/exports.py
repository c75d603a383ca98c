"""The usage report of the shelf as an Excel workbook: the same rows as the page, for the
same user, and every export written to the audit log."""

from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook

from linli.core.audit import audit_record
from linli.core.xlsx import column_widths, header_row, text_cell

from . import selectors


def export_filename(start: date, end: date) -> tuple[str, str]:
    """The file's name, and an ASCII one for old browsers."""
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"物品借用统计-{span}.xlsx", f"lending-usage-{span}.xlsx"


def usage_export(
    *, actor, start: date, end: date, out, place: int | None = None, request=None
) -> int:
    """Write the usage report this user may see into ``out``; returns how many items."""
    rows = selectors.usage_report(user=actor, start=start, end=end, place=place)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Usage"))
    column_widths(sheet, (16, 18, 10, 8, 8, 8, 10, 10, 8))
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
    sheet.append(header_row(sheet, header))
    for row in rows:
        item = row.item
        sheet.append(
            [
                text_cell(sheet, item.place.name),
                text_cell(sheet, item.name),
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
