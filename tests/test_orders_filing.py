"""Filing a work order as the people involved do (issue 14, items 1 and 5): staff who file
start from the queue and choose a place of their scope with a searchable picker; a
resident's form opens at their own unit; places are named as people say them, never as
full paths; the duplicate warning keeps the photo and asks with a clear label."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.places.forms import PICKER_LIMIT
from linli.workorders import services
from linli.workorders.models import Category, Photo, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"
ELSEWHERE = "平城区/清远街道/苹果园社区/苹果园小区/1号楼"
FILERS = ["community", "secretary", "patrol", "inspector", "volunteer"]
NOT_FILERS = ["property", "street", "district", "doctor", "eldercare"]


@pytest.fixture(autouse=True)
def _categories(db):
    seed_categories()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg(name="light.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def options(html: str) -> list[tuple[str, bool, str]]:
    """The place picker's options: (value, selected, label)."""
    select = html.split('name="place"', 1)[1].split("</select>", 1)[0]
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(
            r'<option value="(\d+)"( selected)?>([^<]*)</option>', select
        )
    ]


def light():
    return Category.objects.get(code="corridor-light")


# -- staff file from the queue (item 1) -------------------------------------------------------


@pytest.mark.parametrize("username", ["community", "secretary"])
def test_a_worker_files_from_the_queue(demo, client_for, username):
    client = client_for(username)
    queue = client.get("/orders/").content.decode()
    assert 'data-testid="file-from-queue"' in queue
    form = client.get("/orders/new/")
    assert form.status_code == 200  # was 404 "Nowhere to report"
    building = demo.place(COMPOUND + "/2号楼")
    labels = {label for _value, _selected, label in options(form.content.decode())}
    # the worker of the whole community is told the compound; the compound's secretary not
    assert ("南官房小区2号楼" if username == "community" else "2号楼") in labels
    response = client.post(
        "/orders/new/",
        {
            "category": light().pk,
            "place": building.pk,
            "title": "2号楼门口路灯不亮",
            "channel": "phone",
            "reporter_name": "李大爷",
        },
    )
    assert response.status_code == 302, response.content.decode()[:300]
    order = WorkOrder.objects.get(title="2号楼门口路灯不亮")
    assert order.place == building and order.channel == "phone"


@pytest.mark.parametrize("username", FILERS)
def test_every_role_that_files_opens_the_form_with_spoken_names(client_for, username):
    response = client_for(username).get("/orders/new/")
    assert response.status_code == 200
    listed = options(response.content.decode())
    assert 0 < len(listed) <= PICKER_LIMIT
    assert all("/" not in label for _value, _selected, label in listed)  # never a full path
    assert 'data-testid="place-search"' in response.content.decode()


@pytest.mark.parametrize("username", NOT_FILERS)
def test_roles_that_do_not_file_are_not_offered_the_form(client_for, username):
    client = client_for(username)
    for url in ("/orders/", "/orders/mine/"):
        response = client.get(url, follow=True)
        assert "/orders/new/" not in response.content.decode(), url
    assert client.get("/orders/new/").status_code == 404


def test_a_place_outside_ones_scope_is_refused(demo, client_for):
    response = client_for("volunteer").post(  # the volunteer serves 南官房小区 only
        "/orders/new/",
        {"category": light().pk, "place": demo.place(ELSEWHERE).pk, "title": "别处的灯"},
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not WorkOrder.objects.filter(title="别处的灯").exists()


def test_the_picker_searches_the_users_places_only(demo, client_for):
    community = client_for("community")
    found = community.get("/orders/new/places/", {"place_q": "6号楼 1单元"}).content.decode()
    assert f'<option value="{demo.place(UNIT).pk}">南官房小区6号楼1单元</option>' in found
    assert (
        "苹果园" not in community.get("/orders/new/places/", {"place_q": "苹果园"}).content.decode()
    )
    patrol = client_for("patrol").get("/orders/new/places/", {"place_q": "苹果园 1号楼"})
    assert f'value="{demo.place(ELSEWHERE).pk}">苹果园小区1号楼<' in patrol.content.decode()
    resident = client_for("resident").get("/orders/new/places/", {"place_q": "1号楼"})
    labels = re.findall(r">([^<]+)</option>", resident.content.decode())
    assert labels and all("苹果园" not in label and "/" not in label for label in labels)


def test_a_long_list_says_how_to_find_the_rest(client_for):
    html = client_for("patrol").get("/orders/new/").content.decode()  # the whole district
    assert len(options(html)) == PICKER_LIMIT
    assert 'data-testid="place-note"' in html


def test_the_form_and_its_search_cost_a_bounded_number_of_queries(
    client_for, django_assert_max_num_queries
):
    for username in ("resident", "patrol"):
        client = client_for(username)
        client.get("/orders/new/")
        with django_assert_max_num_queries(16):
            assert client.get("/orders/new/").status_code == 200
        with django_assert_max_num_queries(10):
            client.get("/orders/new/places/", {"place_q": "6号楼"})


# -- the resident's form (item 5) -------------------------------------------------------------


def test_the_residents_own_unit_is_preselected(demo, client_for):
    html = client_for("resident").get("/orders/new/").content.decode()
    selected = [(value, label) for value, chosen, label in options(html) if chosen]
    assert selected == [(str(demo.place(UNIT).pk), "6号楼1单元")]


def test_a_staff_member_from_a_places_page_starts_there(demo, client_for):
    household = demo.place(UNIT + "/101")
    html = client_for("community").get(f"/orders/new/?place={household.pk}").content.decode()
    selected = [label for _value, chosen, label in options(html) if chosen]
    assert selected == ["南官房小区6号楼1单元101"]


def _existing_order(demo):
    return services.order_file(
        actor=demo.user("community"),
        category=light(),
        place=demo.place(UNIT),
        title="楼道灯坏了",
        channel="counter",
    )


def test_the_duplicate_warning_asks_in_words_and_keeps_the_photo(demo, client_for, media):
    _existing_order(demo)
    resident = client_for("resident")
    data = {"category": light().pk, "place": demo.place(UNIT).pk, "title": "灯又不亮了"}
    warned = resident.post("/orders/new/", {**data, "photos": jpeg()})
    html = warned.content.decode()
    assert 'data-testid="duplicates"' in html
    assert "File anyway" not in html and 'for="id_file_anyway"' not in html  # no raw label
    assert "仍然提交" in html
    assert "light.jpg" in html  # the page says the photo is still attached
    token = re.search(r'name="kept_photos" value="([^"]+)"', html).group(1)
    file_anyway = re.search(r'name="file_anyway" value="([^"]+)"', html).group(1)
    filed = resident.post(
        "/orders/new/", {**data, "kept_photos": token, "file_anyway": file_anyway}
    )
    assert filed.status_code == 302
    order = WorkOrder.objects.get(title="灯又不亮了")
    assert Photo.objects.filter(order=order).count() == 1
    assert list((media / "kept-uploads").iterdir()) == []  # nothing left behind


def test_a_kept_photo_serves_only_the_session_that_sent_it(demo, client_for, media):
    _existing_order(demo)
    data = {"category": light().pk, "place": demo.place(UNIT).pk, "title": "灯又不亮了"}
    html = client_for("resident").post("/orders/new/", {**data, "photos": jpeg()}).content.decode()
    token = re.search(r'name="kept_photos" value="([^"]+)"', html).group(1)
    neighbour = user_create(actor=SYSTEM, username="nb", password=None, full_name="邻居")
    grant_create(actor=SYSTEM, user=neighbour, role="resident", place=demo.place(UNIT + "/201"))
    other = client_for("nb")
    other.post(
        "/orders/new/", {**data, "title": "别人的", "kept_photos": token, "file_anyway": "True"}
    )
    order = WorkOrder.objects.get(title="别人的")
    assert not Photo.objects.filter(order=order).exists()


def test_the_warning_in_english_has_a_clear_button(demo, english):
    _existing_order(demo)
    html = (
        english("resident")
        .post("/orders/new/", {"category": light().pk, "place": demo.place(UNIT).pk, "title": "x"})
        .content.decode()
    )
    assert "File it anyway" in html
    assert "File anyway" not in html and 'for="id_file_anyway"' not in html
