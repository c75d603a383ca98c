"""Matrix spec of register imports (see lifecycle_matrix): a job uploaded by the community
worker into 南官房小区, set into each status; the system's steps run the app's services as
its tasks do, on a file made to lead to the step (a clean file, one with errors, one that
cannot be read)."""

import io
from datetime import date

from openpyxl import Workbook

from linli.core.crypto import encrypt_bytes
from linli.places.models import Place
from linli.residents import services_import
from linli.residents.idnumbers import make_id_number
from linli.residents.import_files import COLUMNS
from linli.residents.models import ImportJob, ImportStatus

from .lifecycle_matrix import MatrixSpec, actor_named

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
J = ImportStatus


def _file(building: str = "6号楼") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    row = {
        "姓名": "矩阵居民",
        "身份证号": make_id_number(region="110105", birth=date(1961, 5, 6), sequence=7),
        "楼栋": building,
        "单元": "1单元",
        "门牌号": "101",
    }
    sheet.append([column.header for column in COLUMNS])
    sheet.append([row.get(column.header, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _job(status: str) -> ImportJob:
    job = services_import.import_job_create(
        actor=actor_named("community"),
        compound=Place.objects.get(name_path=COMPOUND),
        file_name="矩阵.xlsx",
        data=_file(),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    return ImportJob.objects.select_related("compound", "created_by").get(pk=job.pk)


def _store(job: ImportJob, content: bytes) -> None:
    """Replace the stored file's content under the same name (the row does not change)."""
    with job.encrypted_file.open("wb") as stored:
        stored.write(content)
    job.encrypted_file.close()


def _take(step: str, actor, job: ImportJob):
    if step == "confirm":
        return services_import.import_job_confirm(actor=actor, job=job)
    if step == "expire":
        return services_import.import_job_expire(actor=actor, job=job)
    if step in ("check_fail", "import_refuse"):
        _store(job, encrypt_bytes(_file(building="99号楼")))  # an address that is not there
    elif step == "fail":
        _store(job, b"not an encrypted file")
    if step.startswith("check") or (step == "fail" and job.status != J.IMPORTING):
        return services_import.import_job_check(actor=actor, job=job)
    return services_import.import_job_run(actor=actor, job=job)


IMPORT_JOB_SPEC = MatrixSpec(
    lifecycle=services_import.IMPORT_JOB,
    make=_job,
    take=_take,
    holders={
        "residents.confirm_import": {"community"},  # the uploader, nobody else
        "residents.process_import": {"SYSTEM"},
        "residents.expire_import": {"SYSTEM"},
    },
)
