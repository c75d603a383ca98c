"""On a 390 px phone: the demo volunteer (林小雨) at the door of a session finds a child by
name, drops them off, and picks them up with the code from the guardian's phone and the
grandmother chosen from the list; a wrong code is refused; nothing scrolls sideways."""

import pytest
from django.conf import settings

from linli.tutoring.models import AttendanceStatus, TutoringAttendance

from .browser_helpers import phone
from .tutoring_helpers import enrol, make_programme, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_door_on_a_phone(live_server, demo_world_tx, browser, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    programme = make_programme()
    child = enrol(programme, name="小蓝")
    enrol(programme, name="小绿")
    session = make_session(programme)
    door = f"{live_server.url}/volunteers/tutoring/sessions/{session.pk}/door/"
    context, tab = phone(browser, live_server.url, "volunteer")
    tab.goto(door)
    _fits(tab)
    tab.get_by_test_id("door-search").fill("小蓝")
    tab.get_by_test_id("door-search").press("Enter")
    tab.wait_for_load_state()
    assert tab.get_by_test_id("door-child").count() == 1
    tab.get_by_test_id("drop-off").click()
    tab.wait_for_load_state()
    row = TutoringAttendance.objects.get(session=session, child=child)
    assert row.status == AttendanceStatus.DROPPED_OFF
    assert row.code in tab.content()  # for the badge
    _fits(tab)
    guardian, guardian_tab = phone(browser, live_server.url, "resident")
    guardian_tab.goto(f"{live_server.url}/volunteers/tutoring/")
    assert guardian_tab.get_by_test_id("today-code").inner_text() == row.code
    _fits(guardian_tab)
    guardian.close()
    tab.goto(door + "?q=小蓝")
    tab.get_by_test_id("code").fill("0000" if row.code != "0000" else "1111")
    tab.get_by_label("周奶奶", exact=False).check()
    tab.get_by_test_id("pick-up").click()
    tab.wait_for_load_state()
    row.refresh_from_db()
    assert row.status == AttendanceStatus.DROPPED_OFF
    tab.get_by_test_id("code").fill(row.code)
    tab.get_by_label("周奶奶", exact=False).check()
    tab.get_by_test_id("pick-up").click()
    tab.wait_for_load_state()
    row.refresh_from_db()
    assert row.status == AttendanceStatus.PICKED_UP and row.collector.name == "周奶奶"
    _fits(tab)
    tab.goto(f"{live_server.url}/volunteers/tutoring/sessions/{session.pk}/attendance/")
    _fits(tab)
    context.close()
