"""Exporting the register: only what the user may export, masked unless they may and ask to
reveal, audited every time, and at a cost that does not grow with the rows."""

import io
from datetime import date
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.actors import SYSTEM
from linli.core.crypto import mask_id_number, mask_phone
from linli.core.models import AuditEvent
from linli.core.xlsx import XLSX_CONTENT_TYPE
from linli.places.services import place_create
from linli.residents import exports
from linli.residents.idnumbers import make_id_number
from linli.residents.services import resident_create

pytestmark = pytest.mark.django_db

URL = reverse("residents:resident-export")
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"


def id_number(i: int) -> str:
    return make_id_number(region="110106", birth=date(1950 + i % 50, 1 + i % 12, 3), sequence=i)


@pytest.fixture
def register(demo):
    """A resident of 南官房小区 and one of 苹果园社区 (another street)."""
    community = demo.user("community")
    ours = resident_create(
        actor=community,
        place=demo.place(f"{COMPOUND}/3号楼/2单元/502"),
        name="站东居民",
        id_number=id_number(1),
        phone="13811112222",
        low_income=True,
    )
    compound = place_create(
        actor=SYSTEM,
        kind="compound",
        name="苹果园北区",
        parent=demo.place("平城区/清远街道/苹果园社区"),
    )
    building = place_create(actor=SYSTEM, kind="building", name="1号楼", parent=compound)
    household = place_create(actor=SYSTEM, kind="household", name="101", parent=building)
    theirs = resident_create(
        actor=SYSTEM,
        place=household,
        name="苹果园居民",
        id_number=id_number(2),
        phone="13833334444",
    )
    return ours, theirs


def export(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    return response, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def by_name(rows):
    return {row["姓名"]: row for row in rows}


def test_community_exports_only_its_community(client_for, register):
    response, rows = export(client_for("community"))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    names = by_name(rows)
    assert "站东居民" in names
    assert "苹果园居民" not in names
    assert all(row["地址"].startswith("平城区/鹿苑街道/站东社区/") for row in rows)
    row = names["站东居民"]
    assert row["地址"] == f"{COMPOUND}/3号楼/2单元/502"
    assert row["性别"] == "男"
    assert row["出生日期"].date() == date(1951, 2, 3)
    assert row["年龄"] == register[0].age
    assert list(rows[0]) == list(exports.COLUMNS)
    # the district sees both streets
    _response, rows = export(client_for("district"))
    assert {"站东居民", "苹果园居民"} <= set(by_name(rows))


@pytest.mark.parametrize("username", ["resident", "property", "patrol", "doctor", "volunteer"])
def test_who_may_not_export_finds_no_export(client_for, register, username):
    assert client_for(username).get(URL).status_code == 404
    assert client_for(username).get(URL, {"reveal": "1"}).status_code == 404
    assert not AuditEvent.objects.filter(action="resident.export").exists()


def test_numbers_are_masked_by_default(client_for, register):
    _response, rows = export(client_for("community"))
    row = by_name(rows)["站东居民"]
    assert row["身份证号"] == mask_id_number(id_number(1)) != id_number(1)
    assert row["手机号"] == mask_phone("13811112222") == "138****2222"


def test_reveal_gives_full_numbers_only_to_who_may_reveal(client_for, register):
    _response, rows = export(client_for("community"), reveal="1")
    row = by_name(rows)["站东居民"]
    assert row["身份证号"] == id_number(1)
    assert row["手机号"] == "13811112222"
    event = AuditEvent.objects.filter(action="resident.export").latest("id")
    assert event.details["revealed"] is True
    for username in ("street", "secretary", "district"):
        _response, rows = export(client_for(username), reveal="1")
        row = by_name(rows)["站东居民"]
        assert row["身份证号"] == mask_id_number(id_number(1))
        assert row["手机号"] == "138****2222"
        event = AuditEvent.objects.filter(action="resident.export").latest("id")
        assert event.details["revealed"] is False
        assert event.actor.username == username


def test_every_export_is_audited_without_personal_numbers(client_for, demo, register):
    client = client_for("community")
    building = demo.place(f"{COMPOUND}/3号楼")
    _response, rows = export(client, place=building.pk, tag="low_income", reveal="1")
    assert [row["姓名"] for row in rows] == ["站东居民"]
    assert rows[0]["标签"]
    event = AuditEvent.objects.filter(action="resident.export").latest("id")
    assert event.actor.username == "community"
    assert event.place_path == building.path
    assert event.details["count"] == 1
    assert event.details["filters"]["place"] == building.pk
    assert event.details["filters"]["tag"] == "low_income"
    # a search by ID number finds the resident, but the number stays out of the log
    _response, rows = export(client, q=id_number(1))
    assert [row["姓名"] for row in rows] == ["站东居民"]
    event = AuditEvent.objects.filter(action="resident.export").latest("id")
    assert id_number(1) not in str(event.details)
    assert "13811112222" not in str(event.details)
    assert event.details["count"] == 1
    assert AuditEvent.objects.filter(action="resident.export").count() == 2


def test_the_file_is_named_for_download(client_for, register):
    response, _rows = export(client_for("street"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('居民名册-')}" in disposition
    assert 'filename="residents-' in disposition
    assert response["Cache-Control"] == "no-store"


def test_text_that_looks_like_a_formula_stays_text(client_for, demo):
    resident_create(
        actor=demo.user("community"),
        place=demo.place(f"{COMPOUND}/5号楼/1单元/101"),
        name="=HYPERLINK(1)",
        id_number=id_number(3),
    )
    response = client_for("community").get(URL)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"


def test_export_costs_the_same_for_10_and_200_residents(client_for, demo):
    community = demo.user("community")
    building = demo.place(f"{COMPOUND}/11号楼")
    doors = [
        demo.place(f"{COMPOUND}/11号楼/{unit}单元/{floor}0{door}")
        for unit in (1, 2, 3)
        for floor in range(1, 7)
        for door in (1, 2)
    ]
    client = client_for("community")

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"place": building.pk, "reveal": "1"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        return len(ctx.captured_queries), sheet.max_row - 1

    def add(start, stop):
        for i in range(start, stop):
            resident_create(
                actor=community,
                place=doors[i % len(doors)],
                name=f"居民{i}",
                id_number=id_number(100 + i),
                phone=f"137{i:08d}",
            )

    _cost, already = cost()  # the demo may have residents there
    add(0, 10)
    few, count = cost()
    assert count == already + 10
    add(10, 200)
    many, count = cost()
    assert count == already + 200
    assert few == many
