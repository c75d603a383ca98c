"""On a 390 px phone: the demo volunteer scans the hall's poster and signs in to her shift,
sees her hours and her issued record; the branch secretary's board with sign-in, the
group's ledger and the public check of a record; nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.models import User
from linli.volunteers import services
from linli.volunteers.demo import SELF_MANAGEMENT
from linli.volunteers.models import Volunteer, VolunteerGroup, VolunteerRecord

from .browser_helpers import phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_sign_in_hours_and_record_on_a_phone(live_server, demo_world_tx, browser):
    secretary = User.objects.get(username="secretary")
    group = VolunteerGroup.objects.get(name=SELF_MANAGEMENT)
    shift_type = services.shift_type_create(
        actor=secretary, group=group, kind="desk_duty", name="签到测试台", needed=1
    )
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=10)
    shift = services.shift_create(
        actor=secretary, shift_type=shift_type, start=start, end=start + timedelta(minutes=50)
    )
    lin = Volunteer.objects.get(user__username="volunteer")
    services.shift_assign(actor=secretary, shift=shift, volunteer=lin)
    token = services.shift_type_sign_in_token(actor=secretary, shift_type=shift_type)

    context, tab = phone(browser, live_server.url, "volunteer")
    tab.goto(f"{live_server.url}/volunteers/sign-in/{token}/")
    _fits(tab)
    tab.get_by_test_id("sign-in").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("signed-in").count() == 1
    _fits(tab)
    tab.goto(f"{live_server.url}/volunteers/hours/")
    assert tab.get_by_test_id("ledger-entry").count() > 0
    _fits(tab)
    record = VolunteerRecord.objects.get(volunteer=lin)
    tab.goto(f"{live_server.url}/volunteers/records/{record.pk}/")
    assert tab.get_by_test_id("record-number").inner_text() == record.number
    context.close()

    context, tab = phone(browser, live_server.url, "secretary")
    for path in (
        f"/volunteers/board/?group={group.pk}",
        f"/volunteers/groups/{group.pk}/hours/",
        f"/volunteers/verify/?number={record.number}&code={record.code}",
    ):
        tab.goto(f"{live_server.url}{path}")
        _fits(tab)
    assert tab.get_by_test_id("verified").count() == 1
    context.close()
