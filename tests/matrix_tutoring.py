"""Matrix specs of summer tutoring's lifecycles (see lifecycle_matrix): a child of the demo
resident (周桂兰) enrolled in a new programme running around today, and that child's
attendance of a session from half an hour ago, with the demo volunteer (林小雨) assigned as
its tutor, each in a status made directly. The programme's group is new, so its only
coordinators are the staff over the compound (community worker, branch secretary)."""

from linli.tutoring import services
from linli.tutoring.models import AttendanceStatus, TutoringAttendance, TutoringChild

from .lifecycle_matrix import MatrixSpec
from .tutoring_helpers import enrol, make_programme, make_session


def _child(status: str) -> TutoringChild:
    child = enrol(make_programme())
    TutoringChild.objects.filter(pk=child.pk).update(status=status)
    return TutoringChild.objects.select_related(
        "programme__group__place", "programme__room__place", "guardian"
    ).get(pk=child.pk)


def _take_child(step: str, actor, child: TutoringChild):
    return services.child_withdraw(actor=actor, child=child)


CHILD_SPEC = MatrixSpec(
    lifecycle=services.CHILD,
    make=_child,
    take=_take_child,
    holders={"tutoring.withdraw_child": {"community", "secretary", "resident"}},
)


def _attendance(status: str) -> TutoringAttendance:
    programme = make_programme()
    child = enrol(programme)
    session = make_session(programme)
    row = session.attendance.get(child=child)
    changes = {"status": status}
    if status in (AttendanceStatus.DROPPED_OFF, AttendanceStatus.PICKED_UP):
        changes["code"] = "4321"
    TutoringAttendance.objects.filter(pk=row.pk).update(**changes)
    return TutoringAttendance.objects.select_related(
        "session__programme__group__place", "child__guardian"
    ).get(pk=row.pk)


def _take_attendance(step: str, actor, row: TutoringAttendance):
    if step == "drop_off":
        return services.attendance_drop_off(actor=actor, attendance=row)
    if step == "pick_up":
        guardian = row.child.collectors.get(is_guardian=True)
        return services.attendance_pick_up(
            actor=actor, attendance=row, code=row.code or "4321", collector=guardian
        )
    return services.attendance_mark_absent(actor=actor, attendance=row)


ATTENDANCE_SPEC = MatrixSpec(
    lifecycle=services.ATTENDANCE,
    make=_attendance,
    take=_take_attendance,
    holders={"tutoring.work_door": {"community", "secretary", "volunteer"}},
)
SPECS = [CHILD_SPEC, ATTENDANCE_SPEC]
