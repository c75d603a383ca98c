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
    if step == "remind":  # accepted or forwarded cases are due today: a reminder is owed
        return services.case_remind(actor=actor, case=case)[0]
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
        "servicedesk.remind_case": {"SYSTEM"},
    },
)


def _proxy(status: str):
    """A 代办 of the demo resident (周桂兰, elderly by the register) on a new case, its signed
    letter filed (so that its IDs may be checked), in ``status``."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from linli.residents.idnumbers import make_id_number
    from linli.servicedesk.models import ProxyAuthorisation

    case = _case(S.ACCEPTED)
    proxy = services.proxy_authorise(
        actor=actor_named("community"),
        case=case,
        agent_name="矩阵代办人",
        agent_relation="neighbour",
        agent_id_number=make_id_number("140202", timezone.localdate().replace(year=1980), 11),
        reason="elderly",
    )
    image = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(image).line((10, 50, 190, 20), fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    services.proxy_letter_attach(
        actor=actor_named("community"),
        proxy=proxy,
        upload=SimpleUploadedFile("letter.png", out.getvalue(), content_type="image/png"),
    )
    ProxyAuthorisation.objects.filter(pk=proxy.pk).update(status=status)
    return ProxyAuthorisation.objects.select_related("case__place", "case__resident", "letter").get(
        pk=proxy.pk
    )


def _proxy_take(step: str, actor, proxy):
    if step == "check_ids":
        return services.proxy_check_ids(
            actor=actor, proxy=proxy, resident_method="id_card", agent_method="id_card"
        )
    return services.proxy_revoke(actor=actor, proxy=proxy, reason="矩阵测试")


# 代办 (issue 15 item 3): kept by the desk of the case's compound.
PROXY_SPEC = MatrixSpec(
    lifecycle=services.PROXY,
    make=_proxy,
    take=_proxy_take,
    holders={"servicedesk.manage_proxy": DESK},
)
SPECS = [CASE_SPEC, PROXY_SPEC]
