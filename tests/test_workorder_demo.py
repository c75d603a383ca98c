"""The demo's year of work orders in Nanguanfang."""

from collections import Counter

import pytest
from django.utils import timezone

from linli.workorders.models import Channel, EventKind, Status, WorkOrder

pytestmark = pytest.mark.django_db
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"


def test_a_year_of_history_with_12345_transfers_falling(demo):
    orders = WorkOrder.objects.filter(place__name_path__startswith=COMPOUND)
    assert 200 <= orders.count() <= 400
    now = timezone.now()
    by_quarter = Counter()
    for created, channel in orders.values_list("created_at", "channel"):
        if channel == Channel.HOTLINE:
            by_quarter[min(3, (now - created).days // 91)] += 1
    assert by_quarter[3] > by_quarter[0]  # a year ago more 12345 transfers than lately
    closed = orders.filter(status=Status.CLOSED)
    assert closed.count() >= orders.count() * 0.9
    sample = closed.first()
    kinds = list(sample.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.FILED and kinds[-1] == EventKind.CLOSED
    assert list(sample.events.values_list("at", flat=True)) == sorted(
        sample.events.values_list("at", flat=True)
    )


def test_the_seeds_open_issues(demo):
    light = WorkOrder.objects.get(title="6栋1单元楼道的灯总是坏")
    assert light.status == Status.IN_PROGRESS
    assert light.organisation.name == "南官房物业服务有限公司"
    bikes = WorkOrder.objects.get(title="小区电动车进楼道、停放无序")
    assert bikes.referred_to_meeting


def test_the_resident_sees_their_report_and_the_board(client_for):
    resident = client_for("resident")
    assert "6栋1单元楼道的灯总是坏" in resident.get("/orders/mine/").content.decode()
    board = resident.get("/orders/board/").content.decode()
    assert "小区电动车进楼道、停放无序" in board
