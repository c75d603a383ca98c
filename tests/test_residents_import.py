"""Importing the register: the template, the dry run's report (row, column), all-or-nothing
writes, re-imports that update instead of duplicating, bad files, permissions, bulk cost."""

import csv
import io
import os
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from linli.core.actors import SYSTEM
from linli.core.crypto import lookup_hash
from linli.core.models import AuditEvent
from linli.core.xlsx import XLSX_CONTENT_TYPE
from linli.places.services import place_create
from linli.residents import import_files, tasks
from linli.residents.idnumbers import make_id_number
from linli.residents.import_plan import import_plan
from linli.residents.models import ImportJob, ImportStatus, Resident
from linli.residents.services import resident_create

pytestmark = pytest.mark.django_db

HEADER = [column.header for column in import_files.COLUMNS]
UNITS = ["1单元", "2单元", "3单元"]
DOORS = [f"{floor}{door:02d}" for floor in range(1, 7) for door in range(1, 3)]
START_URL = reverse("residents:resident-import")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def id_number(i: int) -> str:
    # A region code the demo does not use, so that these never meet demo residents.
    birth = date(1940 + i % 60, 1 + i % 12, 1 + (i // 12) % 28)
    return make_id_number(region="110105", birth=birth, sequence=i // 720)


def person(i: int, **changes) -> dict:
    row = {
        "姓名": f"居民{i}",
        "性别": "",
        "出生日期": "",
        "身份证号": id_number(i),
        "手机号": f"139{i:08d}",
        "楼栋": "7号楼",
        "单元": UNITS[i % 3],
        "门牌号": DOORS[(i // 3) % len(DOORS)],
        "与户主关系": "户主" if i % 4 == 0 else "子女",
        "独居": "",
        "低保": "否",
        "残疾": "",
        "党员": "是" if i % 5 == 0 else "",
        "志愿者": "",
        "备注": "",
    }
    row.update(changes)
    return row


def people(n: int, start: int = 0) -> list[dict]:
    return [person(i) for i in range(start, start + n)]


def xlsx(rows: list[dict], header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding: str, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return text.getvalue().encode(encoding)


@pytest.fixture
def upload(client_for, demo, django_capture_on_commit_callbacks):
    """Upload a file as a user (the check runs at once); returns (response, job or None)."""

    def send(data: bytes, name="名册.xlsx", username="community", compound=None, client=None):
        client = client or client_for(username)
        before = ImportJob.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                START_URL,
                {
                    "compound": (compound or demo.nanguanfang).pk,
                    "file": SimpleUploadedFile(name, data),
                },
            )
        job = None
        if ImportJob.objects.count() > before:
            job = ImportJob.objects.latest("pk")
        return response, job

    return send


@pytest.fixture
def confirm(client_for, django_capture_on_commit_callbacks):
    def send(job: ImportJob, username: str = "community", client=None):
        client = client or client_for(username)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("residents:resident-import-detail", args=[job.pk]))
        job.refresh_from_db()
        return response, job

    return send


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(message) for messages in form.errors.values() for message in messages]


def cells(errors: list[dict]) -> set[tuple]:
    return {(error["row"], error["column"]) for error in errors}


# -- the scenario of the issue ----------------------------------------------------------------


def test_one_bad_row_changes_nothing_then_the_fixed_file_imports_once(upload, confirm, client_for):
    rows = people(100)
    rows[41]["身份证号"] = rows[41]["身份证号"][:-1] + (
        "0" if rows[41]["身份证号"][-1] != "0" else "1"
    )
    residents_before = Resident.objects.count()

    response, job = upload(xlsx(rows))
    assert response.status_code == 302
    assert response.url == reverse("residents:resident-import-detail", args=[job.pk])
    assert job.status == ImportStatus.INVALID
    assert job.error_count == 1, job.errors
    # the header is row 1, so the 42nd resident is on row 43
    assert cells(job.errors) == {(43, "身份证号")}
    assert Resident.objects.count() == residents_before
    page = client_for("community").get(response.url)
    assert page.status_code == 200
    table = page.content.decode()
    assert 'data-testid="import-errors"' in table and ">43<" in table and "身份证号" in table
    assert 'data-testid="import-confirm"' not in table
    # an invalid job cannot be confirmed
    _response, job = confirm(job)
    assert job.status == ImportStatus.INVALID
    assert Resident.objects.count() == residents_before

    rows[41] = person(41)
    _response, job = upload(xlsx(rows))
    assert job.status == ImportStatus.READY
    assert job.summary == {"rows": 100, "new": 100, "updated": 0, "unchanged": 0}
    assert Resident.objects.count() == residents_before  # the dry run writes nothing
    assert (
        'data-testid="import-confirm"'
        in client_for("community")
        .get(reverse("residents:resident-import-detail", args=[job.pk]))
        .content.decode()
    )
    _response, job = confirm(job)
    assert job.status == ImportStatus.DONE
    assert job.summary == {"rows": 100, "new": 100, "updated": 0, "unchanged": 0}
    assert Resident.objects.count() == residents_before + 100
    imported = Resident.objects.get(id_number_hash=lookup_hash(id_number(7)))
    assert imported.name == "居民7"
    assert imported.phone == "13900000007"
    assert imported.place.name_path.endswith("/南官房小区/7号楼/2单元/201")
    assert imported.residencies.count() == 1
    event = AuditEvent.objects.filter(action="resident.import").latest("id")
    assert event.details["count"] == 100
    assert id_number(7) not in str(event.details)

    _response, job = upload(xlsx(rows))
    assert job.summary == {"rows": 100, "new": 0, "updated": 0, "unchanged": 100}
    _response, job = confirm(job)
    assert job.status == ImportStatus.DONE
    assert job.summary["new"] == 0 and job.summary["unchanged"] == 100
    assert Resident.objects.count() == residents_before + 100
    hashes = [lookup_hash(id_number(i)) for i in range(100)]
    assert Resident.objects.filter(id_number_hash__in=hashes).count() == 100


def test_a_changed_row_updates_the_registered_resident(upload, confirm):
    rows = people(5)
    confirm(upload(xlsx(rows))[1])
    rows[2]["手机号"] = "13700000002"
    rows[2]["独居"] = "√"
    _response, job = upload(xlsx(rows))
    assert job.summary == {"rows": 5, "new": 0, "updated": 1, "unchanged": 4}
    _response, job = confirm(job)
    assert job.status == ImportStatus.DONE
    resident = Resident.objects.get(id_number_hash=lookup_hash(id_number(2)))
    assert resident.phone == "13700000002"
    assert resident.phone_hash == lookup_hash("13700000002")
    assert resident.lives_alone is True
    assert Resident.objects.filter(phone_hash=lookup_hash("13700000002")).count() == 1


def test_the_check_runs_again_when_confirming(upload, confirm, demo):
    rows = people(10)
    _response, job = upload(xlsx(rows))
    assert job.status == ImportStatus.READY
    # meanwhile, someone registers the fourth resident at another compound
    resident_create(
        actor=SYSTEM, place=other_household(demo), name="别处的人", id_number=id_number(3)
    )
    before = Resident.objects.count()
    _response, job = confirm(job)
    assert job.status == ImportStatus.INVALID
    assert cells(job.errors) == {(5, "身份证号")}
    assert Resident.objects.count() == before
    assert not job.encrypted_file


# -- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_csv_in_the_encodings_excel_writes(upload, confirm, encoding):
    rows = people(3)
    rows[0]["姓名"] = "欧阳娜娜"
    _response, job = upload(csv_bytes(rows, encoding), name="名册.csv")
    assert job.file_format == "csv"
    assert job.status == ImportStatus.READY, job.errors
    _response, job = confirm(job)
    assert job.summary["new"] == 3
    assert Resident.objects.get(id_number_hash=lookup_hash(id_number(0))).name == "欧阳娜娜"


def test_english_headers_dates_flags_and_lower_case_x(upload, confirm):
    x_ids = [
        make_id_number(region="110105", birth=date(1961, 3, 4), sequence=n) for n in range(1000)
    ]
    with_x = next(value for value in x_ids if value.endswith("X"))
    english = [column.key for column in import_files.COLUMNS]
    rows = [
        person(
            0,
            出生日期=f"{id_number(0)[6:10]}/{int(id_number(0)[10:12])}/{int(id_number(0)[12:14])}",
        ),
        person(1, 出生日期=f"{id_number(1)[6:10]}.{id_number(1)[10:12]}.{id_number(1)[12:14]}"),
        person(2, 出生日期=id_number(2)[6:14], 独居="Y", 残疾="1"),
        person(3, 出生日期=datetime.strptime(id_number(3)[6:14], "%Y%m%d"), 志愿者="√"),
        person(4, 身份证号=with_x.lower(), 出生日期="1961-03-04", 单元="1", 楼栋="7"),
    ]
    keyed = [
        {key: row[column] for key, column in zip(english, HEADER, strict=True)} for row in rows
    ]
    _response, job = upload(xlsx(keyed, header=english))
    assert job.status == ImportStatus.READY, job.errors
    confirm(job)
    resident = Resident.objects.get(id_number_hash=lookup_hash(with_x))
    assert resident.id_number == with_x
    assert resident.place.name_path.endswith("7号楼/1单元/" + rows[4]["门牌号"])
    assert Resident.objects.get(id_number_hash=lookup_hash(id_number(2))).lives_alone
    assert Resident.objects.get(id_number_hash=lookup_hash(id_number(3))).volunteer


def test_parse_date_accepts_what_people_and_excel_write():
    expected = date(1950, 1, 2)
    for value in ("1950-01-02", "1950/1/2", "1950.01.02", "19500102", "1950年1月2日", 19500102):
        assert import_files.parse_date(value) == expected
    assert import_files.parse_date(datetime(1950, 1, 2)) == expected
    assert import_files.parse_date(18265) == expected  # an Excel serial number
    assert import_files.parse_date("") is None
    with pytest.raises(import_files.CellError):
        import_files.parse_date("1950-02-30")


# -- errors in rows ---------------------------------------------------------------------------


def test_every_problem_is_named_by_row_and_column(upload):
    rows = people(8)
    rows[0]["姓名"] = ""
    rows[1]["性别"] = "未知"
    rows[2]["出生日期"] = "去年"
    rows[3]["手机号"] = "12345"
    rows[4]["楼栋"] = "99号楼"
    rows[5]["单元"] = "9单元"
    rows[6]["门牌号"] = "909"
    rows[7]["身份证号"] = ""
    data = xlsx(rows[:4] + [{}] + rows[4:])  # an empty row is skipped silently
    with override("en"):
        _response, job = upload(data)
    assert job.status == ImportStatus.INVALID
    assert cells(job.errors) == {
        (2, "姓名"),
        (3, "性别"),
        (4, "出生日期"),
        (5, "手机号"),
        (7, "楼栋"),
        (8, "单元"),
        (9, "门牌号"),
        (10, "身份证号"),
    }
    messages = {error["column"]: error["message"] for error in job.errors}
    assert "99号楼" in messages["楼栋"]
    assert "9单元" in messages["单元"]
    assert "909" in messages["门牌号"]
    assert job.summary["rows"] == 8


def test_doors_directly_in_a_building_need_no_unit(upload, confirm, demo):
    building = place_create(actor=SYSTEM, kind="building", name="13号楼", parent=demo.nanguanfang)
    place_create(actor=SYSTEM, kind="household", name="101", parent=building)
    rows = [
        person(0, 楼栋="13", 单元="", 门牌号="101"),
        person(1, 楼栋="7号楼", 单元="", 门牌号="101"),
        person(2, 楼栋="７号楼", 单元="１单元", 门牌号="９０１"),
    ]
    _response, job = upload(xlsx(rows))
    assert cells(job.errors) == {(3, "单元"), (4, "门牌号")}
    _response, job = upload(xlsx(rows[:1]))
    _response, job = confirm(job)
    resident = Resident.objects.get(id_number_hash=lookup_hash(id_number(0)))
    assert resident.place.name_path.endswith("/南官房小区/13号楼/101")


def test_the_same_id_number_twice_names_both_rows(upload):
    rows = people(6)
    rows[4]["身份证号"] = rows[1]["身份证号"]
    _response, job = upload(xlsx(rows))
    assert job.status == ImportStatus.INVALID
    assert cells(job.errors) == {(3, "身份证号"), (6, "身份证号")}
    for error in job.errors:
        assert "3" in error["message"] and "6" in error["message"]


def other_household(demo):
    """A household in 苹果园社区, outside the community worker's scope."""
    community = demo.place("平城区/清远街道/苹果园社区")
    compound = place_create(actor=SYSTEM, kind="compound", name="苹果园北区", parent=community)
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    return place_create(actor=SYSTEM, kind="household", name="101", parent=building)


def test_an_id_number_registered_elsewhere_is_refused_without_saying_where(upload, demo):
    resident_create(actor=SYSTEM, place=other_household(demo), name="外人", id_number=id_number(2))
    rows = people(4)
    _response, job = upload(xlsx(rows))  # the report is in the uploader's language: Chinese
    assert job.status == ImportStatus.INVALID
    assert cells(job.errors) == {(4, "身份证号")}
    assert "苹果园" not in job.errors[0]["message"]
    assert job.errors[0]["message"] == "该身份证号的居民已在其他地方登记，请联系登记该居民的社区。"


def test_a_resident_at_another_address_of_the_compound_is_not_moved_silently(upload, demo):
    household = demo.place("平城区/鹿苑街道/站东社区/南官房小区/8号楼/1单元/101")
    resident_create(
        actor=demo.user("community"), place=household, name="居民1", id_number=id_number(1)
    )
    _response, job = upload(xlsx(people(3)))
    assert job.status == ImportStatus.INVALID
    assert cells(job.errors) == {(3, "身份证号")}


def test_errors_reported_are_capped_but_counted(upload, monkeypatch):
    monkeypatch.setattr(ImportJob, "MAX_REPORTED_ERRORS", 5)
    rows = [person(i, 楼栋="99") for i in range(12)]
    _response, job = upload(xlsx(rows))
    assert job.error_count == 12
    assert [error["row"] for error in job.errors] == [2, 3, 4, 5, 6]


# -- bad files --------------------------------------------------------------------------------


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def broken_sheet() -> bytes:
    """A real workbook whose sheet XML is cut off in the middle."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(people(50))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("名册.xlsx", plain_zip()),
        ("名册.csv", ",".join(HEADER).encode() + b'\n"' + b"x" * 200_000 + b'"\n'),
        ("名册.xlsx", os.urandom(4096)),
        ("名册.xlsx", b"PK\x03\x04" + os.urandom(4096)),
        ("名册.csv", os.urandom(4096) + b"\xff\xfe\x00"),
        ("名册.xls", b"\xd0\xcf\x11\xe0" + os.urandom(512)),
        ("名册.docx", b"hello"),
        ("名册.csv", b""),
        ("名册.xlsx", b""),
        ("名册.csv", "\ufeff姓名,性别\n张三,男\n".encode()),  # no 身份证号 column
        ("名册.csv", ",".join(HEADER).encode() + b"\n\n\n"),  # a header, no rows
    ],
)
def test_files_that_cannot_be_imported_are_refused_on_the_form(upload, name, data):
    jobs = ImportJob.objects.count()
    response, job = upload(data, name=name)
    assert response.status_code == 200
    assert job is None
    assert ImportJob.objects.count() == jobs
    assert form_errors(response)


def test_a_sheet_broken_further_down_is_reported_by_the_check(upload):
    # the upload reads only the header; the check reads everything and says what is wrong
    _response, job = upload(broken_sheet())
    assert job.status == ImportStatus.INVALID
    assert job.error_count == 1
    assert job.errors[0]["row"] is None
    assert not job.encrypted_file
    assert Resident.objects.filter(name="居民0").count() == 0


def test_a_missing_id_column_is_named(upload):
    header = [h for h in HEADER if h != "身份证号"]
    with override("en"):
        response, job = upload(xlsx(people(2), header=header))
    assert job is None
    assert "身份证号" in " ".join(form_errors(response))
    reading = import_files.read_table(xlsx(people(2), header=header), "xlsx")
    assert cells(reading.errors) == {(1, "身份证号")}
    assert reading.rows == []


def test_too_many_rows_are_refused(upload, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 10)
    for data, name in ((xlsx(people(11)), "a.xlsx"), (csv_bytes(people(11), "utf-8"), "a.csv")):
        response, job = upload(data, name=name)
        assert job is None
        assert form_errors(response)
    _response, job = upload(xlsx(people(10)))
    assert job.status == ImportStatus.READY
    reading = import_files.read_table(xlsx(people(11)), "xlsx")
    assert reading.rows == [] and len(reading.errors) == 1


def test_files_over_the_size_limit_are_refused(upload, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_FILE_BYTES", 1000)
    response, job = upload(csv_bytes(people(40), "utf-8"), name="big.csv")
    assert job is None
    assert form_errors(response)
    monkeypatch.setattr(import_files, "MAX_FILE_BYTES", 10_000_000)
    monkeypatch.setattr(import_files, "MAX_UNPACKED_BYTES", 10_000)  # a "zip bomb"
    response, job = upload(xlsx(people(40)))
    assert job is None
    assert form_errors(response)


def test_a_title_above_the_header_is_allowed_and_rows_keep_their_numbers(upload):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["南官房小区居民花名册"])
    sheet.append(HEADER)
    for row in people(3):
        sheet.append([row[column] for column in HEADER])
    sheet.cell(row=4, column=HEADER.index("楼栋") + 1, value="99")
    buffer = io.BytesIO()
    workbook.save(buffer)
    _response, job = upload(buffer.getvalue())
    assert cells(job.errors) == {(4, "楼栋")}


def test_an_id_number_excel_turned_into_a_number_is_explained(upload):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = next(person(i) for i in range(50) if not id_number(i).endswith("X"))
    row["身份证号"] = float(row["身份证号"])
    sheet.append([row[column] for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _response, job = upload(buffer.getvalue())
    assert cells(job.errors) == {(2, "身份证号")}


# -- the stored file --------------------------------------------------------------------------


def test_the_stored_upload_is_encrypted_and_deleted_when_done(upload, confirm, media):
    rows = people(3)
    _response, job = upload(csv_bytes(rows, "utf-8"), name="名册.csv")
    assert job.status == ImportStatus.READY
    path = job.encrypted_file.path
    assert path.startswith(str(media))
    with open(path, "rb") as stored:
        raw = stored.read()
    assert id_number(0).encode() not in raw
    assert "居民0".encode() not in raw
    assert "名册" not in os.path.basename(path)
    _response, job = confirm(job)
    assert job.status == ImportStatus.DONE
    assert not job.encrypted_file
    assert not os.path.exists(path)


def test_an_invalid_file_is_deleted_after_the_check(upload, media):
    rows = people(3)
    rows[0]["楼栋"] = "99"
    _response, job = upload(xlsx(rows))
    assert job.status == ImportStatus.INVALID
    assert not job.encrypted_file
    stored = media / "imports"
    assert not stored.exists() or not any(stored.iterdir())


def test_unconfirmed_files_expire(upload):
    _response, job = upload(xlsx(people(2)))
    path = job.encrypted_file.path
    assert tasks.import_expire() == 0
    assert tasks.import_expire(now=timezone.now() + timedelta(days=2)) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert not os.path.exists(path)


# -- pages and permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["resident", "street", "district", "property", "patrol"])
def test_who_may_not_manage_residents_finds_no_import_pages(client_for, username):
    client = client_for(username)
    assert client.get(START_URL).status_code == 404
    assert client.get(reverse("residents:resident-import-template")).status_code == 404


def test_only_the_uploader_sees_a_job(upload, client_for):
    _response, job = upload(xlsx(people(2)))
    url = reverse("residents:resident-import-detail", args=[job.pk])
    assert client_for("community").get(url).status_code == 200
    for username in ("secretary", "street", "resident"):
        assert client_for(username).get(url).status_code == 404
        assert client_for(username).post(url).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert (
        client_for("community")
        .get(reverse("residents:resident-import-detail", args=[999_999]))
        .status_code
        == 404
    )


def test_the_upload_form_offers_only_compounds_the_user_manages(client_for, upload, demo):
    page = client_for("secretary").get(START_URL)
    assert page.status_code == 200
    choices = list(page.context["form"].fields["compound"].queryset)
    assert choices == [demo.nanguanfang]
    other = other_household(demo).parent.parent
    response, job = upload(xlsx(people(2)), username="secretary", compound=other)
    assert job is None
    assert response.context["form"].errors["compound"]


def test_secretary_imports_into_their_compound(upload, confirm):
    _response, job = upload(xlsx(people(4)), username="secretary")
    assert job.status == ImportStatus.READY
    _response, job = confirm(job, username="secretary")
    assert job.summary["new"] == 4


def test_progress_is_polled_while_running_and_the_page_reloads_when_done(upload, client_for):
    _response, job = upload(xlsx(people(2)))
    client = client_for("community")
    url = reverse("residents:resident-import-detail", args=[job.pk])
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKING, total_rows=4000, processed_rows=1000
    )
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "<progress" in page and 'value="25"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'value="25"' in partial.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.READY)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"
    assert 'hx-trigger="every 1s"' not in client.get(url).content.decode()


def test_the_template_opens_and_documents_every_column(client_for):
    response = client_for("community").get(reverse("residents:resident-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["居民", "说明"]
    rows = list(workbook["居民"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 3
    documented = [row[0] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert set(HEADER) <= set(documented)


def test_the_template_itself_passes_the_check(client_for):
    data = client_for("community").get(reverse("residents:resident-import-template")).content
    reading = import_files.read_table(data, "xlsx")
    assert reading.errors == []
    assert reading.data_rows == 2


# -- cost ----------------------------------------------------------------------------------


def test_import_costs_the_same_queries_for_30_and_300_rows(upload, confirm, client_for):
    client = client_for("community")

    def cost(rows):
        with CaptureQueriesContext(connection) as checking:
            _response, job = upload(xlsx(rows), client=client)
        assert job.status == ImportStatus.READY, job.errors
        with CaptureQueriesContext(connection) as importing:
            _response, job = confirm(job, client=client)
        assert job.status == ImportStatus.DONE
        return len(checking.captured_queries), len(importing.captured_queries)

    # both into buildings without households yet, so that both create some
    small = cost([{**row, "楼栋": "8号楼"} for row in people(30)])
    large = cost([{**row, "楼栋": "9号楼"} for row in people(300, start=1000)])
    assert small == large


def test_the_check_alone_costs_the_same_for_30_and_300_rows(demo):
    def cost(rows):
        reading = import_files.read_table(xlsx(rows), "xlsx")
        user, compound = demo.user("community"), demo.nanguanfang
        with CaptureQueriesContext(connection) as ctx:
            plan = import_plan(actor=user, compound=compound, reading=reading)
        assert not plan.errors
        return len(ctx.captured_queries)

    assert cost(people(30)) == cost(people(300, start=2000))


@pytest.mark.skipif(
    not os.environ.get("LINLI_SLOW_TESTS"), reason="set LINLI_SLOW_TESTS=1 (about a minute)"
)
def test_a_file_of_100000_rows_imports_in_bulk(upload, confirm, client_for):
    import time

    rows = [{**row, "楼栋": f"{1 + i % 12}号楼"} for i, row in enumerate(people(100_000))]
    data = csv_bytes(rows, "utf-8")
    client = client_for("community")
    before = Resident.objects.count()
    started = time.monotonic()
    with CaptureQueriesContext(connection) as checking:
        _response, job = upload(data, name="big.csv", client=client)
    checked = time.monotonic()
    assert job.status == ImportStatus.READY, job.errors[:3]
    with CaptureQueriesContext(connection) as importing:
        _response, job = confirm(job, client=client)
    done = time.monotonic()
    assert job.status == ImportStatus.DONE
    assert Resident.objects.count() == before + 100_000
    print(
        f"\ncheck {checked - started:.1f}s, {len(checking.captured_queries)} queries; "
        f"import {done - checked:.1f}s, {len(importing.captured_queries)} queries"
    )
    assert len(checking.captured_queries) < 400
    assert len(importing.captured_queries) < 5_000


# -- the job's timeline -----------------------------------------------------------------------


def test_every_step_of_a_job_leaves_an_event(upload, confirm, demo):
    _response, job = upload(xlsx(people(2)))
    _response, job = confirm(job)
    assert job.status == ImportStatus.DONE
    events = list(job.events.order_by("pk"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("uploaded", "", "checking"),
        ("checked", "checking", "ready"),
        ("confirmed", "ready", "importing"),
        ("imported", "importing", "done"),
    ]
    community = demo.user("community")
    # the uploader's steps are theirs; the check and the write are the system's
    assert [e.actor for e in events] == [community, None, community, None]
    assert events[-1].data == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0}


def test_only_the_system_checks_or_imports_a_job(upload, demo):
    from linli.core.errors import ForbiddenError
    from linli.residents import services_import

    _response, job = upload(xlsx(people(2)))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
    job.refresh_from_db()
    with pytest.raises(ForbiddenError):
        services_import.import_job_check(actor=demo.user("community"), job=job)
    assert services_import.import_job_check(actor=SYSTEM, job=job).status == ImportStatus.READY
