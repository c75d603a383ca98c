"""The catalogue of 鹿苑街道's one-stop desk (the demo world): the matters residents of
Nanguanfang come to the branch centre's 全岗通 desk for, with what to bring in each
situation. 低保 was revised once, so that its first version can be seen beside the one in
force. Kept by the street administrator, through the services."""

from datetime import timedelta

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
    through the services; returns how many the compound's desk holds."""
    from linli.residents.models import Resident, ResidentStatus

    from .models import Case

    compound = compound or Place.objects.get(kind="compound", name="南官房小区")
    if Case.objects.filter(place=compound).exists():
        return Case.objects.filter(place=compound).count()
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
