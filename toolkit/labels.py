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
    # the app's frame
    "app_title": ("巡察台账", "Inspection ledger"),
    "view_overview": ("总览", "Overview"),
    "view_round": ("轮次", "Round"),
    "view_unit": ("单位画像", "Unit portrait"),
    "view_tracker": ("整改跟踪", "Rectification tracker"),
    "view_scoreboard": ("评分", "Scoreboard"),
    "view": ("页面", "Page"),
    "language": ("语言", "Language"),
    "clear_filters": ("清除筛选", "Clear filters"),
    "data_as_of": ("数据截至", "Data up to"),
    "published": ("更新于", "Updated"),
    "scope": ("范围", "Scope"),
    "all_terms": ("全部届次", "all terms"),
    "all_regions": ("全部地区", "all regions"),
    "as_of_day": ("截至{day}", "as of {day}"),
    "loading": ("正在加载，请稍候…", "Loading…"),
    "print_filters": ("筛选条件", "Filters"),
    # filters
    "all": ("全部", "All"),
    "term": ("届次", "Term"),
    "round": ("轮次", "Round"),
    "region": ("地区", "Region"),
    "unit": ("单位", "Unit"),
    "unit_kind": ("单位类型", "Unit kind"),
    "sector": ("行业领域", "Sector"),
    "category": ("问题类别", "Category"),
    "team": ("巡察组", "Team"),
    "as_of": ("截至", "As of"),
    "search_round": ("输入轮次名称搜索", "Type to search rounds"),
    "search_unit": ("输入单位名称搜索", "Type to search units"),
    # figures
    "units": ("被巡察单位", "Units inspected"),
    "rounds": ("巡察轮次", "Rounds"),
    "problems": ("发现问题", "Problems found"),
    "rectified": ("已整改", "Rectified"),
    "not_rectified": ("未整改", "Not rectified"),
    "clues": ("移交问题线索", "Clues transferred"),
    "rectification_rate": ("整改率", "Rectification rate"),
    "coverage": ("巡察全覆盖率", "Coverage"),
    "on_time_rate": ("按期整改率", "On-time rate"),
    "case_conversion": ("成案率", "Case conversion"),
    "clue_yield": ("每单位移交线索", "Clues per unit"),
    "sanctioned": ("党纪政务处分", "Sanctioned"),
    "prosecuted": ("移送司法", "Referred to prosecution"),
    "recovered": ("挽回经济损失", "Funds recovered"),
    "warnings": ("红黄预警", "Red/yellow warnings"),
    "persons": ("人", " persons"),
    "count": ("数量", "Count"),
    "status": ("整改状态", "Status"),
    "coverage_scope": ("{term}：已巡察 {inspected} / 应巡察 {units}", "{term}: {inspected} of {units} units"),
    "units_note": ("涉及单位 {n} 个", "in {n} units"),
    "rounds_note": ("来自 {n} 轮巡察", "from {n} rounds"),
    "cases_note": ("立案 {cases} / 已处置 {disposed}", "{cases} cases of {disposed} disposed"),
    "prosecuted_note": ("移送司法 {n} 人", "{n} referred to prosecution"),
    "warnings_note": ("红色 {red} · 黄色 {yellow}", "red {red} · yellow {yellow}"),
    # overview
    "overview_title": ("巡察工作总览", "Inspection overview"),
    "trend_title": ("逐轮发现问题与整改率", "Problems and rectification rate round by round"),
    "peer_title": (
        "各地区比对（黑线为其余地区中位数）",
        "Regions compared (tick: median of the other regions)",
    ),
    "by_region_title": ("各地区发现问题与整改情况", "Problems and rectification by region"),
    "indicator": ("比对指标", "Indicator"),
    "low_outlier": ("明显偏低", "Low outlier"),
    "normal": ("正常", "Normal"),
    "peer_median": ("其余地区中位数", "Median of the other regions"),
    "value": ("数值", "Value"),
    "drill_hint": (
        "提示：点击地区图中的地区可筛选全部面板，再次选择“全部”或点“清除筛选”恢复。",
        "Tip: click a region in a region chart to filter every panel; “Clear filters” undoes it.",
    ),
    "quarterly_report": ("生成季度报告", "Quarterly report"),
    "trend_scope": (
        "市本级轮次（选择地区后为该地区的轮次），最近 24 轮",
        "City rounds (a region's own once one is chosen), last 24",
    ),
    "regions_scope": (
        "各地区并列比较，不受地区筛选影响；选中的地区加深显示",
        "All regions side by side, whatever the region filter; the chosen one is highlighted",
    ),
    # round
    "round_title": ("轮次详情", "Round"),
    "round_default": (
        "未选择轮次，显示整改期限已过的最近一轮：{name}（整改期限截至{due}）。可在上方“轮次”中搜索其他轮次。",
        "No round chosen: showing the latest round whose rectification period has ended: {name} (deadlines up to {due}). Search another round above.",
    ),
    "round_none_ended": (
        "尚无整改期限已过的轮次，显示最近一轮：{name}。",
        "No round's rectification period has ended yet: showing the latest round, {name}.",
    ),
    "feedback": ("反馈", "feedback"),
    "units_in_round": (
        "本轮被巡察单位（点击单位查看画像）",
        "Units in this round (click one for its portrait)",
    ),
    "by_category": ("问题类别分布", "Problems by category"),
    "progress": ("整改进展", "Rectification progress"),
    "clue_list": ("问题线索及处置", "Clues and their disposal"),
    "pick_round": ("请在上方选择一个轮次。", "Pick a round above."),
    "open_portrait": ("查看单位画像", "Open the unit portrait"),
    # unit
    "pick_unit": ("选择单位", "Unit"),
    "pick_unit_hint": ("请在上方搜索并选择单位。", "Search for a unit above and pick it."),
    "unit_scope": (
        "本页为该单位全部届次的记录（截至{day}）；“一报一单”为截至该日的近五年（{since}起）。",
        "This page covers all terms of the unit (as of {day}); the portrait report covers the five years up to that day (from {since}).",
    ),
    "rounds_of_unit": ("历次巡察", "Rounds it was in"),
    "problems_of_unit": ("问题及整改状态", "Problems and their status"),
    "history": ("状态变化记录", "Status history"),
    "history_pick": ("选择问题", "Problem"),
    "recurrences": ("回头看：同类问题再次出现", "Look-back: categories found again"),
    "no_recurrence": ("未发现同类问题复发", "No category found again"),
    "no_clues": ("无问题线索", "No clues"),
    "assignments": ("所在地区交办事项", "Assignments to its region"),
    "portrait_report": ("生成“一报一单”", "Portrait report"),
    "first_found": ("首次发现", "First found in"),
    "found_again": ("再次发现", "Found again in"),
    "found_again_count": ("再次发现数", "Times found again"),
    "matter": ("事项", "Matter"),
    "reported_on": ("报告时间", "Reported"),
    "round_start": ("进驻时间", "Started"),
    "rectified_on": ("整改完成", "Rectified on"),
    "closed_on": ("销号", "Closed out"),
    "id": ("编号", "No."),
    "clue": ("线索", "Clue"),
    "subject": ("被反映人", "Person reported"),
    "transferred_on": ("移交时间", "Transferred"),
    "disposal": ("处置方式", "Disposal"),
    "pending": ("待处置", "Pending"),
    "description": ("问题描述", "Description"),
    # tracker
    "preset": ("预警规则", "Warning rules"),
    "preset_jiangjin": ("江津（提前预警）", "Jiangjin (early warning)"),
    "preset_nanjing": ("南京（逾期10天红色）", "Nanjing (red 10 days overdue)"),
    "rules_jiangjin": (
        "江津规则：剩余20天以内为绿色，10天以内为黄色，逾期为红色。",
        "Jiangjin rules: green at 20 days left or fewer, yellow at 10 or fewer, red once overdue.",
    ),
    "rules_nanjing": (
        "南京规则：逾期为黄色，逾期10天为红色并移交纪委监委。",
        "Nanjing rules: yellow once overdue, red and escalated 10 days overdue.",
    ),
    "colour": ("预警", "Warning"),
    "days_left": ("距时限", "Deadline"),
    "days_overdue": ("逾期 {n} 天", "{n} days overdue"),
    "days_remaining": ("剩余 {n} 天", "{n} days left"),
    "due_today": ("今日到期", "due today"),
    "extensions": ("延期次数", "Extensions"),
    "due": ("整改时限", "Due"),
    "export": ("导出Excel", "Export to Excel"),
    "red": ("红色", "Red"),
    "yellow": ("黄色", "Yellow"),
    "green": ("绿色", "Green"),
    "none": ("无预警", "None"),
    "escalated": ("已移交纪委监委", "Escalated"),
    "yes": ("是", "yes"),
    "open_items": ("未完成整改事项", "Open items"),
    "days_number": ("距时限天数", "Days to deadline"),
    "export_title": ("整改跟踪清单", "Rectification tracker list"),
    "export_rows": (
        "共 {n} 条，按距时限天数排序（负数为逾期天数）。",
        "{n} rows, by days to the deadline (negative: days overdue).",
    ),
    "export_made": ("导出时间", "Exported"),
    "colour_rule": ("预警颜色规则", "Warning rules"),
    "masked_note": ("本表不含人员姓名。", "This list holds no person's name."),
    "tracker_scope": (
        "未完成整改的问题（已整改、已销号的不在此列）",
        "Problems not yet rectified (rectified or closed ones are not listed)",
    ),
    # scoreboard
    "score": ("综合得分", "Score"),
    "band": ("等次", "Band"),
    "weights": ("指标权重", "Weights"),
    "group_by": ("评分对象", "Score by"),
    "band_blue": ("蓝", "Blue"),
    "band_green": ("绿", "Green"),
    "band_yellow": ("黄", "Yellow"),
    "band_red": ("红", "Red"),
    "points": ("分", " pts"),
    "points_of": ("{name}得分", "{name} points"),
    "score_how": (
        "相对评分：每项指标以表现最好的对象为100分，其余按比例得分（问题复发率等越低越好的指标按1减去该值计算）；"
        "综合得分为各项得分按权重加权平均，权重先归一化（除以权重之和），所以只需调整相对大小。"
        "蓝≥95，绿≥85，黄≥75，低于75为红。",
        "Relative scoring: on each indicator the best group gets 100 points and the others a share of it "
        "(lower-is-better rates count 1 minus the rate); the score is the weighted mean of the points, "
        "the weights normalised (divided by their sum), so only their proportions matter. "
        "Blue ≥ 95, green ≥ 85, yellow ≥ 75, red below.",
    ),
    # messages
    "ledger_missing": (
        "未找到巡察台账。请先运行 make app 或 toolkit sample 生成样例台账，或检查台账路径。",
        "No ledger found. Run make app or toolkit sample to build the sample ledger, or check the ledger path.",
    ),
    "ledger_empty": ("台账中还没有数据。", "The ledger holds no records yet."),
    "app_error": (
        "此部分暂时无法显示，请稍后重试或联系巡察办信息员。",
        "This panel could not be shown; try again or contact the office's information officer.",
    ),
    "no_data": ("当前筛选条件下没有数据，请调整筛选条件。", "No data for these filters; widen the filters."),
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
    "report_busy": ("正在生成，请稍候…", "Building the file…"),
    "report_failed": ("报告生成失败，请稍后重试。", "The file could not be built; try again later."),
    "download": ("下载 {name}", "Download {name}"),
    # tables
    "table_page": ("第 {first}–{last} 条，共 {total} 条", "{first}–{last} of {total}"),
    "table_prev": ("上一页", "Previous"),
    "table_next": ("下一页", "Next"),
    "table_sort": ("点击表头排序", "Click a header to sort"),
    "table_empty": ("无记录", "No rows"),
}

# English words for the ledger's codes (toolkit.models vocabularies); Chinese is label_zh.
VOCAB_EN = {
    "open": "Open",
    "in_progress": "In progress",
    "rectified": "Rectified",
    "closed": "Closed out",
    "ongoing": "Ongoing",
    "dated": "Dated",
    "immediate": "Immediate",
    "talk": "Talk or letter inquiry",
    "verify": "Preliminary verification",
    "shelve": "Shelved",
    "close": "Closed",
    "case": "Case opened",
    "department": "Department",
    "township": "Township",
    "village": "Village",
    "soe": "State-owned enterprise",
    "school": "School",
    "hospital": "Hospital",
    "regular": "Regular",
    "special": "Special",
    "mobile": "Mobile",
    "elevated": "Elevated",
    "cross": "Cross",
    "extension": "Extension",
    "linked": "Linked",
    "integrated": "Integrated",
    "look_back": "Look-back",
    "city": "City",
    "county": "County",
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


def colon(lang: str = "zh") -> str:
    """ "：" after a Chinese label, ": " after an English one."""
    return "：" if lang == "zh" else ": "


def text(key: str, lang: str = "zh", **values) -> str:
    """The words for ``key`` in ``lang``; ``values`` fill its ``{placeholders}`` (as plain text:
    the caller escapes the result if it goes into HTML)."""
    zh, en = TEXT[key]
    words = zh if lang == "zh" else en
    return words.format(**values) if values else words


def vocab(value: str | models.Vocabulary, cls: type[models.Vocabulary], lang: str = "zh") -> str:
    member = cls.parse(value, cls.__name__)
    return (
        member.label_zh
        if lang == "zh"
        else VOCAB_EN.get(member.value, member.value.replace("_", " ").capitalize())
    )


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


def days_to_due(days: int | float | None, lang: str = "zh") -> str:
    """-3415 -> 逾期 3,415 天; 12 -> 剩余 12 天; 0 -> 今日到期; None (no deadline) -> —."""
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return "—"
    days = int(days)
    if days < 0:
        return text("days_overdue", lang, n=number(-days))
    if days == 0:
        return text("due_today", lang)
    return text("days_remaining", lang, n=number(days))


def published_at(moment, lang: str = "zh") -> str:
    """2026-11-23 21:30 as 2026年11月23日 21:30 (the time the ledger was last written)."""
    if moment is None:
        return "—"
    return f"{date(moment.date(), lang)} {moment:%H:%M}"


def chinese_number(n: int) -> str:
    """8 -> 八, 13 -> 十三, 21 -> 二十一: round numbers as offices write them."""
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
