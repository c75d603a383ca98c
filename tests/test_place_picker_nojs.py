"""The report form's place picker without script (issue 14, "Places everywhere"): its search
button sends the form, which comes back with the places that match, named as people say them
(never a full path), the best match chosen, and everything typed and attached kept; nothing
is filed until "Submit". A search that finds nothing says so and keeps the list. Tested with
the Django test client, which runs no script."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.places.names import spoken_name
from linli.workorders.models import Category, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db

URL = "/orders/new/"
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"
ELSEWHERE = "平城区/清远街道/苹果园社区/苹果园小区/1号楼"
TITLE = "楼道灯不亮XQ9T"
DESCRIPTION = "晚上很黑XQ9D"


@pytest.fixture(autouse=True)
def _categories(request):
    if "demo_world_tx" not in request.fixturenames:  # the browser test seeds after loading
        request.getfixturevalue("db")
        seed_categories()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def light():
    return Category.objects.get(code="corridor-light")


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


def chosen(html: str) -> list[str]:
    return [label for _value, selected, label in options(html) if selected]


def search(client, words, **typed):
    data = {"place_search": "1", "place_q": words, **typed}
    return client.post(URL, data)


def test_the_form_offers_a_search_button_that_sends_the_form(client_for):
    html = client_for("resident").get(URL).content.decode()
    form = html[html.index('<form method="post" enctype="multipart/form-data"') :]
    form = form[: form.index("</form>")]
    button = re.search(r'<button type="submit" name="place_search"[^>]*>', form)
    assert button, "no search button inside the report form"
    assert 'name="place_q"' in form


def test_a_resident_searches_without_script_and_keeps_what_was_typed(demo, client_for):
    client = client_for("resident")
    before = WorkOrder.objects.count()
    response = search(
        client,
        "6号楼2",
        category=light().pk,
        place=demo.place(UNIT).pk,
        title=TITLE,
        description=DESCRIPTION,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert WorkOrder.objects.count() == before  # a search files nothing
    listed = options(html)
    assert listed and all("6号楼2" in label for _v, _s, label in listed)
    assert all("/" not in label for _v, _s, label in listed)  # never a full path
    assert chosen(html) == [listed[0][2]]  # the best match is chosen, as with script
    assert TITLE in html and DESCRIPTION in html
    assert f'<option value="{light().pk}" selected>' in html
    assert 'value="6号楼2"' in html  # the words stay in the search box
    assert 'class="error"' not in html  # nothing was checked yet


def test_the_place_found_without_script_is_the_one_filed(demo, client_for):
    client = client_for("resident")
    unit = demo.place(UNIT)
    html = search(client, "6号楼 1单元", category=light().pk, title=TITLE).content.decode()
    assert chosen(html) == [spoken_name(unit)] == ["6号楼1单元"]
    response = client.post(
        URL,
        {
            "category": light().pk,
            "place": unit.pk,
            "title": TITLE,
            "description": DESCRIPTION,
            "file_anyway": "True",
        },
    )
    assert response.status_code == 302
    assert WorkOrder.objects.get(title=TITLE).place == unit


def test_the_place_chosen_before_stays_chosen_when_it_matches(demo, client_for):
    unit = demo.place(UNIT)
    html = search(client_for("resident"), "6号楼", place=unit.pk).content.decode()
    assert chosen(html) == ["6号楼1单元"]


def test_a_photo_attached_before_the_search_is_kept(demo, client_for, media):
    client = client_for("resident")
    response = client.post(
        URL,
        {
            "place_search": "1",
            "place_q": "6号楼1单元",
            "category": light().pk,
            "title": TITLE,
            "photos": jpeg(),
        },
    )
    html = response.content.decode()
    assert "light.jpg" in html
    token = re.search(r'name="kept_photos" value="([^"]+)"', html).group(1)
    response = client.post(
        URL,
        {
            "category": light().pk,
            "place": demo.place(UNIT).pk,
            "title": TITLE,
            "kept_photos": token,
            "file_anyway": "True",
        },
    )
    assert response.status_code == 302
    assert WorkOrder.objects.get(title=TITLE).photos.count() == 1


def test_a_search_that_finds_nothing_says_so_and_keeps_the_list(demo, english):
    unit = demo.place(UNIT)
    html = search(english("resident"), "没有这个地方", place=unit.pk, title=TITLE).content.decode()
    assert "No place matches “没有这个地方”" in html
    assert 'data-testid="place-note"' in html
    chosen_values = [value for value, selected, _label in options(html) if selected]
    assert chosen_values == [str(unit.pk)]  # what was chosen before stays
    assert len(options(html)) > 1 and TITLE in html


def test_staff_find_places_of_their_scope_only(demo, client_for):
    elsewhere = demo.place(ELSEWHERE)
    html = search(client_for("patrol"), "苹果园 1号楼").content.decode()
    assert f'<option value="{elsewhere.pk}" selected>苹果园小区1号楼</option>' in html
    html = search(client_for("community"), "苹果园 1号楼").content.decode()
    assert str(elsewhere.pk) not in [value for value, _s, _l in options(html)]
    assert "苹果园" not in "".join(label for _v, _s, label in options(html))


def test_staff_keep_their_own_fields_through_a_search(client_for):
    html = search(
        client_for("patrol"),
        "6号楼",
        title=TITLE,
        channel="phone",
        reporter_name="李大爷XQ9R",
    ).content.decode()
    assert "李大爷XQ9R" in html and '<option value="phone" selected>' in html


def test_staff_who_came_from_a_flat_can_find_it_again(demo, client_for):
    """The form opened from a household's page (?place=) keeps that flat findable."""
    household = demo.place(UNIT + "/101")
    url = f"{URL}?place={household.pk}"
    client = client_for("community")
    html = client.post(url, {"place_search": "1", "place_q": "6号楼1单元101"}).content.decode()
    assert chosen(html) == ["南官房小区6号楼1单元101"]


def test_a_search_is_refused_to_those_who_do_not_file(client_for):
    assert search(client_for("doctor"), "6号楼").status_code == 404


def test_a_search_costs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    for username in ("resident", "patrol"):
        client = client_for(username)
        search(client, "6号楼")
        with django_assert_max_num_queries(16):
            assert search(client, "6号楼", title=TITLE).status_code == 200


# -- in a browser, with and without script, at 390 px in both type sizes ---------------------


def _phone(browser, url, *, script: bool, large: bool):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=script
    )
    if large:
        context.add_cookies([{"name": "linli_large_type", "value": "1", "url": url}])
    tab = context.new_page()
    tab.goto(f"{url}/accounts/login/")
    tab.fill("input[name=username]", "resident")
    tab.fill("input[name=password]", "linli-demo")
    tab.get_by_test_id("sign-in").click()
    tab.wait_for_load_state()
    return context, tab


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_the_search_button_works_with_and_without_script(
    live_server, demo_world_tx, browser, large
):
    seed_categories()
    url = live_server.url
    for script in (False, True):
        context, tab = _phone(browser, url, script=script, large=large)
        tab.goto(f"{url}{URL}")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, script
        box = tab.get_by_test_id("place-search-button").bounding_box()
        assert box["x"] + box["width"] <= 390 and box["height"] >= 24
        tab.fill("input[name=title]", TITLE)
        tab.get_by_test_id("place-search").fill("6号楼2")
        if script:
            tab.evaluate("window.notReloaded = true")
        tab.get_by_test_id("place-search-button").click()
        if script:  # htmx replaces the options in place; the form is not sent
            tab.wait_for_function(
                "() => [...document.querySelectorAll('select[name=place] option')]"
                ".every(o => o.textContent.includes('6号楼2'))"
            )
            assert tab.evaluate("window.notReloaded === true")
        else:  # the form comes back from the server
            tab.wait_for_load_state()
        labels = tab.locator("select[name=place] option:not([value=''])").all_inner_texts()
        assert labels and all("6号楼2" in label for label in labels), (script, labels)
        assert tab.input_value("input[name=title]") == TITLE
        assert tab.locator("small.error").count() == 0
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, script
        context.close()
