"""Places are named the way people say them — "6号楼1单元101", with the compound where a page
spans several — on the work-order pages, the booking desk, "my loans" and the lending desk
(issue 14, items 5 and 6 and "places everywhere")."""

import pytest
from django.template import Context, Template
from django.utils import translation

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.lending import services as lending
from linli.lending.demo import demo_lending
from linli.lending.models import Item
from linli.places.names import label_of, places_label, spoken_name
from linli.places.services import place_create
from tests.test_booking_pages import at, book, make_room

pytestmark = pytest.mark.django_db

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
HOME = COMPOUND + "/6号楼/1单元/101"
OTHER_COMPOUND = "平城区/清远街道/苹果园社区/苹果园小区"


def test_a_household_a_unit_and_a_building_as_people_say_them(demo):
    home = demo.place(HOME)
    assert spoken_name(home) == "6号楼1单元101"
    assert spoken_name(home.parent) == "6号楼1单元"
    assert spoken_name(home.parent.parent) == "6号楼"
    assert spoken_name(home, with_compound=True) == "南官房小区6号楼1单元101"
    assert home.spoken_name == "6号楼1单元101"
    # a compound and what lies above it keep their own names
    assert spoken_name(demo.nanguanfang) == "南官房小区"
    assert spoken_name(demo.zhandong) == "站东社区"


def test_numbers_alone_are_said_as_buildings_and_units(demo):
    building = place_create(actor=SYSTEM, kind="building", name="15", parent=demo.nanguanfang)
    flat = place_create(actor=SYSTEM, kind="household", name="102", parent=building)
    unit = place_create(actor=SYSTEM, kind="unit", name="2", parent=building)
    assert spoken_name(flat) == "15号楼102"  # a small building without units
    assert spoken_name(unit) == "15号楼2单元"


def test_english_reads_the_same_place(demo, django_assert_max_num_queries):
    home = demo.place(HOME)
    with translation.override("en"):
        assert spoken_name(home) == "Building 6, Unit 1, Room 101"
        places = [demo.place(HOME), demo.place(OTHER_COMPOUND + "/1号楼")]
        with django_assert_max_num_queries(1):  # the ancestors' English names, once
            places_label(places)
        assert [label_of(p) for p in places] == [
            "Nanguanfang Compound, Building 6, Unit 1, Room 101",
            "Pingguoyuan Compound, Building 1",
        ]


def test_the_compound_is_named_only_where_a_list_spans_several(demo, django_assert_max_num_queries):
    one = [demo.place(HOME), demo.place(COMPOUND + "/2号楼")]
    with django_assert_max_num_queries(0):  # Chinese names come from the stored path
        places_label(one)
    assert [label_of(p) for p in one] == ["6号楼1单元101", "2号楼"]
    several = [demo.place(HOME), demo.place(OTHER_COMPOUND + "/1号楼")]
    places_label(several)
    assert [label_of(p) for p in several] == ["南官房小区6号楼1单元101", "苹果园小区1号楼"]


def test_templates_name_a_place_with_the_spoken_filter(demo):
    rendered = Template("{% load places %}{{ p|spoken }} / {{ p|spoken_full }}").render(
        Context({"p": demo.place(HOME)})
    )
    assert rendered == "6号楼1单元101 / 南官房小区6号楼1单元101"


# -- households at the desks (issue 14, item 6) ----------------------------------------------


@pytest.fixture
def neighbour(demo):
    """周桂兰's neighbour two floors up, in a compound full of flats numbered 301."""
    user = user_create(actor=SYSTEM, username="neighbour301", password=None, full_name="邻居钱")
    grant_create(
        actor=SYSTEM, user=user, role="resident", place=demo.place(COMPOUND + "/6号楼/2单元/301")
    )
    return user


def test_the_booking_desk_names_the_household_with_building_and_unit(demo, client_for):
    hall = make_room(demo, name="测试会客厅")
    book(demo.user("resident"), hall, at(3, 10), at(3, 12), title="家庭聚会")
    html = client_for("volunteer").get("/bookings/desk/").content.decode()
    assert "周桂兰 · 6号楼1单元101" in html
    assert "周桂兰 · 101<" not in html


def test_loans_name_the_household_with_building_and_unit(demo, client_for, neighbour):
    demo_lending(demo.nanguanfang)
    item = Item.objects.filter(place=demo.nanguanfang, is_active=True).order_by("id").first()
    lending.loan_lend(actor=demo.user("volunteer"), item=item, borrower_user=neighbour)
    desk = client_for("volunteer").get("/lending/desk/").content.decode()
    assert "6号楼2单元301" in desk and '<small class="muted">301</small>' not in desk
    mine = client_for("neighbour301").get("/lending/loans/").content.decode()
    assert "6号楼2单元301" in mine and '<small class="muted">301</small>' not in mine


def test_organisations_say_where_they_serve_by_its_name_not_its_path(demo, client_for):
    from linli.places.models import Organisation

    company = Organisation.objects.filter(place=demo.nanguanfang).order_by("pk").first()
    page = client_for("community").get(f"/organisations/{company.pk}/").content.decode()
    assert "南官房小区" in page and COMPOUND not in page
    listing = client_for("community").get("/organisations/").content.decode()
    assert "南官房小区" in listing and COMPOUND not in listing
