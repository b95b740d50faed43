"""The 好差评 standard's fixed vocabularies: evaluation levels, channels and the option tags of bad ratings.

Sources: 国务院办公厅《关于建立政务服务“好差评”制度提高政务服务水平的意见》(国办发〔2019〕51号);
GB/T 39734-2020《政务服务“一次一评”“一事一评”工作规范》(annex A: the bad-rating content) and GB/T 39735-2020
《政务服务评价工作指南》;
the national 好差评 system's 评价内容标准 (evaluation content, the same in every province, versioned, "未经
允许不得在评价内容中添加或删除评价指标"): five levels 非常满意 ☆☆☆☆☆ … 非常不满意 ☆; level 1 indicator
整体满意度; level 2 indicators online 办事效率, 办事指南精确度, 办事便捷度, 平台操作性 and at the window
服务效率, 服务水平, 服务态度. The tags a bad rating picks are these level 2 indicators, worded as the
problem the applicant names (the indicator names are checked against published copies of the content standard;
the exact option wording of annex A was not available, so each tag names its indicator first). Codes are stable:
they are what the province's 好差评 system receives.
Change a wording by adding a new TAG_VERSION, never by editing a published tag.
"""

from __future__ import annotations

# Levels: stable code (what is reported upward) → Chinese name. 1 and 2 are 差评.
LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = frozenset({1, 2})

# Channels: 网上 一事一评 (after the case's result), 窗口 一次一评 (at the window, through a QR code).
ONLINE, WINDOW = "online", "window"
CHANNELS: dict[str, str] = {ONLINE: "网上评价", WINDOW: "窗口评价"}
MODES: dict[str, str] = {ONLINE: "一事一评", WINDOW: "一次一评"}

TAG_VERSION = "2019.1"
# Option tags of bad ratings per channel: code → wording (评价内容标准, level 2 indicators).
BAD_TAGS: dict[str, dict[str, str]] = {
    ONLINE: {
        "XS01": "办事效率低（办理时间长、环节多）",
        "XS02": "办事指南不准确（材料、条件、流程与实际不符）",
        "XS03": "办事不便捷（跑动次数多、重复提交材料）",
        "XS04": "平台不好用（操作复杂、系统故障）",
    },
    WINDOW: {
        "XX01": "服务效率低（等候时间长、办理慢）",
        "XX02": "服务水平不高（业务不熟、解答不清、一次性告知不到位）",
        "XX03": "服务态度差（冷硬横推、推诿扯皮）",
    },
}
ALL_TAGS: dict[str, str] = {code: text for tags in BAD_TAGS.values() for code, text in tags.items()}

TEXT_MAX = 500  # free text of a rating or its addition (characters)


def level_label(level: int) -> str:
    return LEVELS.get(level, str(level))


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS
