"""Summer tutoring's services: sessions only on a booking of the room, enrolment with its
separate consent and its withdrawal (the child's data erased), drop-off and pick-up with the
matching code and an authorised collector (refused otherwise, nothing changed), the guardian
told when someone else collects, the ratio flag and the alert for a child not collected."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.models import AuditEvent, Notification
from linli.tutoring import notify, services
from linli.tutoring.models import (
    AttendanceStatus,
    ChildStatus,
    TutoringAttendance,
    TutoringAttendanceEvent,
    TutoringChild,
)

from .tutoring_helpers import (
    attendance_of,
    enrol,
    hold,
    make_programme,
    make_session,
    user,
)
from .volunteers_helpers import secretary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_session_without_a_booking_of_the_room_is_refused():
    programme = make_programme()
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    with pytest.raises(ConflictError) as refused:
        services.session_create(
            actor=secretary(), programme=programme, start=start, end=start + timedelta(hours=2)
        )
    assert refused.value.code == "no_booking"
    assert not programme.sessions.exists()
    # a booking that covers only part of the time does not do either
    hold(programme, start, start + timedelta(hours=1))
    with pytest.raises(ConflictError):
        services.session_create(
            actor=secretary(), programme=programme, start=start, end=start + timedelta(hours=2)
        )


def test_a_session_references_its_booking_and_its_own_tutoring_shift():
    programme = make_programme()
    child = enrol(programme)
    session = make_session(programme)
    assert session.booking.room == programme.room
    assert session.booking.start <= session.start and session.end <= session.booking.end
    assert session.shift.shift_type == programme.shift_type
    assert session.shift.start == session.start
    # the enrolled child is expected; the assigned volunteer is the tutor
    assert attendance_of(session, child).status == AttendanceStatus.EXPECTED
    assert services.session_counts(session) == (1, 1)


def test_enrolment_records_the_separate_consent_and_encrypts_the_child_data():
    programme = make_programme()
    guardian = user("resident")
    child = enrol(programme, allergies="花生过敏")
    consent = child.consents.get()
    assert consent.given_by == guardian
    assert consent.version == services.CONSENT_VERSION
    assert consent.text == str(services.CONSENT_TEXT)
    assert consent.withdrawn_at is None
    collectors = list(child.collectors.all())
    assert collectors[0].is_guardian and collectors[0].phone == guardian.mobile
    assert collectors[1].relation == "grandparent"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT allergies, medical_notes FROM tutoring_tutoringchild WHERE id = %s",
            [child.pk],
        )
        stored = cursor.fetchone()
        cursor.execute(
            "SELECT phone FROM tutoring_tutoringcollector WHERE child_id = %s", [child.pk]
        )
        phones = [row[0] for row in cursor.fetchall()]
    assert "花生" not in stored[0] and "哮喘" not in stored[1]
    assert "13700001111" not in phones


def test_enrolment_without_the_consent_is_refused():
    programme = make_programme()
    guardian = user("resident")
    for consent, version in ((False, services.CONSENT_VERSION), (True, "old")):
        with pytest.raises(ValidationError) as refused:
            services.child_enrol(
                actor=guardian,
                programme=programme,
                guardian=guardian,
                name="没同意",
                birth_date=timezone.localdate() - timedelta(days=3000),
                consent=consent,
                consent_version=version,
            )
        assert "consent" in refused.value.message_dict
    assert not TutoringChild.objects.filter(name="没同意").exists()


def test_only_the_guardian_or_a_coordinator_enrols():
    programme = make_programme()
    with pytest.raises(ForbiddenError):
        # a volunteer (no resident of the compound) enrolling someone else's child
        services.child_enrol(
            actor=user("volunteer"),
            programme=programme,
            guardian=user("resident"),
            name="别人的孩子",
            birth_date=timezone.localdate() - timedelta(days=3000),
            consent=True,
            consent_version=services.CONSENT_VERSION,
        )
    # at the desk: the branch secretary records the guardian's consent
    child = services.child_enrol(
        actor=secretary(),
        programme=programme,
        guardian=user("resident"),
        name="窗口报名",
        birth_date=timezone.localdate() - timedelta(days=3000),
        consent=True,
        consent_version=services.CONSENT_VERSION,
    )
    consent = child.consents.get()
    assert consent.given_by == user("resident") and consent.recorded_by == secretary()


def test_withdrawing_the_consent_ends_the_enrolment_and_erases_the_data():
    programme = make_programme()
    child = enrol(programme)
    coming = make_session(
        programme, start=timezone.now().replace(microsecond=0) + timedelta(days=2)
    )
    assert coming.attendance.filter(child=child).exists()
    child = services.child_withdraw(actor=user("resident"), child=child, reason="搬家")
    child.refresh_from_db()
    assert child.status == ChildStatus.WITHDRAWN
    assert child.allergies == "" and child.medical_notes == "" and child.birth_date is None
    assert not child.collectors.filter(is_active=True).exists()
    assert set(child.collectors.values_list("phone", flat=True)) == {""}
    assert child.consents.get().withdrawn_at is not None
    assert not coming.attendance.filter(child=child).exists()
    with pytest.raises(ConflictError):
        services.child_withdraw(actor=user("resident"), child=child)


def _dropped_off():
    programme = make_programme()
    child = enrol(programme)
    session = make_session(programme)
    attendance = services.attendance_drop_off(
        actor=user("volunteer"), attendance=attendance_of(session, child)
    )
    return programme, child, session, attendance


def test_drop_off_gives_a_matching_code():
    _programme, child, _session, attendance = _dropped_off()
    assert attendance.status == AttendanceStatus.DROPPED_OFF
    assert len(attendance.code) == 4 and attendance.code.isdigit()
    assert attendance.dropped_off_by == user("volunteer")


def test_pick_up_is_refused_without_the_matching_code():
    _programme, child, _session, attendance = _dropped_off()
    grandma = child.collectors.get(relation="grandparent")
    wrong = "0000" if attendance.code != "0000" else "1111"
    for code in (wrong, "", None):
        with pytest.raises(ConflictError) as refused:
            services.attendance_pick_up(
                actor=user("volunteer"), attendance=attendance, code=code, collector=grandma
            )
        assert refused.value.code == "wrong_code"
    attendance.refresh_from_db()
    assert attendance.status == AttendanceStatus.DROPPED_OFF
    assert attendance.collector is None and attendance.picked_up_at is None
    assert not attendance.events.filter(kind="picked_up").exists()


def test_pick_up_is_refused_for_a_collector_who_is_not_authorised():
    programme, child, _session, attendance = _dropped_off()
    other_child = enrol(programme, name="别家孩子")
    strangers = [
        other_child.collectors.get(relation="grandparent"),  # authorised for another child
        None,
    ]
    removed = services.collector_add(
        actor=user("resident"),
        child=child,
        name="前邻居",
        relation="neighbour",
        phone="13700002222",
    )
    services.collector_remove(actor=user("resident"), collector=removed)
    removed.refresh_from_db()
    strangers.append(removed)  # no longer authorised
    for stranger in strangers:
        with pytest.raises(ConflictError) as refused:
            services.attendance_pick_up(
                actor=user("volunteer"),
                attendance=attendance,
                code=attendance.code,
                collector=stranger,
            )
        assert refused.value.code == "collector_not_authorised"
    attendance.refresh_from_db()
    assert attendance.status == AttendanceStatus.DROPPED_OFF and attendance.collector is None


def test_pick_up_by_a_grandparent_tells_the_guardian(django_capture_on_commit_callbacks):
    _programme, child, _session, attendance = _dropped_off()
    grandma = child.collectors.get(relation="grandparent")
    with django_capture_on_commit_callbacks(execute=True):
        attendance = services.attendance_pick_up(
            actor=user("volunteer"), attendance=attendance, code=attendance.code, collector=grandma
        )
    assert attendance.status == AttendanceStatus.PICKED_UP and attendance.collector == grandma
    told = Notification.objects.filter(user=user("resident"), kind="tutoring.picked_up")
    assert told.count() == 1
    assert "周奶奶" in told.get().title


def test_pick_up_by_the_guardian_sends_nothing(django_capture_on_commit_callbacks):
    _programme, child, _session, attendance = _dropped_off()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_pick_up(
            actor=user("volunteer"),
            attendance=attendance,
            code=attendance.code,
            collector=child.collectors.get(is_guardian=True),
        )
    assert not Notification.objects.filter(
        user=user("resident"), kind="tutoring.picked_up"
    ).exists()


def test_someone_outside_the_session_cannot_work_its_door():
    programme = make_programme()
    child = enrol(programme)
    session = make_session(programme)
    for outsider in ("resident", "property", "doctor"):
        with pytest.raises(ForbiddenError):
            services.attendance_drop_off(
                actor=user(outsider), attendance=attendance_of(session, child)
            )


def test_a_session_below_the_ratio_is_flagged_to_the_coordinators_once():
    programme = make_programme(ratio=2)
    for n in range(3):
        enrol(programme, name=f"比例{n}")
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    session = make_session(programme, start=start)  # one tutor for three children
    assert services.session_counts(session) == (3, 1)
    assert notify.ratio_notify() == 1
    assert notify.ratio_notify() == 0
    told = Notification.objects.filter(kind="tutoring.below_ratio", user=secretary())
    assert told.count() == 1
    with pytest.raises(ForbiddenError):
        services.session_ratio_claim(actor=secretary(), session=session)


def test_a_child_not_collected_raises_the_alert_once_with_a_call_list():
    programme, child, session, attendance = _dropped_off()
    later = session.end + timedelta(minutes=14)
    assert notify.uncollected_alert(now=later) == 0
    later = session.end + services.UNCOLLECTED_AFTER
    assert notify.uncollected_alert(now=later) == 1
    assert notify.uncollected_alert(now=later + timedelta(minutes=5)) == 0
    attendance.refresh_from_db()
    assert attendance.alert_raised_at is not None
    assert TutoringAttendanceEvent.objects.filter(attendance=attendance, kind="alert").exists()
    alerted = set(
        Notification.objects.filter(kind="tutoring.uncollected").values_list(
            "user__username", flat=True
        )
    )
    assert {"volunteer", "secretary"} <= alerted
    calls = services.call_list(attendance)
    assert calls[0].is_guardian and calls[1].phone == "13700001111"


def test_the_log_is_written_by_the_sessions_people_only():
    programme = make_programme()
    session = make_session(programme)
    entry = services.log_write(actor=user("volunteer"), session=session, text="今天读了绘本")
    assert entry.text == "今天读了绘本"
    with pytest.raises(ForbiddenError):
        services.log_write(actor=user("resident"), session=session, text="x")


def test_reveal_is_audited_and_refused_to_others():
    programme = make_programme()
    child = enrol(programme)
    services.child_reveal(actor=user("resident"), child=child)
    assert AuditEvent.objects.filter(action="tutoring.child.reveal", object_id=str(child.pk))
    with pytest.raises(ForbiddenError):
        services.child_reveal(actor=user("property"), child=child)


def test_tutors_lose_sight_of_the_children_when_the_programme_ends():
    programme = make_programme()
    child = enrol(programme)
    make_session(programme)
    tutor = user("volunteer")
    assert tutor.has_perm("tutoring.view_child", child)
    assert tutor.has_perm("tutoring.view_programme", programme)
    type(programme).objects.filter(pk=programme.pk).update(
        starts_on=timezone.localdate() - timedelta(days=60),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    child = TutoringChild.objects.get(pk=child.pk)
    tutor = user("volunteer")
    assert not tutor.has_perm("tutoring.view_child", child)
    session = child.programme.sessions.get()
    assert not tutor.has_perm("tutoring.view_session", session)
    assert not tutor.has_perm("tutoring.view_programme", child.programme)
    assert user("secretary").has_perm("tutoring.view_child", child)
    assert user("resident").has_perm("tutoring.view_child", child)


def test_the_alert_claim_is_the_systems():
    _programme, _child, session, attendance = _dropped_off()
    with pytest.raises(ForbiddenError):
        services.attendance_alert_claim(
            actor=secretary(), attendance=attendance, now=session.end + timedelta(hours=1)
        )
    assert services.attendance_alert_claim(
        actor=SYSTEM, attendance=attendance, now=session.end + timedelta(hours=1)
    )
    assert TutoringAttendance.objects.get(pk=attendance.pk).alert_raised_at is not None
