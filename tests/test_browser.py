"""In a real Chromium on a phone-sized screen: a street administrator signs in, browses to
Nanguanfang in Chinese, switches to English, and signs out."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    call_command("demo", verbosity=0)


def test_street_admin_browses_to_nanguanfang_then_switches_language(live_server, world, page):
    page.goto(f"{live_server.url}/places/")
    # not signed in: the sign-in page, in Chinese although the browser asks for English
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.fill("input[name=username]", "street")
    page.fill("input[name=password]", "linli-demo")
    page.get_by_test_id("sign-in").click()

    # the place list of a single-root user opens the street itself
    page.wait_for_url("**/places/*/")
    assert page.locator("h1").inner_text() == "鹿苑街道"
    page.get_by_role("link", name="站东社区").click()
    assert page.locator("h1").inner_text() == "站东社区"
    page.get_by_role("link", name="南官房小区").click()
    assert page.locator("h1").inner_text() == "南官房小区"
    assert "6号楼" in page.get_by_test_id("children").inner_text()
    assert "楼栋" in page.get_by_test_id("children").inner_text()
    breadcrumbs = page.get_by_test_id("breadcrumbs").inner_text()
    assert "平城区" in breadcrumbs and "鹿苑街道" in breadcrumbs

    # switch to English: same page, English labels and names
    page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Nanguanfang Compound"
    assert "building" in page.get_by_test_id("children").inner_text()
    assert page.get_by_role("link", name="Places").first.is_visible()

    # large type for elderly readers
    page.get_by_test_id("large-type").click()
    page.wait_for_load_state()
    assert "large-type" in (page.locator("html").get_attribute("class") or "")

    # on a phone, signing out is under 我的 (Me) in the tab bar
    page.get_by_test_id("tab-bar").get_by_role("link", name="Me").click()
    page.get_by_test_id("me-sign-out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.goto(f"{live_server.url}/places/")
    assert "/accounts/login/" in page.url


def test_community_worker_finds_a_resident_by_pinyin_and_reveals_on_a_phone(
    live_server, world, page
):
    from linli.residents.models import Resident

    # the demo's 张晓明 lives in Nanguanfang
    resident = Resident.objects.get(name="张晓明")
    number, phone = resident.id_number, resident.phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "community")
    page.fill("input[name=password]", "linli-demo")
    page.get_by_test_id("sign-in").click()
    # the register is a tab of the community worker's phone
    page.get_by_test_id("tab-bar").get_by_role("link", name="居民").click()
    page.fill("input[name=q]", "zxm")
    page.get_by_role("button", name="搜索").click()
    page.get_by_test_id("residents").get_by_role("link", name="张晓明").click()
    assert page.locator("h1").inner_text() == "张晓明"
    assert page.get_by_test_id("id-number").inner_text() == number[:6] + "********" + number[-4:]
    assert page.get_by_test_id("phone").inner_text() == resident.phone_masked
    assert number not in page.content()
    page.get_by_test_id("reveal").click()
    page.get_by_test_id("id-number").filter(has_text=number).wait_for()
    assert page.get_by_test_id("phone").inner_text() == phone
