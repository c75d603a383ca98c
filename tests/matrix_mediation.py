"""Matrix spec of dispute mediation (see lifecycle_matrix). A mediation of the demo compound
between the demo resident (side A, from the register) and a neighbour named at the desk
(side B), mediated by the branch secretary; in a status made directly, an agreed one signed
about 27 days ago, so that its confirmation deadline is near enough to be reminded
(``agreed_near_deadline``)."""

from datetime import timedelta

from django.utils import timezone

from linli.mediation import services
from linli.mediation.models import (
    CONFIRMATION_REMIND_DAYS,
    DisputeKind,
    Mediation,
    MediationStatus,
    Referral,
)
from linli.places.models import Place
from linli.residents.models import Resident

from .factories import earlier_today
from .lifecycle_matrix import MatrixSpec, actor_named

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"


def open_mediation(**kwargs) -> Mediation:
    resident = Resident.objects.get(user=actor_named("resident"))
    kwargs.setdefault("actor", actor_named("secretary"))
    kwargs.setdefault("mediators", [actor_named("secretary")])
    return services.mediation_open(
        place=Place.objects.get(name_path=COMPOUND),
        kind=DisputeKind.NEIGHBOURS,
        subject="楼上漏水",
        facts="矩阵测试：楼上卫生间漏水，渗到楼下天花板。",
        parties=[
            {"side": "a", "resident": resident},
            {"side": "b", "name": "钱立新", "phone": "13800001111", "address": "6号楼1单元201"},
        ],
        **kwargs,
    )


def agreed_near_deadline():
    """An agreement's date whose judicial-confirmation deadline is a few days ahead (within
    the reminder's window), whatever days off the calendar has around today."""
    today = timezone.localdate()
    for days in range(25, 31):
        last_day = Mediation(agreed_on=today - timedelta(days=days)).confirmation_last_day
        if last_day - timedelta(days=CONFIRMATION_REMIND_DAYS) <= today <= last_day:
            return today - timedelta(days=days)
    raise AssertionError("no agreement date puts the deadline within the reminder's window")


def _mediation(status: str) -> Mediation:
    mediation = open_mediation()
    fields = {"status": status}
    if status in (MediationStatus.AGREED, MediationStatus.CLOSED):
        fields["agreed_on"] = agreed_near_deadline()
    Mediation.objects.filter(pk=mediation.pk).update(**fields)
    return Mediation.objects.select_related("place").get(pk=mediation.pk)


def _take(step: str, actor, mediation: Mediation):
    today = timezone.localdate()
    if step == "accept":
        return services.mediation_accept(actor=actor, mediation=mediation)
    if step == "session":
        return services.mediation_session_record(
            actor=actor,
            mediation=mediation,
            held_at=earlier_today(),
            venue="议事厅",
            attendees="双方当事人",
            notes="矩阵测试",
        )
    if step == "agree":
        return services.mediation_agree(
            actor=actor,
            mediation=mediation,
            agreed_on=today,
            facts="漏水",
            matters="楼上负责维修",
            terms="楼上维修并赔偿500元",
            method="现金",
            due=today + timedelta(days=7),
        )
    if step == "fail":
        return services.mediation_fail(
            actor=actor, mediation=mediation, failed_on=today, referral=Referral.COURT, note="起诉"
        )
    if step == "follow_up":
        return services.mediation_follow_up(
            actor=actor, mediation=mediation, visited_on=today, carried_out=True, note="已履行"
        )
    if step == "withdraw":
        return services.mediation_withdraw(actor=actor, mediation=mediation, reason="自行和解")
    return services.mediation_remind(actor=actor, mediation=mediation)


MEDIATION_SPEC = MatrixSpec(
    lifecycle=services.MEDIATION,
    make=_mediation,
    take=_take,
    holders={
        # The desk's staff of the compound (the mediator is one of them).
        "mediation.mediate": {"community", "secretary"},
        "mediation.remind_confirmation": {"SYSTEM"},
    },
)
SPECS = [MEDIATION_SPEC]
