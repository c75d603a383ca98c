"""The lending pages: the catalogue, an item with its photos and forms, my loans, the desk, the
overdue list, the donation form and the usage report with its export — each role sees and
does what it should, and each page costs a bounded number of queries."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.models import AuditEvent
from linli.lending import services
from linli.lending.demo import demo_lending
from linli.lending.models import Category, Item, ItemPhoto, Loan, LoanStatus
from linli.notices.models import Notice

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(demo):
    demo_lending(demo.nanguanfang)
    return {i.name: i for i in Item.objects.filter(place=demo.nanguanfang)}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def neighbour(demo):
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居吴")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


def jpeg(size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def text(response) -> str:
    return response.content.decode()


# -- the catalogue --------------------------------------------------------------------------


def test_catalogue_shows_availability_without_borrowers(english, shelf):
    page = english("resident").get("/lending/")
    assert page.status_code == 200
    body = text(page)
    for name in ("Chinese chess set", "Waist drum", "Dance fans", "Folding chair", "Wheelchair"):
        assert name in body
    assert "会客厅东侧储物柜" in body
    assert "My loans" in body and "Lending desk" not in body
    # the wheelchair is out at the counter: its borrower is never named to residents
    assert "3号楼2单元" not in body


def test_catalogue_filters_by_category(english, shelf):
    body = text(english("resident").get("/lending/?category=fans"))
    assert "Dance fans" in body and "Wheelchair" not in body


@pytest.mark.parametrize("username", ["property", "doctor", "patrol", "inspector"])
def test_roles_without_a_part_see_no_lending_page(client_for, shelf, username):
    client = client_for(username)
    for url in ("/lending/", "/lending/desk/", "/lending/overdue/", "/lending/report/"):
        assert client.get(url).status_code == 404, url
    item = shelf["象棋"]
    assert client.get(f"/lending/items/{item.pk}/").status_code == 404


def test_nav_entry_follows_the_permission(client_for, shelf):
    assert "/lending/" in text(client_for("resident").get("/"))
    assert "/lending/" not in text(client_for("property").get("/"))


# -- one item -------------------------------------------------------------------------------


def test_resident_asks_on_the_item_page(english, shelf, demo):
    client = english("resident")
    fans = shelf["扇子"]
    page = client.get(f"/lending/items/{fans.pk}/")
    body = text(page)
    assert 'data-testid="request"' in body and 'data-testid="lend"' not in body
    assert 'data-testid="history"' not in body
    response = client.post(
        f"/lending/items/{fans.pk}/action/",
        {"action": "request", "quantity": "5", "note": "周日排练"},
    )
    assert response.status_code == 302
    loan = Loan.objects.get(item=fans, status=LoanStatus.REQUESTED)
    assert (loan.quantity, loan.borrower_user, loan.note) == (5, demo.user("resident"), "周日排练")


def test_a_refused_request_keeps_the_form_with_the_reason(english, shelf):
    wheelchair = shelf["轮椅"]
    client = english("resident")
    response = client.post(
        f"/lending/items/{wheelchair.pk}/action/", {"action": "request", "quantity": "1"}
    )
    assert response.status_code == 200
    assert "All of “轮椅” are lent out at the moment" in text(response)
    response = client.post(
        f"/lending/items/{shelf['扇子'].pk}/action/", {"action": "request", "quantity": "abc"}
    )
    assert response.status_code == 200 and "Enter a whole number" in text(response)


def test_volunteer_lends_and_sees_the_history(english, shelf, demo):
    client = english("volunteer")
    drums = shelf["腰鼓"]
    page = text(client.get(f"/lending/items/{drums.pk}/"))
    assert 'data-testid="lend"' in page and 'data-testid="request"' not in page
    response = client.post(
        f"/lending/items/{drums.pk}/action/",
        {"action": "lend", "quantity": "2", "borrower_username": "resident", "days": "10"},
    )
    assert response.status_code == 302
    loan = Loan.objects.get(item=drums)
    assert loan.borrower_user == demo.user("resident") and loan.status == LoanStatus.OUT
    assert loan.due_on == timezone.localdate() + timedelta(days=10)
    history = text(client.get(f"/lending/items/{drums.pk}/"))
    assert 'data-testid="history"' in history and "周桂兰" in history
    response = client.post(
        f"/lending/items/{drums.pk}/action/", {"action": "lend", "borrower_username": "nobody"}
    )
    assert "There is no account with this user name." in text(response)


def test_district_reads_but_does_not_act(english, shelf):
    client = english("district")
    chess = shelf["象棋"]
    page = text(client.get(f"/lending/items/{chess.pk}/"))
    assert 'data-testid="history"' in page
    assert 'data-testid="lend"' not in page and 'data-testid="request"' not in page
    response = client.post(f"/lending/items/{chess.pk}/action/", {"action": "lend"})
    assert response.status_code == 403
    loan = Loan.objects.get(item=chess, status=LoanStatus.OUT)
    response = client.post(f"/lending/loans/{loan.pk}/action/", {"action": "return"})
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.OUT
    assert 'data-testid="return-' not in text(client.get("/lending/desk/"))


def test_anonymous_donors_are_named_only_to_staff(english, shelf):
    drums = shelf["腰鼓"]
    resident = text(english("resident").get(f"/lending/items/{drums.pk}/"))
    volunteer = text(english("volunteer").get(f"/lending/items/{drums.pk}/"))
    assert "a kind neighbour" in resident and "anonymous" not in resident
    assert "anonymous" in volunteer


def test_item_can_be_changed_on_its_page(english, shelf):
    chairs = shelf["折叠椅"]
    client = english("secretary")
    data = {
        "action": "update",
        "name": "折叠椅",
        "category": Category.FURNITURE,
        "quantity": "12",
        "condition": "good",
        "location": "微广场工具间",
        "loan_days": "7",
        "is_active": "on",
    }
    assert client.post(f"/lending/items/{chairs.pk}/action/", data).status_code == 302
    chairs.refresh_from_db()
    assert (chairs.quantity, chairs.location) == (12, "微广场工具间")
    response = client.post(f"/lending/items/{chairs.pk}/action/", {**data, "quantity": "1"})
    assert "are lent or promised" in text(response)


# -- photos ---------------------------------------------------------------------------------


def test_photo_upload_and_who_may_see_it(english, client_for, shelf, media):
    fans = shelf["扇子"]
    client = english("volunteer")
    response = client.post(
        f"/lending/items/{fans.pk}/action/",
        {"action": "photo", "photo": jpeg(), "caption": "红绸扇"},
    )
    assert response.status_code == 302
    photo = ItemPhoto.objects.get(item=fans)
    assert photo.caption == "红绸扇" and photo.content_type == "image/jpeg"
    assert AuditEvent.objects.filter(action="lending.item.photo_add").exists()
    page = text(client_for("resident").get(f"/lending/items/{fans.pk}/"))
    assert f"/lending/items/{fans.pk}/photos/{photo.pk}/thumb/" in page
    thumb = client_for("resident").get(f"/lending/items/{fans.pk}/photos/{photo.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert (
        client_for("property").get(f"/lending/items/{fans.pk}/photos/{photo.pk}/full/").status_code
        == 404
    )
    other = shelf["轮椅"]
    assert client.get(f"/lending/items/{other.pk}/photos/{photo.pk}/full/").status_code == 404
    assert client.get(f"/lending/items/{fans.pk}/photos/{photo.pk}/raw/").status_code == 404


def test_a_bad_photo_is_refused_and_residents_may_not_upload(english, shelf, media):
    fans = shelf["扇子"]
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = english("volunteer").post(
        f"/lending/items/{fans.pk}/action/", {"action": "photo", "photo": bad}
    )
    assert "Only JPEG, PNG and WebP photos can be added." in text(response)
    response = english("resident").post(
        f"/lending/items/{fans.pk}/action/", {"action": "photo", "photo": jpeg()}
    )
    assert response.status_code == 403
    assert not ItemPhoto.objects.exists()


# -- my loans -------------------------------------------------------------------------------


def test_my_loans_shows_only_mine_with_my_steps(english, shelf, demo, neighbour):
    services.loan_lend(actor=demo.user("volunteer"), item=shelf["腰鼓"], borrower_user=neighbour)
    client = english("resident")
    body = text(client.get("/lending/loans/"))
    assert "Chinese chess set" in body and "Folding chair" in body and "Dance fans" in body
    assert "Waist drum" not in body and "3号楼2单元" not in body
    chess = Loan.objects.get(item=shelf["象棋"], status=LoanStatus.OUT)
    assert f'data-testid="renew-{chess.pk}"' in body
    request = Loan.objects.get(status=LoanStatus.REQUESTED)
    assert f'data-testid="cancel-{request.pk}"' in body
    due = chess.due_on
    response = client.post(f"/lending/loans/{chess.pk}/action/", {"action": "renew"})
    assert response.status_code == 302
    chess.refresh_from_db()
    assert chess.due_on == due + timedelta(days=14) and chess.renewals == 1
    client.post(f"/lending/loans/{request.pk}/action/", {"action": "cancel"})
    assert Loan.objects.get(pk=request.pk).status == LoanStatus.CANCELLED
    # someone else's loan answers as missing
    theirs = Loan.objects.get(borrower_user=neighbour)
    assert (
        client.post(f"/lending/loans/{theirs.pk}/action/", {"action": "renew"}).status_code == 404
    )


def test_an_outside_next_is_not_followed(english, shelf):
    chess = Loan.objects.get(item=shelf["象棋"], status=LoanStatus.OUT)
    response = english("resident").post(
        f"/lending/loans/{chess.pk}/action/", {"action": "renew", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/lending/loans/"


# -- the desk and the overdue list ----------------------------------------------------------


def test_desk_hands_over_and_takes_back(english, shelf):
    client = english("volunteer")
    body = text(client.get("/lending/desk/"))
    request = Loan.objects.get(status=LoanStatus.REQUESTED)
    assert f'data-testid="hand_over-{request.pk}"' in body
    assert "overdue" in body
    client.post(
        f"/lending/loans/{request.pk}/action/", {"action": "hand_over", "next": "/lending/desk/"}
    )
    request.refresh_from_db()
    assert request.status == LoanStatus.OUT and request.due_on is not None
    wheelchair = Loan.objects.get(item=shelf["轮椅"])
    response = client.post(
        f"/lending/loans/{wheelchair.pk}/action/",
        {"action": "return", "condition": "worn", "note": "扶手有划痕", "next": "/lending/desk/"},
    )
    assert response["Location"] == "/lending/desk/"
    wheelchair.refresh_from_db()
    assert wheelchair.status == LoanStatus.RETURNED and wheelchair.return_note == "扶手有划痕"
    assert Item.objects.get(pk=shelf["轮椅"].pk).condition == "worn"


def test_resident_has_no_desk(client_for, shelf):
    assert client_for("resident").get("/lending/desk/").status_code == 404
    assert client_for("resident").get("/lending/overdue/").status_code == 404


def test_overdue_list(english, shelf):
    body = text(english("district").get("/lending/overdue/"))
    assert "Wheelchair" in body and "3号楼2单元" in body
    assert "Chinese chess set" not in body  # out but not yet due


# -- donations ------------------------------------------------------------------------------


def test_donation_form_creates_an_item_and_a_notice(english, demo, shelf):
    client = english("secretary")
    assert client.get("/lending/donations/new/").status_code == 200
    response = client.post(
        "/lending/donations/new/",
        {
            "place": demo.nanguanfang.pk,
            "name": "血压计",
            "category": "other",
            "condition": "good",
            "quantity": "2",
            "donor_name": "",
            "anonymous": "on",
        },
    )
    item = Item.objects.get(name="血压计")
    assert response["Location"] == f"/lending/items/{item.pk}/"
    assert item.quantity == 2 and item.donor_anonymous
    notice = Notice.objects.filter(kind="lending.donation").latest("id")
    assert "血压计 ×2" in notice.title
    response = client.post("/lending/donations/new/", {"quantity": "1", "donor_name": "王"})
    assert "Choose the item, or name a new one." in text(response)


def test_donation_form_is_for_the_desk_only(client_for, shelf):
    for username in ("resident", "district", "property"):
        assert client_for(username).get("/lending/donations/new/").status_code == 404


# -- the usage report -----------------------------------------------------------------------


def test_usage_report_and_its_export(english, client_for, shelf):
    client = english("district")
    body = text(client.get("/lending/report/"))
    assert "Dance fans" in body and 'data-testid="export"' in body
    today = timezone.localdate()
    start = (today - timedelta(days=90)).isoformat()
    response = client.get(f"/lending/report.xlsx?start={start}&end={today.isoformat()}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["扇子"][4] == 1 and rows["扇子"][5] == 8  # one loan of eight fans
    assert rows["轮椅"][7] == 1  # the wheelchair is late
    assert AuditEvent.objects.filter(action="lending.usage.export").count() == 1
    assert client.get("/lending/report/?start=bad&end=").status_code == 200
    assert client.get("/lending/report.xlsx?start=bad").status_code == 404
    for username in ("resident", "property"):
        assert client_for(username).get("/lending/report.xlsx").status_code == 404


# -- query counts ---------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_pages_cost_a_bounded_number_of_queries(
    english, demo, shelf, neighbour, django_assert_max_num_queries
):
    volunteer, resident = english("volunteer"), english("resident")
    fans = shelf["扇子"]
    pages = [
        (volunteer, "/lending/"),
        (volunteer, f"/lending/items/{fans.pk}/"),
        (volunteer, "/lending/desk/"),
        (volunteer, "/lending/overdue/"),
        (volunteer, "/lending/report/"),
        (resident, "/lending/"),
        (resident, "/lending/loans/"),
        (resident, f"/lending/items/{fans.pk}/"),
    ]
    few = {(id(c), url): queries(c, url) for c, url in pages}
    # many more items, loans (out, overdue, requested, returned) and donations
    actor = demo.user("volunteer")
    past = timezone.now() - timedelta(days=40)
    for index in range(30):
        item = services.donation_record(
            actor=demo.user("secretary"),
            place=demo.nanguanfang,
            name=f"象棋{index}",
            quantity=5,
            donor_name=f"邻居{index}",
        ).item
        services.loan_lend(actor=actor, item=item, borrower_name=f"借用人{index}", now=past)
        services.loan_lend(actor=actor, item=item, borrower_name=f"乙{index}")
        if index < 3:  # a resident has at most three loans at once
            services.loan_request(actor=neighbour, item=item)
        loan = services.loan_lend(actor=actor, item=fans, borrower_name=f"舞蹈队{index}")
        services.loan_return(actor=actor, loan=loan)
    services.loan_lend(actor=actor, item=item, borrower_user=demo.user("resident"))
    for client, url in pages:
        with django_assert_max_num_queries(few[(id(client), url)]):
            client.get(url)


def test_an_item_is_named_in_one_language(client_for, english):
    """Issue 14: the shelf said "扇子 Dance fans"."""
    chinese = client_for("resident").get("/lending/").content.decode()
    assert "扇子" in chinese and "Dance fans" not in chinese
    in_english = english("resident").get("/lending/").content.decode()
    assert "Dance fans" in in_english and "扇子" not in in_english
