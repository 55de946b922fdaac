"""What the demo district's people write: problem titles by category, and the notes of each step of a life."""

from __future__ import annotations

import random

# Category: its weight among the problems raised, and titles with the unit that solves them when it is not
# the category's usual one ("locality": the project's town or park; None: the routing table's unit).
TITLES: dict[str, tuple[int, tuple[tuple[str, str | None], ...]]] = {
    "用地": (14, (("用地指标尚未落实，影响厂房开工", None), ("土地供应手续办理滞后", None),
                  ("建设用地规划许可证待核发", None), ("临时用地审批未完成", None), ("不动产权证办理缓慢", None))),
    "规划": (8, (("规划条件需调整容积率", None), ("设计方案审查意见未出具", None), ("总平面图变更未批复", None))),
    "林地": (3, (("使用林地审核同意书未办理", None), ("林木采伐许可待审批", None))),
    "环评": (9, (("环评批复未下达", None), ("排污许可证办理进度慢", None), ("环评批复与实际建设内容不一致", None))),
    "能评": (4, (("节能审查意见未出具", None), ("能耗指标缺口待协调", None))),
    "施工许可": (10, (("施工许可证办理材料反复退回", None), ("施工图审查意见未闭合", None),
                      ("质量安全监督手续未办结", None))),
    "征地拆迁": (9, (("地块内民房征收未完成", "locality"), ("青苗补偿未落实，群众阻工", "locality"),
                     ("高压杆线迁改未完成", "GDGS"), ("坟墓迁移工作推进慢", "locality"))),
    "配套": (14, (("110kV专线接入方案未批复", None), ("施工用电容量不足", None), ("施工用水接入管网未完成", "SWJ"),
                  ("进场道路未打通", "JTJ"), ("雨污管网接入点未明确", "SWJ"), ("天然气管道接入未协调", "ZJJ"))),
    "资金": (9, (("专项资金拨付滞后", None), ("配套资金未落实", None), ("专项债券资金支付进度慢", None))),
    "入统": (5, (("项目未按期入统", None), ("固定资产投资统计口径需核实", None))),
    "安全": (3, (("施工现场安全隐患整改未闭合", None), ("消防设计审查意见未出具", None))),
    "文物": (1, (("地块需开展文物考古勘探", None),)),
    "用工": (3, (("企业技术工人招聘困难", None), ("农民工工资保证金缴存未落实", None))),
    "政策兑现": (5, (("招商引资奖补政策未兑现", None), ("设备购置补贴未拨付", None))),
    "立项": (5, (("项目核准手续未办结", None), ("可行性研究报告批复滞后", None))),
    "其他": (2, (("项目周边群众信访问题待化解", "locality"),)),
}
CATEGORIES = tuple(TITLES)
WEIGHTS = tuple(weight for weight, _titles in TITLES.values())

NOTES: dict[str, tuple[str, ...]] = {
    "progress": ("已召开协调会，明确了办理路径", "材料已报市级部门审核", "已现场踏勘，正在细化方案",
                 "相关单位已完成会签", "已与企业对接，补正材料已收齐", "正在履行公示程序"),
    "resolve": ("已办结，相关批复已送达企业", "问题已解决，企业已确认", "已完成整改并通过验收",
                "手续已全部办结", "资金已拨付到位", "已协调到位，项目恢复施工"),
    "reject": ("企业反映问题仍未解决，请继续办理", "现场核实仍有遗留事项，退回重办", "办结材料不完整，请补充后再报"),
    "escalate": ("涉及多个部门职责，需专班会商", "超出本单位权限，提请专班协调", "需调整政策口径，提请会商"),
    "stubborn": ("久拖未决，提请专班会商", "多次督办仍无实质进展，提请专班会商"),
    "extension": ("需等待上级部门批复，申请延期", "涉及跨区协调，申请延长办理期限", "受天气影响，申请延期"),
    "refuse": ("延期理由不充分，不予同意，提请专班会商",),
    "explain": ("属企业自身经营事项，已向企业解释政策", "经核实不属于协调范围，已向企业说明",
                "已有明确政策规定，已解释到位"),
    "long_term": ("需纳入年度计划分步实施，按月跟踪", "受上位规划调整影响，转为长期跟踪"),
    "withdraw": ("企业已自行解决，撤回", "项目方案调整，问题已不存在"),
    "dispute": ("不属于本单位职责，请重新交办",),
    "reopen": ("回头看发现问题反弹，重新办理", "企业反映问题再次出现，重新启动办理"),
    "close_long": ("长期跟踪事项已纳入计划推进，解释办结",),
}


def note(rng: random.Random, kind: str) -> str:
    return rng.choice(NOTES[kind])


# What a meeting decides, by outcome.
DECISIONS: dict[str, tuple[str, ...]] = {
    "assign": ("{unit}牵头，{co}配合，限期办结", "由{unit}牵头，会同{co}专题研究，按期办结",
               "明确{unit}为责任单位，{co}全力配合"),
    "escalate": ("涉及重大政策调整，提请区领导会办", "需更高层级协调，继续提级"),
    "explain": ("经会议研究，属企业自身事项，解释办结", "已有政策规定，向企业解释到位后办结"),
}
