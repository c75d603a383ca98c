"""Matrix specs of the volunteers' lifecycles (see lifecycle_matrix): a membership of the
demo volunteer (林小雨) in a new group at the demo compound, and her assignment to a shift
of such a group two days ahead, each in a status made directly. The group is new, so the
only coordinators are the staff over the compound (community worker, branch secretary)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from linli.places.models import Place
from linli.volunteers import services
from linli.volunteers.models import (
    Assignment,
    AssignmentStatus,
    Membership,
    Volunteer,
)

from .lifecycle_matrix import MatrixSpec, actor_named

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
_numbers = itertools.count(1)


def _group():
    return services.group_create(
        actor=actor_named("secretary"),
        place=Place.objects.get(name_path=COMPOUND),
        name=f"矩阵小组{next(_numbers)}",
        kind="self_management",
    )


def _volunteer() -> Volunteer:
    user = actor_named("volunteer")
    volunteer = Volunteer.objects.filter(user=user).first()
    return volunteer or services.volunteer_register(actor=user, user=user, name="林小雨")


def _membership(status: str) -> Membership:
    volunteer = _volunteer()
    membership = services.membership_apply(
        actor=volunteer.user, volunteer=volunteer, group=_group()
    )
    Membership.objects.filter(pk=membership.pk).update(status=status)
    return Membership.objects.select_related("group__place", "volunteer").get(pk=membership.pk)


def _take_membership(step: str, actor, membership: Membership):
    return getattr(services, f"membership_{step}")(actor=actor, membership=membership)


MEMBERSHIP_SPEC = MatrixSpec(
    lifecycle=services.MEMBERSHIP,
    make=_membership,
    take=_take_membership,
    holders={
        # the staff over the compound coordinate the new group; never their own membership
        "volunteers.decide_membership": {"community", "secretary"},
        "volunteers.leave_membership": {"community", "secretary", "volunteer"},
        "volunteers.reapply_membership": {"volunteer"},
    },
)


def _assignment(status: str) -> Assignment:
    secretary = actor_named("secretary")
    group = _group()
    volunteer = _volunteer()
    membership = services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    services.membership_approve(actor=secretary, membership=membership)
    shift_type = services.shift_type_create(
        actor=secretary, group=group, kind="room_duty", name="会客厅值班", needed=2
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    shift = services.shift_create(
        actor=secretary, shift_type=shift_type, start=start, end=start + timedelta(hours=2)
    )
    assignment = services.shift_assign(actor=secretary, shift=shift, volunteer=volunteer)
    if status != AssignmentStatus.ASSIGNED:
        Assignment.objects.filter(pk=assignment.pk).update(status=status)
    # -- sign-in -- signed in and out on time
    if status in (AssignmentStatus.ON_DUTY, AssignmentStatus.SERVED):
        Assignment.objects.filter(pk=assignment.pk).update(signed_in_at=shift.start)
    if status == AssignmentStatus.SERVED:
        Assignment.objects.filter(pk=assignment.pk).update(signed_out_at=shift.end)
    return Assignment.objects.select_related("shift__shift_type__group__place", "volunteer").get(
        pk=assignment.pk
    )


def _take_assignment(step: str, actor, assignment: Assignment):
    # -- sign-in -- each step at a moment its guard allows (the shift is two days ahead)
    shift = assignment.shift
    if step == "sign_in":
        return services.assignment_sign_in(actor=actor, assignment=assignment, now=shift.start)
    if step == "sign_out":
        return services.assignment_sign_out(actor=actor, assignment=assignment, now=shift.end)
    if step == "no_show":
        now = shift.start + timedelta(minutes=30)
        return services.assignment_no_show(actor=actor, assignment=assignment, now=now)
    if step == "no_show_auto":
        now = shift.end + timedelta(minutes=1)
        return services.assignment_no_show_auto(actor=actor, assignment=assignment, now=now)
    if step == "confirm":
        return services.assignment_confirm_hours(actor=actor, assignment=assignment)
    return services.assignment_cancel(actor=actor, assignment=assignment)


ASSIGNMENT_SPEC = MatrixSpec(
    lifecycle=services.ASSIGNMENT,
    make=_assignment,
    take=_take_assignment,
    holders={
        "volunteers.cancel_assignment": {"community", "secretary", "volunteer"},
        # -- sign-in -- / -- hours ledger --
        "volunteers.sign_in": {"community", "secretary", "volunteer"},
        "volunteers.record_no_show": {"community", "secretary"},
        "volunteers.no_show_auto": {"SYSTEM"},
        "volunteers.confirm_hours": {"community", "secretary"},
    },
)
SPECS = [MEMBERSHIP_SPEC, ASSIGNMENT_SPEC]
