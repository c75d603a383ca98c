"""What the demo world holds. Places and organisations are those of the seed newspaper page;
people are fictitious."""

DEMO_PASSWORD = "linli-demo"  # demo data only; never used outside `linli demo`

DISTRICT = {"name": "平城区", "name_en": "Pingcheng District", "code": "140213"}

# street name, English, code suffix, [(community, English)]
STREETS = [
    ("鹿苑街道", "Luyuan Street", "001", [("站东社区", "Zhandong Community")]),
    ("清远街道", "Qingyuan Street", "002", [("苹果园社区", "Pingguoyuan Community")]),
    (
        "新旺街道",
        "Xinwang Street",
        "003",
        [
            ("文博苑社区", "Wenboyuan Community"),
            ("御河九号社区", "Yuhe No. 9 Community"),
            ("翠泰花园社区", "Cuitai Garden Community"),
            ("工农路社区", "Gongnong Road Community"),
        ],
    ),
    (
        "水泊寺街道",
        "Shuibosi Street",
        "004",
        [("文兴社区", "Wenxing Community"), ("恒大社区", "Hengda Community")],
    ),
    ("卧虎湾街道", "Wohuwan Street", "005", []),
    ("文瀛湖街道", "Wenyinghu Street", "006", []),
]

COMPOUND = {
    "name": "南官房小区",
    "name_en": "Nanguanfang Compound",
    "address": "北苑路",
    "community": "站东社区",
}
BUILDINGS = 12
UNITS_PER_BUILDING = 3
FLOORS = 6
DOORS_PER_FLOOR = 2
CENTRE = {"name": "党支部服务中心", "name_en": "Party-branch service centre"}

# name, English, kind, place (name of a place in the tree), parent organisation
ORGANISATIONS = [
    ("平城区城市管理局", "Pingcheng City Management Bureau", "city_management", "平城区", None),
    ("市容秩序二组", "City Appearance Team 2", "city_management", "平城区", "平城区城市管理局"),
    ("平城区委巡察办", "Pingcheng Inspection Office", "inspection", "平城区", None),
    ("平城区妇女联合会", "Pingcheng Women's Federation", "federation", "平城区", None),
    ("鹿苑街道办事处", "Luyuan Street Office", "government", "鹿苑街道", None),
    (
        "站东社区居民委员会",
        "Zhandong Residents' Committee",
        "community_committee",
        "站东社区",
        None,
    ),
    ("大同助老社区助老站", "Datong Elder-care Station", "elder_care", "站东社区", None),
    ("大学生志愿者服务队", "University Student Volunteers", "volunteer_team", "站东社区", None),
    ("南官房小区党支部", "Nanguanfang Party Branch", "party_branch", "南官房小区", None),
    (
        "南官房小区物管会",
        "Nanguanfang Property-management Committee",
        "property_committee",
        "南官房小区",
        None,
    ),
    (
        "南官房物业服务有限公司",
        "Nanguanfang Property Services Ltd.",
        "property_company",
        "南官房小区",
        None,
    ),
    ("南官房小区义诊站", "Nanguanfang Free-clinic Station", "clinic", "南官房小区", None),
    (
        "南官房小区自治自管小组",
        "Nanguanfang Self-management Group",
        "self_management",
        "南官房小区",
        None,
    ),
    ("登黄堂中医馆", "Denghuangtang TCM Clinic", "clinic", "苹果园社区", None),
    ("文博苑社区卫生服务站", "Wenboyuan Health Station (eye clinic)", "clinic", "文博苑社区", None),
    ("文兴社区卫生服务站", "Wenxing Health Station (dental)", "clinic", "文兴社区", None),
    (
        "御河九号社区卫生服务站",
        "Yuhe No. 9 Health Station (dental)",
        "clinic",
        "御河九号社区",
        None,
    ),
]

RESIDENT_HOUSEHOLD = ("6号楼", "1单元", "101")

# username, full name, mobile, role, place, organisation, title
ACCOUNTS = [
    ("admin", "系统管理员", "", None, None, None, ""),
    ("district", "刘建华", "13903520001", "district_admin", "平城区", None, "区级管理员"),
    ("street", "王丽娟", "13903520002", "street_admin", "鹿苑街道", "鹿苑街道办事处", "街道管理员"),
    (
        "community",
        "李明",
        "13903520003",
        "community_worker",
        "站东社区",
        "站东社区居民委员会",
        "网格员",
    ),
    (
        "secretary",
        "赵晓红",
        "13903520004",
        "branch_secretary",
        "南官房小区",
        "南官房小区党支部",
        "支部书记",
    ),
    (
        "property",
        "陈志强",
        "13903520005",
        "property_staff",
        "南官房小区",
        "南官房物业服务有限公司",
        "物业经理",
    ),
    ("resident", "周桂兰", "13903520006", "resident", RESIDENT_HOUSEHOLD, None, ""),
    ("doctor", "吴静", "13903520007", "clinic_staff", "南官房小区", "南官房小区义诊站", "全科医生"),
    ("patrol", "郑伟", "13903520008", "patrol_officer", "平城区", "市容秩序二组", "执法队员"),
    ("inspector", "孙浩", "13903520009", "inspector", "平城区", "平城区委巡察办", "巡察干部"),
    (
        "volunteer",
        "林小雨",
        "13903520010",
        "volunteer",
        "南官房小区",
        "大学生志愿者服务队",
        "志愿者",
    ),
    (
        "eldercare",
        "赵丽",
        "13903520011",
        "elder_care_staff",
        "站东社区",
        "大同助老社区助老站",
        "助老员",
    ),
]

ROLE_LABELS_EN = {
    None: "superuser",
    "district_admin": "Pingcheng district admin",
    "street_admin": "鹿苑街道 (Luyuan street) admin",
    "community_worker": "站东社区 community worker",
    "branch_secretary": "南官房小区 branch secretary",
    "property_staff": "the compound's property company",
    "resident": "resident of building 6, unit 1",
    "clinic_staff": "clinic doctor",
    "patrol_officer": "patrol officer, 市容秩序二组",
    "inspector": "inspection office",
    "volunteer": "volunteer",
    "elder_care_staff": "站东社区 elder-care station (health data only with consent)",
}

# -- residents of 南官房小区 (fictitious) -------------------------------------------------------

RESIDENTS_SEED = 1994  # the year the compound was built
VACANT_SHARE = 0.08

# Region codes of Datong (GB/T 2260) with weights. The 2018 reform merged the old 城区,
# 矿区 and 南郊区 into 平城区 and 云冈区, but people keep the ID numbers they were issued,
# so residents born before then mostly carry the old codes.
DATONG_REGIONS_NEW = (
    ("140213", 60),  # 平城区
    ("140214", 12),  # 云冈区
    ("140215", 6),  # 云州区
    ("140212", 4),  # 新荣区
    ("140221", 3),  # 阳高县
    ("140222", 3),  # 天镇县
    ("140223", 2),  # 广灵县
    ("140224", 2),  # 灵丘县
    ("140225", 3),  # 浑源县
    ("140226", 2),  # 左云县
)
DATONG_REGIONS_OLD = (
    ("140202", 45),  # 城区 (until 2018)
    ("140203", 12),  # 矿区 (until 2018)
    ("140211", 13),  # 南郊区 (until 2018)
    ("140212", 4),
    ("140221", 5),
    ("140222", 4),
    ("140223", 3),
    ("140224", 3),
    ("140225", 5),
    ("140226", 3),
    ("140213", 3),
)
NEW_CODES_FROM = 2018  # residents born since then carry the new codes

# Households whose people the demo walkthrough refers to: (building, unit, door) → members.
# The demo account ``resident`` is 周桂兰; 张晓明 shows the pinyin search (``zxm``).
FIXED_HOUSEHOLDS = {
    RESIDENT_HOUSEHOLD: [
        {
            "name": "周桂兰",
            "gender": "F",
            "birth_date": "1951-03-12",
            "relation": "head",
            "phone": "13903520006",
            "region": "140202",
            "user": "resident",
        },
        {
            "name": "李振华",
            "gender": "M",
            "birth_date": "1948-10-02",
            "relation": "spouse",
            "region": "140202",
            "party_member": True,
        },
    ],
    ("3号楼", "2单元", "402"): [
        {
            "name": "张晓明",
            "gender": "M",
            "birth_date": "1978-06-18",
            "relation": "head",
            "region": "140202",
            "party_member": True,
            "volunteer": True,
        },
        {
            "name": "郭艳",
            "gender": "F",
            "birth_date": "1980-09-03",
            "relation": "spouse",
            "region": "140211",
        },
        {
            "name": "张子涵",
            "gender": "F",
            "birth_date": "2012-04-27",
            "relation": "child",
            "region": "140202",
        },
        {
            "name": "张建国",
            "gender": "M",
            "birth_date": "1949-12-01",
            "relation": "parent",
            "region": "140202",
        },
    ],
}

# -- the deliberation meeting (民情议事厅) of 南官房小区 -------------------------------------

MEETING_SERIES = {
    "name": "民情议事厅",
    "venue": "党支部服务中心·议事厅",
    "day_of_month": 15,
    "start_time": "09:00",
    "quorum_percent": 50,
    "proposal_close_days": 3,
}
# Standing participants: organisation, demo account (or None), role at the meeting.
MEETING_PARTICIPANTS = [
    ("南官房小区物管会", None, "物管会"),
    ("南官房物业服务有限公司", None, "物业公司"),
    ("南官房小区党支部", "secretary", "支部书记"),
    ("站东社区居民委员会", None, "社区"),
]
# Resident representatives (居民代表), by name only; fictitious.
MEETING_REPRESENTATIVES = ["王淑芬", "刘德明", "马玉梅"]
# Neighbours with accounts who propose and support topics, besides the demo ``resident``:
# heads of household of the demo register, with the demo password (``linju-<building>-<unit>-
# <door>``).
MEETING_NEIGHBOURS = 4
