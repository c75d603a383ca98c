"""The register's spreadsheet format (xlsx or CSV): its columns, reading and sniffing an
upload, the header map, the cell parsers, value-checking each row, and the template. Pure
functions of the file: nothing here reads or writes the database (``import_plan`` matches
rows to the register, ``services_import`` writes)."""

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from linli.core.crypto import lookup_hash
from linli.core.errors import LinliError
from linli.places.models import Place

from .idnumbers import make_id_number, parse_id_number
from .models import STORED_TAGS, Relation
from .services import CleanResident, resident_clean

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 25 * MAX_FILE_BYTES
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 64
PROGRESS_EVERY = 1_000


# -- the columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the alias in English, and the argument of ``resident_clean`` where there is one
    header: str  # what the template says, in Chinese: it is data, not UI text
    required: bool = False


COLUMNS = (
    Column("name", "姓名", required=True),
    Column("gender", "性别"),
    Column("birth_date", "出生日期"),
    Column("id_number", "身份证号", required=True),
    Column("phone", "手机号"),
    Column("building", "楼栋", required=True),
    Column("unit", "单元"),
    Column("door", "门牌号", required=True),
    Column("relation", "与户主关系"),
    Column("lives_alone", "独居"),
    Column("low_income", "低保"),
    Column("disabled", "残疾"),
    Column("party_member", "党员"),
    Column("volunteer", "志愿者"),
    Column("notes", "备注"),
)
HEADER = {column.key: column.header for column in COLUMNS}
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}

GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
RELATIONS = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "其他": Relation.OTHER,
    **{value: value for value in Relation.values},
}
RELATION_WORDS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.OTHER: "其他",
}
YES = {"是", "1", "y", "yes", "true", "√", "✓", "✔", "对", "有"}
NO = {"", "否", "0", "n", "no", "false", "×", "✗", "无"}

BUILDING_RE = re.compile(r"^(\d+)\s*(?:号楼|号|栋|幢|座|#)?$")
UNIT_RE = re.compile(r"^(\d+)\s*(?:单元)?$")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class ImportFileError(LinliError):
    """A file that cannot be imported at all (wrong type, unreadable, too big, no header)."""


# -- reading files ----------------------------------------------------------------------------


def _extension(name: str) -> str:
    return (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def _decode_csv(data: bytes) -> str:
    # Excel in China saves "CSV" in GB18030 (GBK); everything else sends UTF-8.
    bom = data.startswith(b"\xef\xbb\xbf")
    encodings = ("utf-8-sig",) if bom else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportFileError(
        _(
            "This file is neither an Excel workbook (.xlsx) nor a readable CSV file "
            "(UTF-8 or GB18030). Save it from Excel as .xlsx and try again."
        ),
        code="unreadable",
    )


def _csv_rows(text: str) -> Iterator[tuple]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _open_xlsx(data: bytes):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on broken files
        raise ImportFileError(_unreadable("xlsx"), code="unreadable") from exc


def _xlsx_rows(workbook) -> Iterator[tuple]:
    # The first sheet holds the residents (the template's second sheet is the guide).
    sheet = workbook.worksheets[0]
    # A sheet formatted to its last column would give rows of 16,384 cells; the template
    # has 15 columns, so a few more than that are plenty.
    max_col = min(sheet.max_column, MAX_COLUMNS) if sheet.max_column else None
    yield from sheet.iter_rows(values_only=True, max_col=max_col)


def _xlsx_row_count(workbook, *, stop_after: int) -> int | None:
    """How many rows the first sheet has, counted in its XML without parsing cells (fast);
    None when that cannot be done."""
    sheet = workbook.worksheets[0]
    try:
        source = sheet._get_source()
    except Exception:
        return None
    pattern = re.compile(rb"<(?:\w+:)?row[\s>/]")
    count, tail = 0, b""
    with source:
        while chunk := source.read(1 << 20):
            buffer = tail + chunk
            count += len(pattern.findall(buffer))
            # keep a tail that cannot contain a whole match, so nothing is counted twice
            cut = max(buffer.rfind(b"<"), len(buffer) - 8)
            tail = buffer[cut:]
            count -= len(pattern.findall(tail))
            if count > stop_after:
                break
    count += len(pattern.findall(tail))
    return count


def _table(data: bytes, file_format: str) -> Iterator[tuple]:
    if file_format != "xlsx":
        try:
            yield from _csv_rows(_decode_csv(data))
        except csv.Error as exc:
            raise ImportFileError(_unreadable("csv"), code="unreadable") from exc
        return
    workbook = _open_xlsx(data)
    try:
        yield from _xlsx_rows(workbook)
    except ImportFileError:
        raise
    except Exception as exc:  # a broken sheet inside a readable zip
        raise ImportFileError(_unreadable("xlsx"), code="unreadable") from exc
    finally:
        workbook.close()


def _sniff(name: str, data: bytes) -> str:
    if _extension(name) not in ("xlsx", "csv"):
        raise ImportFileError(
            _("Upload an Excel workbook (.xlsx) or a CSV file."), code="bad_extension"
        )
    if not data:
        raise ImportFileError(_("The file is empty."), code="empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            code="too_big",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx."),
            code="xls",
        )
    if data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFileError(_unreadable("xlsx"), code="unreadable") from exc
        if unpacked > MAX_UNPACKED_BYTES:
            # a 20 MB workbook of 200,000 rows unpacks to a few hundred MB; more is a trick
            raise ImportFileError(_too_many_rows(), code="too_big")
        return "xlsx"
    if _extension(name) == "xlsx":
        raise ImportFileError(
            _("This file is not a valid Excel workbook (.xlsx)."), code="unreadable"
        )
    return "csv"


def inspect_upload(*, name: str, data: bytes) -> tuple[str, int]:
    """Check what can be checked at once: type, size, header and number of rows. Returns
    the format and the number of data rows (an estimate for xlsx, for the progress bar);
    raises ImportFileError with a message for the upload form."""
    file_format = _sniff(name, data)
    try:
        data_rows = _count_rows(data, file_format)
    except ImportFileError:
        raise
    except Exception as exc:  # whatever a malformed file makes the readers raise
        raise ImportFileError(_unreadable(file_format), code="unreadable") from exc
    if data_rows > MAX_ROWS:
        raise ImportFileError(_too_many_rows(), code="too_many_rows")
    if data_rows == 0:
        raise ImportFileError(_no_rows(), code="no_rows")
    return file_format, data_rows


def _count_rows(data: bytes, file_format: str) -> int:
    if file_format == "csv":
        numbered = enumerate(_csv_rows(_decode_csv(data)), start=1)
        header_number, header = _find_header(numbered)
        _header_map(header, row_number=header_number, strict=True)
        data_rows = 0
        for _number, row in numbered:
            if not _is_empty(row):
                data_rows += 1
                if data_rows > MAX_ROWS:
                    break
        return data_rows
    workbook = _open_xlsx(data)
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheets."), code="empty")
        numbered = enumerate(_xlsx_rows(workbook), start=1)
        header_number, header = _find_header(numbered)
        _header_map(header, row_number=header_number, strict=True)
        counted = _xlsx_row_count(workbook, stop_after=MAX_ROWS + header_number)
        if counted is None:
            return sum(1 for _number, row in numbered if not _is_empty(row))
        return max(0, counted - header_number)
    finally:
        workbook.close()


def _unreadable(file_format: str) -> str:
    if file_format == "csv":
        return _("This CSV file cannot be read. Save it from Excel again and try once more.")
    return _("This Excel file cannot be read. Open it in Excel, save it as .xlsx and try again.")


def _too_many_rows() -> str:
    return _("The file has more than %(max)s rows; split it into smaller files.") % {
        "max": f"{MAX_ROWS:,}"
    }


def _no_rows() -> str:
    return _("The file has a header but no residents below it.")


def _find_header(numbered: Iterator[tuple[int, tuple]]) -> tuple[int, tuple]:
    """The header row: the first row naming at least two columns of the template, within
    the first few rows (some registers have a title above the header). Failing that, the
    first non-empty row, so that the report says which columns are missing."""
    first = None
    for number, row in numbered:
        if not _is_empty(row):
            if sum(1 for value in row if _header_key(value) in HEADER_ALIASES) >= 2:
                return number, row
            first = first or (number, row)
        if first is not None and number >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(_("The file is empty."), code="empty")
    return first


def _header_key(value) -> str:
    text = unicodedata.normalize("NFKC", _text(value)).replace("*", "")
    text = re.sub(r"[(（].*?[)）]", "", text).strip()
    return text.lower().replace(" ", "_")


HEADER_ALIASES = {
    **{column.header: column.key for column in COLUMNS},
    **{column.key: column.key for column in COLUMNS},
}


def _header_map(
    header: tuple, *, row_number: int, strict: bool
) -> tuple[dict[str, int], list[dict]]:
    """Which column of the file holds which field. Unknown columns are ignored. With
    ``strict`` a problem raises ImportFileError, else it is returned as a file-level error."""
    positions: dict[str, int] = {}
    errors: list[dict] = []
    for index, value in enumerate(header):
        key = HEADER_ALIASES.get(_header_key(value))
        if key is None:
            continue
        if key in positions:
            errors.append(
                {
                    "row": row_number,
                    "column": HEADER[key],
                    "message": _("The column “%(column)s” appears twice in the header.")
                    % {"column": HEADER[key]},
                }
            )
        positions[key] = index
    missing = [
        column.header for column in COLUMNS if column.required and column.key not in positions
    ]
    for header_name in missing:
        errors.append(
            {
                "row": row_number,
                "column": header_name,
                "message": _(
                    "The header has no column “%(column)s”. Use the template: its first row "
                    "names the columns."
                )
                % {"column": header_name},
            }
        )
    if errors and strict:
        raise ImportFileError(
            " ".join(dict.fromkeys(error["message"] for error in errors)), code="bad_header"
        )
    return positions, errors


# -- cell values ------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _plain(value) -> str:
    """Full-width digits and letters made ordinary (6 for ６), for codes and numbers."""
    return unicodedata.normalize("NFKC", _text(value)).strip()


def _is_empty(row) -> bool:
    return all(_text(value) == "" for value in row)


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_date(value) -> date | None:
    """A birth date as people and Excel write them: 1950-01-02, 1950/1/2, 1950.01.02,
    19500102, 1950年1月2日, or a real Excel date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if number == value and 10_000_000 <= number <= 99_999_999:
            value = str(number)
        elif 0 < value < 100_000:  # an Excel serial date in a cell not formatted as a date
            return from_excel(value).date()
    text = _plain(value)
    if not text:
        return None
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s” is not a date; write it like 1950-01-02.") % {"value": text[:40]}
    )


def parse_gender(value) -> str | None:
    text = _plain(value).lower()
    if not text:
        return None
    if text in GENDERS:
        return GENDERS[text]
    raise CellError(_("Write 男 or 女 (or leave it empty to take it from the ID number)."))


def parse_relation(value) -> str:
    text = _plain(value)
    if not text:
        return Relation.OTHER
    relation = RELATIONS.get(text) or RELATIONS.get(text.lower())
    if relation is None:
        raise CellError(_("Write one of 户主, 配偶, 子女, 父母 or 其他."))
    return relation


def parse_flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _plain(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("Write 是 or 否 (or leave it empty for 否)."))


def parse_id_cell(value) -> str:
    if isinstance(value, float):
        # Excel keeps 15 digits of a number: the ID number has already lost its last ones.
        raise CellError(
            _(
                "Excel stored this ID number as a number and dropped its last digits. "
                "Format the column as text and type the number again."
            )
        )
    return _plain(value).replace(" ", "").upper()


def building_key(name: str) -> str:
    text = _plain(name)
    match = BUILDING_RE.match(text)
    return str(int(match.group(1))) if match else text


def unit_key(name: str) -> str:
    text = _plain(name)
    match = UNIT_RE.match(text)
    return str(int(match.group(1))) if match else text


def door_key(name: str) -> str:
    text = _plain(name).replace(" ", "")
    return text[:-1] if text.endswith(("室", "号")) and len(text) > 1 else text


# -- a row --------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # as the user sees it in the spreadsheet: the header is row 1
    clean: CleanResident | None
    id_hash: str
    address: tuple[str, str, str]
    place: Place | None = None


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    data_rows: int = 0


FIELD_PARSERS: dict[str, Callable] = {
    "gender": parse_gender,
    "birth_date": parse_date,
    "relation": parse_relation,
    **dict.fromkeys(STORED_TAGS, parse_flag),
}


def _read_row(number: int, cells: dict, errors: list[dict]) -> Row:
    def error(key, message):
        errors.append({"row": number, "column": HEADER[key], "message": str(message)})

    values = {}
    failed = set()
    for key, parser in FIELD_PARSERS.items():
        try:
            values[key] = parser(cells.get(key))
        except CellError as exc:
            error(key, exc.message)
            failed.add(key)
            values[key] = None if key in ("gender", "birth_date", "relation") else False
    id_hash = ""
    try:
        id_number = parse_id_cell(cells.get("id_number"))
    except CellError as exc:
        error("id_number", exc.message)
        failed.add("id_number")
        id_number = ""
    else:
        if not id_number:
            error(
                "id_number",
                _("Enter the ID number: it recognises residents who are registered already."),
            )
            failed.add("id_number")
        else:
            with contextlib.suppress(ValidationError):  # resident_clean says what is wrong
                id_hash = lookup_hash(parse_id_number(id_number).value)
    phone = _plain(cells.get("phone"))
    clean = None
    try:
        clean = resident_clean(
            name=_text(cells.get("name")),
            id_number=id_number,
            phone=phone,
            notes=_text(cells.get("notes")),
            **values,
        )
    except ValidationError as exc:
        if "id_number" in exc.message_dict or "id_number" in failed:
            # Empty gender and birth date come from the ID number: its error says it all.
            failed.update(key for key in ("gender", "birth_date") if values[key] is None)
        for key, messages in exc.message_dict.items():
            if key in failed:
                continue  # already said what is wrong with this cell
            for message in messages:
                if key in HEADER:
                    error(key, message)
                else:
                    errors.append({"row": number, "column": "", "message": str(message)})
    row_failed = bool(failed) or clean is None
    address = (
        _text(cells.get("building")),
        _text(cells.get("unit")),
        _text(cells.get("door")),
    )
    return Row(number=number, clean=None if row_failed else clean, id_hash=id_hash, address=address)


def read_table(data: bytes, file_format: str, *, progress=None) -> Reading:
    """Every row of a file, value-checked (nothing here reads the register). Problems of the
    file as a whole come back as errors without a row."""
    reading = Reading()
    try:
        _read_rows(reading, data, file_format, progress)
    except ImportFileError as exc:
        reading.rows, reading.errors = [], [{"row": None, "column": "", "message": exc.message}]
    if progress:
        progress(reading.data_rows)
    return reading


def _read_rows(reading: Reading, data: bytes, file_format: str, progress) -> None:
    numbered = enumerate(_table(data, file_format), start=1)
    header_number, header = _find_header(numbered)
    positions, header_errors = _header_map(header, row_number=header_number, strict=False)
    if header_errors:
        reading.errors.extend(header_errors)
        return
    seen: dict[str, list[int]] = {}
    for number, row in numbered:
        if _is_empty(row):
            continue
        reading.data_rows += 1
        if reading.data_rows > MAX_ROWS:
            raise ImportFileError(_too_many_rows(), code="too_many_rows")
        cells = {key: row[index] if index < len(row) else None for key, index in positions.items()}
        parsed = _read_row(number, cells, reading.errors)
        reading.rows.append(parsed)
        if parsed.id_hash:
            seen.setdefault(parsed.id_hash, []).append(number)
        if progress and reading.data_rows % PROGRESS_EVERY == 0:
            progress(reading.data_rows)
    if reading.data_rows == 0:
        reading.errors.append({"row": None, "column": "", "message": _no_rows()})
    for numbers in seen.values():
        if len(numbers) > 1:
            rows_text = ", ".join(str(n) for n in numbers)
            for number in numbers:
                reading.errors.append(
                    {
                        "row": number,
                        "column": HEADER["id_number"],
                        "message": _("The same ID number is in rows %(rows)s of the file.")
                        % {"rows": rows_text},
                    }
                )


# -- the template -----------------------------------------------------------------------------


def _guide() -> list[tuple[str, str, str, str]]:
    """(column, required, format and allowed values, example) for the template's guide."""
    yes, no = _("yes"), _("no")
    flag = _("是 or 否 (also 1/0, Y/N, √); empty means 否.")
    return [
        ("姓名", yes, _("The resident's name, at most 50 characters."), "张秀英"),
        ("性别", no, _("男 or 女. Empty: taken from the ID number."), "女"),
        (
            "出生日期",
            no,
            _(
                "YYYY-MM-DD; 1950/1/2, 1950.01.02, 19500102 and Excel dates also work. "
                "Empty: taken from the ID number."
            ),
            "1950-01-02",
        ),
        (
            "身份证号",
            yes,
            _(
                "18 characters; a final x may be lower case. Needed to recognise residents "
                "already registered: importing a file again updates them instead of adding "
                "them twice. Keep the column formatted as text."
            ),
            _example_ids()[0],
        ),
        ("手机号", no, _("An 11-digit mainland mobile number."), "13812345678"),
        ("楼栋", yes, _("The building in the chosen compound: 6号楼 or just 6."), "6号楼"),
        (
            "单元",
            no,
            _("The unit: 1单元 or just 1. Empty when the doors are directly in the building."),
            "1单元",
        ),
        ("门牌号", yes, _("The door, e.g. 101."), "101"),
        (
            "与户主关系",
            no,
            _("户主, 配偶, 子女, 父母 or 其他; empty means 其他."),
            "户主",
        ),
        ("独居", no, flag, "是"),
        ("低保", no, flag, "否"),
        ("残疾", no, flag, "否"),
        ("党员", no, flag, "是"),
        ("志愿者", no, flag, "否"),
        ("备注", no, _("Anything else worth knowing; free text."), ""),
    ]


def _example_ids() -> tuple[str, str]:
    return (
        make_id_number(region="140213", birth=date(1950, 1, 2), sequence=2),
        make_id_number(region="140213", birth=date(1978, 6, 15), sequence=13),
    )


def _example_rows() -> list[list]:
    first, second = _example_ids()
    return [
        ["张秀英", "女", "1950-01-02", first, "13812345678", "6号楼", "1单元", "101", "户主",
         "是", "否", "否", "是", "否", ""],
        ["王建国", "", "", second, "", "6", "1", "102", "", "", "", "", "", "是",
         _("Example row: delete both example rows before importing.")],
    ]  # fmt: skip


def import_template_bytes() -> bytes:
    """The template: the header, two example rows, and a guide to every column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "居民"
    sheet.append([column.header for column in COLUMNS])
    for row in _example_rows():
        sheet.append(row)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if column.key == "id_number" else 12
        if column.key in ("id_number", "phone", "door", "building", "unit"):
            # Text, so that Excel keeps every digit of ID numbers and leading zeros.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, 4):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("说明")
    guide.append([_("column"), _("required"), _("format and allowed values"), _("example")])
    for cell in guide[1]:
        cell.font = bold
    for row in _guide():
        guide.append(list(row))
    guide.append([])
    guide.append(
        [
            _(
                "Empty rows are skipped. Row numbers in the report are those of this sheet "
                "(the header is row 1). A file with any error imports nothing."
            )
        ]
    )
    for letter, width in (("A", 12), ("B", 8), ("C", 70), ("D", 22)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
