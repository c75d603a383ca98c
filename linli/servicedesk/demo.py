"""The catalogue of 鹿苑街道's one-stop desk (the demo world): the matters residents of
Nanguanfang come to the branch centre's 全岗通 desk for, with what to bring in each
situation. 低保 was revised once, so that its first version can be seen beside the one in
force. Kept by the street administrator, through the services."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.places.models import Place

from . import services
from .models import CaseRating, Handling, MaterialForm, Matter, MatterKind, MatterVersion
from .services import MaterialSpec as M
from .services import VersionSpec

ORIG, COPY, BOTH = MaterialForm.ORIGINAL, MaterialForm.COPY, MaterialForm.BOTH
CIVIL = "平城区民政局"
HRSS = "平城区人力资源和社会保障局"
STREET_OFFICE = "鹿苑街道办事处"
COMMITTEE = "站东社区居民委员会"
ID_CARD = M("申请人居民身份证", BOTH, 1)
HUKOU = M("居民户口簿", BOTH, 1, "户主页及本人页")


def _dibao(income_proof: bool) -> VersionSpec:
    common = [
        M("最低生活保障申请书", ORIG, 1, "可在服务台领取，现场填写"),
        M("共同生活家庭成员的居民身份证", BOTH, 1),
        HUKOU,
        M("家庭经济状况核对授权书", ORIG, 1, "共同生活的成年家庭成员逐一签字"),
    ]
    if income_proof:
        common.append(M("家庭成员收入证明", ORIG, 1, "由工作单位或村（居）委会出具"))
    return VersionSpec(
        name="最低生活保障（低保）申请",
        name_en="Minimum living allowance (dibao)",
        summary="共同生活的家庭成员人均收入低于当地低保标准、且财产状况符合规定的城乡居民家庭。",
        department=CIVIL,
        implementing_body=STREET_OFFICE,
        legal_basis="《社会救助暂行办法》（国务院令第649号）\n《最低生活保障审核确认办法》（民发〔2021〕57号）",
        statutory_days=30,
        promised_days=20,
        handling=Handling.FORWARD,
        situations=["家庭成员中有残疾人", "家庭成员中有重病患者", "家庭成员中有在校学生"],
        materials=[
            *common,
            M("残疾人证", BOTH, 1, situations=["家庭成员中有残疾人"]),
            M("二级以上医院诊断证明及近期病历", COPY, 1, situations=["家庭成员中有重病患者"]),
            M("医疗费用票据", COPY, 1, "近12个月自付部分", situations=["家庭成员中有重病患者"]),
            M("在校就读证明", ORIG, 1, "学校出具，加盖公章", situations=["家庭成员中有在校学生"]),
        ],
    )


CATALOGUE = [
    (MatterKind.BENEFIT, _dibao(income_proof=True)),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="城乡居民基本医疗保险参保登记",
            name_en="Residents' basic medical insurance: enrolment",
            summary="未参加职工医保的本区户籍居民及持居住证的常住人口。",
            department="平城区医疗保障局",
            implementing_body=COMMITTEE,
            legal_basis="《中华人民共和国社会保险法》第二十三条、第二十五条",
            promised_days=0,
            fee="按当年个人缴费标准缴纳，困难群众按规定享受资助",
            situations=["新生儿参保", "低保、特困等困难群众资助参保"],
            materials=[
                M("居民身份证或户口簿", ORIG, 1),
                M("出生医学证明", COPY, 1, situations=["新生儿参保"]),
                M("监护人居民身份证", ORIG, 1, situations=["新生儿参保"]),
                M(
                    "低保证、特困人员证或残疾人证",
                    COPY,
                    1,
                    situations=["低保、特困等困难群众资助参保"],
                ),
            ],
        ),
    ),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="城乡居民基本养老保险参保登记",
            name_en="Residents' basic pension insurance: enrolment",
            summary="年满16周岁（不含在校学生）、未参加职工养老保险的本区户籍居民。",
            department=HRSS,
            implementing_body=COMMITTEE,
            legal_basis="《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
            promised_days=0,
            fee="按所选缴费档次自愿缴纳",
            materials=[ID_CARD, HUKOU],
        ),
    ),
    (
        MatterKind.BENEFIT,
        VersionSpec(
            name="城乡居民基本养老保险待遇领取",
            name_en="Residents' basic pension: claiming the pension",
            summary="年满60周岁、累计缴费满15年的参保人员。",
            department=HRSS,
            implementing_body="平城区社会保险中心",
            legal_basis="《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
            statutory_days=20,
            promised_days=15,
            handling=Handling.FORWARD,
            materials=[ID_CARD, HUKOU, M("社会保障卡", COPY, 1, "用于发放养老金")],
        ),
    ),
    (
        MatterKind.BENEFIT,
        VersionSpec(
            name="高龄津贴申领",
            name_en="Old-age allowance for people over 80",
            summary="年满80周岁的本区户籍老年人，按年龄段每月发放。",
            department=CIVIL,
            implementing_body=STREET_OFFICE,
            legal_basis="《中华人民共和国老年人权益保障法》\n《山西省老年人权益保障条例》",
            statutory_days=20,
            promised_days=10,
            handling=Handling.FORWARD,
            situations=["本人行动不便，由他人代办"],
            materials=[
                M("老年人居民身份证", BOTH, 1),
                HUKOU,
                M("社会保障卡或本人银行卡", COPY, 1, "用于发放津贴"),
                M("代办人居民身份证", BOTH, 1, situations=["本人行动不便，由他人代办"]),
                M(
                    "委托书",
                    ORIG,
                    1,
                    "老年人本人签字或按手印",
                    situations=["本人行动不便，由他人代办"],
                ),
            ],
        ),
    ),
    (
        MatterKind.CONFIRMATION,
        VersionSpec(
            name="残疾人证新办",
            name_en="Disability certificate: first issue",
            summary="符合残疾标准的本区户籍居民，经指定机构评定后发证。",
            department="平城区残疾人联合会",
            implementing_body="平城区残疾人联合会",
            legal_basis="《中华人民共和国残疾人保障法》\n《中华人民共和国残疾人证管理办法》",
            statutory_days=30,
            promised_days=20,
            handling=Handling.FORWARD,
            situations=["未成年人申请"],
            materials=[
                ID_CARD,
                HUKOU,
                M("近期免冠二寸白底彩色照片", ORIG, 3),
                M("残疾评定表", ORIG, 1, "由指定医院评残后出具"),
                M("监护人居民身份证", BOTH, 1, situations=["未成年人申请"]),
            ],
        ),
    ),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="居住证明开具",
            name_en="Proof of residence",
            summary="在本社区实际居住的居民，用于入学、就业等需要证明居住地的事项。",
            department="站东社区居民委员会",
            implementing_body=COMMITTEE,
            legal_basis="《中华人民共和国城市居民委员会组织法》",
            promised_days=0,
            situations=["租住", "自有住房"],
            materials=[
                M("申请人居民身份证", ORIG, 1),
                M("房屋租赁合同", COPY, 1, situations=["租住"]),
                M("不动产权证书或购房合同", COPY, 1, situations=["自有住房"]),
            ],
        ),
    ),
    (
        MatterKind.BENEFIT,
        VersionSpec(
            name="临时救助申请",
            name_en="Temporary assistance",
            summary="因火灾、交通事故、突发重大疾病等导致基本生活暂时出现严重困难的家庭或个人。",
            department=CIVIL,
            implementing_body=STREET_OFFICE,
            legal_basis="《社会救助暂行办法》（国务院令第649号）第四十七条至第五十条",
            statutory_days=15,
            promised_days=10,
            handling=Handling.FORWARD,
            situations=["突发重大疾病", "火灾等意外事件"],
            materials=[
                M("临时救助申请书", ORIG, 1),
                ID_CARD,
                HUKOU,
                M("医疗费用票据及诊断证明", COPY, 1, situations=["突发重大疾病"]),
                M(
                    "事故或灾害情况证明",
                    COPY,
                    1,
                    "公安、消防等部门出具",
                    situations=["火灾等意外事件"],
                ),
            ],
        ),
    ),
    (
        MatterKind.BENEFIT,
        VersionSpec(
            name="困难残疾人生活补贴和重度残疾人护理补贴申请",
            name_en="Disability living and care allowances",
            summary="持第二代残疾人证、符合条件的困难残疾人和一、二级重度残疾人。",
            department="平城区残疾人联合会",
            implementing_body=STREET_OFFICE,
            legal_basis="《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
            statutory_days=20,
            promised_days=15,
            handling=Handling.FORWARD,
            situations=["申请困难残疾人生活补贴"],
            materials=[
                M("第二代残疾人证", BOTH, 1),
                ID_CARD,
                M("补贴申请审批表", ORIG, 1, "服务台领取"),
                M("低保证", COPY, 1, situations=["申请困难残疾人生活补贴"]),
            ],
        ),
    ),
    (
        MatterKind.BENEFIT,
        VersionSpec(
            name="特困人员救助供养申请",
            name_en="Support for people in extreme poverty",
            summary="无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其无履行能力的老年人、残疾人和未成年人。",
            department=CIVIL,
            implementing_body=STREET_OFFICE,
            legal_basis="《社会救助暂行办法》（国务院令第649号）第十四条至第二十一条\n《特困人员认定办法》",
            statutory_days=30,
            promised_days=20,
            handling=Handling.FORWARD,
            materials=[
                M("特困人员救助供养申请书", ORIG, 1),
                ID_CARD,
                HUKOU,
                M("残疾人证或诊断证明", COPY, 1),
            ],
        ),
    ),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="老年人优待证办理",
            name_en="Senior citizen's card",
            summary="年满60周岁的本区户籍老年人及常住老年人。",
            department=CIVIL,
            implementing_body=COMMITTEE,
            legal_basis="《中华人民共和国老年人权益保障法》第五十七条",
            promised_days=5,
            materials=[M("老年人居民身份证", BOTH, 1), M("近期免冠一寸彩色照片", ORIG, 2)],
        ),
    ),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="就业创业证申领",
            name_en="Employment and entrepreneurship card",
            summary="法定劳动年龄内、有劳动能力和就业要求的城乡劳动者。",
            department=HRSS,
            implementing_body="平城区公共就业服务中心",
            legal_basis="《就业服务与就业管理规定》（人力资源社会保障部令）",
            promised_days=5,
            handling=Handling.FORWARD,
            materials=[ID_CARD, M("近期免冠一寸彩色照片", ORIG, 1)],
        ),
    ),
    (
        MatterKind.PUBLIC_SERVICE,
        VersionSpec(
            name="生育登记",
            name_en="Birth registration (family planning)",
            summary="生育子女的夫妻，在孩子出生前后均可办理。",
            department="平城区卫生健康局",
            implementing_body=COMMITTEE,
            legal_basis="《中华人民共和国人口与计划生育法》\n《山西省人口和计划生育条例》",
            promised_days=0,
            materials=[M("夫妻双方居民身份证", ORIG, 1), M("结婚证", ORIG, 1)],
        ),
    ),
    (
        MatterKind.OTHER_POWER,
        VersionSpec(
            name="居住证申领（受理）",
            name_en="Residence permit: application",
            summary="离开常住户口所在地，在本区居住半年以上，有合法稳定就业、住所或连续就读之一的公民。",
            department="大同市公安局平城分局",
            implementing_body="站东派出所",
            legal_basis="《居住证暂行条例》（国务院令第663号）第九条至第十三条",
            statutory_days=15,
            promised_days=10,
            handling=Handling.FORWARD,
            situations=["以合法稳定就业申请", "以连续就读申请"],
            materials=[
                ID_CARD,
                M("住所证明", COPY, 1, "房屋租赁合同、不动产权证书或居住证明"),
                M("劳动合同或营业执照", COPY, 1, situations=["以合法稳定就业申请"]),
                M("在校就读证明", ORIG, 1, situations=["以连续就读申请"]),
            ],
        ),
    ),
]


@transaction.atomic
def demo_catalogue() -> int:
    """The street's catalogue; returns how many matters it added."""
    street = Place.objects.get(kind="street", name="鹿苑街道")
    admin = User.objects.get(username="street")
    if Matter.objects.filter(place=street).exists():
        return 0  # loaded already: the demo is idempotent
    year_ago = timezone.now() - timedelta(days=400)
    for kind, spec in CATALOGUE:
        services.matter_create(actor=admin, place=street, kind=kind, spec=spec)
    MatterVersion.objects.filter(matter__place=street).update(published_at=year_ago)
    dibao = Matter.objects.get(place=street, current__name=CATALOGUE[0][1].name)
    services.matter_revise(
        actor=admin,
        matter=dibao,
        spec=_dibao(income_proof=False),
        change_note="按新的审核确认办法，不再要求提供收入证明，改由授权核对家庭经济状况",
    )
    MatterVersion.objects.filter(matter=dibao, number=2).update(
        published_at=timezone.now() - timedelta(days=120)
    )
    return Matter.objects.filter(place=street).count()


# -- cases (办件) --------------------------------------------------------------------------------

# (matter name, situation or None, channel, how far it went, who serves it). The demo
# resident (周桂兰) has the first two: one done, one waiting for what the 一次告知单 listed.
DEMO_CASES = [
    ("居住证明开具", None, "counter", "done", "community"),
    ("最低生活保障（低保）申请", "家庭成员中有残疾人", "counter", "incomplete", "community"),
    ("高龄津贴申领", None, "home_visit", "accepted", "secretary"),
    ("残疾人证新办", None, "counter", "forwarded", "community"),
    ("城乡居民基本医疗保险参保登记", None, "counter", "approved", "secretary"),
    ("临时救助申请", None, "phone", "refused", "community"),
    ("城乡居民基本养老保险待遇领取", None, "phone", "consulted", "community"),
]
# The steps that take a case (all materials received) to each status.
STEPS_TO = {
    "consulted": [],
    "incomplete": ["record_missing"],
    "accepted": ["accept"],
    "forwarded": ["accept", "forward"],
    "approved": ["accept", "approve"],
    "refused": ["accept", "refuse"],
    "done": ["accept", "approve", "finish"],
}


@transaction.atomic
def demo_cases(compound: Place | None = None) -> int:
    """A handful of cases at Nanguanfang's desk in different statuses, opened and moved on
    through the services; returns how many it added."""
    from linli.residents.models import Resident, ResidentStatus

    from .models import Case

    compound = compound or Place.objects.get(kind="compound", name="南官房小区")
    if Case.objects.filter(place=compound).exists():
        return 0  # loaded already
    living = Resident.objects.filter(
        place__path__startswith=compound.path, status=ResidentStatus.LIVING
    ).select_related("place")
    own = living.filter(user__username="resident").first()
    others = list(living.exclude(pk=own.pk if own else None).order_by("birth_date", "id")[:5])
    people = [own, own, *others] if own else others
    for (name, situation, channel, status, who), resident in zip(DEMO_CASES, people, strict=False):
        matter = Matter.objects.filter(current__name=name, is_active=True).first()
        if matter is None or resident is None:
            continue
        actor = User.objects.get(username=who)
        situation_id = None
        if situation:
            situation_id = (
                matter.current.situations.filter(name=situation)
                .values_list("pk", flat=True)
                .first()
            )
        case = services.case_open(
            actor=actor,
            resident=resident,
            matter=matter,
            situation_id=situation_id,
            channel=channel,
        )
        lines = list(case.materials.order_by("position", "id"))
        # a case waiting for materials has its first ones; the others have everything
        received = lines[: len(lines) // 2] if status == "incomplete" else lines
        if status == "consulted":
            received = []
        for line in received:
            services.case_material_mark(actor=actor, case=case, material_id=line.pk, received=True)
        for step in STEPS_TO[status]:
            services.case_take_step(
                actor=actor,
                case=case,
                step=step,
                department=matter.current.implementing_body
                if matter.current.handling == Handling.LOCAL
                else matter.current.department,
                reason="经核查，申请人家庭近期无突发性、紧迫性生活困难，不符合临时救助条件。",
                answer="",
            )
        if status == "done" and resident.user_id is not None:  # 周桂兰 rates her case
            services.case_rate(
                actor=resident.user,
                case=case,
                rating=CaseRating.VERY_SATISFIED,
                comment="在小区服务台一次就办好了，不用跑街道。",
            )
    return Case.objects.filter(place=compound).count()


# -- a year of the desk (the seed: "more than 130 matters handled") ---------------------------

# How often each matter comes to the desk in a year, roughly (the rest: once or twice).
YEAR_WEIGHTS = {
    "居住证明开具": 30,
    "城乡居民基本医疗保险参保登记": 26,
    "城乡居民基本养老保险待遇领取": 14,
    "城乡居民基本养老保险参保登记": 12,
    "高龄津贴申领": 12,
    "老年人优待证办理": 10,
    "最低生活保障（低保）申请": 8,
    "残疾人证新办": 6,
    "困难残疾人生活补贴和重度残疾人护理补贴申请": 6,
    "临时救助申请": 5,
    "就业创业证申领": 5,
    "生育登记": 4,
    "居住证申领（受理）": 4,
    "特困人员救助供养申请": 2,
}
YEAR_CASES = 150
# Elderly residents are served at home more often; the rest mostly at the counter.
CHANNEL_WEIGHTS = (("counter", 62), ("phone", 14), ("home_visit", 14), ("online", 10))


def _backdate(case, *, opened, decided, done) -> None:
    """Put a case made today at the days it was served (the year's demo only)."""
    from linli.core.workdays import add_working_days

    from .models import Case, CaseEvent, CaseEventKind

    due = add_working_days(opened, case.version.promised_days).date()
    forwarded = opened + timedelta(hours=3) if case.forwarded_at else None
    Case.objects.filter(pk=case.pk).update(
        created_at=opened,
        accepted_at=opened,
        due_on=due,
        forwarded_at=forwarded,
        decided_at=decided,
        done_at=done,
    )
    for event in CaseEvent.objects.filter(case=case):
        when = opened
        if event.kind in (CaseEventKind.APPROVED, CaseEventKind.REFUSED):
            when = decided
        elif event.kind == CaseEventKind.DONE:
            when = done
        elif event.kind == CaseEventKind.FORWARDED:
            when = forwarded
        CaseEvent.objects.filter(pk=event.pk).update(at=when)


@transaction.atomic
def demo_year(compound: Place | None = None, *, count: int = YEAR_CASES, seed: int = 2026) -> int:
    """A year of Nanguanfang's desk: ``count`` cases across the catalogue, served at the
    counter, by phone, at home and online, each taken through the services to its result
    and dated over the twelve months before today, more of them in the later months as
    residents came to know the desk. Returns how many the year added (none when loaded)."""
    import random

    from linli.core.workdays import add_working_days
    from linli.residents.models import Resident, ResidentStatus

    from .models import Case

    compound = compound or Place.objects.get(kind="compound", name="南官房小区")
    if Case.objects.filter(
        place=compound, done_at__lt=timezone.now() - timedelta(days=24)
    ).exists():
        return 0  # loaded already
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    matters = {
        m.current.name: m
        for m in Matter.objects.filter(place__kind="street", is_active=True).select_related(
            "current"
        )
    }
    names = [name for name in YEAR_WEIGHTS if name in matters]
    if not names:
        return 0
    living = list(
        Resident.objects.filter(
            place__path__startswith=compound.path, status=ResidentStatus.LIVING
        ).order_by("birth_date", "id")
    )
    elderly = living[: max(1, len(living) // 4)]
    workers = [User.objects.get(username=u) for u in ("community", "community", "secretary")]
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    channel_weights = [w for _c, w in CHANNEL_WEIGHTS]
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    added = 0
    for _ in range(count):
        name = rng.choices(names, weights=[YEAR_WEIGHTS[n] for n in names])[0]
        matter = matters[name]
        version = matter.current
        old = name in ("高龄津贴申领", "老年人优待证办理", "城乡居民基本养老保险待遇领取")
        resident = rng.choice(elderly if old else living)
        channel = rng.choices(channels, weights=channel_weights)[0]
        if old and rng.random() < 0.3:
            channel = "home_visit"
        actor = rng.choice(workers)
        situations = list(version.situations.all())
        situation = rng.choice(situations) if situations and rng.random() < 0.3 else None
        case = services.case_open(
            actor=actor,
            resident=resident,
            matter=matter,
            situation_id=situation.pk if situation else None,
            channel=channel,
            would_call_12345=rng.random() < 0.35,
        )
        for line in case.materials.all():
            services.case_material_mark(actor=actor, case=case, material_id=line.pk, received=True)
        services.case_take_step(actor=actor, case=case, step="accept")
        if version.handling == Handling.FORWARD:
            services.case_take_step(
                actor=actor, case=case, step="forward", department=version.department
            )
        refused = name in ("临时救助申请", "最低生活保障（低保）申请") and rng.random() < 0.25
        if refused:
            services.case_take_step(
                actor=actor,
                case=case,
                step="refuse",
                reason="经入户调查和家庭经济状况核对，家庭人均收入高于本地标准。",
            )
        else:
            services.case_take_step(actor=actor, case=case, step="approve")
        services.case_take_step(actor=actor, case=case, step="finish")
        case.refresh_from_db()
        # Spread over the year, denser towards today (the square root weights later days).
        days_back = int(340 * (1 - rng.random() ** 0.7)) + 25
        day = today - timedelta(days=days_back)
        opened = datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=zone)
        # Most are decided well within the promised time (and all before today).
        took = rng.randint(0, min(version.promised_days, 8))
        decided = add_working_days(opened, took) + timedelta(hours=1)
        done = decided + timedelta(hours=rng.randint(1, 30))
        _backdate(case, opened=opened, decided=decided, done=done)
        added += 1
    return added


# -- policy consultations (政策咨询) -------------------------------------------------------------

# (matter or None, question, answer, minutes, would otherwise have called 12345)
DEMO_CONSULTATIONS = [
    (
        "高龄津贴申领",
        "父亲下个月满八十岁，高龄津贴什么时候能领？",
        "满八十周岁的次月起可申领，带身份证、户口簿到服务台登记，按月发放到社保卡。",
        4,
        True,
    ),
    (
        "高龄津贴申领",
        "高龄津贴每个月多少钱？",
        "八十至八十九岁每月一百元，九十至九十九岁每月二百元，百岁以上每月五百元。",
        2,
        False,
    ),
    (
        "最低生活保障（低保）申请",
        "家里只有我一个人有收入，能不能申请低保？",
        "看共同生活家庭成员人均收入是否低于本地低保标准，并核对财产状况；可以先登记，由街道入户调查。",
        12,
        True,
    ),
    (
        "最低生活保障（低保）申请",
        "低保还需要单位开收入证明吗？",
        "新版办法不再要求收入证明，改由家庭成员签授权书、系统核对经济状况。",
        5,
        False,
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "孩子刚出生，医保怎么办？",
        "出生后可随时参保，带出生医学证明和监护人身份证，当场办结。",
        6,
        True,
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "今年医保个人缴费是多少，在哪交？",
        "按当年标准缴纳，可在服务台扫码或通过手机缴费；低保、特困人员有资助。",
        3,
        True,
    ),
    (
        "城乡居民基本养老保险参保登记",
        "我没有单位，能交养老保险吗？",
        "可以参加城乡居民基本养老保险，按年选择缴费档次，带身份证和户口簿登记。",
        7,
        False,
    ),
    (
        "城乡居民基本养老保险待遇领取",
        "母亲满六十岁了，养老金怎么开始领？",
        "满六十周岁且缴费满十五年，带身份证、户口簿和社保卡办理待遇领取。",
        8,
        True,
    ),
    (
        "城乡居民基本养老保险待遇领取",
        "每年的领取资格认证在哪里做？",
        "可在手机上刷脸认证，行动不便的老人可预约网格员上门认证。",
        4,
        True,
    ),
    (
        "残疾人证新办",
        "孩子听力有问题，残疾人证怎么办？",
        "先在服务台登记，到指定医院评定，评定结果由区残联审核发证。",
        10,
        False,
    ),
    (
        "困难残疾人生活补贴和重度残疾人护理补贴申请",
        "重度残疾人护理补贴要什么条件？",
        "残疾等级为一、二级且需长期照护的可申请，带残疾人证和身份证。",
        6,
        False,
    ),
    (
        "居住证明开具",
        "孩子上学要开居住证明，需要带什么？",
        "带户口簿或身份证、房产证或租房合同，当场开具。",
        3,
        True,
    ),
    (
        "居住证明开具",
        "租房住能开居住证明吗？",
        "可以，带租赁合同和房东身份证复印件，由社区核实后开具。",
        4,
        False,
    ),
    (
        "临时救助申请",
        "家里突然有人住院，花费很大，有没有救助？",
        "可申请临时救助，带住院费用票据和诊断证明，街道审核后发放。",
        11,
        True,
    ),
    (
        "老年人优待证办理",
        "老年人优待证有什么用，怎么办？",
        "六十周岁以上可办理，乘公交、进公园等享受优待，带身份证和一寸照片当场办。",
        3,
        False,
    ),
    (
        "就业创业证申领",
        "刚毕业想找工作，就业创业证在哪办？",
        "带身份证和毕业证到服务台受理，转街道人社所办理。",
        5,
        False,
    ),
    (
        "生育登记",
        "二孩生育登记需要什么？",
        "夫妻双方身份证、户口簿、结婚证，可在服务台或手机上登记。",
        4,
        False,
    ),
    (
        "居住证申领（受理）",
        "外地户口在这里工作，居住证怎么办？",
        "居住满半年，带身份证、住所证明和劳动合同，服务台受理后转派出所。",
        6,
        True,
    ),
    (
        "特困人员救助供养申请",
        "邻居老人无儿无女，能申请特困供养吗？",
        "无劳动能力、无生活来源且无法定赡养人的可申请，可由社区代为提出。",
        9,
        False,
    ),
    (
        None,
        "小区停车位怎么收费，谁定的价？",
        "由业主大会与物业协商确定，收费标准在物业公示栏公示；有异议可向社区反映。",
        5,
        True,
    ),
    (None, "楼道的灯坏了很久，找谁修？", "公共部位由物业维修，已帮您转成工单派给物业。", 3, True),
    (
        None,
        "家里老人独居，社区有没有探访服务？",
        "有，网格员和志愿者定期探访，可以登记需求。",
        6,
        False,
    ),
    (None, "暖气不热可以找谁？", "先联系供热公司客服，三天内未解决可再到服务台登记。", 4, True),
    (
        None,
        "社区有没有免费的法律咨询？",
        "每月第二个周三有律师在党群服务中心坐班，可预约。",
        3,
        False,
    ),
    (
        "高龄津贴申领",
        "老人卧床不能来，高龄津贴能上门办吗？",
        "可以预约网格员上门办理，带上身份证和户口簿即可。",
        5,
        True,
    ),
    (
        "最低生活保障（低保）申请",
        "家里有在校大学生，低保要多交什么材料？",
        "另需学校出具的在校就读证明原件。",
        4,
        False,
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "在外地看病医保能报销吗？",
        "办理异地就医备案后可直接结算，可在手机上备案。",
        6,
        True,
    ),
    ("居住证明开具", "开居住证明要多久？", "材料齐全当场开具。", 2, False),
    (
        "临时救助申请",
        "家里着火了，东西都烧了，能申请什么帮助？",
        "可申请临时救助，社区先行核实情况，急难情形可先行救助。",
        8,
        True,
    ),
    (None, "小区里的健身器材坏了谁管？", "属小区公共设施，由物业维护，已登记转办。", 3, False),
]
# Which of them turned into a case (index → situation name or None) and the one work order.
DEMO_CONSULTATIONS_TO_CASE = {2: None, 7: None, 13: None}
DEMO_CONSULTATION_TO_ORDER = 20


@transaction.atomic
def demo_consultations(compound: Place | None = None) -> int:
    """About thirty consultations answered at Nanguanfang's desk over the past year, at the
    counter and by phone, a few of them turned into cases and one into a work order, through
    the services; the demo resident asked two. Returns how many it added (none when loaded)."""
    from linli.residents.models import Resident, ResidentStatus
    from linli.workorders.models import Category

    from .models import Consultation

    compound = compound or Place.objects.get(kind="compound", name="南官房小区")
    if Consultation.objects.filter(place=compound).exists():
        return 0  # loaded already
    living = list(
        Resident.objects.filter(place__path__startswith=compound.path, status=ResidentStatus.LIVING)
        .select_related("place", "user")
        .order_by("id")
    )
    own = next((r for r in living if r.user_id and r.user.username == "resident"), None)
    matters = {
        m.current.name: m
        for m in Matter.objects.filter(is_active=True, current__isnull=False).select_related(
            "current"
        )
    }
    workers = [User.objects.get(username=u) for u in ("community", "secretary")]
    category = Category.objects.filter(code="corridor-light", is_active=True).first()
    now = timezone.now()
    added = 0
    for index, (name, question, answer, minutes, hotline) in enumerate(DEMO_CONSULTATIONS):
        matter = matters.get(name) if name else None
        if name and matter is None:
            continue
        # every third asker is a passer-by named only as they wish; the demo resident asked two
        resident = None
        if index in (11, 25) and own is not None:
            resident = own
        elif index % 3 and living:
            resident = living[(index * 7) % len(living)]
        days_back = 355 - index * 11
        consultation = services.consultation_record(
            actor=workers[index % 2],
            resident=resident,
            asker="" if resident else ("王先生", "刘阿姨", "路过的居民")[index % 3],
            place=compound,
            matter=matter,
            question=question,
            answer=answer,
            minutes=minutes,
            channel="phone" if index % 4 == 1 else "counter",
            would_call_12345=hotline,
            answered_at=now - timedelta(days=days_back, hours=index % 5),
        )
        added += 1
        if index in DEMO_CONSULTATIONS_TO_CASE and resident is not None and matter is not None:
            services.consultation_to_case(actor=workers[0], consultation=consultation)
        if index == DEMO_CONSULTATION_TO_ORDER and category is not None:
            services.consultation_to_order(
                actor=workers[0],
                consultation=consultation,
                category=category,
                title="楼道灯长时间不亮",
                description="居民到服务台咨询时反映，楼道灯坏了很久无人维修。",
            )
    return added


# -- 代办 for elderly residents living alone (issue 15 item 3) ---------------------------------

# (matter, reason, the agent: name, relation, in words, birth date, mobile; how far it got)
DEMO_PROXIES = [
    (
        "高龄津贴申领",
        "elderly",
        ("王建军", "relative", "儿子（在外区居住）", "1972-04-18", "13603521187"),
        "done",
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "lives_alone",
        ("刘桂芳", "neighbour", "对门邻居", "1965-09-02", "13935216620"),
        "held",
    ),
    (
        "老年人优待证办理",
        "bedridden",
        ("林小雨", "volunteer", "大学生志愿者", "2003-06-11", ""),
        "pending",
    ),
]


def _demo_image(width: int, height: int, *, lines: int) -> bytes:
    """A plain picture standing in for a photo of a signed sheet: ruled lines, a scrawl."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i in range(lines):
        y = 40 + i * (height - 80) // max(lines, 1)
        draw.line((40, y, width - 40, y), fill=(170, 170, 170), width=2)
    draw.line(
        (width // 2, height - 70, width // 2 + 60, height - 110, width // 2 + 130, height - 60),
        fill="black",
        width=4,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_proxies(compound: Place | None = None) -> int:
    """A few cases of Nanguanfang's elderly residents who live alone, handled under 代办
    through the services: one done, its 户口簿 taken and returned; one with the original still
    held by the desk (the case cannot be closed yet); one authorised, its IDs not yet
    checked. Returns how many it added (none when loaded already)."""
    import base64
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.residents.idnumbers import make_id_number
    from linli.residents.models import Resident, ResidentStatus

    from .models import PROXY_ELDERLY_AGE, ProxyAuthorisation

    compound = compound or Place.objects.get(kind="compound", name="南官房小区")
    if ProxyAuthorisation.objects.filter(case__place=compound).exists():
        return 0  # loaded already
    today = timezone.localdate()
    born_by = today.replace(year=today.year - PROXY_ELDERLY_AGE - 10)
    people = list(
        Resident.objects.filter(
            place__path__startswith=compound.path,
            status=ResidentStatus.LIVING,
            lives_alone=True,
            birth_date__lte=born_by,
            user__isnull=True,
        )
        .select_related("place")
        .order_by("birth_date", "id")[: len(DEMO_PROXIES)]
    )
    desk = User.objects.get(username="community")
    scrawl = "data:image/png;base64," + base64.b64encode(_demo_image(600, 220, lines=0)).decode()
    added = 0
    for (name, reason, agent, stage), resident in zip(DEMO_PROXIES, people, strict=False):
        matter = Matter.objects.filter(current__name=name, is_active=True).first()
        if matter is None:
            continue
        agent_name, relation, in_words, born, mobile = agent
        with transaction.atomic():
            case = services.case_open(
                actor=desk, resident=resident, matter=matter, channel="home_visit"
            )
            proxy = services.proxy_authorise(
                actor=desk,
                case=case,
                agent_name=agent_name,
                agent_relation=relation,
                agent_relation_note=in_words,
                agent_id_number=make_id_number("140202", date.fromisoformat(born), 100 + added),
                agent_phone=mobile,
                reason=reason,
                reason_note="卧床，无法到服务站" if reason == "bedridden" else "",
            )
            letter = SimpleUploadedFile(
                "letter.png", _demo_image(620, 880, lines=14), content_type="image/png"
            )
            services.proxy_letter_attach(actor=desk, proxy=proxy, upload=letter)
            added += 1
            if stage == "pending":
                continue
            proxy = services.proxy_check_ids(
                actor=desk, proxy=proxy, resident_method="in_person", agent_method="id_card"
            )
            lines = list(case.materials.order_by("position", "id"))
            originals = [line for line in lines if line.form != "copy"][:1]
            held = [
                services.original_take(
                    actor=desk,
                    proxy=proxy,
                    document=f"{line.name}原件",
                    material_id=line.pk,
                    taken_from=agent_name,
                    signature_drawn=scrawl,
                )
                for line in originals
            ]
            for line in lines:
                services.case_material_mark(
                    actor=desk, case=case, material_id=line.pk, received=True
                )
            services.case_take_step(actor=desk, case=case, step="accept")
            if stage == "held":
                continue
            services.case_take_step(actor=desk, case=case, step="approve")
            for line in held:
                services.original_return(
                    actor=desk, custody=line, returned_to=agent_name, signature_drawn=scrawl
                )
            services.case_take_step(actor=desk, case=case, step="finish")
    return added
