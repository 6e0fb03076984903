"""Resolve the rounds, units and inspections a sheet refers to by name, creating missing ones.

Sheets name things in words (``青溪县委第三轮巡察``, ``县住房和城乡建设局``); the ledger refers
by id. The rules:

- Round: the row's 巡察轮次 cell, else ``--round``, else a ``第…轮`` phrase in the sheet title.
  It matches an existing round by id or by name (spaces ignored). A round not in the ledger is
  created with id ``R-`` + hash of its name; its number, term (届), kind (专项, 机动, 回头看 ...),
  level (市委 -> city) and region are read from the name; its start, end and feedback dates are
  one date, ``robust_start``: the earliest date of its rows, the sheet's 填报时间 (the import date
  when it has none) — leaving out a row whose earliest date lies more than a year before the
  lower quartile of the round's rows. A typo (2012 for 2021, 1995-01-01) so never moves a round:
  that row is rejected as dated before the round began, and every other row keeps its dates.
  Created rounds and their dates are listed in the report for the analyst to check.
- Unit: ``--unit``, else the row's 被巡察单位 (or, in a clue ledger, 所在单位), else the 填报单位
  line when it does not name a 巡察组 / 巡察办 (then it is the team, not the unit). It matches an
  existing unit by name within the region, or by name alone when that is unique. A missing unit
  is created with id ``U-`` + hash of (region, name), sector ``未注明`` and a kind guessed from
  its name (乡/镇/街道 -> township, 村/社区 -> village, 学校 -> school, 医院 -> hospital,
  公司/集团 -> soe, else department).
- A unit the import creates whose name resembles an existing unit of its region (the same once
  the region's name, 中共 and a leading 县/市/区 are taken off: 县住房和城乡建设局党组 and
  青溪住房和城乡建设局党组 in 青溪县; or a close match by ``difflib``) is created and reported as a
  ``similar_unit`` finding naming both. Not rejected: the importer cannot tell a misspelt name
  from a new or renamed unit. The analyst reads the dry run, and maps it with ``--unit`` or
  corrects the name in the file when it is the same unit.
- Region: the row's 区县 cell, else ``--region``, else the round's region.
- Inspection: a (round, unit) pair with no inspection gets one (id ``I-`` + hash), so coverage
  counts the unit as inspected in that round; its team comes from the 巡察组 column or title.
  Not when the import brings a 巡察记录 sheet (an export): that sheet is the complete list.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from itertools import chain, repeat

from toolkit.ingest import limits
from toolkit.ingest.aliases import to_halfwidth
from toolkit.ingest.close_names import CloseNames
from toolkit.models import Inspection, Round, RoundKind, RoundLevel, Unit, UnitKind

UNKNOWN = "未注明"
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


_SPACES = re.compile(r"\s+")


def short_hash(*parts: object, length: int = 12) -> str:
    """A stable id fragment: the same parts give the same id in every import, on every machine."""
    joined = "\x1f".join([_unspaced(str(p or "")) for p in parts])
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:length]


@functools.lru_cache(maxsize=4096)  # an import's rows share a few rounds, units and categories
def hash_prefix(*parts: object) -> str:
    """The start of ``short_hash``'s input for ``parts`` followed by more: with
    ``hash_with_prefix`` the same id as ``short_hash(*parts, last)``."""
    return "".join([_unspaced(str(p or "")) + "\x1f" for p in parts])


def hash_with_prefix(prefix: str, last: object, length: int = 12) -> str:
    joined = prefix + _unspaced(str(last or ""))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:length]


def _unspaced(text: str) -> str:
    """``text`` without whitespace. Every character ``\\s`` matches is either the ASCII space or
    not printable, so the usual text (printable, no space) skips the regex."""
    return text if text.isprintable() and " " not in text else _SPACES.sub("", text)


def chinese_number(text: str) -> int | None:
    """八 -> 8, 十二 -> 12, 二十一 -> 21, 12 -> 12."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def round_from_title(title: str) -> str | None:
    m = re.search(r"([^\s，,：:（）()组]*?第[一二三四五六七八九十\d]+轮[^\s，,：:（）()]*?巡[察视])", title)
    return m.group(1) if m else None


def team_from_title(title: str) -> str | None:
    m = re.search(r"((?:[^\s（）()]{1,8}?[县区市]委)?第[一二三四五六七八九十\d]+巡[察视]组)", title)
    return m.group(1).removeprefix("中共") if m else None


def unit_from_title(title: str) -> str | None:
    """``城关镇党委巡察反馈问题整改台账`` -> 城关镇党委 (a sheet per unit names it in its title)."""
    m = re.match(r"^([^\s（）()，,]{2,30}?(?:党委|党组|党工委|党总支|党支部))", title)
    if not m or "巡察" in m.group(1) or "巡视" in m.group(1):
        return None
    return m.group(1).removeprefix("中共")


def region_from_name(name: str) -> str | None:
    m = re.search(r"([^\s中共届（(]{1,6}?[县区])委", name)
    return m.group(1) if m else None


def guess_unit_kind(name: str) -> UnitKind:
    for words, kind in (
        (("村", "社区"), UnitKind.VILLAGE),
        (("乡", "镇", "街道"), UnitKind.TOWNSHIP),
        (("学校", "中学", "小学", "学院", "大学"), UnitKind.SCHOOL),
        (("医院", "卫生院"), UnitKind.HOSPITAL),
        (("公司", "集团"), UnitKind.SOE),
    ):
        if any(w in name for w in words):
            return kind
    return UnitKind.DEPARTMENT


def robust_start(row_dates: list[dt.date], filed: list[dt.date]) -> dt.date:
    """The day a round the import creates began: the earliest of its rows' earliest dates and the
    sheets' 填报时间 (``filed``), leaving out dates more than ``limits.ROUND_OUTLIER_DAYS`` before
    the lower quartile of ``row_dates`` (a typo must not move a whole round)."""
    return counted_start(Counter(row_dates), filed)


def counted_start(row_dates: dict[dt.date, int], filed: Iterable[dt.date]) -> dt.date:
    """``robust_start`` of the rows' earliest dates given as {date: how many rows}: a round's
    10,000 rows share a few hundred dates, each looked at once."""
    fence = None
    if row_dates:
        counted = sorted((day.toordinal(), times) for day, times in row_dates.items())
        ordinals = list(chain.from_iterable(repeat(o, times) for o, times in counted))
        quartile = (
            statistics.quantiles(ordinals, n=4, method="inclusive")[0] if len(ordinals) > 1 else ordinals[0]
        )
        fence = quartile - limits.ROUND_OUTLIER_DAYS
    days = {*row_dates, *filed}
    kept = [d for d in days if fence is None or d.toordinal() >= fence]
    return min(kept or days)


def unit_core(name: str, region: str) -> str:
    """The part of a unit's name that names it within its region: 青溪县住房和城乡建设局党组,
    青溪住房和城乡建设局党组 and 县住房和城乡建设局党组 (region 青溪县) -> 住房和城乡建设局党组."""
    core = _key(name)
    for prefix in ("中国共产党", "中共"):
        core = core.removeprefix(prefix)
    region = _key(region)
    for prefix in (region, re.sub(r"[县区市]$", "", region)):
        if len(prefix) >= 2 and core.startswith(prefix):
            core = core[len(prefix) :]
            break
    if core[:1] in ("县", "市", "区") and len(core) > 2:
        core = core[1:]
    return core or _key(name)


def similar_unit(unit: Unit, existing: list[Unit]) -> Unit | None:
    """The existing unit of ``unit``'s region whose name most resembles it (see the module
    docstring), or None."""
    return SimilarUnits(existing).of(unit)


class SimilarUnits:
    """``similar_unit`` for many units at once: the cores of the existing units are worked out
    once per region, and the close matches are searched by ``close_names`` (an import creating
    500 units asked difflib about 500 x 500 pairs)."""

    def __init__(self, existing: list[Unit]) -> None:
        self._by_region: dict[str, dict[str, list[Unit]]] = {}
        self._cores_of_id: dict[str, dict[str, set[str]]] = {}  # region -> unit id -> its cores
        for other in existing:
            core = unit_core(other.name, other.region)
            self._by_region.setdefault(other.region, {}).setdefault(core, []).append(other)
            self._cores_of_id.setdefault(other.region, {}).setdefault(other.id, set()).add(core)
        self._search: dict[str, CloseNames] = {}

    def of(self, unit: Unit) -> Unit | None:
        cores = self._by_region.get(unit.region, {})
        # an existing unit stands for its core, unless it is the unit asked about
        shown: dict[str, Unit | None] = {
            c: next((u for u in cores[c] if u.id != unit.id), None)
            for c in self._cores_of_id.get(unit.region, {}).get(unit.id, ())
        }
        core = unit_core(unit.name, unit.region)
        if core in cores:
            twin = shown[core] if core in shown else cores[core][0]
            if twin is not None:
                return twin
        if unit.region not in self._search:
            self._search[unit.region] = CloseNames(list(cores), limits.SIMILAR_UNIT_RATIO)
        close = self._search[unit.region].best(core, exclude={c for c, u in shown.items() if u is None})
        if close is None:
            return None
        return shown[close] if close in shown else cores[close][0]


def new_round(name: str, day: dt.date, region: str | None) -> Round:
    """A round known only by its name, dated ``day`` (see the module docstring)."""
    number = re.search(r"第([一二三四五六七八九十\d]+)轮", name)
    term = re.search(r"([一二三四五六七八九十\d]+届)", name)
    kind = RoundKind.REGULAR
    for word, k in (
        ("回头看", RoundKind.LOOK_BACK),
        ("专项", RoundKind.SPECIAL),
        ("机动", RoundKind.MOBILE),
        ("提级", RoundKind.ELEVATED),
        ("交叉", RoundKind.CROSS),
        ("延伸", RoundKind.EXTENSION),
    ):
        if word in name:
            kind = k
            break
    return Round(
        id=f"R-{short_hash(name, length=10)}",
        name=name,
        term=term.group(1) if term else UNKNOWN,
        number=(chinese_number(number.group(1)) or 1) if number else 1,
        round_kind=kind,
        level=RoundLevel.CITY if "市委" in name else RoundLevel.COUNTY,
        region=region or region_from_name(name) or UNKNOWN,
        start=day,
        end=day,
        feedback_on=day,
    )


class Resolver:
    """Names -> ids against the ledger's rounds, units and inspections; remembers what it creates."""

    def __init__(self, rounds: list[Round], units: list[Unit], inspections: set[tuple[str, str]]) -> None:
        self.rounds = {r.id: r for r in rounds}
        self._round_names = {_key(r.name): r.id for r in rounds}
        self.units = {u.id: u for u in units}
        self._units_by_name: dict[str, list[Unit]] = {}
        for u in units:
            self._units_by_name.setdefault(_key(u.name), []).append(u)
        self.inspections = set(inspections)
        self.created_rounds: list[Round] = []
        self.created_units: list[Unit] = []
        self.created_inspections: list[Inspection] = []

    def register(self, record: Round | Unit) -> None:
        """A round or unit from a reference sheet of this import (kept if the id is known)."""
        if isinstance(record, Round):
            if record.id not in self.rounds:
                self.rounds[record.id] = record
                self._round_names.setdefault(_key(record.name), record.id)
        elif record.id not in self.units:
            self._add_unit(record)

    def find_round(self, name: str) -> Round | None:
        if name in self.rounds:
            return self.rounds[name]
        rid = self._round_names.get(_key(name))
        return self.rounds[rid] if rid else None

    def round(self, name: str, earliest: dt.date, region: str | None) -> Round:
        found = self.find_round(name)
        if found is None:
            found = new_round(name.strip(), earliest, region)
            self.rounds[found.id] = found
            self._round_names[_key(found.name)] = found.id
            self.created_rounds.append(found)
        return found

    def unit(self, name: str, region: str) -> Unit:
        same_name = self._units_by_name.get(_key(name), [])
        in_region = [u for u in same_name if u.region == region]
        if in_region:
            return in_region[0]
        if len(same_name) == 1 and region == UNKNOWN:
            return same_name[0]
        unit = Unit(
            id=f"U-{short_hash(region, name, length=10)}",
            name=name.strip(),
            region=region,
            sector=UNKNOWN,
            unit_kind=guess_unit_kind(name),
        )
        self._add_unit(unit)
        self.created_units.append(unit)
        return unit

    def _add_unit(self, unit: Unit) -> None:
        self.units[unit.id] = unit
        self._units_by_name.setdefault(_key(unit.name), []).append(unit)

    def inspection(self, round_id: str, unit_id: str, team: str) -> None:
        if (round_id, unit_id) in self.inspections:
            return
        self.inspections.add((round_id, unit_id))
        self.created_inspections.append(
            Inspection(
                id=f"I-{short_hash(round_id, unit_id, length=10)}",
                round_id=round_id,
                unit_id=unit_id,
                team=team or UNKNOWN,
            )
        )


@functools.lru_cache(maxsize=65536)  # asked for every row, about a few hundred names
def _key(name: str) -> str:
    """Names compare without spaces and with brackets half-width: 城关镇（街道） is 城关镇(街道)."""
    return re.sub(r"\s+", "", to_halfwidth(name))
