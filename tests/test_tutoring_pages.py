"""Summer tutoring's pages: the guardian's children with today's code, enrolling with the
separate consent, the door (drop-off gives the code, pick-up refused without it or for a
stranger), the programme's ratio flags, the attendance with the call list, the log, the
collector's photo served only to who may see the child, and 404 for everyone else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.core.models import AuditEvent
from linli.tutoring import services
from linli.tutoring.models import AttendanceStatus, TutoringChild

from .tutoring_helpers import attendance_of, enrol, make_programme, make_session, png_bytes, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def day():
    programme = make_programme(ratio=1)
    child = enrol(programme, name="小明")
    enrol(programme, name="小红")
    session = make_session(programme)
    return programme, child, session


def test_enrolment_needs_the_consent_box(client_for):
    programme = make_programme()
    client = client_for("resident")
    url = reverse("tutoring:child-enrol", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert services.CONSENT_VERSION in page.content.decode()
    data = {
        "name": "小华",
        "birth_date": "2018-03-04",
        "allergies": "芒果",
        "consent_version": services.CONSENT_VERSION,
        "collector1_name": "李爷爷",
        "collector1_relation": "grandparent",
        "collector1_phone": "13700003333",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert not TutoringChild.objects.filter(name="小华").exists()
    done = client.post(url, {**data, "consent": "on"})
    child = TutoringChild.objects.get(name="小华")
    assert done.status_code == 302 and done["Location"] == reverse(
        "tutoring:child-detail", args=[child.pk]
    )
    assert child.consents.get().given_by == user("resident")
    assert child.collectors.get(name="李爷爷").phone == "13700003333"


def test_the_child_page_masks_until_an_audited_reveal(client_for, day):
    _programme, child, _session = day
    client = client_for("resident")
    page = client.get(reverse("tutoring:child-detail", args=[child.pk])).content.decode()
    assert "花生" not in page and "137****1111" in page and "13700001111" not in page
    shown = client.post(reverse("tutoring:child-reveal", args=[child.pk])).content.decode()
    assert "花生过敏" in shown and "13700001111" in shown
    assert AuditEvent.objects.filter(action="tutoring.child.reveal", object_id=str(child.pk))


@pytest.mark.parametrize("outsider", ["property", "doctor", "patrol", "street"])
def test_everyone_else_gets_404(client_for, day, outsider):
    programme, child, session = day
    client = client_for(outsider)
    for url in (
        reverse("tutoring:child-detail", args=[child.pk]),
        reverse("tutoring:programme-detail", args=[programme.pk]),
        reverse("tutoring:session-door", args=[session.pk]),
        reverse("tutoring:session-attendance", args=[session.pk]),
        reverse("tutoring:session-log", args=[session.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("tutoring:child-reveal", args=[child.pk])).status_code == 404
    row = attendance_of(session, child)
    step = reverse("tutoring:attendance-step", args=[row.pk, "drop_off"])
    assert client.post(step).status_code == 404


def test_the_door_drop_off_and_pick_up(client_for, day):
    _programme, child, session = day
    tutor = client_for("volunteer")
    door = reverse("tutoring:session-door", args=[session.pk])
    page = tutor.get(door, {"q": "小明"}).content.decode()
    assert "小明" in page and "小红" not in page
    row = attendance_of(session, child)
    step = reverse("tutoring:attendance-step", args=[row.pk, "drop_off"])
    tutor.post(step, {"next": door})
    row.refresh_from_db()
    assert row.status == AttendanceStatus.DROPPED_OFF
    # the guardian sees the code on their phone
    home = client_for("resident").get(reverse("tutoring:home")).content.decode()
    assert row.code in home
    pick = reverse("tutoring:attendance-step", args=[row.pk, "pick_up"])
    grandma = child.collectors.get(relation="grandparent")
    wrong = "0000" if row.code != "0000" else "1111"
    response = tutor.post(pick, {"code": wrong, "collector": grandma.pk}, follow=True)
    assert "不匹配" in response.content.decode() or "does not match" in response.content.decode()
    other = TutoringChild.objects.get(name="小红").collectors.get(relation="grandparent")
    tutor.post(pick, {"code": row.code, "collector": other.pk})
    row.refresh_from_db()
    assert row.status == AttendanceStatus.DROPPED_OFF
    tutor.post(pick, {"code": row.code, "collector": grandma.pk})
    row.refresh_from_db()
    assert row.status == AttendanceStatus.PICKED_UP and row.collector == grandma


def test_the_programme_page_flags_a_session_below_the_ratio(client_for, day):
    programme, _child, _session = day
    page = client_for("secretary").get(reverse("tutoring:programme-detail", args=[programme.pk]))
    assert page.status_code == 200
    assert 'data-testid="ratio-flags"' in page.content.decode()
    assert 'data-testid="below-ratio"' in page.content.decode()


def test_the_attendance_shows_the_call_list_of_a_child_not_collected(client_for, day):
    _programme, child, session = day
    row = services.attendance_drop_off(
        actor=user("volunteer"), attendance=attendance_of(session, child)
    )
    type(row).objects.filter(pk=row.pk).update(alert_raised_at=timezone.now())
    page = (
        client_for("volunteer")
        .get(reverse("tutoring:session-attendance", args=[session.pk]))
        .content.decode()
    )
    assert 'data-testid="call-list"' in page and "13700001111" in page
    assert AuditEvent.objects.filter(action="tutoring.call_list").exists()


def test_the_log_page(client_for, day):
    _programme, _child, session = day
    url = reverse("tutoring:session-log", args=[session.pk])
    tutor = client_for("volunteer")
    assert tutor.post(url, {"text": "数学作业辅导"}).status_code == 302
    assert "数学作业辅导" in tutor.get(url).content.decode()


def test_the_collectors_photo_is_served_only_to_who_may_see_the_child(client_for, day):
    _programme, child, _session = day
    grandma = child.collectors.get(relation="grandparent")
    guardian = client_for("resident")
    upload = SimpleUploadedFile("nai.png", png_bytes(), content_type="image/png")
    guardian.post(reverse("tutoring:collector-photo", args=[grandma.pk]), {"photo": upload})
    grandma.refresh_from_db()
    assert grandma.photo
    with grandma.photo.open("rb") as stored:
        assert not stored.read().startswith(b"\x89PNG")  # encrypted at rest
    url = reverse("tutoring:collector-photo-file", args=[grandma.pk])
    served = client_for("volunteer").get(url)
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
    assert served["Cache-Control"] == "private, no-store"
    assert client_for("property").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="tutoring.collector_photo_view").exists()


def test_pages_have_a_bounded_number_of_queries(client_for, day, django_assert_max_num_queries):
    programme, child, session = day
    for n in range(6):
        enrol(programme, name=f"多{n}")
    tutor = client_for("secretary")
    for url in (
        reverse("tutoring:programme-detail", args=[programme.pk]),
        reverse("tutoring:session-door", args=[session.pk]),
        reverse("tutoring:session-attendance", args=[session.pk]),
        reverse("tutoring:home"),
    ):
        with django_assert_max_num_queries(40):
            assert tutor.get(url).status_code == 200


def test_withdrawing_on_the_page(client_for):
    programme = make_programme()
    child = enrol(programme)
    client = client_for("resident")
    client.post(reverse("tutoring:child-withdraw", args=[child.pk]), {"reason": "不参加了"})
    child.refresh_from_db()
    assert child.status == "withdrawn" and child.allergies == ""
