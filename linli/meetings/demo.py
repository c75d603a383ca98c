"""A year of the 民情议事厅 in Nanguanfang (the demo world): twelve monthly meetings on the
15th, held and published, and the next one in preparation. Topics of an old 1994 compound
through the seasons, and the seed's stories: the corridor light of 6号楼1单元 (rewired by a
decision, still in progress), e-bikes in the corridors (the referred order, a charging shed)
and the compound-wide parking study carried over several meetings before it was decided.

Everything goes through the meeting and work-order services, in the order it happened;
afterwards the timestamps the services set to "now" are moved back to when each step took
place. Work decided at a meeting is signed, resolved and closed on a timeline, so a decision
is done when its orders close — or marked done by a later meeting."""

import heapq
import itertools
import random
import re
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import grant_create, user_create
from linli.bookings.models import Room, RoomKind
from linli.core.actors import SYSTEM
from linli.core.workdays import UnknownCalendarYear
from linli.demo import world
from linli.notices.models import Notice
from linli.places.models import Organisation, Place
from linli.residents.models import Resident
from linli.workorders import services as orders
from linli.workorders.models import Category, EventKind, Status, WorkOrder, WorkOrderEvent
from linli.workorders.seed import seed_categories

from . import services
from .models import (
    AgendaItemEvent,
    AttendanceStatus,
    Decision,
    DecisionEvent,
    DecisionStatus,
    Meeting,
    MeetingEvent,
    MeetingEventKind,
    MeetingSeries,
    ProposalSupport,
    Topic,
    TopicEvent,
    TopicSource,
)

SEED = 19940315
PROPERTY = "南官房物业服务有限公司"
COMMITTEE = "南官房小区物管会"
SELF_MANAGEMENT = "南官房小区自治自管小组"
PAST_MEETINGS = 12

# -- what the year holds ----------------------------------------------------------------------
# A topic: title, background, source ("chair" or "proposal"), private notes, and what the
# meeting did: decisions (text, vote as (against, abstain) with everyone else for, the
# responsible organisation, days until due, a work order with its timeline in days after the
# meeting, or "done": (meetings later, note) for work a later meeting marks done), "carry"
# (a note) or "drop" (the reason, published). Guests are present besides the participants.


def _order(category, title, place, *steps):
    return {"category": category, "title": title, "place": place, "steps": steps}


def _closed(sign, resolve, close, note):
    return (("sign", sign, ""), ("resolve", resolve, note), ("close", close, "回访居民，满意。"))


ROUTINE = {
    1: [
        {
            "title": "春节前楼道杂物清理与消防检查",
            "description": "年前各单元楼道堆放纸箱、旧家具较多，堵塞消防通道。",
            "notes": "物业：可安排两天集中清运。自治自管小组负责提前入户通知。",
            "decisions": [
                {
                    "text": "1月底前集中清理各单元楼道杂物，物业负责清运，自治自管小组提前入户"
                    "通知；同时逐单元检查灭火器。",
                    "responsible": PROPERTY,
                    "due": 15,
                    "order": _order(
                        "sanitation",
                        "春节前楼道杂物集中清理",
                        None,
                        *_closed(1, 9, 10, "各单元楼道杂物已清运，灭火器检查完毕。"),
                    ),
                }
            ],
        },
        {
            "title": "春节期间烟花爆竹禁放宣传和值守",
            "notes": "党员志愿者报名14人，可分两班。",
            "decisions": [
                {
                    "text": "各单元公告栏张贴禁放通告；除夕、初五由党员志愿者分两班巡查。",
                    "responsible": SELF_MANAGEMENT,
                    "due": 30,
                    "done": (1, "除夕、初五志愿者分两班巡查，小区未发生火情。"),
                }
            ],
        },
    ],
    2: [
        {
            "title": "8号楼暖气不热，顶层住户室温偏低",
            "description": "8号楼顶层几户反映室温只有14度左右。",
            "source": "proposal",
            "notes": "物业：疑似管网存气，需要联系热力公司排气检测。",
            "decisions": [
                {
                    "text": "物业联系热力公司对8号楼供暖管网排气检测，一周内向住户反馈。",
                    "responsible": PROPERTY,
                    "due": 7,
                    "order": _order(
                        "water-power",
                        "8号楼供暖管网排气检测",
                        "8号楼",
                        *_closed(0.1, 0.7, 2, "热力公司已排气，顶层室温回升到19度。"),
                    ),
                }
            ],
        },
        {
            "title": "居民会客厅开放时间和借用办法",
            "notes": "居民反映办喜事借用会客厅没有登记办法，容易撞期。",
            "decisions": [
                {
                    "text": "会客厅每日8:00—21:00向居民开放；办喜事等借用提前三天到党支部"
                    "登记，免费使用，用后由借用人打扫。",
                    "responsible": SELF_MANAGEMENT,
                    "due": 20,
                    "done": (1, "开放时间和借用办法已在会客厅门口公示，值班表已排定。"),
                }
            ],
        },
    ],
    3: [
        {
            "title": "小区绿化带补植和认领养护",
            "notes": "1—4号楼前绿化带缺株较多；有十几户居民愿意认领养护。",
            "decisions": [
                {
                    "text": "物业在植树季对1—4号楼前缺株的绿化带补植，居民认领养护。",
                    "responsible": PROPERTY,
                    "due": 40,
                    "order": _order(
                        "sanitation",
                        "1—4号楼前绿化带补植",
                        None,
                        *_closed(2, 24, 26, "补植国槐12株、月季200余株。"),
                    ),
                }
            ],
        },
        {
            "title": "楼道小广告清理",
            "notes": "开锁、疏通广告贴满楼道墙面。",
            "decisions": [
                {
                    "text": "物业每周清理一次楼道小广告；各单元门口设便民信息栏。",
                    "responsible": PROPERTY,
                    "due": 30,
                    "done": (1, "各单元门口已设便民信息栏，小广告明显减少。"),
                }
            ],
        },
    ],
    4: [
        {
            "title": "增设垃圾分类投放点",
            "description": "小区只有大门口一处垃圾桶，北边几栋楼的居民倒垃圾要走很远。",
            "source": "proposal",
            "notes": "物业同意增加投放点；清运车辆路线需与街道环卫协调。",
            "decisions": [
                {
                    "text": "在2号楼北侧、9号楼西侧新设两处垃圾分类投放点，定时投放，志愿者引导。",
                    "vote": (1, 0),
                    "responsible": PROPERTY,
                    "due": 30,
                    "order": _order(
                        "sanitation",
                        "新设两处垃圾分类投放点",
                        None,
                        *_closed(2, 18, 20, "两处投放点已建成使用。"),
                    ),
                }
            ],
        },
        {
            "title": "更新单元公告栏",
            "notes": "现有公告栏多为铁皮，锈蚀严重，议事厅决议无处张贴。",
            "decisions": [
                {
                    "text": "更换全部36个单元的破旧公告栏，统一张贴议事厅决议和物业通知。",
                    "responsible": PROPERTY,
                    "due": 60,
                    "order": _order(
                        "property-service",
                        "更换单元公告栏",
                        None,
                        *_closed(3, 42, 45, "36个单元公告栏已全部更换。"),
                    ),
                }
            ],
        },
    ],
    5: [
        {
            "title": "3号楼、11号楼顶层屋顶漏雨",
            "description": "去年雨季两栋楼顶层住户反映漏雨，雨季前需要处理。",
            "notes": "物业：屋面防水层老化，需使用专项维修资金，须经表决。",
            "decisions": [
                {
                    "text": "雨季前对3号楼、11号楼屋面做防水维修，使用专项维修资金，物业负责"
                    "组织施工。",
                    "vote": (0, 1),
                    "responsible": PROPERTY,
                    "due": 45,
                    "order": _order(
                        "property-service",
                        "3号楼、11号楼屋面防水维修",
                        None,
                        *_closed(3, 33, 36, "两栋楼屋面防水已重做，经雨天检查无渗漏。"),
                    ),
                }
            ],
        },
        {
            "title": "微广场增设篮球架",
            "source": "proposal",
            "notes": "老人担心打球影响下棋、散步。",
            "drop": "微广场面积小，打篮球影响老人下棋、散步，经讨论不予设置；建议青少年到"
            "附近公园球场活动。",
        },
    ],
    6: [
        {
            "title": "暑期大学生志愿者课业辅导",
            "notes": "志愿者服务队可派8名学生；家长希望上午开班。",
            "guests": [("林小雨", "大学生志愿者服务队")],
            "decisions": [
                {
                    "text": "7月10日至8月20日在居民会客厅开设暑期课业辅导班，周一至周五上午，"
                    "大学生志愿者服务队负责辅导，党支部负责报名登记。",
                    "responsible": "大学生志愿者服务队",
                    "due": 70,
                    "done": (3, "辅导班共开课30天，辅导孩子40余人次，家长反映良好。"),
                }
            ],
        },
        {
            "title": "7号楼北侧下水道反复堵塞",
            "source": "proposal",
            "notes": "物业：排水管为原铸铁管，有破损，需更换一段。",
            "decisions": [
                {
                    "text": "物业疏通7号楼北侧排水管，更换破损管段。",
                    "responsible": PROPERTY,
                    "due": 15,
                    "order": _order(
                        "property-service",
                        "疏通并更换7号楼北侧排水管",
                        "7号楼",
                        *_closed(1, 9, 11, "已疏通并更换破损管段6米。"),
                    ),
                }
            ],
        },
    ],
    7: [
        {
            "title": "微广场广场舞音响扰民",
            "description": "晚上广场舞音响太大，九点多还在跳，影响休息。",
            "source": "proposal",
            "notes": "舞蹈队负责人愿意调整时间，但希望保留场地。",
            "decisions": [
                {
                    "text": "广场舞活动时间定为19:00—20:30，使用小音箱、音量控制在60分贝以内；"
                    "自治自管小组与舞蹈队负责人沟通落实。",
                    "vote": (1, 1),
                    "responsible": SELF_MANAGEMENT,
                    "due": 30,
                    "done": (1, "舞蹈队已调整时间并改用小音箱，一个月来未再接到投诉。"),
                }
            ],
        },
        {
            "title": "汛期小区排水检查",
            "notes": "去年暴雨时5号楼前积水没过脚踝。",
            "decisions": [
                {
                    "text": "入汛前疏通小区雨水井，5号楼前低洼处备沙袋。",
                    "responsible": PROPERTY,
                    "due": 10,
                    "order": _order(
                        "property-service",
                        "疏通小区雨水井",
                        None,
                        *_closed(1, 6, 7, "雨水井已全部疏通，备沙袋50袋。"),
                    ),
                }
            ],
        },
    ],
    8: [
        {
            "title": "义诊站为老年人建立健康帮扶卡",
            "notes": "小区70岁以上老人约90位，独居的有20多位。",
            "guests": [("吴静", "南官房小区义诊站")],
            "decisions": [
                {
                    "text": "义诊站为70岁以上老人建立健康帮扶卡，每月第一个周六测血压、血糖，"
                    "与大同助老社区助老站互通信息。",
                    "responsible": "南官房小区义诊站",
                    "due": 45,
                    "done": (1, "已为86位老人建卡，每月健康日正常开展。"),
                }
            ],
        },
        {
            "title": "开学前小区门口交通疏导",
            "notes": "北苑路上学时段车辆拥堵，小区门口常有车辆掉头。",
            "decisions": [
                {
                    "text": "开学第一周早7:00—8:00由志愿者在小区门口疏导车辆和学生。",
                    "responsible": SELF_MANAGEMENT,
                    "due": 25,
                    "done": (1, "开学第一周志愿者每日到岗疏导，未发生拥堵。"),
                }
            ],
        },
    ],
    9: [
        {
            "title": "国庆期间居民会客厅预约安排",
            "notes": "国庆期间办喜事的多，会客厅已有5户来问。",
            "decisions": [
                {
                    "text": "国庆期间会客厅提前一周预约，每户每天限一场，由自治自管小组登记。",
                    "responsible": SELF_MANAGEMENT,
                    "due": 20,
                    "done": (1, "国庆期间会客厅共接待居民办喜事等活动11场。"),
                }
            ],
        },
        {
            "title": "更换老化楼道声控灯",
            "notes": "1—5号楼声控灯大多是老式白炽灯，损坏频繁。",
            "decisions": [
                {
                    "text": "物业将1—5号楼老化声控灯统一更换为LED感应灯。",
                    "responsible": PROPERTY,
                    "due": 20,
                    "order": _order(
                        "corridor-light",
                        "更换1—5号楼老化声控灯",
                        None,
                        *_closed(2, 14, 16, "共更换LED感应灯90盏。"),
                    ),
                }
            ],
        },
    ],
    10: [
        {
            "title": "供暖前修补楼道破损窗户",
            "notes": "多个单元楼道窗户玻璃破损，冬天暖气管道有冻裂风险。",
            "decisions": [
                {
                    "text": "供暖前修补各楼楼道破损窗户，防止暖气管道冻裂。",
                    "responsible": PROPERTY,
                    "due": 20,
                    "order": _order(
                        "property-service",
                        "修补楼道破损窗户",
                        None,
                        *_closed(2, 12, 14, "共修补楼道窗户41扇。"),
                    ),
                }
            ],
        },
        {
            "title": "低保、医保和养老保险政策宣讲",
            "notes": "“全岗通”近期咨询最多的是医保缴费和高龄津贴。",
            "decisions": [
                {
                    "text": "社区在议事厅举办一次低保、医保和养老保险政策宣讲，“全岗通”现场答疑。",
                    "responsible": "站东社区居民委员会",
                    "due": 20,
                    "done": (1, "宣讲会到场居民60余人，现场答疑23件。"),
                }
            ],
        },
    ],
    11: [
        {
            "title": "冬季清雪责任分工",
            "notes": "去年大雪后小区主路两天没清完，有老人摔倒。",
            "decisions": [
                {
                    "text": "降雪后物业负责主干道和出入口清扫，各单元门前由居民和党员志愿者"
                    "认领清扫。",
                    "responsible": PROPERTY,
                    "due": 30,
                    "done": (1, "两次降雪后主干道均在当天上午清扫完毕。"),
                }
            ],
        },
        {
            "title": "单元门闭门器损坏，楼道漏风",
            "source": "proposal",
            "notes": "物业：全小区约三分之一单元门闭门器失灵。",
            "decisions": [
                {
                    "text": "物业在供暖期内维修更换失灵的单元门闭门器。",
                    "responsible": PROPERTY,
                    "due": 25,
                    "order": _order(
                        "property-service",
                        "维修更换单元门闭门器",
                        None,
                        *_closed(2, 15, 18, "更换闭门器13个。"),
                    ),
                }
            ],
        },
    ],
    12: [
        {
            "title": "年度物业服务满意度测评",
            "notes": "物管会拟定问卷，党员志愿者分楼发放回收。",
            "decisions": [
                {
                    "text": "12月底前向各户发放物业服务满意度问卷，结果在下次议事厅通报并公示。",
                    "responsible": COMMITTEE,
                    "due": 30,
                    "done": (1, "共收回问卷312份，满意和基本满意占87%，结果已公示。"),
                }
            ],
        },
        {
            "title": "冬季防滑和独居老人探访",
            "notes": "独居老人24户，已有党员愿意结对。",
            "decisions": [
                {
                    "text": "物业在各单元门口铺设防滑垫；党员志愿者每周探访独居老人一次。",
                    "responsible": SELF_MANAGEMENT,
                    "due": 20,
                    "done": (1, "防滑垫已铺设，志愿者结对探访独居老人24户。"),
                }
            ],
        },
    ],
}

PARKING = {
    "title": "小区车辆停放统筹管理研究",
    "description": "小区建于1994年，原设计没有停车位，现有机动车近180辆，道路两侧乱停、"
    "消防通道时常堵塞。党支部与物业公司联合调研车辆分布，研究全小区的停车管理方案。",
}
# The parking study: on the agenda of meetings 7-10 of the year (carried three times).
PARKING_STEPS = {
    7: {
        "notes": "物业统计：登记机动车176辆，可划车位约95个。党支部与物业联合逐楼调查车辆"
        "分布和停放时段。",
        "carry": "联合调研进行中，下次会议继续议。",
    },
    8: {
        "notes": "调研结果：夜间外来车辆约占三成；东西两侧道路可划线停车，消防通道必须留出。",
        "carry": "待形成停车方案后再议。",
    },
    9: {
        "notes": "初步方案：东西两侧施划车位，本小区车辆登记发证，外来车辆限时停放；方案张贴"
        "公示两周，征求居民意见。",
        "carry": "方案公示征求意见，下次会议表决。",
    },
    10: {
        "notes": "公示期间收到意见27条，多数赞成；对外来车辆收费分歧较大。",
        "decisions": [
            {"text": "对进入小区的外来车辆收取停车费。", "vote": (4, 1)},
            {
                "text": "在小区东西两侧道路施划停车位95个，留出消防通道；本小区车辆登记发放"
                "停车证，外来车辆限时停放2小时。物业负责施划和登记，物管会监督。",
                "vote": (1, 0),
                "responsible": PROPERTY,
                "due": 45,
                "order": _order(
                    "property-service",
                    "施划停车位、车辆登记发证",
                    None,
                    ("sign", 2, ""),
                    ("progress", 12, "车位施划完成，车辆登记进行中。"),
                    ("resolve", 35, "施划车位95个，登记发证168辆。"),
                    ("close", 38, "经物管会验收。"),
                ),
            },
            {
                "text": "停车方案试行三个月后由物管会评估，并向议事厅报告。",
                "responsible": COMMITTEE,
                "due": 110,
            },
        ],
    },
}

LIGHT = {
    "title": "6号楼1单元楼道灯反复损坏、线路老化",
    "description": "6号楼1单元楼道灯修了多次仍然反复损坏，居民反映可能是电路存在问题。",
    "notes": "物业：单元内是1994年的原线路，铝线老化、接头氧化，零星维修解决不了，需要整体"
    "更换。施工需整单元停电半天。",
    "decisions": [
        {
            "text": "对6号楼1单元楼道照明线路整体改造，更换为铜芯线和LED感应灯，由物业公司"
            "负责，施工前张贴停电通知。",
            "responsible": PROPERTY,
            "due": 50,
            "order": _order(
                "corridor-light",
                "6号楼1单元楼道照明线路整体改造",
                ("6号楼", "1单元"),
                ("sign", 3, ""),
                ("progress", 12, "材料已到货；需整单元停电半天，正与住户协商施工时间。"),
            ),
        }
    ],
}

BIKES = {
    "notes": "物业：各单元楼道内停放电动车40余辆，飞线充电现象普遍。居民代表：要先解决充电"
    "问题，光禁止不行。",
    "decisions": [
        {
            "text": "在5号楼与6号楼之间空地建设电动车集中充电棚（约40个充电位），由物业公司"
            "负责建设。",
            "vote": (0, 1),
            "responsible": PROPERTY,
            "due": 60,
            "order": _order(
                "ebike-parking",
                "建设电动车集中充电棚",
                None,
                ("sign", 2, ""),
                ("progress", 10, "已选定位置，充电设备在询价。"),
                ("resolve", 50, "充电棚建成，40个充电位投入使用。"),
            ),
        },
        {
            "text": "楼道内禁止停放电动车和私拉电线充电；物业在各单元张贴告示并每周巡查。",
            "responsible": PROPERTY,
            "due": 30,
            "link_referred": True,
        },
        {
            "text": "组织党员和大学生志愿者逐户劝导，签订电动车安全停放承诺书。",
            "responsible": SELF_MANAGEMENT,
            "due": 30,
        },
    ],
}
BIKE_FEES = {
    "title": "电动车充电棚收费标准",
    "description": "充电棚建成后如何收费：按度、按次还是包月。",
    "notes": "物业提出按度收费；居民代表希望不高于家用电价。",
    "carry": "物业测算运营成本后，下次会议再议。",
}
NEXT = [
    {
        "title": "老旧小区改造（二期）居民意见征集",
        "description": "街道通知明年二期改造可申报外墙保温、雨污分流和单元门禁，先征集居民意见。",
    }
]
# Residents' proposals open for the next meeting: title, background, who proposes (an index
# into the proposers: 0 is the demo ``resident``), and how many neighbours support.
PROPOSALS = [
    ("小区门口增设快递柜", "快递员常把包裹放在门卫室，老人取件不方便。", 1, 3),
    ("会客厅开设老年人智能手机培训", "不少老人不会用手机挂号、缴医保。", 0, 2),
    ("9号楼前路灯太暗，建议增设路灯", "晚上从北门进来一段路很黑。", 2, 1),
]
PROXIES = ["李娜", "赵磊", "孙丽", "何建军"]


# -- dates ------------------------------------------------------------------------------------


def _month_shift(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


def meeting_days(now: datetime, day_of_month: int, start: time) -> tuple[list[date], date]:
    """The days of the twelve past meetings and of the next one: the first whose start is
    still ahead of ``now``."""
    today = timezone.localdate(now)
    upcoming = date(today.year, today.month, day_of_month)
    if timezone.make_aware(datetime.combine(upcoming, start)) <= now:
        upcoming = _month_shift(upcoming, 1)
    return [_month_shift(upcoming, -k) for k in range(PAST_MEETINGS, 0, -1)], upcoming


# -- the year ---------------------------------------------------------------------------------


class _Year:
    def __init__(self, compound: Place, now: datetime):
        self.compound = compound
        self.now = now
        self.latest = now - timedelta(minutes=5)  # nothing of the past is dated later
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.secretary = User.objects.get(username="secretary")
        self.worker = User.objects.get(username="community")
        self.handler = User.objects.get(username="property")
        self.orgs = {o.name: o for o in Organisation.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.timeline: list = []  # (at, seq, order id, step, note): work after meetings
        self.seq = itertools.count()
        self.marks: dict[int, list] = {}  # meeting number → [(decision, note)]
        self.meetings: list[Meeting] = []

    def past(self, at: datetime) -> datetime:
        return min(at, self.latest)

    def on(self, meeting: Meeting, days: float = 0, hours: float = 0) -> datetime:
        return meeting.start + timedelta(days=days, hours=hours)

    def place(self, ref) -> Place:
        if ref is None:
            return self.compound
        if isinstance(ref, str):
            return Place.objects.get(parent=self.compound, name=ref)
        building, unit = ref
        return Place.objects.get(parent__parent=self.compound, parent__name=building, name=unit)

    # -- the series, its people -----------------------------------------------------------

    def series(self) -> MeetingSeries:
        spec = world.MEETING_SERIES
        hour, minute = (int(part) for part in spec["start_time"].split(":"))
        series = services.series_create(
            actor=self.secretary,
            place=self.compound,
            name=spec["name"],
            venue=spec["venue"],
            hall=Room.objects.filter(place=self.compound, kind=RoomKind.DELIBERATION).first(),
            day_of_month=spec["day_of_month"],
            start_time=time(hour, minute),
            quorum_percent=spec["quorum_percent"],
            proposal_close_days=spec["proposal_close_days"],
            chair=self.secretary,
        )
        for org_name, username, role in world.MEETING_PARTICIPANTS:
            services.participant_add(
                actor=self.secretary,
                series=series,
                organisation=self.orgs[org_name],
                user=User.objects.get(username=username) if username else None,
                role=role,
            )
        for name in world.MEETING_REPRESENTATIVES:
            services.participant_add(
                actor=self.secretary, series=series, name=name, role="居民代表"
            )
        return series

    def neighbours(self) -> list[User]:
        """Residents with accounts: the demo ``resident`` first, then neighbours of the
        register given one (no password) until there are enough to propose and support."""
        path = self.compound.path
        users = list(
            User.objects.filter(
                role_grants__role="resident", role_grants__place__path__startswith=path
            )
            .distinct()
            .order_by("pk")
        )
        users.sort(key=lambda u: u.username != "resident")
        wanted = world.MEETING_NEIGHBOURS + 1 - len(users)
        if wanted <= 0:
            return users
        heads = list(
            Resident.objects.filter(
                place__path__startswith=path, relation="head", user__isnull=True
            )
            .select_related("place__parent__parent")
            .order_by("place__path")
        )
        demo_password = User.objects.get(username="resident").password
        for resident in self.rng.sample(heads, min(wanted, len(heads))):
            flat = resident.place
            digits = [re.sub(r"\D", "", p.name) for p in (flat.parent.parent, flat.parent, flat)]
            username = "linju-" + "-".join(digits)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=SYSTEM, username=username, password=None, full_name=resident.name
                )
                # the demo password, as every demo account has (its hash, not hashed again)
                User.objects.filter(pk=user.pk).update(password=demo_password)
            grant_create(actor=SYSTEM, user=user, role="resident", place=flat)
            Resident.objects.filter(pk=resident.pk).update(user=user)
            users.append(user)
        return users

    def meeting(self, series: MeetingSeries, day: date) -> Meeting:
        start = timezone.make_aware(datetime.combine(day, series.start_time))
        existing = Meeting.objects.filter(series=series, extra=False, start=start).first()
        if existing is not None:
            return existing
        meeting = Meeting(
            series=series,
            place=series.place,
            title=series.name,
            start=start,
            end=start + timedelta(minutes=series.duration_minutes),
            venue=series.venue,
        )
        meeting.full_clean()
        meeting.save()
        services.meeting_hold_hall(meeting, now=self.past(start - timedelta(35)))
        Meeting.objects.filter(pk=meeting.pk).update(created_at=self.past(start - timedelta(35)))
        return meeting

    # -- topics -----------------------------------------------------------------------------

    def topic(self, spec: dict, meeting: Meeting, series: MeetingSeries) -> Topic:
        if spec.get("source") == "proposal" and self.people:
            at = self.on(meeting, days=-9, hours=11)
            proposer, *others = self.rng.sample(self.people, min(4, len(self.people)))
            topic = services.proposal_create(
                actor=proposer,
                place=self.compound,
                title=spec["title"],
                description=spec.get("description", ""),
                now=at,
            )
            self.support(topic, others[: self.rng.randint(1, len(others))] if others else [], at)
        else:
            at = self.on(meeting, days=-10, hours=10)
            topic = services.topic_create(
                actor=self.secretary,
                series=series,
                title=spec["title"],
                description=spec.get("description", ""),
            )
        Topic.objects.filter(pk=topic.pk).update(created_at=self.past(at))
        return topic

    def support(self, topic: Topic, users, since: datetime) -> None:
        close = services.proposals_close_at(topic.proposed_for)
        for user in users:
            at = since + (min(close, self.now) - since) * self.rng.uniform(0.1, 0.8)
            services.proposal_support(actor=user, topic=topic, now=at)
            ProposalSupport.objects.filter(topic=topic, user=user).update(at=self.past(at))

    # -- work orders on a timeline ----------------------------------------------------------

    def plan(self, order: WorkOrder, meeting: Meeting, steps) -> None:
        for step, days, note in steps:
            at = self.on(meeting, days=days, hours=self.rng.uniform(0.5, 6))
            heapq.heappush(self.timeline, (at, next(self.seq), order.pk, step, note))

    def run_until(self, until: datetime) -> None:
        while self.timeline and self.timeline[0][0] < until:
            at, _seq, order_id, step, note = heapq.heappop(self.timeline)
            self.order_step(WorkOrder.objects.get(pk=order_id), step, at, note)

    def order_step(self, order: WorkOrder, step: str, at: datetime, note: str) -> None:
        since = order.events.aggregate(top=Max("pk"))["top"] or 0
        changes = {"updated_at": at}
        if step == "dispatch":
            orders.order_dispatch(
                actor=self.worker, order=order, organisation=self.orgs[PROPERTY], note=note
            )
        elif step == "sign":
            self.sign(order)
            changes.update(signed_at=at, due_at=self.due(order, at))
        elif step == "progress":
            orders.order_progress(actor=self.handler, order=order, note=note)
        elif step == "resolve":
            orders.order_resolve(actor=self.handler, order=order, note=note)
            changes.update(resolved_at=at, overdue=bool(order.due_at and at > order.due_at))
        elif step == "close":
            orders.order_close(actor=self.worker, order=order, note=note)
            changes.update(closed_at=at)
        WorkOrder.objects.filter(pk=order.pk).update(**changes)
        order.events.filter(pk__gt=since).update(at=at)
        if step == "close":  # the decisions it completed are done when it closed
            for decision in order.meeting_decisions.filter(
                status=DecisionStatus.DONE, done_meeting__isnull=True
            ):
                closed = [o.closed_at for o in decision.orders.all() if o.closed_at]
                Decision.objects.filter(pk=decision.pk).update(done_at=max(closed))

    def sign(self, order: WorkOrder) -> None:
        """The property company signs; the service dates the time limit from today, whose
        holiday calendar may not be known yet (the past one is set afterwards)."""
        try:
            orders.order_sign(actor=self.handler, order=order)
        except UnknownCalendarYear:
            WorkOrder.objects.filter(pk=order.pk).update(status=Status.IN_PROGRESS)
            orders.ORDER.record(
                obj=order,
                kind=EventKind.SIGNED,
                actor=self.handler,
                from_status=Status.DISPATCHED,
                to_status=Status.IN_PROGRESS,
            )

    def due(self, order: WorkOrder, signed: datetime) -> datetime:
        category = order.category
        try:
            return orders.due_from(signed, category=category, urgent=order.urgent)
        except UnknownCalendarYear:
            return signed + timedelta(days=category.time_limit_days * 1.4)

    def backdate_meeting_events(self, meeting: Meeting, *, sent, published) -> None:
        """The meeting's timeline dated as its record is (events are immutable as models)."""
        during = self.past(self.on(meeting, hours=1))
        times = {
            MeetingEventKind.AGENDA_PUBLISHED: sent,
            MeetingEventKind.HELD: meeting.start,
            MeetingEventKind.MINUTES_PUBLISHED: published,
        }
        for kind, at in times.items():
            MeetingEvent.objects.filter(meeting=meeting, kind=kind).update(at=at)
        AgendaItemEvent.objects.filter(item__meeting=meeting).update(at=during)
        DecisionEvent.objects.filter(decision__meeting=meeting).update(at=during)
        DecisionEvent.objects.filter(data__meeting=meeting.pk).update(at=during)
        TopicEvent.objects.filter(
            topic__agenda_items__meeting=meeting, kind__in=["decided", "dropped"]
        ).update(at=during)

    def backdate_new_order(self, order: WorkOrder, at: datetime) -> None:
        WorkOrder.objects.filter(pk=order.pk).update(created_at=at, updated_at=at)
        # timeline events are immutable as models; their date is set as the order's was
        for minutes, pk in enumerate(order.events.order_by("pk").values_list("pk", flat=True)):
            WorkOrderEvent.objects.filter(pk=pk).update(at=at + timedelta(minutes=minutes))

    # -- the record ---------------------------------------------------------------------------

    def attend(self, meeting: Meeting, guests) -> None:
        marks = {}
        for row in meeting.attendance.select_related("participant"):
            participant = row.participant
            always = participant.user_id or participant.organisation_id == self.orgs[PROPERTY].pk
            if always or self.rng.random() < 0.85:
                marks[row.pk] = (AttendanceStatus.PRESENT, "")
            elif not participant.organisation_id and self.rng.random() < 0.6:
                marks[row.pk] = (AttendanceStatus.PROXY, self.rng.choice(PROXIES))
            else:
                marks[row.pk] = (AttendanceStatus.ABSENT, "")
        # a quorum, and enough people for the votes the year holds
        for pk, (status, _proxy) in marks.items():
            represented = sum(s != AttendanceStatus.ABSENT for s, _p in marks.values())
            if represented >= 5:
                break
            if status == AttendanceStatus.ABSENT:
                marks[pk] = (AttendanceStatus.PRESENT, "")
        services.attendance_mark(actor=self.secretary, meeting=meeting, marks=marks, guests=guests)

    def record(self, item, spec: dict, number: int, meeting: Meeting, referred=None) -> None:
        if spec.get("notes"):
            services.item_save_notes(actor=self.secretary, item=item, notes=spec["notes"])
        if spec.get("carry"):
            services.item_carry(actor=self.secretary, item=item, note=spec["carry"])
            return
        if spec.get("drop"):
            services.item_drop(actor=self.secretary, item=item, reason=spec["drop"])
            return
        voters = services.quorum(meeting)["voters"]
        for offset, plan in enumerate(spec["decisions"]):
            votes = {}
            if plan.get("vote"):
                against, abstain = plan["vote"]
                votes = {
                    "votes_for": voters - against - abstain,
                    "votes_against": against,
                    "votes_abstain": abstain,
                }
            order = plan.get("order")
            links = [referred] if plan.get("link_referred") and referred else []
            decision = services.decision_record(
                actor=self.secretary,
                item=item,
                text=plan["text"],
                responsible_organisation=self.orgs.get(plan.get("responsible")),
                due_date=(
                    timezone.localdate(meeting.start) + timedelta(days=plan["due"])
                    if plan.get("due")
                    else None
                ),
                new_order={
                    "category": self.categories[order["category"]],
                    "title": order["title"],
                    "place": self.place(order["place"]),
                }
                if order
                else None,
                link_orders=links,
                **votes,
            )
            at = self.on(meeting, hours=0.5 + 0.25 * offset)
            Decision.objects.filter(pk=decision.pk).update(created_at=self.past(at))
            if order and decision.status == DecisionStatus.OPEN:
                new = decision.orders.exclude(pk__in=[o.pk for o in links]).get()
                self.backdate_new_order(new, self.past(at))
                self.plan(new, meeting, order["steps"])
            for linked in links:
                if linked.status == Status.ACCEPTED:
                    self.plan(linked, meeting, [("dispatch", 1, "议事厅决议后派物业落实。")])
                    self.plan(
                        linked,
                        meeting,
                        [("sign", 2, ""), ("progress", 6, "各单元已张贴禁停告示，每周巡查。")],
                    )
            if plan.get("done"):
                later, note = plan["done"]
                self.marks.setdefault(number + later, []).append((decision, note))

    def hold(self, number: int, meeting: Meeting, plans, guests) -> None:
        """Send the agenda, hold the meeting, write the record and publish the minutes."""
        self.run_until(self.on(meeting, days=-4))
        services.meeting_publish_agenda(actor=self.secretary, meeting=meeting)
        self.run_until(meeting.start)
        services.meeting_hold(actor=self.secretary, meeting=meeting, now=meeting.start)
        self.attend(meeting, guests)
        by_topic = {item.topic_id: item for item in meeting.items.all()}
        for topic, spec, referred in plans:
            self.record(by_topic[topic.pk], spec, number, meeting, referred)
        for decision, note in self.marks.pop(number, []):
            decision.refresh_from_db()
            if decision.status == DecisionStatus.OPEN:
                services.decision_mark_done(
                    actor=self.secretary, decision=decision, meeting=meeting, note=note
                )
                Decision.objects.filter(pk=decision.pk).update(
                    done_at=self.past(self.on(meeting, hours=1))
                )
        items = list(meeting.items.all())
        present = meeting.attendance.exclude(status=AttendanceStatus.ABSENT).count()
        summary = "本次议事厅出席{present}人，议题{topics}项：议定{decided}项".format(
            present=present,
            topics=len(items),
            decided=sum(i.outcome == "decided" for i in items),
        )
        carried = sum(i.outcome == "carried" for i in items)
        summary += f"，转下次会议{carried}项。" if carried else "。"
        services.meeting_publish_minutes(actor=self.secretary, meeting=meeting, summary=summary)
        published = self.past(self.on(meeting, days=1, hours=8))
        sent = self.past(self.on(meeting, days=-4, hours=7))
        Meeting.objects.filter(pk=meeting.pk).update(
            agenda_published_at=sent, published_at=published
        )
        self.backdate_meeting_events(meeting, sent=sent, published=published)
        Notice.objects.filter(
            kind="meetings.minutes",
            place=meeting.place,
            url=reverse("meetings:meeting-detail", args=[meeting.pk]),
        ).update(published_at=published)

    # -- the seed's stories ---------------------------------------------------------------------

    def referred_bikes(self, meeting: Meeting) -> WorkOrder | None:
        """The seed's referred order: filed at the counter ten days before the meeting."""
        bikes = WorkOrder.objects.filter(
            place__path__startswith=self.compound.path, title="小区电动车进楼道、停放无序"
        ).first()
        if bikes is None or bikes.meeting_topics.exists():
            return None
        filed = self.past(self.on(meeting, days=-10, hours=1))
        referred = self.past(self.on(meeting, days=-7, hours=6))
        times = {EventKind.FILED: filed, EventKind.ACCEPTED: filed + timedelta(hours=1)}
        for pk, kind in bikes.events.values_list("pk", "kind"):
            WorkOrderEvent.objects.filter(pk=pk).update(at=times.get(kind, referred))
        WorkOrder.objects.filter(pk=bikes.pk).update(created_at=filed, updated_at=referred)
        topic = services.topic_from_order(actor=SYSTEM, order=bikes, source=TopicSource.REFERRED)
        Topic.objects.filter(pk=topic.pk).update(created_at=referred)
        bikes.refresh_from_db()
        return bikes

    def agenda(self, number: int, meeting: Meeting, series: MeetingSeries, carried: dict):
        """The topics of a past meeting and what became of each: (topic, spec, order)."""
        plans, guests = [], []
        if number in PARKING_STEPS:
            topic = carried.get("parking")
            if topic is None:
                topic = carried["parking"] = self.topic(PARKING, meeting, series)
            plans.append((topic, PARKING_STEPS[number], None))
        if number == PAST_MEETINGS - 1:
            plans.append((self.topic(LIGHT, meeting, series), LIGHT, None))
            carried["light"] = plans[-1][0]
        if number == PAST_MEETINGS:
            bikes = self.referred_bikes(meeting)
            if bikes is not None:
                plans.append((bikes.meeting_topics.get(), BIKES, bikes))
            plans.append((self.topic(BIKE_FEES, meeting, series), BIKE_FEES, None))
        for spec in ROUTINE[timezone.localdate(meeting.start).month]:
            plans.append((self.topic(spec, meeting, series), spec, None))
            guests += spec.get("guests", [])
        on_agenda = set(meeting.items.values_list("topic_id", flat=True))
        for topic, _spec, _order in plans:
            if topic.pk not in on_agenda:
                services.agenda_add(actor=self.secretary, meeting=meeting, topic=topic)
        return plans, guests

    def upcoming(self, meeting: Meeting, series: MeetingSeries, light_topic) -> None:
        """The next meeting: its agenda in preparation, the follow-up, and residents'
        proposals still collecting support."""
        previous = self.meetings[PAST_MEETINGS - 1]
        for spec in NEXT:
            topic = services.topic_create(
                actor=self.secretary,
                series=series,
                title=spec["title"],
                description=spec["description"],
            )
            Topic.objects.filter(pk=topic.pk).update(
                created_at=self.past(previous.start + (self.now - previous.start) * 0.5)
            )
            if not meeting.items.filter(topic=topic).exists():
                services.agenda_add(actor=self.secretary, meeting=meeting, topic=topic)
        # The seed's corridor-light report: filed again lately, linked to the rewiring.
        light = WorkOrder.objects.filter(
            place__path__startswith=self.compound.path, title="6栋1单元楼道的灯总是坏"
        ).first()
        decision = (
            Decision.objects.filter(topic=light_topic, status=DecisionStatus.OPEN).first()
            if light_topic
            else None
        )
        if light is not None and decision is not None:
            services.decision_link_order(actor=self.secretary, decision=decision, order=light)
        since = previous.published_at or previous.start
        for title, description, proposer, supporters in PROPOSALS if self.people else []:
            people = self.people[:]
            author = people.pop(min(proposer, len(people) - 1))
            created = since + (self.now - since) * self.rng.uniform(0.1, 0.5)
            topic = services.proposal_create(
                actor=author, place=self.compound, title=title, description=description
            )
            Topic.objects.filter(pk=topic.pk).update(created_at=self.past(created))
            self.support(topic, people[:supporters], created)

    def run(self) -> int:
        series = self.series()
        self.people = self.neighbours()
        spec = world.MEETING_SERIES
        days, next_day = meeting_days(self.now, spec["day_of_month"], series.start_time)
        self.meetings = [self.meeting(series, day) for day in [*days, next_day]]
        MeetingSeries.objects.filter(pk=series.pk).update(
            created_at=self.past(self.meetings[0].start - timedelta(days=40))
        )
        carried: dict = {}
        for number, meeting in enumerate(self.meetings[:PAST_MEETINGS], start=1):
            self.run_until(self.on(meeting, days=-10))
            plans, guests = self.agenda(number, meeting, series, carried)
            self.hold(number, meeting, plans, guests)
            self.meetings[number - 1].refresh_from_db()
        self.run_until(self.latest)
        self.upcoming(self.meetings[-1], series, carried.get("light"))
        return len(self.meetings)


def demo_meetings(compound: Place) -> int:
    """Idempotent: a compound with a meeting series gets nothing new. Returns how many
    meetings were added."""
    if MeetingSeries.objects.filter(place=compound).exists():
        return 0
    seed_categories()
    with transaction.atomic():
        return _Year(compound, timezone.now()).run()
