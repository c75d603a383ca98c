"""On a phone: a resident reports the broken corridor light; the community worker accepts
and dispatches it; the resident sees it move."""

import pytest

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    return out.getvalue()


def _fits(tab) -> bool:
    """No sideways scrolling on the phone's screen."""
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_report_from_a_phone_to_the_property_company(
    live_server, demo_world_tx, browser, settings, tmp_path
):
    from linli.workorders.seed import seed_categories

    settings.MEDIA_ROOT = tmp_path  # the photo

    seed_categories()
    phone = {"viewport": {"width": 390, "height": 844}}
    resident = browser.new_context(**phone).new_page()
    sign_in(resident, live_server.url, "resident")
    resident.goto(f"{live_server.url}/orders/new/")
    resident.select_option("select[name=category]", label="公共设施/楼道照明")
    # the resident's own unit is chosen already, named as people say it
    assert resident.locator("select[name=place] option:checked").inner_text() == "6号楼1单元"
    # the picker searches: typing narrows the list to what matches
    resident.get_by_test_id("place-search").fill("6号楼2")
    resident.wait_for_function(
        "() => [...document.querySelectorAll('select[name=place] option')]"
        ".every(o => o.textContent.includes('6号楼2'))"
    )
    resident.get_by_test_id("place-search").fill("6号楼1单元")
    resident.wait_for_function(
        "() => document.querySelector('select[name=place]').selectedOptions[0]"
        ".textContent === '6号楼1单元'"
    )
    resident.get_by_test_id("place-search").press("Enter")  # searches; does not send the form
    resident.wait_for_timeout(300)
    resident.wait_for_load_state()
    assert resident.locator("small.error").count() == 0
    resident.fill("input[name=title]", "6栋1单元楼道灯总是坏")
    resident.fill("textarea[name=description]", "可能电路存在问题")
    resident.set_input_files(
        "input[name=photos]", {"name": "light.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    assert _fits(resident)
    resident.get_by_test_id("file-order").click()
    # the demo's corridor-light order in this unit is offered first, with "me too"
    assert "6栋1单元楼道的灯总是坏" in resident.get_by_test_id("duplicates").inner_text()
    assert "light.jpg" in resident.content()  # the photo is kept through the warning
    assert _fits(resident)
    resident.get_by_test_id("file-order").click()  # now "file it anyway"
    resident.wait_for_url("**/orders/*/")
    assert resident.get_by_test_id("status").inner_text() == "已提交"
    assert resident.locator(".photos img").count() == 1
    order_url = resident.url
    for path in ("/orders/mine/", "/orders/board/"):
        resident.goto(f"{live_server.url}{path}")
        assert _fits(resident), path
    resident.goto(order_url)

    worker = browser.new_context(**phone).new_page()
    sign_in(worker, live_server.url, "community")
    worker.goto(order_url)
    worker.get_by_test_id("step-accept").click()
    worker.locator("form:has(input[value=accept]) button[type=submit]").click()
    worker.wait_for_load_state()
    assert worker.get_by_test_id("status").inner_text() == "已受理"
    worker.get_by_test_id("step-dispatch").click()
    worker.locator("form:has(input[value=dispatch]) button[type=submit]").click()
    worker.wait_for_load_state()
    assert worker.get_by_test_id("status").inner_text() == "已派单"

    resident.reload()
    assert resident.get_by_test_id("status").inner_text() == "已派单"
    timeline = resident.get_by_test_id("timeline").inner_text()
    assert "已受理" in timeline and "已派单" in timeline


def test_the_report_pages_fit_a_phone_in_large_type(live_server, demo_world_tx, browser):
    """The place picker, the board with its "me too" and the worker's filing form scroll
    no page sideways at 390 px, in large type too."""
    phone = {"viewport": {"width": 390, "height": 844}}
    for username, paths in (
        ("resident", ["/orders/new/", "/orders/board/", "/orders/mine/"]),
        ("community", ["/orders/", "/orders/new/"]),
    ):
        context = browser.new_context(**phone)
        # large type, as its switch leaves it (wherever the header puts the switch)
        context.add_cookies([{"name": "linli_large_type", "value": "1", "url": live_server.url}])
        tab = context.new_page()
        sign_in(tab, live_server.url, username)
        for path in paths:
            tab.goto(f"{live_server.url}{path}")
            assert tab.evaluate("document.documentElement.classList.contains('large-type')")
            assert _fits(tab), (username, path)
        if username == "resident":  # a board entry, as a neighbour opens it
            tab.goto(f"{live_server.url}/orders/board/")
            tab.get_by_test_id("board-entry").first.click()
            tab.wait_for_load_state()
            assert _fits(tab), tab.url
