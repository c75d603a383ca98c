"""Matrix specs of work orders and their extension requests (see lifecycle_matrix)."""

from datetime import timedelta

from django.utils import timezone

from linli.places.models import Organisation, Place
from linli.workorders import services
from linli.workorders.models import Category, ExtensionRequest, Status, WorkOrder
from linli.workorders.seed import seed_categories

from .lifecycle_matrix import MatrixSpec, actor_named

UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"
HANDLER = "南官房物业服务有限公司"
S = Status


def _order(status: str) -> WorkOrder:
    """An order filed by the demo resident at their unit, set straight into ``status`` with
    the fields that status implies (the handler once dispatched, a deadline ahead)."""
    if not Category.objects.filter(code="corridor-light").exists():
        seed_categories()
    order = services.order_file(
        actor=actor_named("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=Place.objects.get(name_path=UNIT),
        title="矩阵测试",
    )
    now = timezone.now()
    fields = {"status": status}
    if status in (S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED):
        fields["organisation"] = Organisation.objects.get(name=HANDLER)
    if status in (S.IN_PROGRESS, S.RESOLVED, S.CLOSED):
        fields.update(signed_at=now, due_at=now + timedelta(days=5))
    if status == S.DISPATCHED:
        fields["due_at"] = now - timedelta(hours=1)  # the chase needs a deadline passed
    if status in (S.RESOLVED, S.CLOSED):
        fields["resolved_at"] = now
    WorkOrder.objects.filter(pk=order.pk).update(**fields)
    return WorkOrder.objects.select_related("place", "category").get(pk=order.pk)


def _take_order_step(step: str, actor, order: WorkOrder):
    if step == "chase":
        return services.order_chase(actor=actor, order=order)
    into = None
    if step == "merge":
        into = _order(S.ACCEPTED)
    return services.order_take_step(
        actor=actor,
        order=order,
        step=step,
        note="矩阵测试",
        reason="矩阵测试",
        satisfaction="satisfied",
        extra_days=3,
        into=into,
        organisation=Organisation.objects.get(name=HANDLER),
    )


MANAGERS = {"community", "secretary"}
ORDER_SPEC = MatrixSpec(
    lifecycle=services.ORDER,
    make=_order,
    take=_take_order_step,
    holders={
        "workorders.manage_order": MANAGERS,
        "workorders.handle_order": {"property"},
        "workorders.give_feedback": {"resident"},
        "workorders.chase_order": {"SYSTEM"},
    },
)


def _extension(status: str) -> ExtensionRequest:
    order = _order(S.IN_PROGRESS)
    extension = ExtensionRequest.objects.create(
        order=order,
        requested_by=actor_named("property"),
        extra_days=3,
        reason="矩阵测试",
        status=status,
    )
    return ExtensionRequest.objects.select_related("order").get(pk=extension.pk)


def _decide(step: str, actor, extension: ExtensionRequest):
    return services.order_decide_extension(
        actor=actor, order=extension.order, approve=step == "approve", note="矩阵测试"
    )


EXTENSION_SPEC = MatrixSpec(
    lifecycle=services.EXTENSION,
    make=_extension,
    take=_decide,
    holders={"workorders.decide_extension": MANAGERS},
)
