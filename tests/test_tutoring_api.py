"""/api/v1/volunteers/tutoring: the same permissions as the pages, masked child data with an
audited reveal, enrolment with consent, drop-off and pick-up refusals as documented."""

import json

import pytest

from linli.core.models import AuditEvent
from linli.tutoring import services
from linli.tutoring.models import AttendanceStatus

from .tutoring_helpers import attendance_of, enrol, make_programme, make_session, user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteers/tutoring"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_enrol_and_read_masked_then_reveal(client_for):
    programme = make_programme()
    guardian = client_for("resident")
    body = {
        "name": "小东",
        "birth_date": "2017-09-01",
        "allergies": "牛奶",
        "consent": True,
        "consent_version": services.CONSENT_VERSION,
        "collectors": [{"name": "东奶奶", "relation": "grandparent", "phone": "13700004444"}],
    }
    refused = post(
        guardian, f"{BASE}/programmes/{programme.pk}/children", {**body, "consent": False}
    )
    assert refused.status_code == 400
    made = post(guardian, f"{BASE}/programmes/{programme.pk}/children", body)
    assert made.status_code == 201, made.content
    child = made.json()
    assert child["status"] == "enrolled" and child["allergies"] == "●●●●"
    assert child["consent_version"] == services.CONSENT_VERSION
    grandma = next(c for c in child["collectors"] if c["relation"] == "grandparent")
    assert grandma["phone"] == "137****4444"
    shown = post(guardian, f"{BASE}/children/{child['id']}/reveal").json()
    assert shown["allergies"] == "牛奶"
    assert "13700004444" in [c["phone"] for c in shown["collectors"]]
    assert AuditEvent.objects.filter(action="tutoring.child.reveal", object_id=str(child["id"]))
    assert child["id"] in [c["id"] for c in guardian.get(f"{BASE}/children").json()["items"]]
    assert client_for("property").get(f"{BASE}/children/{child['id']}").status_code == 404


def test_the_door_through_the_api(client_for):
    programme = make_programme(ratio=1)
    child = enrol(programme)
    enrol(programme, name="第二个")
    session = make_session(programme)
    tutor = client_for("volunteer")
    detail = tutor.get(f"{BASE}/programmes/{programme.pk}").json()
    assert detail["sessions"][0]["below_ratio"] is True
    assert detail["sessions"][0]["children"] == 2 and detail["sessions"][0]["tutors"] == 1
    row = attendance_of(session, child)
    dropped = post(tutor, f"{BASE}/attendance/{row.pk}/drop-off")
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped_off"
    code = dropped.json()["code"]
    grandma = child.collectors.get(relation="grandparent")
    wrong = "0000" if code != "0000" else "1111"
    refused = post(
        tutor, f"{BASE}/attendance/{row.pk}/pick-up", {"code": wrong, "collector": grandma.pk}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_code"
    other = enrol(programme, name="第三个").collectors.get(relation="grandparent")
    stranger = post(
        tutor, f"{BASE}/attendance/{row.pk}/pick-up", {"code": code, "collector": other.pk}
    )
    assert stranger.status_code == 409
    assert stranger.json()["code"] == "collector_not_authorised"
    done = post(
        tutor, f"{BASE}/attendance/{row.pk}/pick-up", {"code": code, "collector": grandma.pk}
    )
    assert done.status_code == 200 and done.json()["collector"] == "周奶奶"
    row.refresh_from_db()
    assert row.status == AttendanceStatus.PICKED_UP
    listed = tutor.get(f"{BASE}/sessions/{session.pk}/attendance").json()
    assert {a["status"] for a in listed} == {"picked_up", "expected"}
    assert post(tutor, f"{BASE}/sessions/{session.pk}/log", {"text": "写字"}).status_code == 201
    assert tutor.get(f"{BASE}/sessions/{session.pk}/log").json()[0]["text"] == "写字"
    outsider = client_for("doctor")
    assert outsider.get(f"{BASE}/sessions/{session.pk}/attendance").status_code == 404
    assert post(outsider, f"{BASE}/attendance/{row.pk}/absent").status_code == 404


def test_a_session_without_a_booking_is_409(client_for):
    programme = make_programme()
    from datetime import timedelta

    from django.utils import timezone

    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0).isoformat()
    end = (timezone.now() + timedelta(days=2, hours=2)).replace(microsecond=0).isoformat()
    answer = post(
        client_for("secretary"),
        f"{BASE}/programmes/{programme.pk}/sessions",
        {"start": start, "end": end},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "no_booking"
    assert user("secretary").has_perm("tutoring.manage_programme", programme)
