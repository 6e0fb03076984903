"""Words and numbers as the users read them: Chinese by default, English on a switch.

Amounts are stored in 元 and shown in 万元 or 亿元 the way offices write them (3842万元,
5.86亿元); percentages carry one decimal (90.3%); dates read 2021年6月30日 in Chinese.
"""

from __future__ import annotations

import datetime as dt
import math

from toolkit import models

LANGUAGES = ("zh", "en")

TEXT = {
    "units": ("被巡察单位", "Units inspected"),
    "rounds": ("巡察轮次", "Rounds"),
    "problems": ("发现问题", "Problems found"),
    "rectified": ("已整改", "Rectified"),
    "clues": ("移交问题线索", "Clues transferred"),
    "rectification_rate": ("整改率", "Rectification rate"),
    "region": ("地区", "Region"),
    "as_of": ("截至", "As of"),
    "overview_title": ("巡察工作总览", "Inspection overview"),
    "by_region_title": ("各地区发现问题与整改情况", "Problems and rectification by region"),
    "status": ("整改状态", "Status"),
    "count": ("数量", "Count"),
    "ledger_missing": (
        "未找到巡察台账。请先运行 make app 或 toolkit sample 生成样例台账，或检查台账路径。",
        "No ledger found. Run `make app` or `toolkit sample` to build the sample ledger, or check the ledger path.",
    ),
    "ledger_empty": ("台账中还没有数据。", "The ledger holds no records yet."),
    "loading": ("正在加载，请稍候…", "Loading…"),
    "all": ("全部", "All"),
    "term": ("届次", "Term"),
    "round": ("轮次", "Round"),
    "unit": ("单位", "Unit"),
    "unit_kind": ("单位类型", "Unit kind"),
    "sector": ("行业领域", "Sector"),
    "category": ("问题类别", "Category"),
    "team": ("巡察组", "Team"),
    "app_title": ("巡察台账", "Inspection ledger"),
    "app_error": (
        "此部分暂时无法显示，请稍后重试或联系巡察办信息员。",
        "This panel could not be shown; try again or contact the office's information officer.",
    ),
    "trend_title": ("逐轮发现问题与整改率", "Problems and rectification rate round by round"),
    "peer_title": (
        "各地区比对（黑线为其余地区中位数）",
        "Regions compared (tick: median of the other regions)",
    ),
    "low_outlier": ("明显偏低", "Low outlier"),
    "normal": ("正常", "Normal"),
    "coverage": ("巡察全覆盖率", "Coverage"),
    "on_time_rate": ("按期整改率", "On-time rate"),
    "case_conversion": ("成案率", "Case conversion"),
    "clue_yield": ("每单位移交线索", "Clues per unit"),
    "sanctioned": ("党纪政务处分", "Sanctioned"),
    "prosecuted": ("移送司法", "Referred to prosecution"),
    "recovered": ("挽回经济损失", "Funds recovered"),
    "warnings": ("红黄预警", "Red/yellow warnings"),
    "persons": ("人", " persons"),
    "of": ("/", "/"),
    "indicator": ("比对指标", "Indicator"),
    "drill_hint": (
        "提示：点击图中地区可筛选全部面板。",
        "Tip: click a region in a chart to filter every panel.",
    ),
    "units_in_round": (
        "本轮被巡察单位（点击单位查看画像）",
        "Units in this round (click one for its portrait)",
    ),
    "by_category": ("问题类别分布", "Problems by category"),
    "progress": ("整改进展", "Rectification progress"),
    "clue_list": ("问题线索及处置", "Clues and their disposal"),
    "pick_round": ("请在上方选择一个轮次。", "Pick a round above."),
    "pick_unit": ("选择单位", "Unit"),
    "rounds_of_unit": ("历次巡察", "Rounds it was in"),
    "problems_of_unit": ("问题及整改状态", "Problems and their status"),
    "history": ("状态变化记录", "Status history"),
    "recurrences": ("回头看：同类问题再次出现", "Look-back: categories found again"),
    "assignments": ("所在地区交办事项", "Assignments to its region"),
    "open_portrait": ("在单位画像中打开", "Open the unit portrait"),
    "preset": ("预警规则", "Warning rules"),
    "colour": ("预警", "Warning"),
    "days_left": ("距时限天数", "Days left"),
    "extensions": ("延期次数", "Extensions"),
    "due": ("整改时限", "Due"),
    "export": ("导出Excel", "Export to Excel"),
    "score": ("综合得分", "Score"),
    "band": ("等次", "Band"),
    "weights": ("指标权重", "Weights"),
    "group_by": ("评分对象", "Score"),
    "description": ("问题描述", "Description"),
    "red": ("红色", "Red"),
    "yellow": ("黄色", "Yellow"),
    "green": ("绿色", "Green"),
    "none": ("无预警", "None"),
    "escalated": ("已移交纪委监委", "Escalated"),
    "open_items": ("未完成整改事项", "Open items"),
    "band_blue": ("蓝", "blue"),
    "band_green": ("绿", "green"),
    "band_yellow": ("黄", "yellow"),
    "band_red": ("红", "red"),
    "quarterly_report": ("生成季度报告", "Quarterly report"),
    "portrait_report": ("生成“一报一单”", "Portrait report (一报一单)"),
    "peer_median": ("其余地区中位数", "Median of the other regions"),
    "no_data": ("当前筛选条件下没有数据，请调整筛选条件。", "No data for these filters; widen the filters."),
    # deep links that name something the ledger does not have, or a value not understood
    "link_not_found": ("{what}“{value}”不在台账中。", '{what} "{value}" is not in the ledger.'),
    "unit_not_found": ("未找到单位“{value}”。", 'Unit "{value}" not found.'),
    "as_of_invalid": (
        "截至日期“{value}”无法识别，请写成 2021-06-30 的形式。",
        'As-of date "{value}" not understood; write it like 2021-06-30.',
    ),
    "param_invalid": ("{what}“{value}”无法识别。", '{what} "{value}" not understood.'),
    "link_hint": (
        "链接中的条件有误，未显示任何数据。请检查链接，或在上方重新选择。",
        "Something in the link is not in the ledger or not understood, so nothing is shown. "
        "Check the link, or choose above.",
    ),
    "language": ("语言", "Language"),
    "pick_unit_hint": ("请在上方选择单位。", "Pick a unit above."),
}

CN_DIGITS = "零一二三四五六七八九十"


def term_order(term: str) -> int:
    """七届 -> 7, so terms sort by number rather than by character."""
    head = term.rstrip("届")
    if head.isdigit():
        return int(head)
    if head.startswith("十"):
        return 10 + (CN_DIGITS.index(head[1]) if len(head) > 1 else 0)
    if "十" in head:
        tens, _, ones = head.partition("十")
        return CN_DIGITS.index(tens) * 10 + (CN_DIGITS.index(ones) if ones else 0)
    return CN_DIGITS.index(head) if head in CN_DIGITS else 0


def region_order(regions) -> list[str]:
    """市本级 first, then districts (区), county-level cities (市) and counties (县) by name."""
    rank = {"级": 0, "区": 1, "市": 2, "县": 3}
    return sorted(regions, key=lambda r: (rank.get(r[-1], 4), r))


def text(key: str, lang: str = "zh", **values) -> str:
    """The words for ``key`` in ``lang``; ``values`` fill its ``{placeholders}`` (as plain text:
    the caller escapes the result if it goes into HTML)."""
    zh, en = TEXT[key]
    words = zh if lang == "zh" else en
    return words.format(**values) if values else words


def vocab(value: str | models.Vocabulary, cls: type[models.Vocabulary], lang: str = "zh") -> str:
    member = cls.parse(value, cls.__name__)
    return member.label_zh if lang == "zh" else member.value.replace("_", " ")


def yuan(amount: int | float | None, lang: str = "zh") -> str:
    """元 as offices write it: below 1亿 in 万元 (two decimals trimmed), above in 亿元."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    if lang != "zh":
        return f"¥{amount / 1e6:,.2f}M"
    if abs(amount) >= 100_000_000:
        return f"{_trim(amount / 100_000_000)}亿元"
    if abs(amount) >= 10_000:
        return f"{_trim(amount / 10_000)}万元"
    return f"{int(amount)}元"


def _trim(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent(fraction: float | None) -> str:
    """0.90297 -> 90.3%; nothing to be a rate of -> —."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "—"
    return f"{fraction * 100:.1f}%"


def date(day: dt.date | None, lang: str = "zh") -> str:
    if day is None:
        return "—"
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def number(n: int | float, lang: str = "zh") -> str:
    return f"{int(n):,d}"


def chinese_number(n: int) -> str:
    """8 -> 八, 13 -> 十三, 21 -> 二十一: round numbers as offices write them."""
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
