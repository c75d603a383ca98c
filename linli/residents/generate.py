"""Synthetic residents: the names, ages and households of an ageing northern Chinese city
(shared with the demo compound), and the city-scale generator behind ``linli generate``.

Everything is drawn from ``random.Random`` streams seeded with the seed, so the same seed
(and the same ``as_of`` date) gives the same city, person for person. The pure functions
(``households``, ``resident_rows``) touch no database; ``city_generate`` writes what they
yield."""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad

from linli.core.actors import SYSTEM
from linli.core.audit import audit_record
from linli.places import tree
from linli.places.models import PATH_SEPARATOR, Place, PlaceKind
from linli.places.services import place_create

from .idnumbers import make_id_number
from .models import Relation, Resident
from .services import resident_clean, residents_bulk_create


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# -- names ------------------------------------------------------------------------------------

# The common surnames with rough weights (per mille of the population), a few raised as
# they are in Shanxi.
SURNAMES = (
    ("王", 72), ("李", 70), ("张", 66), ("刘", 54), ("陈", 42), ("杨", 32), ("赵", 24),
    ("黄", 16), ("周", 17), ("吴", 15), ("徐", 12), ("孙", 13), ("胡", 10), ("朱", 9),
    ("高", 14), ("林", 6), ("何", 7), ("郭", 16), ("马", 10), ("罗", 5), ("梁", 8),
    ("宋", 7), ("郑", 6), ("谢", 4), ("韩", 8), ("唐", 5), ("冯", 6), ("于", 5), ("董", 6),
    ("程", 5), ("曹", 6), ("袁", 4), ("邓", 3), ("许", 5), ("傅", 3), ("沈", 2), ("曾", 2),
    ("彭", 3), ("吕", 4), ("苏", 4), ("卢", 3), ("蒋", 3), ("蔡", 3), ("贾", 8), ("丁", 4),
    ("魏", 5), ("薛", 5), ("叶", 3), ("阎", 5), ("余", 2), ("潘", 3), ("杜", 4), ("戴", 2),
    ("夏", 2), ("钟", 2), ("汪", 2), ("田", 5), ("任", 6), ("姜", 3), ("范", 4), ("方", 2),
    ("石", 4), ("姚", 3), ("谭", 2), ("廖", 1), ("邹", 1), ("熊", 1), ("金", 2), ("陆", 2),
    ("郝", 6), ("孔", 2), ("白", 5), ("崔", 4), ("康", 3), ("毛", 2), ("邱", 2), ("秦", 3),
    ("江", 2), ("史", 4), ("顾", 1), ("侯", 4), ("邵", 2), ("孟", 4), ("龙", 1), ("万", 2),
    ("段", 3), ("雷", 2), ("钱", 1), ("汤", 1), ("尹", 2), ("武", 6), ("乔", 4), ("贺", 3),
    ("常", 4), ("申", 2), ("温", 3), ("牛", 3), ("樊", 2), ("庞", 1), ("安", 2), ("岳", 2),
)  # fmt: skip

# Given names as they were given in each generation: (born before, male names, female names).
GIVEN_NAMES = (
    (
        1960,
        "建国 国庆 建华 国强 振华 德明 福林 宝山 文斌 树林 长生 永福 国栋 保国 玉林 春生 "
        "德胜 志远 金山 广才 富贵 占元 光明 世昌 庆余 满仓 有才 天佑 海 明 刚 林 贵 福 山",
        "桂兰 秀英 玉兰 淑珍 秀兰 凤英 桂英 玉珍 淑芬 秀珍 兰英 桂芳 玉梅 凤兰 素珍 翠花 "
        "美兰 金花 桂珍 玉芳 秀云 淑兰 月娥 润梅 爱莲 巧云 兰 英 珍 芬 梅 娥",
    ),
    (
        1985,
        "志强 建军 伟 强 磊 军 勇 涛 斌 刚 海涛 永强 晓东 建平 卫东 红军 立新 文 杰 鹏 "
        "晓明 建新 国华 晓军 海军 利民 卫国 向东 小平 俊峰 宏伟 志刚 建伟 晓光",
        "丽 红 艳 敏 静 丽娟 海燕 红梅 晓红 丽华 春梅 晓燕 雪梅 秀梅 芳 娟 霞 玲 丽萍 "
        "艳红 小红 晓丽 美玲 彩霞 建英 晓梅 红霞 玉红 秀芳 丽霞 燕 萍 慧 云",
    ),
    (
        2005,
        "浩 鑫 宇 超 鹏飞 俊杰 晨 浩然 博 家豪 子豪 帅 磊磊 宇航 天宇 凯 昊 亮 志鹏 文博 "
        "嘉伟 晨阳 一帆 明轩 宏宇 振宇 少华 浩宇 思远 嘉豪",
        "婷 雪 倩 欣 佳怡 思雨 雨欣 文静 梦瑶 晓雪 佳琪 雨婷 欣然 丹 娜 悦 琳 颖 璐 "
        "思佳 梦琪 雅婷 晓倩 佳欣 慧敏 雨萱 心怡 静怡 宇欣 若曦",
    ),
    (
        9999,
        "子轩 浩宇 宇轩 梓豪 一鸣 俊熙 皓轩 沐宸 子墨 宇泽 奕辰 浩然 睿泽 子豪 博文 梓睿 "
        "锦程 思源 天佑 嘉懿 煜祺 俊宇 铭轩 宸 泽 睿 航 辰",
        "子涵 欣怡 梓涵 诗涵 雨桐 可馨 梓萱 一诺 依诺 欣妍 语桐 若汐 紫涵 思彤 梦琪 "
        "芷若 沐阳 雨萌 佳怡 悦 彤 萱 琪 涵",
    ),
)
_GIVEN = [(before, male.split(), female.split()) for before, male, female in GIVEN_NAMES]
_SURNAME_CHARS = [s for s, _w in SURNAMES]
_SURNAME_CUMULATIVE = list(accumulate(w for _s, w in SURNAMES))

# Mobile prefixes of the three carriers (all match 1[3-9]xxxxxxxxx).
MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
)


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_CHARS, cum_weights=_SURNAME_CUMULATIVE)[0]


def given_name(rng: random.Random, *, gender: str, born: int) -> str:
    for before, male, female in _GIVEN:
        if born < before:
            return rng.choice(male if gender == "M" else female)
    raise AssertionError("unreachable")  # the last generation has no upper bound


# -- households ---------------------------------------------------------------------------------


class Member(NamedTuple):
    """One person of a synthetic household, before ID and phone numbers are assigned."""

    name: str
    gender: str
    birth_date: date
    relation: str
    lives_alone: bool = False
    low_income: bool = False
    disabled: bool = False
    party_member: bool = False
    volunteer: bool = False

    def age(self, as_of: date) -> int:
        b = self.birth_date
        return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))


# Kinds of household in an old compound and how common each is. With about 8% of flats
# empty this gives ~2.4 residents per flat, about a third of them 65 or older.
COMPOSITIONS = (
    ("elderly_alone", 15),
    ("elderly_couple", 28),
    ("elderly_couple_with_child", 7),
    ("three_generations", 15),
    ("family", 17),
    ("middle_aged", 10),
    ("young", 8),
)
_COMPOSITION_KINDS = [kind for kind, _w in COMPOSITIONS]
_COMPOSITION_WEIGHTS = [w for _k, w in COMPOSITIONS]
VACANCY = 0.08


class _HouseholdBuilder:
    def __init__(self, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        self.members: list[dict] = []

    def birth(self, age: int) -> date:
        # a day in the year before the age-th birthday, so that the age on as_of is ``age``
        return self.as_of - timedelta(days=round(age * 365.25) + self.rng.randrange(1, 365))

    def add(self, *, age: int, gender: str, relation: str, family: str | None = None) -> dict:
        age = max(0, int(age))
        birth = self.birth(age)
        names = {m["name"] for m in self.members}
        for _attempt in range(5):
            name = (family or surname(self.rng)) + given_name(
                self.rng, gender=gender, born=birth.year
            )
            if name not in names:
                break
        member = {
            "name": name,
            "gender": gender,
            "birth_date": birth,
            "relation": relation,
            "age": age,
        }
        self.members.append(member)
        return member

    def couple(self, *, husband_age: int, head: str = "M") -> tuple[dict, dict]:
        rng = self.rng
        wife_age = max(18, husband_age - rng.randint(-2, 5))
        husband = self.add(
            age=husband_age, gender="M", relation=Relation.HEAD if head == "M" else Relation.SPOUSE
        )
        wife = self.add(
            age=wife_age, gender="F", relation=Relation.HEAD if head == "F" else Relation.SPOUSE
        )
        return husband, wife

    def children(self, *, family: str, mother_age: int, count: int, adult: bool = False) -> None:
        rng = self.rng
        for _ in range(count):
            if adult:
                age = max(18, mother_age - rng.randint(23, 34))
            else:  # born when the mother was 22 to 40
                youngest = min(17, max(0, mother_age - 22))
                age = rng.randint(min(youngest, max(0, mother_age - 40)), youngest)
            self.add(age=age, gender=rng.choice("MF"), relation=Relation.CHILD, family=family)


def _family_name(member: dict) -> str:
    # surnames are one character (the weighted list above has no compound surnames)
    return member["name"][0]


def household_members(rng: random.Random, as_of: date, kind: str | None = None) -> list[Member]:
    """The people of one occupied flat: a composition drawn by weight (or ``kind``), ages as
    of ``as_of``, exactly one head, and the stored tags."""
    kind = kind or rng.choices(_COMPOSITION_KINDS, weights=_COMPOSITION_WEIGHTS)[0]
    h = _HouseholdBuilder(rng, as_of)
    tri = rng.triangular
    if kind == "elderly_alone":
        h.add(
            age=tri(65, 97, 81), gender="F" if rng.random() < 0.68 else "M", relation=Relation.HEAD
        )
    elif kind in ("elderly_couple", "elderly_couple_with_child"):
        husband, wife = h.couple(
            husband_age=tri(62, 95, 77), head="M" if rng.random() < 0.8 else "F"
        )
        if kind == "elderly_couple_with_child":
            h.children(family=_family_name(husband), mother_age=wife["age"], count=1, adult=True)
    elif kind == "three_generations":
        father, mother = h.couple(husband_age=rng.randint(32, 52))
        h.children(
            family=_family_name(father),
            mother_age=mother["age"],
            count=1 if rng.random() < 0.6 else 2,
        )
        elder_age = min(98, mother["age"] + rng.randint(24, 34))
        paternal = rng.random() < 0.7
        if rng.random() < 0.45:  # both grandparents
            h.add(
                age=elder_age + rng.randint(0, 4),
                gender="M",
                relation=Relation.PARENT,
                family=_family_name(father) if paternal else None,
            )
            h.add(age=elder_age, gender="F", relation=Relation.PARENT)
        else:  # one, most often a widowed grandmother
            gender = "F" if rng.random() < 0.72 else "M"
            h.add(
                age=elder_age + 2,
                gender=gender,
                relation=Relation.PARENT,
                family=_family_name(father) if paternal and gender == "M" else None,
            )
    elif kind == "family":
        father, mother = h.couple(husband_age=rng.randint(28, 48))
        h.children(
            family=_family_name(father),
            mother_age=mother["age"],
            count=1 if rng.random() < 0.65 else 2,
        )
    elif kind == "middle_aged":
        if rng.random() < 0.8:
            father, mother = h.couple(husband_age=rng.randint(45, 64))
            if rng.random() < 0.5:
                h.children(
                    family=_family_name(father), mother_age=mother["age"], count=1, adult=True
                )
        else:
            h.add(age=rng.randint(45, 64), gender=rng.choice("MF"), relation=Relation.HEAD)
    elif kind == "young":
        if rng.random() < 0.45:
            h.couple(husband_age=rng.randint(24, 38))
        else:
            h.add(age=rng.randint(22, 38), gender=rng.choice("MF"), relation=Relation.HEAD)
    else:
        raise ValueError(f"unknown household kind {kind!r}")
    return _tagged(rng, h.members, alone=len(h.members) == 1)


def _tagged(rng: random.Random, members: list[dict], *, alone: bool) -> list[Member]:
    # 低保 is granted to a household, so the whole household carries it
    low_income = rng.random() < (0.05 if alone else 0.028)
    people = []
    for m in members:
        age = m["age"]
        adult = age >= 18
        people.append(
            Member(
                name=m["name"],
                gender=m["gender"],
                birth_date=m["birth_date"],
                relation=m["relation"],
                lives_alone=alone and age >= 65,
                low_income=low_income,
                disabled=rng.random() < (0.055 if age >= 80 else 0.022),
                party_member=adult and rng.random() < (0.15 if age >= 60 else 0.075),
                volunteer=adult and rng.random() < (0.075 if 55 <= age <= 75 else 0.04),
            )
        )
    return people


def households(*, seed: int, as_of: date) -> Iterator[list[Member]]:
    """An endless sequence of flats, in the order they are filled; an empty list is an empty
    flat."""
    rng = random.Random(f"linli-generate:{seed}:people")  # noqa: S311 (synthetic data)
    while True:
        if rng.random() < VACANCY:
            yield []
        else:
            yield household_members(rng, as_of)


def wants_phone(rng: random.Random, age: int) -> bool:
    """Most adults have a mobile number registered; the very old and children mostly not."""
    if age < 14:
        return False
    if age < 18:
        return rng.random() < 0.5
    if age < 80:
        return rng.random() < 0.95
    return rng.random() < 0.6


# -- the city ---------------------------------------------------------------------------------


def district_name(seed: int) -> str:
    return f"合成市S{seed}"


def district_code(seed: int) -> str:
    """A code outside GB/T 2260 (which has no 9xxxxx), so that it clashes with no real
    district. Generated ID numbers carry it as their region code, which is why they can
    never collide with the demo's Datong residents or another seed's city."""
    return f"9{seed:05d}"


MAX_SEED = 99999


def default_as_of() -> date:
    """Ages are drawn relative to 1 January of this year: the same seed gives the same city
    all year round."""
    return date(date.today().year, 1, 1)


@dataclass(frozen=True)
class ResidentRow:
    flat: int  # the index of the flat (in fill order) the resident lives in
    values: dict  # keyword arguments of resident_clean


def resident_rows(*, seed: int, residents: int, as_of: date | None = None) -> Iterator[ResidentRow]:
    """The first ``residents`` generated residents, in the order they are written. ID numbers
    are unique by construction: the region is the district's own code and the sequence
    comes from a counter per birth date and gender."""
    as_of = as_of or default_as_of()
    region = district_code(seed)
    rng = random.Random(f"linli-generate:{seed}:numbers")  # noqa: S311
    sequences: dict[tuple[int, str], int] = {}
    phone_multiplier, phone_offset = 48271, (seed * 7_919_113 + 12_345) % 10**8
    phones = 0
    count = 0
    for flat, members in enumerate(households(seed=seed, as_of=as_of)):
        for member in members:
            if count >= residents:
                return
            birth = member.birth_date
            odd = 1 if member.gender == "M" else 0
            while True:
                used = sequences.get((birth.toordinal(), member.gender), 0)
                if used < 500:
                    break
                birth += timedelta(days=1)  # 500 people of one sex born on one day: next day
            sequences[(birth.toordinal(), member.gender)] = used + 1
            phone = ""
            if wants_phone(rng, member.age(as_of)):
                # a bijection of the counter onto 8 digits under each prefix: never repeats
                prefix = MOBILE_PREFIXES[phones % len(MOBILE_PREFIXES)]
                digits = (phones // len(MOBILE_PREFIXES) * phone_multiplier + phone_offset) % 10**8
                phone = f"{prefix}{digits:08d}"
                phones += 1
            values = member._asdict()
            values.update(
                birth_date=birth,
                id_number=make_id_number(region, birth, used * 2 + odd),
                phone=phone,
            )
            yield ResidentRow(flat=flat, values=values)
            count += 1


# -- names of places --------------------------------------------------------------------------

PLACE_WORDS = _words(
    "东风 红旗 和平 新华 建设 胜利 解放 光明 振兴 幸福 长青 文化 人民 团结 永安 兴华 "
    "迎宾 朝阳 向阳 东城 西城 南关 北关 鼓楼 钟楼 古城 御河 桑干 云冈 华严 善化 永泰 "
    "恒安 平旺 新开 魏都 柳港 白马 青年 和顺 安居 锦绣 阳光 金地 翠苑 怡园 泰和 康乐 "
    "富民 新建 铁路 矿务 电厂 机车 纺织 煤机 同煤 柴油 化工 水泥 邮电 税务 教育 医苑"
)
COMPOUND_SUFFIXES = _words("小区 小区 小区 花园 家园 苑 新村 佳园 雅居 公寓")


def _unique_name(rng: random.Random, taken: set[str], suffix: str) -> str:
    word = rng.choice(PLACE_WORDS)
    name, number = word + suffix, 1
    while name in taken:  # a large city runs out of words: 东风二街道 is 东风2街道 here
        number += 1
        name = f"{word}{number}{suffix}"
    taken.add(name)
    return name


@dataclass
class CompoundShape:
    buildings: int
    units: int
    floors: int
    doors: int

    @property
    def flats(self) -> int:
        return self.buildings * self.units * self.floors * self.doors

    def flat_names(self) -> list[str]:
        return [
            f"{floor}{door:02d}"
            for floor in range(1, self.floors + 1)
            for door in range(1, self.doors + 1)
        ]


def compound_shape(rng: random.Random) -> CompoundShape:
    if rng.random() < 0.65:  # walk-ups of the 1980s and 1990s
        return CompoundShape(
            buildings=rng.randint(6, 16),
            units=rng.randint(2, 4),
            floors=rng.choice((5, 6, 6, 6, 7)),
            doors=2,
        )
    return CompoundShape(  # newer high-rises
        buildings=rng.randint(4, 12),
        units=rng.randint(1, 2),
        floors=rng.choice((11, 18, 18, 26)),
        doors=rng.choice((2, 2, 3, 4)),
    )


# -- writing ----------------------------------------------------------------------------------


class GenerateError(Exception):
    """The generator refuses (e.g. the city of this seed exists already)."""


def _insert_children(
    parents: list[Place], kind: str, names: list[list[str]], *, codes=None, first_sort_key=0
):
    """Insert the children of several parents in a few statements: one multi-row INSERT
    (batched by the database's parameter limit) and one UPDATE that sets every new row's
    path from its parent's exactly as ``tree.child_path`` does. Returns the children of
    each parent, with pk, path and name_path set."""
    rows = []
    for index, (parent, child_names) in enumerate(zip(parents, names, strict=True)):
        for position, name in enumerate(child_names):
            rows.append(
                Place(
                    kind=kind,
                    name=name,
                    parent=parent,
                    sort_key=first_sort_key + position,
                    name_path=f"{parent.name_path}{PATH_SEPARATOR}{name}",
                    code=codes[index][position] if codes else "",
                )
            )
    if not rows:
        return [[] for _ in parents]
    Place(kind=kind, name=rows[0].name, parent=parents[0]).clean()  # a kind that fits
    Place.objects.bulk_create(rows, batch_size=2000)
    parent_path = Place.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
    Place.objects.filter(parent_id__in=[p.pk for p in parents], kind=kind, path="").update(
        path=Concat(
            Subquery(parent_path),
            LPad(Cast("id", CharField()), tree.SEGMENT, Value("0")),
            output_field=CharField(),
        )
    )
    grouped: dict[int, list[Place]] = {p.pk: [] for p in parents}
    for place in rows:
        place.path = tree.child_path(place.parent.path, place.pk)
        grouped[place.parent_id].append(place)
    return [grouped[p.pk] for p in parents]


class _CityWriter:
    """Creates the place tree lazily, a compound at a time, as the residents need flats."""

    def __init__(self, *, seed: int, district: Place):
        self.rng = random.Random(f"linli-generate:{seed}:places")  # noqa: S311
        self.district = district
        self.flats: list[Place] = []  # flats of the current compound
        self.first_flat = 0  # fill index of self.flats[0]
        self.street: Place | None = None
        self.community: Place | None = None
        self.streets = 0
        self.communities_left = 0  # in the current street
        self.compounds_left = 0  # in the current community
        self.street_names: set[str] = set()
        self.community_names: set[str] = set()
        self.compound_names: set[str] = set()
        self.counts = dict.fromkeys(
            ("street", "community", "compound", "building", "unit", "household"), 0
        )

    def flat(self, index: int) -> Place:
        while index >= self.first_flat + len(self.flats):
            self.first_flat += len(self.flats)
            self.flats = self._next_compound()
        return self.flats[index - self.first_flat]

    def _next_compound(self) -> list[Place]:
        rng = self.rng
        if self.compounds_left == 0:
            if self.communities_left == 0:
                self.streets += 1
                if self.streets > 999:
                    raise GenerateError("More than 999 streets: the city is too large.")
                name = _unique_name(rng, self.street_names, "街道")
                code = f"{self.district.code}{self.streets:03d}000"
                [[self.street]] = _insert_children(
                    [self.district],
                    PlaceKind.STREET,
                    [[name]],
                    codes=[[code]],
                    first_sort_key=self.streets - 1,
                )
                self.communities_left = rng.randint(5, 10)
                self.community_names = set()
                self.counts["street"] += 1
            name = _unique_name(rng, self.community_names, "社区")
            number = len(self.community_names)
            code = f"{self.district.code}{self.streets:03d}{number:03d}"
            [[self.community]] = _insert_children(
                [self.street],
                PlaceKind.COMMUNITY,
                [[name]],
                codes=[[code]],
                first_sort_key=number - 1,
            )
            self.communities_left -= 1
            self.compounds_left = rng.randint(2, 6)
            self.compound_names = set()
            self.counts["community"] += 1
        suffix = rng.choice(COMPOUND_SUFFIXES)
        name = _unique_name(rng, self.compound_names, suffix)
        shape = compound_shape(rng)
        self.compounds_left -= 1
        [[compound]] = _insert_children(
            [self.community],
            PlaceKind.COMPOUND,
            [[name]],
            first_sort_key=len(self.compound_names) - 1,
        )
        [buildings] = _insert_children(
            [compound], PlaceKind.BUILDING, [[f"{n}号楼" for n in range(1, shape.buildings + 1)]]
        )
        unit_names = [f"{n}单元" for n in range(1, shape.units + 1)]
        units_by_building = _insert_children(
            buildings, PlaceKind.UNIT, [unit_names] * len(buildings)
        )
        units = [unit for group in units_by_building for unit in group]
        flat_names = shape.flat_names()
        flats_by_unit = _insert_children(units, PlaceKind.HOUSEHOLD, [flat_names] * len(units))
        self.counts["compound"] += 1
        self.counts["building"] += len(buildings)
        self.counts["unit"] += len(units)
        self.counts["household"] += shape.flats
        return [flat for group in flats_by_unit for flat in group]


@dataclass
class GenerateResult:
    district: Place
    residents: int
    households: int  # occupied flats
    places: dict
    seconds: float


def city_generate(
    *,
    residents: int,
    seed: int,
    as_of: date | None = None,
    batch_size: int = 5000,
    progress: Callable[[int, float], None] | None = None,
    progress_every: int = 50_000,
) -> GenerateResult:
    """Write the synthetic city of ``seed`` with ``residents`` residents: its own district
    (``district_name(seed)``), streets, communities, compounds, buildings, units and flats,
    and the residents through the register's bulk path, ``batch_size`` to a transaction.
    Refuses if the city of this seed exists already."""
    if not 0 <= seed <= MAX_SEED:
        raise GenerateError(f"The seed must be between 0 and {MAX_SEED}.")
    if residents < 0:
        raise GenerateError("The number of residents cannot be negative.")
    as_of = as_of or default_as_of()
    if as_of > date.today():
        raise GenerateError("The as-of date cannot be in the future.")
    name, code = district_name(seed), district_code(seed)
    started = time.perf_counter()
    with transaction.atomic():
        if Place.objects.filter(parent=None, name=name).exists() or (
            Place.objects.filter(code=code).exists()
        ):
            raise GenerateError(
                f"The district {name} (code {code}) exists already; generated data is never "
                "added twice. Use another seed, or a fresh database."
            )
        district = place_create(
            actor=SYSTEM, kind=PlaceKind.DISTRICT, name=name, code=code, parent=None
        )
    if connection.vendor == "sqlite":
        # The default page cache (2 MB) is far smaller than the indexes of a million
        # residents; inserting random ID hashes would then read pages back for every batch.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    writer = _CityWriter(seed=seed, district=district)
    written = 0
    occupied: set[int] = set()
    next_report = progress_every
    batch: list[tuple[int, dict]] = []

    def flush():
        nonlocal written, next_report
        with transaction.atomic():
            rows = [(writer.flat(flat), resident_clean(**values)) for flat, values in batch]
            residents_bulk_create(
                actor=SYSTEM,
                rows=rows,
                action="resident.generate",
                place_path=district.path,
                details={"seed": seed},
            )
        written += len(batch)
        occupied.update(flat for flat, _v in batch)
        batch.clear()
        while progress and written >= next_report:
            progress(written, time.perf_counter() - started)
            next_report += progress_every

    last_flat = -1
    for row in resident_rows(seed=seed, residents=residents, as_of=as_of):
        # a batch ends between households, so that each household is written whole
        if len(batch) >= batch_size and row.flat != last_flat:
            flush()
        batch.append((row.flat, row.values))
        last_flat = row.flat
    if batch:
        flush()
    if residents == 0:
        writer.flat(0)  # an empty city still has one compound
    statistics_refresh()
    seconds = time.perf_counter() - started
    if progress and written % progress_every:
        progress(written, seconds)
    result = GenerateResult(
        district=district,
        residents=written,
        households=len(occupied),
        places={"district": 1, **writer.counts},
        seconds=seconds,
    )
    audit_record(
        action="city.generate",
        obj=district,
        details={
            "seed": seed,
            "as_of": as_of.isoformat(),
            "residents": written,
            "households": result.households,
            "places": result.places,
            "seconds": round(seconds, 1),
            "database": connection.vendor,
        },
    )
    return result


def statistics_refresh() -> None:
    """Refresh the query planner's statistics after a bulk load. Without them SQLite takes
    ``status = 'living'`` for a selective condition and scans the whole register through
    that index (half a second at a million residents) instead of the place-path range;
    PostgreSQL's autovacuum would get there on its own, but only later."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def city_resident_count(district: Place) -> int:
    return Resident.objects.filter(tree.subtree_q(district.path, "place__path")).count()
