"""Matrix specs of the service desk (see lifecycle_matrix). A case: the demo resident's, at
the demo compound's desk, for a matter of the demo catalogue, opened by the community
worker, with every material of its checklist received (so that it may be accepted)."""

from datetime import timedelta

from django.utils import timezone

from linli.residents.models import Resident
from linli.servicedesk import services
from linli.servicedesk.models import Case, CaseMaterial, CaseStatus, Matter

from .lifecycle_matrix import MatrixSpec, actor_named

S = CaseStatus
DECIDED = {S.APPROVED, S.REFUSED, S.DONE}


def _case(status: str) -> Case:
    resident = Resident.objects.get(user=actor_named("resident"))
    matter = Matter.objects.filter(is_active=True, current__isnull=False).order_by("code").first()
    case = services.case_open(actor=actor_named("community"), resident=resident, matter=matter)
    now = timezone.now()
    CaseMaterial.objects.filter(case=case).update(
        received=True, received_at=now, received_by=actor_named("community")
    )
    fields = {"status": status}
    if status not in (S.CONSULTED, S.MATERIALS_INCOMPLETE):
        fields.update(accepted_at=now - timedelta(days=3), due_on=timezone.localdate())
    if status in DECIDED:
        fields.update(decided_at=now - timedelta(days=1))
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.select_related("place", "version", "resident").get(pk=case.pk)


def _take(step: str, actor, case: Case):
    return services.case_take_step(
        actor=actor, case=case, step=step, department="矩阵测试局", reason="矩阵测试"
    )


# The desk of the demo compound: its community worker and branch secretary.
DESK = {"community", "secretary"}
CASE_SPEC = MatrixSpec(
    lifecycle=services.CASE,
    make=_case,
    take=_take,
    holders={
        "servicedesk.serve_case": DESK,
        "servicedesk.decide_case": DESK,
        "servicedesk.withdraw_case": DESK | {"resident"},
    },
)
SPECS = [CASE_SPEC]
