"""The demo's summer tutoring: the university team with 20 children of the compound's
residents over July and August in the reception hall, sessions on the hall's weekly
booking, attendance kept, one child collected by a grandparent and the guardian told."""

import pytest
from django.urls import reverse

from linli.core.models import Notification
from linli.tutoring.models import (
    AttendanceStatus,
    ChildStatus,
    TutoringAttendance,
    TutoringChild,
    TutoringProgramme,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_summer_of_tutoring(demo):
    programme = TutoringProgramme.objects.get()
    assert programme.group.name == "大同大学志愿者服务队"
    assert programme.room.kind == "reception_hall"
    assert (programme.starts_on.month, programme.ends_on.month) == (7, 8)
    children = TutoringChild.objects.filter(programme=programme, status=ChildStatus.ENROLLED)
    assert children.count() == 20
    assert all(c.guardian.resident.place.path.startswith(demo.nanguanfang.path) for c in children)
    sessions = list(programme.sessions.select_related("booking"))
    assert len(sessions) >= 6
    assert all(s.booking.room_id == programme.room_id for s in sessions)
    rows = TutoringAttendance.objects.filter(session__programme=programme)
    assert rows.filter(status=AttendanceStatus.PICKED_UP).count() > 100
    assert rows.filter(status=AttendanceStatus.ABSENT).exists()
    by_grandparent = rows.filter(collector__relation="grandparent")
    assert by_grandparent.count() == 1
    guardian = by_grandparent.get().child.guardian
    assert Notification.objects.filter(user=guardian, kind="tutoring.picked_up").exists()


def test_the_demo_pages(client_for):
    programme = TutoringProgramme.objects.get()
    page = client_for("secretary").get(reverse("tutoring:programme-detail", args=[programme.pk]))
    assert page.status_code == 200 and 'data-testid="below-ratio"' in page.content.decode()
    home = client_for("resident").get(reverse("tutoring:home")).content.decode()
    assert 'data-testid="my-child"' in home
    # the summer is over: the tutors no longer see the children's data
    child = TutoringChild.objects.filter(programme=programme).first()
    assert (
        client_for("volunteer").get(reverse("tutoring:child-detail", args=[child.pk])).status_code
        == 404
    )
