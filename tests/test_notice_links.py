"""A notice's 查看详情 (Read more) as every role meets it (issue 14, item 3): the doctor,
the patrol officer, the inspector, the volunteer and the elder-care station see the compound's
minutes notice on their home page, but the meeting's record is its residents' and
participants'. The link is shown to whoever may open what it leads to, and to no one else;
the notice itself, with the decisions in its text, stays readable to all of them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.models import RoleGrant
from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.lending.services import donation_record
from linli.meetings import services
from linli.meetings.models import MeetingSeries
from linli.notices.models import Notice
from linli.notices.selectors import notice_list
from linli.places.models import Organisation
from linli.places.services import membership_add

from .lifecycle_matrix import DEMO_USERS

pytestmark = pytest.mark.django_db

# The roles the issue found answered 404 by the meeting the notice links to.
NOT_THE_MEETINGS = {"doctor", "patrol", "inspector", "volunteer", "eldercare"}


def twin(demo, username: str):
    """A new account holding the same roles and organisations as the demo account."""
    model = demo.user(username)
    user = user_create(
        actor=SYSTEM, username=f"twin-{username}", password=None, full_name=model.full_name
    )
    for grant in RoleGrant.objects.active().filter(user=model).select_related("place"):
        grant_create(
            actor=SYSTEM,
            user=user,
            role=grant.role,
            place=grant.place,
            organisation=grant.organisation,
        )
    for membership in model.memberships.select_related("organisation"):
        membership_add(actor=SYSTEM, user=user, organisation=membership.organisation)
    return user


@pytest.fixture
def twins(demo):
    return {username: twin(demo, username) for username in DEMO_USERS}


@pytest.fixture
def minutes_notice(demo) -> Notice:
    """The minutes of a meeting held today in a fresh series of the compound, published."""
    MeetingSeries.objects.filter(place=demo.nanguanfang).update(is_active=False)
    secretary = demo.user("secretary")
    series = services.series_create(
        actor=secretary, place=demo.nanguanfang, venue="议事厅", chair=secretary
    )
    for name in ("南官房物业服务有限公司", "南官房小区物管会"):
        services.participant_add(
            actor=secretary,
            series=series,
            organisation=Organisation.objects.get(name=name),
            role="参会单位",
        )
    start = timezone.now() - timedelta(minutes=30)
    meeting = services.meeting_create_extra(
        actor=secretary, series=series, start=start, end=start + timedelta(hours=2), title="议事会"
    )
    topic = services.topic_create(actor=secretary, series=series, title="楼道灯")
    services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
    services.meeting_hold(actor=secretary, meeting=meeting, now=start)
    services.item_drop(actor=secretary, item=meeting.items.get(), reason="已修好")
    services.meeting_publish_minutes(actor=secretary, meeting=meeting, summary="本月纪要")
    return Notice.objects.get(kind="meetings.minutes", url=f"/meetings/{meeting.pk}/")


@pytest.fixture
def thanks_notice(demo) -> Notice:
    volunteer = demo.user("volunteer")
    donation = donation_record(
        actor=volunteer, quantity=1, place=demo.nanguanfang, name="测试象棋", donor_name="张大爷"
    )
    return donation.notice


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def walk(notice: Notice, twins) -> dict[str, bool]:
    """For every role that sees the notice: whether its page shows the link; a shown link
    opens, a hidden one's target answers 404 to that role."""
    shown = {}
    for username, user in twins.items():
        if not notice_list(user=user).filter(pk=notice.pk).exists():
            continue
        client = signed_in(user)
        page = client.get(f"/notices/{notice.pk}/")
        assert page.status_code == 200, username
        html = page.content.decode()
        assert notice.title in html, username
        shown[username] = 'data-testid="notice-link"' in html
        target = client.get(notice.url)
        if shown[username]:
            assert f'href="{notice.url}"' in html, username
            assert target.status_code == 200, (username, notice.url)
        else:
            assert target.status_code == 404, (username, notice.url, target.status_code)
    return shown


def test_a_minutes_notice_links_to_the_meeting_only_for_those_who_may_open_it(
    minutes_notice, twins
):
    shown = walk(minutes_notice, twins)
    # The five roles of the report see the notice, with its text, but no dead link.
    assert set(shown) >= NOT_THE_MEETINGS
    assert not any(shown[username] for username in NOT_THE_MEETINGS)
    # The compound's residents and the meeting's organisers and participants follow it.
    for username in ("resident", "secretary", "community", "property"):
        assert shown[username], username


def test_a_home_page_notice_leads_to_a_page_that_opens(minutes_notice, twins):
    for username in sorted(NOT_THE_MEETINGS):
        client = signed_in(twins[username])
        home = client.get("/").content.decode()
        assert f"/notices/{minutes_notice.pk}/" in home, username
        detail = client.get(f"/notices/{minutes_notice.pk}/")
        assert detail.status_code == 200
        assert "本月纪要" in detail.content.decode()
        assert f'href="{minutes_notice.url}"' not in detail.content.decode()


def test_a_thank_you_notice_links_to_the_item_only_for_those_who_may_open_it(thanks_notice, twins):
    shown = walk(thanks_notice, twins)
    assert shown["resident"]


def test_a_link_to_a_page_no_app_vouches_for_is_not_shown(demo, twins):
    notice = Notice.objects.create(
        place=demo.nanguanfang, kind="test", title="测试公告", url="/accounts/audit/"
    )
    html = signed_in(twins["resident"]).get(f"/notices/{notice.pk}/").content.decode()
    assert "测试公告" in html and 'data-testid="notice-link"' not in html
