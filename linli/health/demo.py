"""Health help in the demo world: the health help cards (健康帮扶卡) of Nanguanfang's elderly
with a year of readings at the free-clinic station, the follow-ups and alerts they raised and
how they were handled, consents to share with the elder-care station (大同助老社区助老站), two
home devices (智慧康养) — one of them gone quiet, so the no-contact watch has raised an alert —
and the four free clinics (义诊) of the seed newspaper page, held at 苹果园, 文博苑, 文兴 and
御河九号 communities with their results, plus an upcoming general clinic at Nanguanfang.

Those four communities had nobody in the demo register: each gets a small compound with a few
fictitious (mostly elderly) households, made by the demo's own place and resident generators,
and an account for the partner clinic's doctor who ran the clinic.

Everything goes through the services, in the order it happened, with ``now=`` where they
take it; afterwards the timestamps the services set to "now" are moved back. Deterministic:
one seeded random generator, times relative to when the demo is loaded."""

import heapq
import itertools
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.places import tree
from linli.places.models import Organisation, Place, PlaceKind
from linli.places.services import membership_add, places_bulk_create
from linli.residents.models import Relation, Resident, ResidentStatus, age_on

from . import selectors_clinics, services, services_clinics
from .models import (
    ABNORMAL_LEVELS,
    ALERT_LEVELS,
    Alert,
    AlertEvent,
    AlertEventKind,
    CardEvent,
    CardEventKind,
    CareLevel,
    ClinicEvent,
    ClinicLogEntry,
    ClinicLogKind,
    ConsentScope,
    Device,
    DeviceKind,
    FollowUp,
    FollowUpEvent,
    FollowUpEventKind,
    GlucoseTiming,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Registration,
    RegistrationEvent,
    RegistrationEventKind,
    Source,
    Specialty,
)

SEED = 20230731  # the party-branch centre reopened at the end of July 2023
CARD_CAP = 60
ELDER_CARE = "大同助老社区助老站"
STATION = "南官房小区义诊站"
CENTRE = "党支部服务中心"
# Residents living alone are watched: no reading or check-in for this many days raises an
# alert. Those without a home device see the station monthly, so a month and a bit.
WATCH_DAYS_MONTHLY = 35
WATCH_DAYS_QUIET = 3
# People seen once at a partner's free clinic are not watched closely by that clinic.
WATCH_DAYS_FREE_CLINIC = 60
CONSENTS = 8
QUARTERS = (11, 8, 5, 2)  # months back of the quarterly visits
PENDING_DAYS = 14  # follow-ups raised since are still open (not yet due)

# -- what is on a card ---------------------------------------------------------------------------

MEDICATIONS = {
    "高血压": [
        "硝苯地平控释片 30mg 每日一次",
        "苯磺酸氨氯地平片 5mg 每日一次",
        "缬沙坦胶囊 80mg 每日一次",
    ],
    "2型糖尿病": [
        "盐酸二甲双胍片 0.5g 每日三次",
        "阿卡波糖片 50mg 每日三次（随餐）",
        "格列美脲片 2mg 每日一次",
    ],
    "冠心病": ["阿司匹林肠溶片 100mg 每日一次", "阿托伐他汀钙片 20mg 每晚一次"],
    "慢阻肺": ["噻托溴铵吸入粉雾剂 18μg 每日一次"],
    "高脂血症": ["瑞舒伐他汀钙片 10mg 每晚一次"],
    "骨质疏松": ["碳酸钙D3片 600mg 每日一次"],
    "脑梗死后遗症": ["氯吡格雷片 75mg 每日一次"],
}
OTHER_CONDITIONS = ["骨关节炎", "骨质疏松", "白内障", "脑梗死后遗症", "慢性胃炎", "高脂血症"]
INSULIN = "甘精胰岛素注射液 睡前皮下注射 12单位"
ALLERGIES = [("青霉素过敏", 0.12), ("磺胺类药物过敏", 0.05), ("头孢类抗生素过敏", 0.03)]
CHILD_NAMES = {"M": ["建军", "志刚", "晓东", "卫东", "海涛"], "F": ["丽华", "海燕", "红梅", "春燕"]}

OUTCOMES = {
    Level.RAISED: [
        "上门复测血压已降至正常，嘱规律服药、低盐饮食。",
        "电话随访，本人已到社区卫生服务站复测，血压平稳。",
        "家庭医生调整降压药剂量，一周后复测正常。",
    ],
    Level.IMPAIRED: ["复查空腹血糖，建议控制主食、饭后散步，三个月后复查。"],
    Level.DIABETIC: [
        "家庭医生面诊，调整降糖方案，已做糖尿病饮食指导。",
        "复测空腹血糖，嘱按时服药，下月复查糖化血红蛋白。",
    ],
}
ACK_NOTES = {
    Level.URGENT: "电话联系本人及家属，已陪同到社区卫生服务站复测，医生调整用药。",
    Level.DANGEROUS: "立即上门，口服糖水后复测血糖5.6mmol/L，已联系家庭医生调整胰岛素剂量。",
}

# -- the seed's free clinics -----------------------------------------------------------------------
# community, compound (name, English), organisation, the clinic's doctor (username, name,
# title), title, specialty, days ago, hours, venue, description.
SEED_CLINICS = [
    {
        "community": "苹果园社区",
        "compound": ("苹果园小区", "Pingguoyuan Compound"),
        "organisation": "登黄堂中医馆",
        "doctor": ("denghuangtang", "郝建平", "中医师"),
        "title": "弘扬中医药文化科普健康知识",
        "specialty": Specialty.TCM,
        "days_ago": 49,
        "hours": (time(8, 30), time(11, 30)),
        "venue": "苹果园社区党群服务中心门前广场",
        "description": "登黄堂中医馆医护人员为居民免费测量血压、血糖，针对性地提供健康咨询、"
        "问诊把脉、中医特色疗法体验等服务，让更多居民走近中医、了解中医。",
        "glucose": True,
        "advice": [
            "舌淡苔白，脉弦细。建议清淡饮食，每日快走三十分钟，可练八段锦。",
            "气虚体质，脉沉细。建议规律作息，少食生冷，可艾灸足三里。",
            "脾胃虚弱，建议少食多餐，山药小米粥调养。",
            "肝阳偏亢，脉弦。建议保持情绪平稳，少饮酒，按时服降压药。",
            "颈肩劳损，已体验刮痧，建议避免久坐低头。",
        ],
    },
    {
        "community": "文博苑社区",
        "compound": ("文博苑小区", "Wenboyuan Compound"),
        "organisation": "文博苑社区卫生服务站",
        "doctor": ("wenboyuan", "韩雪", "眼科医生"),
        "title": "爱眼护眼 眼科义诊",
        "specialty": Specialty.EYE,
        "days_ago": 42,
        "hours": (time(9, 0), time(11, 30)),
        "venue": "文博苑社区新时代文明实践站",
        "description": "医生详细询问居民身体状况、既往病史，通过专业设备现场检查视力、眼压，"
        "解答各种症状，给予科学的健康宣教和合理的治疗建议。",
        "glucose": False,
        "advice": [
            "双眼晶状体轻度混浊（早期白内障），建议半年后复查。",
            "老花眼，建议验光配镜，阅读时光线充足。",
            "干眼症，建议减少看手机时间，可用人工泪液。",
            "视物模糊加重，建议到市眼科医院进一步检查眼底。",
            "眼压正常，视力稳定，每年检查一次即可。",
        ],
    },
    {
        "community": "文兴社区",
        "compound": ("文兴小区", "Wenxing Compound"),
        "organisation": "文兴社区卫生服务站",
        "doctor": ("wenxing", "杜文军", "口腔医生"),
        "title": "口腔义诊进社区",
        "specialty": Specialty.DENTAL,
        "days_ago": 35,
        "hours": (time(9, 0), time(11, 0)),
        "venue": "文兴社区居委会活动室",
        "description": "医务人员普及牙科知识，为居民免费口腔检查，针对不同情况提供防护诊疗建议，"
        "指导大家保护牙齿、预防口腔疾病。",
        "glucose": False,
        "advice": [
            "牙结石较多，牙龈出血，建议洁牙。",
            "左下后牙龋齿，建议尽早充填治疗。",
            "牙周炎，已指导巴氏刷牙法，建议使用牙线。",
            "全口义齿松动，建议重衬或重新修复。",
            "口腔情况良好，每半年检查一次。",
        ],
    },
    {
        "community": "御河九号社区",
        "compound": ("御河九号小区", "Yuhe No. 9 Compound"),
        "organisation": "御河九号社区卫生服务站",
        "doctor": ("yuhe", "钱慧", "口腔医生"),
        "title": "口腔义诊 呵护健康",
        "specialty": Specialty.DENTAL,
        "days_ago": 28,
        "hours": (time(14, 30), time(16, 30)),
        "venue": "御河九号社区党群服务中心",
        "description": "口腔健康知识讲座和免费口腔检查，针对老人的假牙和牙周问题给出建议。",
        "glucose": False,
        "advice": [
            "残根两颗，建议拔除后修复。",
            "牙本质敏感，建议使用抗敏感牙膏。",
            "活动义齿卡环压痛，建议到口腔科调改。",
            "牙龈退缩，建议软毛牙刷、竖刷法。",
            "口腔情况良好，每半年检查一次。",
        ],
    },
]
RAISED_ADVICE = "血压偏高，请两周内到社区卫生服务站复测，已告知社区随访。"
CLINIC_BUILDINGS = 2
CLINIC_FLATS = ["101", "102", "201", "202", "301", "302"]
REGISTERED_PER_CLINIC = 12
COMPLAINTS = ["最近头晕", "想量量血压", "复查血糖", "眼睛干涩", "牙疼", "睡眠不好", ""]

UPCOMING = {
    "title": "南官房小区义诊站 健康体检义诊",
    "venue": "党支部服务中心·义诊站",
    "description": "与社区卫生服务站联动：测量血压、血糖、体重，家庭医生现场咨询，为老人更新"
    "健康帮扶卡。请带上医保卡和正在服用的药。",
    "days_ahead": 9,
    "hours": (time(8, 30), time(11, 30)),
    # people registered in each slot (the first full)
    "per_slot": [4, 3, 2],
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class _Timeline:
    """Steps to take in the order they happened; a step may add later ones."""

    def __init__(self):
        self.heap: list = []
        self.counter = itertools.count()

    def add(self, when: datetime, step, *args) -> None:
        heapq.heappush(self.heap, (when, next(self.counter), step, args))

    def run(self) -> None:
        while self.heap:
            when, _n, step, args = heapq.heappop(self.heap)
            step(when, *args)


class _HealthDemo:
    def __init__(self, compound: Place, now: datetime):
        self.rng = random.Random(SEED)  # noqa: S311 (fictitious people, not secrets)
        self.compound = compound
        self.now = now
        self.today = timezone.localdate(now)
        self.doctor = User.objects.get(username="doctor")
        self.worker = User.objects.get(username="community")
        self.resident_user = User.objects.get(username="resident")
        self.timeline = _Timeline()
        self.cards: list[HealthCard] = []
        self.created: dict[int, datetime] = {}  # card → when it was made
        self.registered: dict[int, datetime] = {}  # registration → when
        self.profiles: dict[int, dict] = {}  # card → what the demo knows of the person
        self.keep_open: set[int] = set()  # follow-ups and alerts left open on purpose
        self.clinic_created: dict[int, datetime] = {}  # clinic → when it was planned
        self.device_since: dict[int, datetime] = {}  # device → when it was registered
        self.quiet: Resident | None = None
        self.withdrawn = None

    # -- cards ---------------------------------------------------------------------------------

    def _profile(self, resident: Resident, age: int) -> dict:
        rng = self.rng
        conditions = []
        if rng.random() < 0.58:
            conditions.append("高血压")
        if rng.random() < 0.22:
            conditions.append("2型糖尿病")
        if rng.random() < 0.14:
            conditions.append("冠心病")
        if rng.random() < 0.07:
            conditions.append("慢阻肺")
        if rng.random() < 0.2:
            other = rng.choice(OTHER_CONDITIONS)
            if other not in conditions:
                conditions.append(other)
        allergies = [name for name, share in ALLERGIES if rng.random() < share]
        if age >= 88 or "脑梗死后遗症" in conditions:
            care = CareLevel.DEPENDENT if rng.random() < 0.5 else CareLevel.PARTIAL
        elif age >= 82 and rng.random() < 0.4:
            care = CareLevel.PARTIAL
        else:
            care = CareLevel.SELF_CARE
        return {
            "conditions": conditions,
            "allergies": allergies,
            "care": care,
            "male": resident.gender == "M",
            "weight": rng.gauss(67 if resident.gender == "M" else 57, 7),
            "height": rng.gauss(168 if resident.gender == "M" else 156, 5),
        }

    def _medications(self, conditions: list[str], insulin: bool = False) -> str:
        lines = []
        for condition in conditions:
            options = MEDICATIONS.get(condition)
            if options:
                if condition in ("冠心病",):
                    lines.extend(options)
                else:
                    lines.append(self.rng.choice(options))
        if insulin:
            lines.append(INSULIN)
        return "\n".join(lines)

    def _phone(self) -> str:
        return self.rng.choice(["135", "136", "137", "138", "139", "150", "158"]) + (
            f"{self.rng.randrange(10**8):08d}"
        )

    def _emergency(self, resident: Resident, household: list[Resident]) -> dict:
        """A household member (the youngest adult), or a child living elsewhere."""
        adults = [
            r for r in household if r.pk != resident.pk and age_on(r.birth_date, self.today) >= 18
        ]
        if adults:
            contact = min(adults, key=lambda r: (-r.birth_date.toordinal(), r.pk))
            if contact.birth_date.year - resident.birth_date.year >= 18:
                relation = "儿子" if contact.gender == "M" else "女儿"
            elif contact.relation == Relation.SPOUSE or resident.relation == Relation.SPOUSE:
                relation = "老伴"
            else:
                relation = "家人"
            name = contact.name
        else:
            gender = "M" if self.rng.random() < 0.5 else "F"
            name = resident.name[0] + self.rng.choice(CHILD_NAMES[gender])
            relation = "儿子（外地）" if gender == "M" else "女儿（外地）"
        return {
            "emergency_name": name,
            "emergency_relation": relation,
            "emergency_phone": self._phone(),
        }

    def _card(self, *, actor, resident, household, profile, when, extra=None) -> HealthCard:
        insulin = profile.get("insulin", False)
        notes = []
        if resident.lives_alone:
            notes.append("独居，子女不在身边，需定期联系。")
        if profile["care"] == CareLevel.DEPENDENT:
            notes.append("行动不便，需上门服务。")
        card = services.card_create(
            actor=actor,
            resident=resident,
            care_level=profile["care"],
            conditions="、".join(profile["conditions"]),
            medications=self._medications(profile["conditions"], insulin),
            allergies="、".join(profile["allergies"]),
            notes="".join(notes),
            **self._emergency(resident, household),
            **(extra or {}),
        )
        self.cards.append(card)
        self.created[card.pk] = when
        self.profiles[card.pk] = profile
        return card

    def nanguanfang_cards(self) -> None:
        residents = list(
            Resident.objects.filter(
                tree.subtree_q(self.compound.path, "place__path"), status=ResidentStatus.LIVING
            )
            .select_related("place")
            .order_by("place__path", "birth_date", "name", "pk")
        )
        households: dict[int, list[Resident]] = {}
        for resident in residents:
            households.setdefault(resident.household_id, []).append(resident)
        zhou = next(r for r in residents if r.user_id == self.resident_user.pk)
        eligible = [
            r
            for r in residents
            if r.pk != zhou.pk
            and (
                age_on(r.birth_date, self.today) >= 70
                or (r.lives_alone and age_on(r.birth_date, self.today) >= 65)
            )
        ]
        chosen = self.rng.sample(eligible, min(CARD_CAP - 1, len(eligible)))
        chosen.sort(key=lambda r: (r.place.path, r.pk))
        # The people of the year's stories.
        alone = [r for r in chosen if r.lives_alone]
        others = [r for r in chosen if not r.lives_alone]
        self.quiet = alone[0] if alone else None
        self.climber, self.drifter, self.low = others[0], others[1], others[2]
        year_ago = self.now - timedelta(days=380)
        for index, resident in enumerate([zhou, *chosen]):
            age = age_on(resident.birth_date, self.today)
            profile = self._profile(resident, age)
            if resident is zhou:
                profile.update(conditions=["高血压", "骨关节炎"], allergies=["青霉素过敏"])
                profile["care"] = CareLevel.SELF_CARE
            elif resident is self.climber:
                profile.update(conditions=["冠心病"], climber=True)
            elif resident is self.drifter:
                profile.update(conditions=["高血压", "空腹血糖受损"], drifter=True)
            elif resident is self.low:
                profile.update(conditions=["2型糖尿病", "高血压"], insulin=True, low=True)
            extra = {"family_doctor": self.doctor, "responsible_worker": self.worker}
            if resident.lives_alone:
                extra["watch_days"] = (
                    WATCH_DAYS_QUIET if resident is self.quiet else WATCH_DAYS_MONTHLY
                )
            household = households.get(resident.household_id, [])
            card = self._card(
                actor=self.doctor,
                resident=resident,
                household=household,
                profile=profile,
                when=year_ago + timedelta(minutes=20 * index),
                extra=extra,
            )
            if resident is zhou:
                self.zhou = card
            if resident is self.quiet:
                self.quiet_card = card

    # -- a year of readings ----------------------------------------------------------------------

    def _bp(self, profile: dict, progress: float) -> dict:
        rng = self.rng
        if profile.get("climber"):
            systolic = 126 + 32 * progress + rng.gauss(0, 3)
            diastolic = 78 + 14 * progress + rng.gauss(0, 2)
        elif "高血压" in profile["conditions"]:
            systolic, diastolic = rng.gauss(131, 6), rng.gauss(80, 4)
        else:
            systolic, diastolic = rng.gauss(121, 7), rng.gauss(74, 5)
        systolic = round(_clip(systolic, 98, 172))
        diastolic = round(
            _clip(
                diastolic,
                58,
                104,
            )
        )
        diastolic = min(diastolic, systolic - 30)
        return {
            "systolic": systolic,
            "diastolic": diastolic,
            "pulse": round(_clip(rng.gauss(74, 8), 54, 98)),
        }

    def _glucose(self, profile: dict, progress: float) -> str | None:
        rng = self.rng
        if profile.get("drifter"):
            value = 5.7 + 1.9 * progress + rng.gauss(0, 0.15)
        elif "2型糖尿病" in profile["conditions"]:
            value = _clip(rng.gauss(6.6, 0.6), 5.4, 9.6)
        else:
            return None
        return f"{value:.1f}"

    def _station_time(self, months_back: int, card: HealthCard) -> datetime:
        if self.quiet is not None and card.resident_id == self.quiet.pk:
            offset = 10  # never later: the watch, not the station, is their last contact
        else:
            offset = self.rng.randint(3, 20)
        day = self.today - timedelta(days=months_back * 30 + offset)
        return _at(day, self.rng.randint(8, 10), self.rng.choice([0, 10, 20, 30, 40, 50]))

    def plan_year(self) -> None:
        """As the basic public health service sees its people: blood pressure monthly for
        those with hypertension or living alone (and the year's stories), quarterly for the
        others; glucose
        quarterly for diabetics and once a year for the others; height and weight once."""
        for card in self.cards:
            profile = self.profiles[card.pk]
            story = bool({"climber", "drifter", "low"} & set(profile)) or card.pk == self.zhou.pk
            # Those living alone come every month too: the station is their regular contact.
            monthly_bp = story or "高血压" in profile["conditions"] or card.resident.lives_alone
            for months_back in range(11, -1, -1):
                progress = (11 - months_back) / 11
                quarter = months_back in QUARTERS
                if not (monthly_bp or quarter):
                    continue
                when = self._station_time(months_back, card)
                bp = self._bp(profile, progress)
                if profile.get("climber") and months_back == 0:
                    # The climb ends in an urgent reading three days ago: the open alert.
                    when = _at(self.today - timedelta(days=3), 9, 10)
                    bp = {"systolic": 186, "diastolic": 112, "pulse": 92}
                    self.climber_urgent_at = when
                self.timeline.add(when, self._reading, card, ReadingKind.BLOOD_PRESSURE, bp)
                glucose = None
                if profile.get("drifter") or profile.get("low") or quarter:
                    glucose = self._glucose(profile, progress)
                if profile.get("low") and months_back == 4:
                    glucose = "3.4"  # a hypoglycaemia on insulin: the dangerous low
                if glucose is None and months_back == 5:
                    glucose = f"{_clip(self.rng.gauss(5.2, 0.35), 4.3, 6.0):.1f}"
                if glucose is not None:
                    values = {"glucose": glucose, "glucose_timing": GlucoseTiming.FASTING}
                    self.timeline.add(
                        when + timedelta(minutes=5),
                        self._reading,
                        card,
                        ReadingKind.GLUCOSE,
                        values,
                    )
                if months_back == 11:
                    height = f"{_clip(profile['height'], 145, 185):.1f}"
                    weight = f"{_clip(profile['weight'], 38, 110):.1f}"
                    self.timeline.add(
                        when + timedelta(minutes=8),
                        self._reading,
                        card,
                        ReadingKind.HEIGHT,
                        {"height_cm": height},
                    )
                    self.timeline.add(
                        when + timedelta(minutes=9),
                        self._reading,
                        card,
                        ReadingKind.WEIGHT,
                        {"weight_kg": weight},
                    )

    def _reading(self, when, card, kind, values, device=None) -> None:
        if device is not None:
            reading = services.device_reading(
                device=device, kind=kind, taken_at=when, now=when, **values
            )
        else:
            reading = services.reading_record(
                actor=self.doctor,
                card=card,
                kind=kind,
                taken_at=when,
                source=Source.CLINIC,
                now=when,
                **values,
            )
        self._handle(reading, when)

    def _handle(self, reading: Reading, when: datetime) -> None:
        """What the care team did about an abnormal or alarming reading, later on."""
        if reading.level in ABNORMAL_LEVELS:
            follow_up = FollowUp.objects.filter(reading=reading).first()
            if follow_up is None:
                return
            profile = self.profiles.get(reading.card_id, {})
            overdue = profile.get("drifter") and (
                timedelta(days=20) < self.now - when < timedelta(days=60)
            )
            done = when + timedelta(days=self.rng.randint(2, 12), hours=self.rng.randint(0, 6))
            if overdue:
                self.keep_open.add(follow_up.pk)
            elif when < self.now - timedelta(days=PENDING_DAYS):
                self.timeline.add(done, self._follow_up_done, follow_up)
            # raised in the last two weeks: still open, not yet due
        if reading.level in ALERT_LEVELS:
            alert = Alert.objects.filter(reading=reading).first()
            if alert is None:
                return
            if when == getattr(self, "climber_urgent_at", None):
                self.keep_open.add(alert.pk)
                return
            done = when + timedelta(minutes=self.rng.randint(20, 150))
            self.timeline.add(done, self._acknowledge, alert, reading.level)

    def _follow_up_done(self, when, follow_up) -> None:
        follow_up.refresh_from_db(fields=["assignee", "reason"])
        actor = follow_up.assignee or self.doctor
        outcome = self.rng.choice(OUTCOMES.get(follow_up.reason, OUTCOMES[Level.RAISED]))
        services.follow_up_done(actor=actor, follow_up=follow_up, outcome=outcome, now=when)

    def _acknowledge(self, when, alert, level) -> None:
        services.alert_acknowledge(actor=self.doctor, alert=alert, note=ACK_NOTES[level], now=when)

    def _check_in(self, when, card, device) -> None:
        services.check_in_record(
            actor=SYSTEM, card=card, source=Source.DEVICE, device=device, now=when
        )

    # -- consents and devices ------------------------------------------------------------------

    def consents(self) -> None:
        station = Organisation.objects.get(name=ELDER_CARE)
        first = [
            c for c in self.cards if c.resident.lives_alone or c.care_level != CareLevel.SELF_CARE
        ]
        chosen = [self.zhou, *[c for c in first if c.pk != self.zhou.pk]][:CONSENTS]
        scopes = [ConsentScope.ALL, ConsentScope.ALL, ConsentScope.CARD, ConsentScope.READINGS]
        for index, card in enumerate(chosen):
            consent = services.consent_give(
                actor=self.doctor,
                card=card,
                organisation=station,
                scope=scopes[index % len(scopes)],
                given_at=self.created[card.pk] + timedelta(days=3 + index),
                note="本人签字同意，纸质同意书存档于义诊站。",
            )
            if index == len(chosen) - 1:
                self.withdrawn = consent

    def withdraw(self) -> None:
        if self.withdrawn is not None:
            when = self.now - timedelta(days=60)
            services.consent_withdraw(actor=self.worker, consent=self.withdrawn, now=when)
            CardEvent.objects.filter(
                card_id=self.withdrawn.card_id, kind=CardEventKind.CONSENT_WITHDRAWN
            ).update(at=when)

    def devices(self) -> None:
        """周桂兰's blood-pressure monitor, weekly over the last twelve weeks; the watch of a
        neighbour living alone, which checked in every morning until five days ago."""
        monitor, _token = services.device_register(
            actor=self.doctor, card=self.zhou, kind=DeviceKind.BP_MONITOR, name="鱼跃电子血压计"
        )
        self.device_since[monitor.pk] = self.now - timedelta(days=85)
        profile = self.profiles[self.zhou.pk]
        for week in range(12, 0, -1):
            when = _at(self.today - timedelta(days=7 * week - 1), 7, self.rng.randint(0, 30))
            values = self._bp(profile, 0.5)
            if week == 5:
                # One morning the monitor read an urgent pressure: the doctor called her.
                values = {"systolic": 182, "diastolic": 104, "pulse": 88}
            self.timeline.add(
                when, self._reading, self.zhou, ReadingKind.BLOOD_PRESSURE, values, monitor
            )
        if self.quiet is None:
            return
        watch, _token = services.device_register(
            actor=self.doctor, card=self.quiet_card, kind=DeviceKind.WATCH, name="一键呼叫智能手表"
        )
        self.device_since[watch.pk] = self.now - timedelta(days=29)
        for days in range(28, 4, -1):
            when = _at(self.today - timedelta(days=days), 7, self.rng.randint(30, 59))
            self.timeline.add(when, self._check_in, self.quiet_card, watch)

    # -- free clinics ----------------------------------------------------------------------------

    def _clinic_doctor(self, spec: dict, organisation: Organisation, community: Place) -> User:
        from linli.demo import world

        username, name, title = spec["doctor"]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=SYSTEM, username=username, password=world.DEMO_PASSWORD, full_name=name
            )
        grant_create(
            actor=SYSTEM,
            user=user,
            role=Role.CLINIC_STAFF,
            place=community,
            organisation=organisation,
        )
        membership_add(actor=SYSTEM, user=user, organisation=organisation, title=title)
        return User.objects.get(pk=user.pk)  # a fresh scope with the grant

    def _small_compound(self, spec: dict, community: Place, seed: int) -> list[Resident]:
        from linli.demo.residents import demo_residents
        from linli.demo.services import _place

        name, name_en = spec["compound"]
        compound = _place(kind=PlaceKind.COMPOUND, name=name, name_en=name_en, parent=community)
        for number in range(1, CLINIC_BUILDINGS + 1):
            building = _place(
                kind=PlaceKind.BUILDING,
                name=f"{number}号楼",
                name_en=f"Building {number}",
                parent=compound,
                sort_key=number,
            )
            unit = _place(
                kind=PlaceKind.UNIT, name="1单元", name_en="Unit 1", parent=building, sort_key=1
            )
            if not Place.objects.filter(parent=unit).exists():
                places_bulk_create(
                    actor=SYSTEM, parent=unit, kind=PlaceKind.HOUSEHOLD, names=CLINIC_FLATS
                )
        demo_residents(compound, seed=seed)
        return list(
            Resident.objects.filter(
                tree.subtree_q(compound.path, "place__path"), status=ResidentStatus.LIVING
            )
            .select_related("place")
            .order_by("place__path", "pk")
        )

    def seed_clinic(self, index: int, spec: dict) -> ClinicEvent:
        rng = self.rng
        community = Place.objects.get(kind=PlaceKind.COMMUNITY, name=spec["community"])
        organisation = Organisation.objects.get(name=spec["organisation"])
        doctor = self._clinic_doctor(spec, organisation, community)
        people = self._small_compound(spec, community, seed=SEED + index)
        households: dict[int, list[Resident]] = {}
        for resident in people:
            households.setdefault(resident.household_id, []).append(resident)
        day = self.today - timedelta(days=spec["days_ago"])
        begin, finish = spec["hours"]
        start, end = _at(day, begin.hour, begin.minute), _at(day, finish.hour, finish.minute)
        event = services_clinics.clinic_create(
            actor=doctor,
            organisation=organisation,
            place=community,
            title=spec["title"],
            specialty=spec["specialty"],
            start=start,
            end=end,
            venue=spec["venue"],
            description=spec["description"],
            now=start - timedelta(days=21),
        )
        self.clinic_created[event.pk] = start - timedelta(days=21)
        adults = [r for r in people if age_on(r.birth_date, self.today) >= 45]
        adults.sort(key=lambda r: (r.birth_date, r.pk))
        come = adults[:REGISTERED_PER_CLINIC]
        slots = selectors_clinics.clinic_slot_starts(event)
        registrations = []
        for position, resident in enumerate(come):
            asked = start - timedelta(days=rng.randint(2, 14), hours=rng.randint(0, 8))
            profile = self._profile(resident, age_on(resident.birth_date, self.today))
            card = self._card(
                actor=doctor,
                resident=resident,
                household=households.get(resident.household_id, []),
                profile=profile,
                when=asked,
                extra={"family_doctor": doctor, "watch_days": WATCH_DAYS_FREE_CLINIC},
            )
            registration = services_clinics.registration_create(
                actor=doctor,
                event=event,
                card=card,
                slot_start=slots[position * len(slots) // len(come)],
                complaint=rng.choice(COMPLAINTS),
                now=asked,
            )
            self.registered[registration.pk] = asked
            registrations.append((registration, profile))
        # One cancelled the day before, one did not come; the others were seen.
        cancelled, missed = registrations[-1], registrations[-2]
        services_clinics.registration_cancel(
            actor=doctor, registration=cancelled[0], now=start - timedelta(days=1)
        )
        seen_in_slot: dict[datetime, int] = {}
        follow_ups = []
        for registration, profile in registrations[:-2]:
            n = seen_in_slot.get(registration.slot_start, 0)
            seen_in_slot[registration.slot_start] = n + 1
            when = registration.slot_start + timedelta(minutes=3 + 7 * n)
            readings = [{"kind": ReadingKind.BLOOD_PRESSURE, **self._bp(profile, 0.5)}]
            if spec["glucose"]:
                timing = GlucoseTiming.FASTING if rng.random() < 0.6 else GlucoseTiming.RANDOM
                value = self._glucose(profile, 0.5) or f"{_clip(rng.gauss(5.4, 0.5), 4.3, 7.4):.1f}"
                readings.append(
                    {"kind": ReadingKind.GLUCOSE, "glucose": value, "glucose_timing": timing}
                )
            raised = readings[0]["systolic"] >= 140 or readings[0]["diastolic"] >= 90
            advice = rng.choice(spec["advice"]) + (RAISED_ADVICE if raised else "")
            services_clinics.clinic_visit_record(
                actor=doctor, registration=registration, readings=readings, advice=advice, now=when
            )
            follow_ups.extend(FollowUp.objects.filter(reading__registration=registration))
        services_clinics.registration_no_show(
            actor=doctor, registration=missed[0], now=missed[0].slot_start + timedelta(minutes=25)
        )
        services_clinics.clinic_close(actor=doctor, event=event, now=end + timedelta(minutes=20))
        for follow_up in follow_ups:
            services.follow_up_done(
                actor=doctor,
                follow_up=follow_up,
                outcome=rng.choice(OUTCOMES.get(follow_up.reason, OUTCOMES[Level.RAISED])),
                now=end + timedelta(days=rng.randint(5, 12)),
            )
        return event

    def upcoming_clinic(self) -> ClinicEvent:
        station = Organisation.objects.get(name=STATION)
        centre = Place.objects.filter(parent=self.compound, name=CENTRE).first() or self.compound
        day = self.today + timedelta(days=UPCOMING["days_ahead"])
        begin, finish = UPCOMING["hours"]
        created = self.now - timedelta(days=5)
        event = services_clinics.clinic_create(
            actor=self.doctor,
            organisation=station,
            place=centre,
            title=UPCOMING["title"],
            specialty=Specialty.GENERAL,
            start=_at(day, begin.hour, begin.minute),
            end=_at(day, finish.hour, finish.minute),
            venue=UPCOMING["venue"],
            description=UPCOMING["description"],
            now=created,
        )
        self.clinic_created[event.pk] = created
        slots = selectors_clinics.clinic_slot_starts(event)
        others = [c for c in self.cards[1:CARD_CAP] if c.place.path.startswith(self.compound.path)]
        people = iter(self.rng.sample(others, sum(UPCOMING["per_slot"])))
        for slot_index, count in enumerate(UPCOMING["per_slot"]):
            for n in range(count):
                asked = created + timedelta(days=1 + slot_index, hours=n)
                if slot_index == 0 and n == 0:
                    # 周桂兰 registered herself on her phone.
                    registration = services_clinics.registration_create(
                        actor=self.resident_user,
                        event=event,
                        card=self.zhou,
                        slot_start=slots[0],
                        complaint="复查血压，想问问降压药要不要换",
                        now=asked,
                    )
                else:
                    registration = services_clinics.registration_create(
                        actor=self.doctor,
                        event=event,
                        card=next(people),
                        slot_start=slots[slot_index],
                        complaint=self.rng.choice(COMPLAINTS),
                        now=asked,
                    )
                self.registered[registration.pk] = asked
        return event

    # -- afterwards ------------------------------------------------------------------------------

    def backdate(self) -> None:
        ids = [c.pk for c in self.cards]
        for card_id, when in self.created.items():
            HealthCard.objects.filter(pk=card_id).update(created_at=when, updated_at=when)
            CardEvent.objects.filter(card_id=card_id, kind=CardEventKind.CREATED).update(at=when)
        for device_id, when in self.device_since.items():
            Device.objects.filter(pk=device_id).update(registered_at=when)
            device = Device.objects.get(pk=device_id)
            CardEvent.objects.filter(
                card_id=device.card_id, kind=CardEventKind.DEVICE_REGISTERED
            ).update(at=when)
            last = (
                Reading.objects.filter(device=device).order_by("-taken_at").first()
                or device.checkin_set.order_by("-at").first()
            )
            if last is not None:
                seen = getattr(last, "taken_at", None) or last.at
                Device.objects.filter(pk=device_id).update(last_seen_at=seen)
        Reading.objects.filter(card_id__in=ids).update(created_at=F("taken_at"))
        FollowUp.objects.filter(card_id__in=ids).update(
            created_at=Subquery(
                Reading.objects.filter(pk=OuterRef("reading_id")).values("taken_at")[:1]
            )
        )
        for registration_id, when in self.registered.items():
            Registration.objects.filter(pk=registration_id).update(created_at=when)
        for event_id, when in self.clinic_created.items():
            ClinicEvent.objects.filter(pk=event_id).update(created_at=when)
        self._backdate_timelines(ids)
        CardEvent.objects.filter(card_id__in=ids, kind=CardEventKind.CONSENT_GIVEN).update(
            at=Subquery(HealthCard.objects.filter(pk=OuterRef("card_id")).values("created_at")[:1])
        )

    def _backdate_timelines(self, card_ids: list[int]) -> None:
        """The follow-ups', alerts' and clinics' events at the moments they stand for (the
        services wrote them now)."""

        def at(model, field: str, fk: str):
            return Subquery(model.objects.filter(pk=OuterRef(fk)).values(field)[:1])

        follow_ups = FollowUpEvent.objects.filter(follow_up__card_id__in=card_ids)
        follow_ups.filter(kind=FollowUpEventKind.RAISED).update(
            at=at(FollowUp, "created_at", "follow_up_id")
        )
        follow_ups.exclude(kind=FollowUpEventKind.RAISED).update(
            at=at(FollowUp, "done_at", "follow_up_id")
        )
        alerts = AlertEvent.objects.filter(alert__card_id__in=card_ids)
        alerts.filter(kind=AlertEventKind.RAISED).update(at=at(Alert, "raised_at", "alert_id"))
        alerts.exclude(kind=AlertEventKind.RAISED).update(
            at=at(Alert, "acknowledged_at", "alert_id")
        )
        clinics = list(self.clinic_created)
        ClinicLogEntry.objects.filter(clinic_id__in=clinics, kind=ClinicLogKind.PLANNED).update(
            at=at(ClinicEvent, "created_at", "clinic_id")
        )
        ClinicLogEntry.objects.filter(clinic_id__in=clinics, kind=ClinicLogKind.HELD).update(
            at=at(ClinicEvent, "end", "clinic_id")
        )
        registrations = RegistrationEvent.objects.filter(registration__event_id__in=clinics)
        registrations.filter(kind=RegistrationEventKind.REGISTERED).update(
            at=at(Registration, "created_at", "registration_id")
        )
        registrations.filter(kind=RegistrationEventKind.SEEN).update(
            at=at(Registration, "seen_at", "registration_id")
        )


def demo_health(compound: Place) -> int:
    """Idempotent: a compound whose residents have health cards gets nothing new. Returns how
    many cards were made (Nanguanfang's and those of the people seen at the free clinics)."""
    if HealthCard.objects.filter(tree.subtree_q(compound.path, "place__path")).exists():
        return 0
    now = timezone.now()
    with transaction.atomic():
        demo = _HealthDemo(compound, now)
        demo.nanguanfang_cards()
        demo.consents()
        demo.devices()
        demo.plan_year()
        demo.timeline.run()
        demo.withdraw()
        for index, spec in enumerate(SEED_CLINICS):
            demo.seed_clinic(index, spec)
        demo.upcoming_clinic()
        services.watch_no_contact(now=now)
        demo.backdate()
    return len(demo.cards)
