"""The categories every installation starts with (SPEC 3.1), each with its handling
organisation where the demo world has one. Idempotent."""

from linli.places.models import Organisation

from .models import AppealKind, Category

# code, name, English, parent code, kind of appeal, urgent, organisation name
CATEGORIES = [
    ("facilities", "公共设施", "Public facilities", None, AppealKind.REPAIR, False, None),
    ("corridor-light", "楼道照明", "Corridor lighting", "facilities", AppealKind.REPAIR, False,
     "南官房物业服务有限公司"),
    ("water-power", "水电气暖", "Water, power, gas, heating", "facilities", AppealKind.REPAIR,
     True, "南官房物业服务有限公司"),
    ("order", "公共秩序", "Public order", None, AppealKind.COMPLAINT, False, None),
    ("ebike-parking", "电动车停放", "E-bike parking", "order", AppealKind.COMPLAINT, False,
     "南官房物业服务有限公司"),
    ("sanitation", "环境卫生", "Sanitation", None, AppealKind.COMPLAINT, False,
     "南官房物业服务有限公司"),
    ("property-service", "物业服务", "Property services", None, AppealKind.COMPLAINT, False,
     "南官房物业服务有限公司"),
    ("neighbour-dispute", "邻里纠纷", "Neighbour disputes", None, AppealKind.HELP, False,
     "站东社区居民委员会"),
    ("city-appearance", "市容", "City appearance", None, AppealKind.COMPLAINT, False, None),
    ("street-vending", "占道经营", "Street vending", "city-appearance", AppealKind.COMPLAINT,
     False, "市容秩序二组"),
    ("policy-question", "政策咨询", "Policy questions", None, AppealKind.QUESTION, False,
     "站东社区居民委员会"),
]  # fmt: skip


def seed_categories() -> int:
    created = 0
    by_code = {c.code: c for c in Category.objects.all()}
    for sort_key, (code, name, name_en, parent, kind, urgent, org_name) in enumerate(CATEGORIES):
        if code in by_code:
            continue
        organisation = Organisation.objects.filter(name=org_name).first() if org_name else None
        category = Category(
            code=code,
            name=name,
            name_en=name_en,
            parent=by_code.get(parent),
            appeal_kind=kind,
            urgent=urgent,
            organisation=organisation,
            sort_key=sort_key,
        )
        category.full_clean()
        category.save()
        by_code[code] = category
        created += 1
    return created
