"""Writing the product's reports as Excel workbooks: one content type, one attachment
header, and cells that never run as formulas. Every exporter (the register, room use, the
shelf, the service desk's figures) writes through these."""

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback and the real name (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(filename: str, fallback: str) -> HttpResponse:
    """An empty response to save a workbook into, offered for download as ``filename``."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def text_cell(sheet, value: str):
    """A cell that holds ``value`` as text: openpyxl writes a string starting with "=" as a
    formula, and a name or an address a person typed must never run in the reader's Excel."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def header_row(sheet, titles: Iterable) -> list:
    """The bold first row of a sheet."""
    row = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = Font(bold=True)
        row.append(cell)
    return row


def column_widths(sheet, widths: Sequence[int]) -> None:
    """Set the widths of the first columns (write-only sheets: before the first row)."""
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
