"""On a phone: the branch secretary prepares the deliberation meeting's agenda, writes the
record and publishes the minutes; a resident then sees the decision at home."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = "电动车停放与充电"
DECISION = "在3号楼北侧建设电动车集中充电棚，物业一个月内完成"


def status(page) -> str:
    return page.get_by_test_id("status").get_attribute("data-status")


def _meeting_today():
    from linli.accounts.models import User
    from linli.meetings import services
    from linli.places.models import Place

    secretary = User.objects.get(username="secretary")
    compound = Place.objects.get(name_path="平城区/鹿苑街道/站东社区/南官房小区")
    series = services.series_of_compound(compound) or services.series_create(
        actor=secretary, place=compound, venue="党群服务中心议事厅", chair=secretary
    )
    if not series.participants.filter(user=secretary, left_at__isnull=True).exists():
        services.participant_add(actor=secretary, series=series, role="支部书记", user=secretary)
    now = timezone.now()
    return services.meeting_create_extra(
        actor=secretary,
        series=series,
        start=now - timedelta(minutes=30),
        end=now + timedelta(minutes=90),
        title="浏览器测试议事会",
    )


def test_the_secretary_records_a_decision_and_the_resident_sees_it(
    live_server, demo_world_tx, browser
):
    from linli.workorders.seed import seed_categories

    seed_categories()
    meeting = _meeting_today()
    phone = {"viewport": {"width": 390, "height": 844}}
    url = f"{live_server.url}/meetings/{meeting.pk}/"

    secretary = browser.new_context(**phone).new_page()
    sign_in(secretary, live_server.url, "secretary")
    secretary.goto(f"{live_server.url}/meetings/")
    secretary.get_by_role("link", name="浏览器测试议事会").first.click()
    secretary.wait_for_url(url)
    secretary.get_by_test_id("own-topic").click()
    secretary.fill("form:has(input[value=new_topic]) input[name=title]", TOPIC)
    secretary.fill(
        "form:has(input[value=new_topic]) textarea[name=description]", "楼道里充电不安全"
    )
    secretary.get_by_test_id("add-own-topic").click()
    secretary.wait_for_load_state()
    item = secretary.get_by_test_id("agenda-item").filter(has_text=TOPIC)
    assert item.count() == 1

    secretary.get_by_test_id("send-agenda").click()
    secretary.wait_for_load_state()
    assert status(secretary) == "agenda_published"
    secretary.get_by_test_id("hold").click()
    secretary.wait_for_load_state()
    assert status(secretary) == "held"

    item = secretary.get_by_test_id("agenda-item").filter(has_text=TOPIC)
    item.locator("textarea[name=notes]").fill("私下：某户反对意见较大")
    item.get_by_test_id("save-notes").click()
    secretary.wait_for_load_state()
    item = secretary.get_by_test_id("agenda-item").filter(has_text=TOPIC)
    item.get_by_test_id("decide").click()
    item.locator("[data-testid=decision-form] textarea[name=text]").fill(DECISION)
    item.get_by_test_id("record-decision").click()
    secretary.wait_for_load_state()
    assert DECISION in secretary.get_by_test_id("agenda").inner_text()

    secretary.fill("textarea[name=summary]", "本月议事会议定电动车充电问题。")
    secretary.get_by_test_id("publish-minutes").click()
    secretary.wait_for_load_state()
    assert status(secretary) == "published"

    resident = browser.new_context(**phone).new_page()
    sign_in(resident, live_server.url, "resident")
    resident.goto(f"{live_server.url}/")
    panel = resident.get_by_test_id("home-notices")
    assert "浏览器测试议事会" in panel.inner_text()
    panel.get_by_role("link").filter(has_text="浏览器测试议事会").first.click()
    resident.wait_for_load_state()
    assert DECISION in resident.get_by_test_id("notice-body").inner_text()
    resident.goto(url)
    page_text = resident.locator("main").inner_text()
    assert DECISION in page_text and "本月议事会议定电动车充电问题" in page_text
    assert "某户反对意见较大" not in resident.content()
