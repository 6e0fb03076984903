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
}


def text(key: str, lang: str = "zh") -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


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
