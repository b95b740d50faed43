"""The indicators (绩效指标), as data: one registry with each indicator's code, Chinese name, formula in words,
numerator and denominator (counter columns of the rollups), unit and good direction.

Every figure is a ratio or an average of two additive counters, so any grouping (department, item, region,
day, month, year) sums the counters first and divides last — never an average of ratios.

Which facts count (the decisions behind the numbers, written once here and shown beside every figure):

- 办结件 (the case population): a case with a decision (准予 or 不予许可: status decided, closed or delivered),
  counted on the Beijing calendar day of its decision (`decided_at`). Bundles (一件事): each sub-case counts in
  its own department and item; the bundle's parent case does not count (it has no implementation list and
  decides nothing itself). Not counted: drafts, cases still being handled, 不予受理 (never accepted), withdrawn
  cases (no decision).
- The item's list values (到现场次数, 承诺/法定时限) are the implementation list's current values when the day
  is computed.
- 好差评: valid ratings (not voided on appeal), on the Beijing day the rating was made; 好评 = 非常满意 and 满意,
  as the public figures count it (ratings.queries.GOOD_LEVELS: 基本满意 counts in the total, not as good);
  差评 = 不满意 and 非常不满意 (国办发〔2019〕51号). A bad rating's follow-up is counted with its rating
  (cohort): when it is called back or rectified later, the rating's day is recomputed.
- 电子监察 alerts: raised on the day of `raised_at`; closed (消除) on the day of `cleared_at` — the case no longer
  meets the rule's condition; closure time in hours from raising to clearing.
- Catalog figures (网上可办率 …) are a snapshot of the published implementation lists taken every day; a period
  shows its last snapshot (期末数).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Unit = Literal["percent", "days", "times", "count", "hours"]
Direction = Literal["higher", "lower", "neutral"]
Source = Literal["cases", "catalog", "ratings", "alerts"]

UNIT_LABELS: dict[str, str] = {"percent": "%", "days": "个工作日", "times": "次", "count": "件", "hours": "小时"}
DIRECTION_LABELS: dict[str, str] = {"higher": "越高越好", "lower": "越低越好", "neutral": "仅供对照"}
SOURCE_LABELS: dict[str, str] = {"cases": "办件", "catalog": "实施清单", "ratings": "好差评", "alerts": "电子监察"}


@dataclass(frozen=True)
class Indicator:
    """One indicator: value = numerator / denominator (× 100 for percent); a count has no denominator."""

    code: str
    name: str
    formula: str  # the formula in words (Chinese), shown beside the figure
    numerator: str  # counter column
    denominator: str | None  # counter column; None for a plain count
    unit: Unit
    direction: Direction
    source: Source
    scope: str  # which facts count (Chinese)
    scale: float = 1  # the ratio is divided by it (seconds → hours)


# Counter columns of the daily / monthly rollups (indicator_daily, indicator_monthly), each additive.
CASE_COUNTERS = (
    "cases_decided",  # 办结件数
    "cases_on_time",  # 在承诺期限内（无承诺期限的按法定期限；即办件）决定的办结件
    "cases_timed",  # 有受理时间的办结件（计算办理时长）
    "handling_days",  # 受理至决定的工作日数之和
    "promised_days",  # 这些办结件的承诺办结时限之和
    "visits",  # 办结件的到现场次数之和（网上申请按事项的到现场次数，窗口收件至少 1 次）
    "cases_zero_visit",  # 到现场次数为 0 的办结件
    "materials_total",  # 办结件已提供的材料数
    "materials_fetched",  # 其中由电子证照或共享数据获取的
)
RATING_COUNTERS = ("ratings", "ratings_good", "ratings_bad", "bad_called_back", "bad_rectified")
ALERT_COUNTERS = ("alerts_raised", "alerts_yellow", "alerts_red", "alerts_cleared", "alert_closure_seconds")
COUNTERS = (*CASE_COUNTERS, *RATING_COUNTERS, *ALERT_COUNTERS)
# Counters of the daily catalog snapshot (indicator_catalog_daily).
# legal_days and promised_days are summed over the items with a legal limit (items_with_limit).
CATALOG_COUNTERS = ("items", "items_online", "items_full_online", "items_instant", "items_with_limit",
                    "legal_days", "promised_days")

_CASES = ("办结件：当期作出准予或不予许可决定的办件（按决定日，北京时间）；一件事计各子件，不计一件事总件；"
          "不含不予受理、撤回和未办结的办件")
_CATALOG = "期末快照：期间内最后一天已发布的事项实施清单（每日快照）"
_RATINGS = "当期作出的有效评价（不含申诉复核后作废的评价，按评价日）"
_BAD = "当期作出的有效差评（不满意、非常不满意；按评价日计，整改与回访在评价日所属期间计入）"
_ALERTS = "电子监察预警：按发出日计数；消除按消除日计（办件不再满足规则条件）"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("online_available", "网上可办率", "网上可办的事项数 ÷ 已发布事项数 × 100%",
              "items_online", "items", "percent", "higher", "catalog", _CATALOG),
    Indicator("full_online", "全程网办率", "可全程网办（网上可办且到办事现场次数为 0）的事项数 ÷ 已发布事项数 × 100%",
              "items_full_online", "items", "percent", "higher", "catalog", _CATALOG),
    Indicator("instant_share", "即办件占比", "即办事项数 ÷ 已发布事项数 × 100%",
              "items_instant", "items", "percent", "higher", "catalog", _CATALOG),
    Indicator("limit_compression", "承诺时限压缩比",
              "（法定办结时限之和 − 承诺办结时限之和）÷ 法定办结时限之和 × 100%（仅含法定时限大于 0 的事项）",
              "legal_minus_promised", "legal_days", "percent", "higher", "catalog", _CATALOG),
    Indicator("handling_days", "实际办理时长",
              "受理至决定的工作日数之和 ÷ 有受理时间的办结件数（含特别程序暂停的时间）",
              "handling_days", "cases_timed", "days", "lower", "cases", _CASES),
    Indicator("promised_days", "承诺办结时长", "同一批办结件的承诺办结时限之和 ÷ 件数，与实际办理时长对照",
              "promised_days", "cases_timed", "days", "neutral", "cases", _CASES),
    Indicator("on_time", "按时办结率",
              "在承诺期限内决定的办结件数 ÷ 办结件数 × 100%（无承诺期限的按法定期限；即办件当场决定视为按时）",
              "cases_on_time", "cases_decided", "percent", "higher", "cases", _CASES),
    Indicator("avg_visits", "平均跑动次数",
              "办结件到办事现场次数之和 ÷ 办结件数（网上申请按事项的到现场次数，窗口收件至少 1 次）",
              "visits", "cases_decided", "times", "lower", "cases", _CASES),
    Indicator("zero_visit", "零跑动率", "网上申请且事项到现场次数为 0 的办结件数 ÷ 办结件数 × 100%",
              "cases_zero_visit", "cases_decided", "percent", "higher", "cases", _CASES),
    Indicator("once_only", "材料免提交率（数据共享）",
              "由电子证照或共享数据获取的材料数 ÷ 办结件已提供的材料数 × 100%（不含免交和未提供的材料）",
              "materials_fetched", "materials_total", "percent", "higher", "cases", _CASES),
    Indicator("good_rate", "好评率", "（非常满意 + 满意）的评价数 ÷ 有效评价数 × 100%（基本满意计入总数，不计为好评）",
              "ratings_good", "ratings", "percent", "higher", "ratings", _RATINGS),
    Indicator("rectified_rate", "差评整改率",
              "已整改或已说明（含已告知办结）的差评数 ÷ 有效差评数 × 100%",
              "bad_rectified", "ratings_bad", "percent", "higher", "ratings", _BAD),
    Indicator("callback_rate", "差评回访率", "已回访的差评数 ÷ 有效差评数 × 100%（实名差评须达 100%）",
              "bad_called_back", "ratings_bad", "percent", "higher", "ratings", _BAD),
    Indicator("alerts_raised", "预警件次", "当期发出的预警与报警数（提醒、黄灯、红灯）",
              "alerts_raised", None, "count", "lower", "alerts", _ALERTS),
    Indicator("alerts_red", "红灯报警件次", "当期发出的红灯报警数",
              "alerts_red", None, "count", "lower", "alerts", _ALERTS),
    Indicator("alert_closure", "预警平均消除时长",
              "当期消除或经监察人员关闭的预警自发出至消除（关闭）的小时数之和 ÷ 当期消除或关闭的预警数",
              "alert_closure_seconds", "alerts_cleared", "hours", "lower", "alerts", _ALERTS, scale=3600),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def value(indicator: Indicator, sums: Mapping[str, float]) -> float | None:
    """The indicator's value from summed counters; None when the denominator is 0 (no facts, no figure)."""
    numerator = sums.get(indicator.numerator, 0)
    if indicator.denominator is None:
        return float(numerator)
    denominator = sums.get(indicator.denominator, 0)
    if not denominator:
        return None
    result = numerator / denominator / indicator.scale
    return round(result * 100, 2) if indicator.unit == "percent" else round(result, 2)
