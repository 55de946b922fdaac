"""The demo district's directory as data: its units, people and the forty projects of its 1+2+N mechanism.

Only data and small lookups; `services/demo.py` writes them through the directory services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coordination.domain.enums import ProjectKind, ProjectLevel, Role, UnitKind

SECRETARIAT_HANDLE = "wang.mishu"
SECOND_SECRETARY = "zhang.mishu"
PRINCIPAL = "zhou.quzhang"
OWN_UNIT = "FGJ"  # the secretariat's bureau (我委)
SPECIALISTS_UNIT = "ZDXM"  # the specialists' centre: it never handles a problem, so its people may verify any

_D, _L, _E = UnitKind.DEPARTMENT, UnitKind.LOCALITY, UnitKind.ENTERPRISE
UNITS: tuple[tuple[str, str, UnitKind], ...] = (
    ("FGJ", "区发展和改革局", _D), ("ZRZY", "区自然资源和规划局", _D), ("STHJ", "市生态环境局东区分局", _D),
    ("ZJJ", "区住房和城乡建设局", _D), ("GDGS", "国网东区供电公司", _D), ("SWJ", "区水务局", _D),
    ("JTJ", "区交通运输局", _D), ("CZJ", "区财政局", _D), ("TJJ", "区统计局", _D), ("LYJ", "区林业局", _D),
    ("RSJ", "区人力资源和社会保障局", _D), ("ZDXM", "区重大项目服务中心", _D),
    ("XHZ", "新华镇", _L), ("QSZ", "青山镇", _L), ("HBJD", "湖滨街道", _L), ("DQY", "东区电池材料产业园", _L),
    ("GXQ", "东区高新技术产业开发区", _L), ("LGWL", "临港物流园区", _L),
    ("HXXNY", "华芯新能源材料有限公司", _E), ("DQCN", "东区储能科技有限公司", _E), ("ZHJS", "中恒建设集团有限公司", _E),
)

_H, _U, _S = (Role.HANDLER,), (Role.UNIT_HEAD,), (Role.SPECIALIST,)
PEOPLE: tuple[tuple[str, str, str | None, tuple[Role, ...]], ...] = (
    (SECRETARIAT_HANDLE, "王丽华", OWN_UNIT, (Role.SECRETARIAT,)),
    (SECOND_SECRETARY, "张敏", OWN_UNIT, (Role.SECRETARIAT,)),
    ("li.zhuanyuan", "李明远", SPECIALISTS_UNIT, _S), ("he.zhuanyuan", "何静", SPECIALISTS_UNIT, _S),
    ("ma.zhuanyuan", "马琳", SPECIALISTS_UNIT, _S), ("du.zhuanyuan", "杜鹏", SPECIALISTS_UNIT, _S),
    ("gao.jingban", "高志远", "FGJ", _H), ("zhao.jingban", "赵磊", "ZRZY", _H), ("sun.juzhang", "孙建华", "ZRZY", _U),
    ("zhou.jingban", "周婷", "STHJ", _H), ("lu.juzhang", "陆国平", "STHJ", _U), ("qian.jingban", "钱伟", "ZJJ", _H),
    ("shi.juzhang", "施永强", "ZJJ", _U), ("wu.jingban", "吴刚", "GDGS", _H), ("pan.juzhang", "潘海涛", "GDGS", _U),
    ("zheng.jingban", "郑丽", "SWJ", _H), ("jiang.jingban", "蒋涛", "JTJ", _H), ("feng.jingban", "冯雪", "CZJ", _H),
    ("shen.jingban", "沈佳", "TJJ", _H), ("han.jingban", "韩冰", "LYJ", _H), ("zhu.jingban", "朱红", "RSJ", _H),
    ("xu.jingban", "许晓东", "XHZ", _H), ("qin.jingban", "秦勇", "QSZ", _H), ("you.jingban", "尤敏", "HBJD", _H),
    ("tang.jingban", "唐建", "DQY", _H), ("lv.jingban", "吕洋", "GXQ", _H), ("kong.jingban", "孔亮", "LGWL", _H),
    ("cao.jingban", "曹静", "HXXNY", _H), ("yan.jingban", "严峰", "DQCN", _H), ("wei.jingban", "魏东", "ZHJS", _H),
    ("chen.fuquzhang", "陈志刚", None, (Role.LEADER,)), ("liu.fuquzhang", "刘建国", None, (Role.LEADER,)),
    ("yang.fuquzhang", "杨立新", None, (Role.LEADER,)), ("song.fuquzhang", "宋红梅", None, (Role.LEADER,)),
    (PRINCIPAL, "周海峰", None, (Role.PRINCIPAL,)),
)
LEADERS = tuple(h for h, _n, _u, roles in PEOPLE if Role.LEADER in roles)
SPECIALISTS = tuple(h for h, _n, _u, roles in PEOPLE if Role.SPECIALIST in roles)

# Category → the unit that usually solves it (the routing table the secretariat assigns from).
ROUTES: tuple[tuple[str, str], ...] = (
    ("立项", "FGJ"), ("用地", "ZRZY"), ("规划", "ZRZY"), ("林地", "LYJ"), ("环评", "STHJ"), ("能评", "FGJ"),
    ("施工许可", "ZJJ"), ("征地拆迁", "ZRZY"), ("配套", "GDGS"), ("资金", "CZJ"), ("入统", "TJJ"), ("安全", "ZJJ"),
    ("文物", "ZRZY"), ("用工", "RSJ"), ("政策兑现", "FGJ"), ("其他", "FGJ"),
)


def staff(unit: str) -> tuple[str, ...]:
    """A unit's handlers first, then its head: who signs for and answers its work."""
    handlers = [h for h, _n, u, roles in PEOPLE if u == unit and Role.HANDLER in roles]
    heads = [h for h, _n, u, roles in PEOPLE if u == unit and Role.UNIT_HEAD in roles]
    return (*handlers, *heads)


def unit_kind(code: str) -> UnitKind:
    return next(kind for c, _n, kind in UNITS if c == code)


@dataclass(frozen=True)
class ProjectSpec:
    """A project and its investment story: years are offsets from the demo's current year (0), months 1-12."""

    code: str
    name: str
    level: ProjectLevel
    kind: ProjectKind
    locality: str
    lead_unit: str
    helpers: tuple[str, ...]
    total_wan: int  # 万元
    start: tuple[int, int]  # (year offset, month) it starts (-2: before the history; back-entered)
    slips: int = 0  # months the actual start lags the plan (-1: not started by the end of its year)
    done: tuple[int, int] | None = None  # (year offset, month) it is completed (and, industry, in production)

    def planned_start(self, year: int) -> date:
        return date(year + self.start[0], self.start[1], 1)

    def planned_completion(self, year: int) -> date:
        if self.done is not None:
            return date(year + self.done[0], self.done[1], 28)
        return date(year + 1 + self.start[0] % 2, 12, 31)


_PV, _MU, _DI = ProjectLevel.PROVINCIAL, ProjectLevel.MUNICIPAL, ProjectLevel.DISTRICT
_IN, _LI, _IF = ProjectKind.INDUSTRY, ProjectKind.LIVELIHOOD, ProjectKind.INFRASTRUCTURE
_ROWS: tuple[tuple[str, ProjectLevel, ProjectKind, str, str, tuple[str, ...], int, tuple[int, int], int,
                   tuple[int, int] | None], ...] = (
    ("东区电池材料产业园一期", _PV, _IN, "DQY", "FGJ", ("ZRZY", "ZJJ", "GDGS", "STHJ"), 480000, (-2, 3), 0, (0, 9)),
    ("华芯新能源年产10万吨正极材料项目", _PV, _IN, "DQY", "FGJ", ("HXXNY", "STHJ", "GDGS"), 360000, (-1, 4), 1, None),
    ("东区储能电站及配套工程", _PV, _IF, "GXQ", "GDGS", ("DQCN", "ZRZY", "FGJ"), 220000, (-1, 6), 0, None),
    ("沿江快速路东延工程", _PV, _IF, "HBJD", "JTJ", ("ZRZY", "LYJ", "SWJ", "ZHJS"), 310000, (-2, 9), 0, None),
    ("东区人民医院新院区", _PV, _LI, "HBJD", "ZJJ", ("ZRZY", "CZJ", "ZHJS"), 180000, (-1, 3), 0, None),
    ("高新区集成电路封测基地", _PV, _IN, "GXQ", "FGJ", ("ZRZY", "STHJ", "GDGS"), 420000, (0, 4), 0, None),
    ("临港多式联运物流枢纽", _PV, _IF, "LGWL", "JTJ", ("ZRZY", "FGJ"), 270000, (-1, 9), -1, None),
    ("新能源汽车零部件产业园", _PV, _IN, "DQY", "FGJ", ("ZRZY", "ZJJ", "RSJ"), 250000, (0, 3), 0, None),
    ("华芯智能装备制造基地", _MU, _IN, "DQY", "FGJ", ("HXXNY", "ZRZY", "ZJJ", "GDGS"), 260000, (-2, 10), 0, (-1, 11)),
    ("新华镇污水处理厂提标改造", _MU, _IF, "XHZ", "SWJ", ("STHJ", "CZJ", "ZRZY"), 30000, (-1, 5), 0, (0, 6)),
    ("青山镇农产品冷链物流中心", _MU, _IN, "QSZ", "FGJ", ("ZRZY", "GDGS"), 45000, (-1, 2), 0, (-1, 12)),
    ("湖滨片区城市更新", _MU, _LI, "HBJD", "ZJJ", ("ZRZY", "CZJ", "ZHJS"), 150000, (-1, 7), 2, None),
    ("东区第二水厂扩建", _MU, _IF, "XHZ", "SWJ", ("ZRZY", "GDGS"), 60000, (-2, 11), 0, (0, 10)),
    ("高新区人才公寓", _MU, _LI, "GXQ", "ZJJ", ("ZRZY", "CZJ"), 80000, (0, 5), 0, None),
    ("东区220kV输变电工程", _MU, _IF, "DQY", "GDGS", ("ZRZY", "LYJ"), 55000, (-1, 3), 0, (0, 5)),
    ("锂电池回收利用中心", _MU, _IN, "DQY", "FGJ", ("STHJ", "HXXNY"), 90000, (-1, 8), -1, None),
    ("东区职业技术学校新校区", _MU, _LI, "QSZ", "ZJJ", ("ZRZY", "CZJ", "RSJ"), 70000, (0, 3), 1, None),
    ("临港冷链仓储中心", _MU, _IN, "LGWL", "FGJ", ("ZRZY", "GDGS", "JTJ"), 60000, (-1, 10), 0, None),
    ("青山镇生态修复工程", _MU, _IF, "QSZ", "LYJ", ("STHJ", "ZRZY"), 40000, (-2, 4), 0, None),
    ("东区数据中心一期", _MU, _IN, "GXQ", "FGJ", ("GDGS", "ZRZY", "STHJ"), 120000, (0, 6), 0, None),
    ("新华镇老旧小区改造", _DI, _LI, "XHZ", "ZJJ", ("CZJ",), 22000, (-1, 3), 0, (-1, 11)),
    ("湖滨街道社区养老服务中心", _DI, _LI, "HBJD", "ZJJ", ("CZJ", "RSJ"), 8000, (-1, 6), 0, (0, 8)),
    ("东区智慧停车场", _DI, _IF, "HBJD", "JTJ", ("ZRZY",), 12000, (0, 4), 0, None),
    ("青山镇农村公路提档升级", _DI, _IF, "QSZ", "JTJ", ("ZRZY", "CZJ"), 16000, (-2, 5), 0, (-1, 10)),
    ("东区中学扩建", _DI, _LI, "XHZ", "ZJJ", ("ZRZY", "CZJ"), 19000, (-1, 4), 0, (0, 8)),
    ("产业园标准厂房三期", _DI, _IN, "DQY", "DQY", ("ZRZY", "ZJJ"), 50000, (-1, 5), 0, (0, 11)),
    ("高新区科创孵化中心", _DI, _IN, "GXQ", "GXQ", ("ZJJ", "FGJ"), 35000, (0, 2), 0, None),
    ("新华镇农村生活污水治理", _DI, _IF, "XHZ", "SWJ", ("STHJ",), 13000, (-1, 4), 0, None),
    ("东区体育公园", _DI, _LI, "HBJD", "ZJJ", ("LYJ", "ZRZY"), 26000, (0, 3), 0, None),
    ("临港物流园道路管网", _DI, _IF, "LGWL", "JTJ", ("SWJ", "GDGS"), 21000, (-2, 8), 0, None),
    ("储能电池PACK生产线", _DI, _IN, "DQY", "FGJ", ("DQCN", "GDGS"), 65000, (-1, 7), 0, None),
    ("东区妇幼保健院改扩建", _DI, _LI, "HBJD", "ZJJ", ("CZJ",), 18000, (-1, 9), 0, None),
    ("青山镇光伏发电项目", _DI, _IN, "QSZ", "FGJ", ("GDGS", "ZRZY"), 24000, (-1, 3), 0, (-1, 9)),
    ("高新区污水管网完善工程", _DI, _IF, "GXQ", "SWJ", ("JTJ",), 9000, (0, 3), 0, None),
    ("东区汽配制造产业化项目", _DI, _IN, "GXQ", "FGJ", ("RSJ", "ZRZY"), 42000, (-2, 6), 0, (0, 7)),
    ("湖滨公园提升改造", _DI, _LI, "HBJD", "LYJ", ("ZJJ",), 7000, (0, 4), 0, None),
    ("新华镇集镇供水改造", _DI, _IF, "XHZ", "SWJ", ("ZJJ",), 6000, (-1, 8), 0, None),
    ("化工新材料技改项目", _DI, _IN, "DQY", "FGJ", ("STHJ", "ZHJS"), 38000, (-1, 2), 0, None),
    ("东区公交首末站建设", _DI, _IF, "HBJD", "JTJ", ("ZRZY",), 5000, (0, 5), 0, None),
    ("高新区企业服务中心", _DI, _LI, "GXQ", "ZJJ", ("FGJ",), 11000, (-1, 10), 0, None),
)
PROJECTS: tuple[ProjectSpec, ...] = tuple(
    ProjectSpec(f"P-{n:03d}", name, level, kind, locality, lead, helpers, total, start, slips, done)
    for n, (name, level, kind, locality, lead, helpers, total, start, slips, done) in enumerate(_ROWS, start=1))


def leaders_of(index: int) -> list[str]:
    """Linked leaders: one vice-mayor each, a second for the provincial projects."""
    first = LEADERS[index % len(LEADERS)]
    return [first, LEADERS[(index + 1) % len(LEADERS)]] if index < 8 else [first]


def specialists_of(index: int) -> list[str]:
    return [SPECIALISTS[index % len(SPECIALISTS)]] + ([SPECIALISTS[(index + 2) % len(SPECIALISTS)]]
                                                     if index % 5 == 0 else [])
