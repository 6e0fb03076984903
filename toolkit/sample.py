"""A seeded, deterministic sample ledger of a fictional city, 江州市, and its 11 counties/districts.

Why: trainers, tests, benchmarks and the demo app need a ledger that looks like a real one
(rounds of every kind, overdue items, clues that became cases, recurrences after a look-back)
without a single real name in it.

Calibration (scale 1). The whole ledger's totals are set to 衢州's published figures for about a
year of 市县一体巡察 (seed 003: 802 党组织 inspected, 10,782 problems, 514 clues, 163 persons
sanctioned, 10 referred to prosecution, 3,842万元 recovered): the number of distinct units
inspected lands near 802 (862 units, 60 of them never reached) and the problem, clue,
sanctioned, referred and recovered totals are allocated exactly (multinomially, seeded) over
the inspections and cases that exist by ``UNTIL``. ``scale`` multiplies the units and every
total; ``scale=93`` gives about one million problems (the benchmark).

The city: 市本级 departments, SOEs, colleges and hospitals, plus 11 counties/districts each with
departments (住建 and 人防 among them), townships, villages/communities, SOEs, schools and
hospitals. Two terms (六届 2017-2021, 七届 2022-2026), two city rounds and two rounds per county a
year, of every ``RoundKind``, named the way offices name them (七届市委第八轮巡察). 南塘区 transfers
few clues (the 南京/建邺 story) and 西山区 rectifies slowly (the 龙亭 story), so the peer
comparison has something to find. History runs to ``UNTIL``; the last round is still on site.

Person names are obviously fake (王某甲): the sample never looks like a real person.

Writing: the events are planned column by column and written in bulk (``_write_planned``: hash
chain, payloads and projection rows in chunks, current tables derived in SQL once), since a
million problems make 3.9M events; ``write_checked`` writes the same events one by one through
``Ledger.write`` with every rule checked, and a test holds the two (and a pinned digest) equal.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import random
from array import array
from pathlib import Path
from typing import Any

import numpy

from toolkit import models
from toolkit.events import (
    GENESIS_HASH,
    Event,
    EventKind,
    added_columns,
    added_table,
    encode_payload,
    projection_rows,
)
from toolkit.labels import chinese_number
from toolkit.models import (
    Assignment,
    Clue,
    DeadlineKind,
    Disposal,
    Inspection,
    Problem,
    ProblemStatus,
    Round,
    RoundKind,
    RoundLevel,
    Unit,
    UnitKind,
)

UNTIL = dt.date(2026, 11, 15)
CITY = "江州市"
CITY_REGION = "市本级"
REGIONS = (
    "东湖区",
    "西山区",
    "南塘区",
    "北岭区",
    "江口区",
    "新城区",
    "青溪县",
    "石门县",
    "白水县",
    "云岭县",
    "临江市",
)
REGION_CODES = dict(
    zip(REGIONS, ("DH", "XS", "NT", "BL", "JK", "XC", "QX", "SM", "BS", "YL", "LJ"), strict=True)
)
LOW_CLUE_REGION = "南塘区"
SLOW_REGION = "西山区"
TERMS = (("六届", 6, 2017), ("七届", 7, 2022))

TARGETS = {  # 衢州 (seed 003), scale 1
    "units_inspected": 802,
    "problems": 10_782,
    "clues": 514,
    "sanctioned": 163,
    "prosecuted": 10,
    "recovered_yuan": 38_420_000,
}
UNITS_NEVER_REACHED = 60

DEPARTMENT_SECTORS = (
    "住建",
    "人防",
    "教育",
    "卫健",
    "财政",
    "民政",
    "自然资源",
    "农业农村",
    "交通",
    "水利",
    "市场监管",
    "生态环境",
    "审计",
    "城管",
    "人社",
)
CITY_DEPARTMENT_SECTORS = DEPARTMENT_SECTORS + (
    "发改",
    "商务",
    "文旅",
    "公安",
    "司法",
    "统计",
    "金融",
    "应急",
    "林业",
    "体育",
    "医保",
    "档案",
    "国资",
    "科技",
    "工信",
    "退役军人",
    "信访",
    "机关事务",
    "残联",
    "妇联",
    "团委",
    "工商联",
    "科协",
    "侨联",
    "总工会",
    "供销",
    "粮食",
    "气象",
    "地震",
    "住房公积金",
    "城投",
    "港航",
    "口岸",
    "大数据",
    "经信",
    "招商",
    "广电",
    "新闻出版",
    "外办",
    "台办",
    "史志",
    "党校",
    "社科联",
    "文联",
    "红十字会",
    "老干部",
    "编办",
    "保密",
    "政研",
    "网信",
    "机要",
    "接待",
    "督查",
    "法制",
    "统战",
)
SECTOR_NAMES = {
    "住建": "住房和城乡建设局",
    "人防": "人民防空办公室",
    "教育": "教育局",
    "卫健": "卫生健康委员会",
    "财政": "财政局",
    "民政": "民政局",
    "自然资源": "自然资源和规划局",
    "农业农村": "农业农村局",
    "交通": "交通运输局",
    "水利": "水利局",
    "市场监管": "市场监督管理局",
    "生态环境": "生态环境分局",
    "审计": "审计局",
    "城管": "综合行政执法局",
    "人社": "人力资源和社会保障局",
}
TOWNSHIP_NAMES = ("城关", "桥头", "石桥", "柳塘", "新安", "云溪", "白沙", "双溪", "龙洲", "清水")
VILLAGE_STEMS = (
    "后厅",
    "方门街",
    "小牛厂",
    "大坪",
    "柳树湾",
    "石门坎",
    "白鹤",
    "青山",
    "杨家",
    "李村",
    "下洋",
    "上塘",
    "东岸",
    "西坞",
    "南岙",
    "北山",
    "高桥",
    "新屋",
    "老街",
    "田心",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "甲乙丙丁戊己庚辛壬癸"
POSTS = (
    "党支部书记",
    "村委会主任",
    "村会计",
    "科长",
    "副局长",
    "财务人员",
    "项目负责人",
    "站长",
    "副主任",
    "出纳",
)
CLUE_ISSUES = (
    "违规收受礼品礼金",
    "虚报冒领补贴资金",
    "违规插手工程项目",
    "挪用集体资金",
    "违规减免易地建设费",
    "公款旅游",
    "优亲厚友",
    "违规发放津补贴",
)
CATEGORY_TEMPLATES = {
    "贯彻落实党的路线方针政策": "贯彻落实上级重大决策部署不到位，{x}推进缓慢",
    "全面从严治党主体责任": "党组（党委）履行主体责任不力，{x}研究部署不够",
    "落实中央八项规定精神": "违反中央八项规定精神，{x}",
    "选人用人和干部管理": "选人用人程序不规范，{x}",
    "基层党组织建设": "基层党组织建设薄弱，{x}",
    "财务管理和资金使用": "财务管理不规范，{x}",
    "工程项目和招投标": "工程项目管理不规范，{x}",
    "人防易地建设费收缴": "人防易地建设费应收未收、违规减免，{x}",
    "集体“三资”管理": "集体“三资”管理混乱，{x}",
    "群众身边腐败和作风问题": "群众身边不正之风问题突出，{x}",
    "意识形态工作": "意识形态工作责任制落实不到位，{x}",
    "巡察整改落实": "上轮巡察反馈问题整改不彻底，{x}",
}
DETAILS = (
    "相关制度未建立",
    "台账资料不全",
    "审批程序缺失",
    "监督检查流于形式",
    "个别问题反复出现",
    "资金支付依据不足",
    "会议记录不完整",
    "未按规定公开公示",
)
FINANCIAL = {"财务管理和资金使用", "工程项目和招投标", "人防易地建设费收缴", "集体“三资”管理"}
CITY_ROUND_KINDS = {
    "六届": (
        "regular",
        "regular",
        "special",
        "regular",
        "elevated",
        "regular",
        "mobile",
        "special",
        "look_back",
        "regular",
    ),
    "七届": (
        "regular",
        "integrated",
        "regular",
        "cross",
        "linked",
        "regular",
        "look_back",
        "extension",
        "mobile",
        "regular",
    ),
}
SPECIAL_TOPICS = {3: "扶贫领域", 8: "人防系统"}
CN_NUM = "零一二三四五六七八九十"


def _department_name(sector: str) -> str:
    if sector in SECTOR_NAMES:
        return SECTOR_NAMES[sector]
    return sector if sector[-1] in "会联办委校馆局院" else sector + "局"


@dataclasses.dataclass
class PlannedEvent:
    """One step of a record's history before it is written (sorted by date, then by plan order)."""

    at: dt.date
    order: int
    kind: EventKind
    entity: str
    record: models.Record | None = None
    record_id: str = ""
    fields: dict = dataclasses.field(default_factory=dict)
    why: str = ""
    by: str = ""


@dataclasses.dataclass
class Sample:
    units: list[Unit]
    rounds: list[Round]
    inspections: list[Inspection]
    events: list[PlannedEvent]


KINDS = tuple(EventKind)
ENTITIES = models.RECORD_ORDER
_OPEN = ProblemStatus.OPEN.value
_OTHER_CATEGORIES = tuple(c for c in models.PROBLEM_CATEGORIES if c != "人防易地建设费收缴")
RESPONSIBLE = ("办公室", "财务科", "党建办", "计划财务科", "综合科", "项目办")
# the order ``_problem`` writes a problem's values in
_PROBLEM_FIELDS = (
    "id",
    "round_id",
    "unit_id",
    "category",
    "description",
    "found_on",
    "due",
    "deadline",
    "status",
    "common",
    "team",
    "responsible",
    "amount_yuan",
    "rectified_on",
    "closed_on",
)
assert models.field_names(Problem) == _PROBLEM_FIELDS, "sample._problem writes Problem's fields in order"


@dataclasses.dataclass(frozen=True, slots=True)
class _Change:
    """A change event's fields, encoded once for every event that sets the same values."""

    fields: tuple[tuple[str, Any], ...]
    payload: str
    rows: tuple[tuple[str, str], ...]  # (field, value) rows of the ``changes`` projection


class _Planned:
    """The planned events column by column: millions of event objects would not fit in memory.

    An event is its date, its header (kind, entity, why, by: a few hundred distinct ones, kept
    once in ``headers``), its record id and its body: an added record's values in field order
    (vocabularies as their codes), or a change's shared ``_Change``."""

    def __init__(self) -> None:
        self.at = array("i")  # date ordinals
        self.head = array("I")  # index into headers
        self.record_id: list[str] = []
        self.body: list[tuple | _Change] = []
        self.headers: list[tuple[int, int, str, str]] = []  # (kind, entity) indexes, why, by
        self._header_index: dict[tuple, int] = {}
        self._changes: dict[tuple, _Change] = {}

    def __len__(self) -> int:
        return len(self.record_id)

    def header(self, kind: EventKind, entity: str, why: str, by: str) -> int:
        key = (KINDS.index(kind), ENTITIES.index(entity), why, by)
        index = self._header_index.get(key)
        if index is None:
            index = self._header_index[key] = len(self.headers)
            self.headers.append(key)
        return index

    def change(self, kind: EventKind, entity: str, fields: tuple[tuple[str, Any], ...]) -> _Change:
        key = (kind, entity, fields)
        found = self._changes.get(key)
        if found is None:
            payload = encode_payload(dict(fields))
            probe = Event(0, dt.date.min, dt.datetime.min, "", "", str(kind), entity, "", payload, "", "")
            rows = tuple((row[2], row[3]) for _, row in projection_rows(probe))
            found = self._changes[key] = _Change(fields, payload, rows)
        return found

    def add(self, at: dt.date, kind: EventKind, entity: str, record_id: str, body, why: str, by: str) -> None:
        self.raw(at, self.header(kind, entity, why, by), record_id, body)

    def raw(self, at: dt.date, head: int, record_id: str, body) -> None:
        """``add`` with the header as its index (a million problems' events)."""
        self.at.append(at.toordinal())
        self.head.append(head)
        self.record_id.append(record_id)
        self.body.append(body)

    def order(self):
        """Plan positions in write order: by date, then by plan order (a stable sort)."""
        return numpy.argsort(numpy.frombuffer(self.at, dtype=numpy.int32), kind="stable")

    def events(self) -> list[PlannedEvent]:
        """The planned events as objects, in write order (records built, so validated)."""
        out = []
        for i in self.order().tolist():
            kind, entity, why, by = self.headers[self.head[i]]
            kind, entity, body = KINDS[kind], ENTITIES[entity], self.body[i]
            record, fields = None, {}
            if isinstance(body, _Change):
                fields = dict(body.fields)
            else:
                record = models.RECORD_TYPES[entity](*body)
            at = dt.date.fromordinal(self.at[i])
            out.append(PlannedEvent(at, i, kind, entity, record, self.record_id[i], fields, why, by))
        return out


def _record_values(record: models.Record) -> tuple:
    """A record's values in field order, vocabularies as their codes (as the ledger keeps them)."""
    return tuple(v.value if isinstance(v, enum.Enum) else v for v in record.to_dict().values())


def _draws(rng: random.Random):
    """``randint`` and ``choice`` drawing exactly what ``rng.randint``/``rng.choice`` draw (the same
    ``getrandbits`` calls, so the sample does not change) without their layers of Python calls."""
    getrandbits = rng.getrandbits

    def randint(a: int, b: int) -> int:
        n = b - a + 1
        if n <= 0:
            raise ValueError(f"empty range for randint({a}, {b})")
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return a + r

    def choice(seq):
        n = len(seq)
        if not n:
            raise IndexError("Cannot choose from an empty sequence")
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return seq[r]

    return randint, choice


class _Builder:
    def __init__(self, scale: int, seed: int) -> None:
        if scale < 1:
            raise ValueError(f"scale: must be a positive integer, got {scale!r}")
        self.scale = scale
        self.rng = random.Random(seed)
        self.randint, self.choice = _draws(self.rng)
        self.planned = _Planned()
        self.units: list[Unit] = []
        self.rounds: list[Round] = []
        self.inspections: list[Inspection] = []
        self.round_units: dict[str, list[Inspection]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._dated_changes: dict[tuple, _Change] = {}
        status = EventKind.STATUS_CHANGED
        self._ongoing = self.planned.change(status, "problem", (("status", ProblemStatus.ONGOING),))
        self._in_progress = self.planned.change(status, "problem", (("status", ProblemStatus.IN_PROGRESS),))
        self._closed_head = self.planned.header(
            EventKind.CLOSED_OUT, "problem", "经验收合格，予以销号", "市纪委监委党风政风监督室"
        )

    def plan(self, at, kind, entity, *, record=None, record_id="", fields=None, why="", by="") -> None:
        if record is not None:
            body = _record_values(record)
            record_id = record_id or record.id
        else:
            body = self.planned.change(kind, entity, tuple((fields or {}).items()))
        self.planned.add(at, kind, entity, record_id, body, why, by)

    # ---- units ----------------------------------------------------------------------------
    def make_units(self) -> None:
        n = 0

        def unit(name, region, sector, kind):
            nonlocal n
            n += 1
            self.units.append(Unit(f"U{n:06d}", name, region, sector, kind))

        for copy in range(self.scale):
            tag = "" if copy == 0 else f"（{copy + 1}片区）"
            for sector in CITY_DEPARTMENT_SECTORS[:70]:
                unit(
                    f"{CITY}{_department_name(sector)}党组{tag}",
                    CITY_REGION,
                    sector,
                    UnitKind.DEPARTMENT,
                )
            for i, sector in enumerate(
                (
                    "城投",
                    "交通",
                    "水务",
                    "文旅",
                    "国资",
                    "港航",
                    "住建",
                    "粮食",
                    "供销",
                    "金融",
                    "能源",
                    "公交",
                )
            ):
                unit(
                    f"{CITY}{sector}集团有限公司党委{tag}" if i else f"{CITY}城市建设投资集团党委{tag}",
                    CITY_REGION,
                    sector,
                    UnitKind.SOE,
                )
            for i in range(6):
                unit(
                    f"{CITY}第{chinese_number(i + 1)}职业技术学院党委{tag}",
                    CITY_REGION,
                    "教育",
                    UnitKind.SCHOOL,
                )
            for i in range(4):
                unit(
                    f"{CITY}第{chinese_number(i + 1)}人民医院党委{tag}",
                    CITY_REGION,
                    "卫健",
                    UnitKind.HOSPITAL,
                )
            for region in REGIONS:
                short = region[:-1]
                for sector in DEPARTMENT_SECTORS:
                    unit(f"{short}{SECTOR_NAMES[sector]}党组{tag}", region, sector, UnitKind.DEPARTMENT)
                for t in TOWNSHIP_NAMES[:6]:
                    suffix = "街道党工委" if region.endswith("区") else "镇党委"
                    unit(f"{short}{t}{suffix}{tag}", region, "乡镇街道", UnitKind.TOWNSHIP)
                for v in range(40):
                    stem = VILLAGE_STEMS[v % len(VILLAGE_STEMS)] + ("" if v < 20 else "新")
                    place = "社区" if region.endswith("区") else "村"
                    unit(
                        f"{short}{TOWNSHIP_NAMES[v % 6]}{stem}{place}党组织{tag}",
                        region,
                        "村社",
                        UnitKind.VILLAGE,
                    )
                for s in ("城投", "水务", "交通"):
                    unit(f"{short}{s}公司党支部{tag}", region, s, UnitKind.SOE)
                for s in range(4):
                    unit(f"{short}第{chinese_number(s + 1)}中学党总支{tag}", region, "教育", UnitKind.SCHOOL)
                for s in ("人民医院", "中医院"):
                    unit(f"{short}{s}党委{tag}", region, "卫健", UnitKind.HOSPITAL)
        for u in self.units:
            self.plan(
                dt.date(2017, 1, 1),
                EventKind.ADDED,
                "unit",
                record=u,
                why="建立被巡察单位名录",
                by="市委巡察办",
            )

    # ---- rounds and inspections -------------------------------------------------------------
    def make_rounds(self) -> None:
        rng = self.rng
        reachable = list(self.units)
        rng.shuffle(reachable)
        never = {u.id for u in reachable[: UNITS_NEVER_REACHED * self.scale]}
        self.never = never
        pool = [u for u in self.units if u.id not in never]
        by_region: dict[str, list[Unit]] = {}
        for u in pool:
            by_region.setdefault(u.region, []).append(u)
        # Each reachable unit is inspected once per term with p=0.86; those missed in both terms
        # are given to the second term (coverage counts units, so every reachable one is reached).
        plan: dict[str, list[Unit]] = {"六届": [], "七届": []}
        for u in pool:
            a, b = rng.random() < 0.86, rng.random() < 0.86
            if not (a or b):
                b = True
            if a:
                plan["六届"].append(u)
            if b:
                plan["七届"].append(u)
        for term, term_no, first_year in TERMS:
            units = plan[term]
            city_units = [u for u in units if u.region == CITY_REGION]
            county_units = {r: [u for u in units if u.region == r] for r in REGIONS}
            self._city_rounds(term, term_no, first_year, city_units)
            for region in REGIONS:
                self._county_rounds(term, first_year, region, county_units[region])

    def _dates(self, year: int, half: int) -> tuple[dt.date, dt.date, dt.date]:
        start = dt.date(year, 3 if half == 0 else 9, 1) + dt.timedelta(days=self.rng.randint(0, 20))
        end = start + dt.timedelta(days=self.rng.randint(45, 60))
        return start, end, end + dt.timedelta(days=self.rng.randint(20, 40))

    def _city_rounds(self, term, term_no, first_year, units) -> None:
        kinds = CITY_ROUND_KINDS[term]
        chunks = _split(units, 10 - kinds.count("look_back"), self.rng)
        previous: Round | None = None
        for i, kind in enumerate(kinds):
            number = i + 1
            start, end, feedback = self._dates(first_year + i // 2, i % 2)
            name = f"{term}市委第{chinese_number(number)}轮巡察"
            if kind == "special":
                name += f"（{SPECIAL_TOPICS.get(number, '专项')}专项巡察）"
            elif kind == "look_back":
                name += "（巡察整改“回头看”）"
            elif kind != "regular":
                name += f"（{models.RoundKind(kind).label_zh}）"
            rnd = Round(
                f"R{term_no}-CITY-{number:02d}",
                name,
                term,
                number,
                kind,
                RoundLevel.CITY,
                CITY_REGION,
                start,
                end,
                feedback,
                looks_back_at=previous.id if kind == "look_back" and previous else None,
            )
            if kind == "look_back" and previous:
                prior = self.round_units[previous.id]
                targets = [
                    self.unit_by_id[i.unit_id] for i in self.rng.sample(prior, max(1, len(prior) // 3))
                ]
            else:
                targets = chunks.pop(0)
                if kind in ("elevated", "cross", "linked", "integrated", "mobile"):  # reach into counties too
                    extra = [
                        u
                        for u in self.units
                        if u.region != CITY_REGION
                        and u.id not in self.never
                        and u.unit_kind is UnitKind.DEPARTMENT
                        and u.sector in ("住建", "人防", "民政")
                    ]
                    targets = targets + self.rng.sample(extra, min(len(extra), 4 * self.scale))
            self._add_round(rnd, targets, [f"市委第{chinese_number(t + 1)}巡察组" for t in range(6)])
            previous = rnd

    def _county_rounds(self, term, first_year, region, units) -> None:
        code = REGION_CODES[region]
        term_no = 6 if term == "六届" else 7
        chunks = _split(units, 9, self.rng)
        kinds = ["regular"] * 10
        kinds[3], kinds[6], kinds[8] = "extension", "look_back", "extension"
        previous = None
        for i, kind in enumerate(kinds):
            number = i + 1
            start, end, feedback = self._dates(first_year + i // 2, i % 2)
            name = f"{term}{region}委第{chinese_number(number)}轮巡察"
            if kind == "look_back":
                name += "（巡察整改“回头看”）"
            elif kind == "extension":
                name += "（村社延伸巡察）"
            rnd = Round(
                f"R{term_no}-{code}-{number:02d}",
                name,
                term,
                number,
                kind,
                RoundLevel.COUNTY,
                region,
                start,
                end,
                feedback,
                looks_back_at=previous.id if kind == "look_back" and previous else None,
            )
            if kind == "look_back" and previous:
                prior = self.round_units[previous.id]
                targets = [
                    self.unit_by_id[x.unit_id] for x in self.rng.sample(prior, max(1, len(prior) // 2))
                ]
            else:
                targets = chunks.pop(0)
            self._add_round(rnd, targets, [f"{region}委第{chinese_number(t + 1)}巡察组" for t in range(3)])
            previous = rnd

    def _add_round(self, rnd: Round, targets: list[Unit], teams: list[str]) -> None:
        self.rounds.append(rnd)
        self.plan(
            rnd.start - dt.timedelta(days=7),
            EventKind.ADDED,
            "round",
            record=rnd,
            why="巡察工作领导小组审定巡察计划",
            by="市委巡察办" if rnd.level is RoundLevel.CITY else f"{rnd.region}委巡察办",
        )
        done = []
        for k, unit in enumerate(targets):
            insp = Inspection(
                f"I{len(self.inspections) + 1:07d}",
                rnd.id,
                unit.id,
                teams[k % len(teams)],
                public_reports=self.rng.randint(0, 30),
            )
            self.inspections.append(insp)
            done.append(insp)
            if rnd.start <= UNTIL:
                self.plan(
                    rnd.start, EventKind.ADDED, "inspection", record=insp, why="巡察组进驻", by=insp.team
                )
        self.round_units[rnd.id] = done

    # ---- problems ------------------------------------------------------------------------------
    def make_problems(self) -> None:
        rng = self.rng
        choice = self.choice
        header = self.planned.header
        rounds = {r.id: r for r in self.rounds}
        eligible = [i for i in self.inspections if rounds[i.round_id].feedback_on <= UNTIL]
        weights = [0.5 if rounds[i.round_id].round_kind is RoundKind.LOOK_BACK else 1.0 for i in eligible]
        counts = _multinomial(TARGETS["problems"] * self.scale, weights, rng)
        history: dict[str, list[str]] = {}  # unit -> categories rectified before (for recurrences)
        eligible_sorted = sorted(
            zip(eligible, counts, strict=True), key=lambda p: rounds[p[0].round_id].start
        )
        n = 0
        for insp, count in eligible_sorted:
            rnd = rounds[insp.round_id]
            unit = self.unit_by_id[insp.unit_id]
            prior = history.get(unit.id, [])
            recur_p = 0.5 if rnd.round_kind is RoundKind.LOOK_BACK else 0.12
            office = f"{unit.region}巡察办" if unit.region != CITY_REGION else "市委巡察办"
            heads = (
                header(EventKind.ADDED, "problem", "巡察反馈问题清单", insp.team),
                header(EventKind.STATUS_CHANGED, "problem", "立行立改，当场整改到位", office),
                header(EventKind.STATUS_CHANGED, "problem", "制定长效机制，长期坚持", office),
                header(EventKind.STATUS_CHANGED, "problem", "报送整改方案", office),
                header(EventKind.DEADLINE_EXTENDED, "problem", "经巡察工作领导小组批准延期", office),
                header(EventKind.STATUS_CHANGED, "problem", "整改完成，报送佐证材料", office),
            )
            ctx = (rnd, unit.id, unit.region == SLOW_REGION, heads)
            for _ in range(count):
                n += 1
                category = choice(prior) if prior and rng.random() < recur_p else self._category(unit)
                self._problem(f"P{n:08d}", ctx, insp.team, category)
                history.setdefault(unit.id, []).append(category)

    def _category(self, unit: Unit) -> str:
        if unit.sector in ("人防", "住建") and self.rng.random() < 0.35:
            return "人防易地建设费收缴"
        if unit.unit_kind is UnitKind.VILLAGE and self.rng.random() < 0.4:
            return "集体“三资”管理"
        return self.choice(_OTHER_CATEGORIES)

    def _dated(self, kind: EventKind, field: str, status: ProblemStatus | None, day: dt.date) -> _Change:
        """The change setting ``field`` (and ``status``) to ``day``: one per kind and day."""
        key = (kind, field, day)
        found = self._dated_changes.get(key)
        if found is None:
            fields = ((("status", status),) if status else ()) + ((field, day),)
            found = self._dated_changes[key] = self.planned.change(kind, "problem", fields)
        return found

    def _problem(self, pid: str, ctx: tuple, team: str, category: str) -> None:
        """A problem found in a round, and its rectification (added straight as its values: the
        checked path, ``generate``, builds it as a ``Problem``)."""
        rng, randint, choice = self.rng, self.randint, self.choice
        rnd, unit_id, slow, heads = ctx
        found = rnd.start + dt.timedelta(days=randint(0, (rnd.end - rnd.start).days))
        roll = rng.random()
        if roll < 0.08:
            deadline, due = DeadlineKind.IMMEDIATE, rnd.feedback_on
        elif roll < 0.15:
            deadline, due = DeadlineKind.ONGOING, None
        else:
            deadline, due = (
                DeadlineKind.DATED,
                rnd.feedback_on + dt.timedelta(days=choice((60, 90, 90, 120, 180))),
            )
        amount = (
            int(rng.lognormvariate(11, 1.4)) // 100 * 100
            if category in FINANCIAL and rng.random() < 0.6
            else 0
        )
        detail = choice(DETAILS)
        description = self._descriptions.get((category, detail))
        if description is None:
            description = CATEGORY_TEMPLATES[category].format(x=detail)
            self._descriptions[(category, detail)] = description
        values = (
            pid,
            rnd.id,
            unit_id,
            category,
            description,
            found,
            due,
            deadline.value,
            _OPEN,
            rng.random() < 0.3,
            team,
            choice(RESPONSIBLE),
            amount,
            None,
            None,
        )
        raw = self.planned.raw
        raw(rnd.feedback_on, heads[0], pid, values)
        start = rnd.feedback_on + dt.timedelta(days=randint(3, 25))
        if start > UNTIL:
            return
        if deadline is DeadlineKind.IMMEDIATE and rng.random() < 0.85:
            # 立行立改: fixed while the team is on site, confirmed at feedback.
            done = rnd.feedback_on
            body = self._dated(EventKind.STATUS_CHANGED, "rectified_on", ProblemStatus.RECTIFIED, done)
            raw(done, heads[1], pid, body)
            self._close_out(pid, done)
            return
        if deadline is DeadlineKind.ONGOING:
            raw(start, heads[2], pid, self._ongoing)
            return
        raw(start, heads[3], pid, self._in_progress)
        if rng.random() < (0.10 if slow else 0.03):
            return  # stuck: never rectified, turns red
        if deadline is DeadlineKind.DATED and rng.random() < 0.06:
            ext_at = max(start, due - dt.timedelta(days=randint(0, 15)))
            if ext_at <= UNTIL:
                due = due + dt.timedelta(days=choice((60, 90)))
                raw(ext_at, heads[4], pid, self._dated(EventKind.DEADLINE_EXTENDED, "due", None, due))
        late = rng.random() < (0.35 if slow else 0.15)
        offset = randint(1, 90) if late else -randint(0, 40)
        done = max(start + dt.timedelta(days=1), due + dt.timedelta(days=offset))
        if done > UNTIL:
            return
        body = self._dated(EventKind.STATUS_CHANGED, "rectified_on", ProblemStatus.RECTIFIED, done)
        raw(done, heads[5], pid, body)
        self._close_out(pid, done)

    def _close_out(self, pid: str, done: dt.date) -> None:
        if self.rng.random() < 0.75:
            closed = done + dt.timedelta(days=self.randint(20, 120))
            if closed <= UNTIL:
                body = self._dated(EventKind.CLOSED_OUT, "closed_on", ProblemStatus.CLOSED, closed)
                self.planned.raw(closed, self._closed_head, pid, body)

    # ---- clues -----------------------------------------------------------------------------------
    def make_clues(self) -> None:
        rng = self.rng
        rounds = {r.id: r for r in self.rounds}
        eligible = [i for i in self.inspections if rounds[i.round_id].feedback_on <= UNTIL]
        weights = [0.3 if self.unit_by_id[i.unit_id].region == LOW_CLUE_REGION else 1.0 for i in eligible]
        counts = _multinomial(TARGETS["clues"] * self.scale, weights, rng)
        clues: list[Clue] = []
        for insp, count in zip(eligible, counts, strict=True):
            rnd = rounds[insp.round_id]
            for _ in range(count):
                clues.append(self._clue(f"C{len(clues) + 1:07d}", rnd, insp))
        cases = [c for c in clues if c.disposal is Disposal.CASE]
        self._outcomes(cases)

    def _clue(self, cid: str, rnd: Round, insp: Inspection) -> Clue:
        rng = self.rng
        post = rng.choice(POSTS)
        name = rng.choice(SURNAMES) + "某" + rng.choice(GIVEN)
        transferred = rnd.start + dt.timedelta(days=rng.randint(10, (rnd.feedback_on - rnd.start).days))
        source = rng.choices(("巡察发现", "群众反映", "审计移送"), (0.6, 0.3, 0.1))[0]
        clue = Clue(
            cid,
            rnd.id,
            insp.unit_id,
            f"反映{post}{name}{rng.choice(CLUE_ISSUES)}问题",
            name,
            post,
            source,
            transferred,
        )
        commission = "市纪委监委" if rnd.level is RoundLevel.CITY else f"{rnd.region}纪委监委"
        self.plan(transferred, EventKind.ADDED, "clue", record=clue, why="巡察组移交问题线索", by=insp.team)
        disposed = transferred + dt.timedelta(days=rng.randint(20, 120))
        if disposed > UNTIL:
            return clue
        disposal = rng.choices(
            [Disposal.TALK, Disposal.VERIFY, Disposal.SHELVE, Disposal.CLOSE], (0.40, 0.42, 0.06, 0.12)
        )[0]
        self.plan(
            disposed,
            EventKind.CLUE_DISPOSED,
            "clue",
            record_id=cid,
            fields={"disposal": disposal, "disposed_on": disposed},
            why="线索处置完毕",
            by=commission,
        )
        if disposal is Disposal.VERIFY and rng.random() < 0.62:
            opened = disposed + dt.timedelta(days=rng.randint(5, 90))
            if opened <= UNTIL:
                self.plan(
                    opened,
                    EventKind.CASE_OPENED,
                    "clue",
                    record_id=cid,
                    fields={"disposal": Disposal.CASE, "case_opened_on": opened},
                    why="初步核实后立案审查调查",
                    by=commission,
                )
                return dataclasses.replace(
                    clue, disposal=Disposal.CASE, disposed_on=disposed, case_opened_on=opened
                )
        return clue

    def _outcomes(self, cases: list[Clue]) -> None:
        """Allocate the calibrated totals over cases whose outcome is known by ``UNTIL``."""
        rng = self.rng
        decided = []
        for c in cases:
            at = c.case_opened_on + dt.timedelta(days=rng.randint(60, 240))
            if at <= UNTIL:
                decided.append((c, at))
        if not decided:
            return
        s = self.scale
        sanctioned = [1] * len(decided)
        extra = max(0, TARGETS["sanctioned"] * s - len(decided))
        for i, k in enumerate(_multinomial(extra, [1.0] * len(decided), rng)):
            sanctioned[i] += k
        if len(decided) > TARGETS["sanctioned"] * s:
            sanctioned = [1 if i < TARGETS["sanctioned"] * s else 0 for i in range(len(decided))]
        prosecuted = [0] * len(decided)
        for i in rng.sample(range(len(decided)), min(len(decided), TARGETS["prosecuted"] * s)):
            prosecuted[i] = 1
        weights = [rng.lognormvariate(0, 1.2) for _ in decided]
        recovered = _allocate_amount(TARGETS["recovered_yuan"] * s, weights)
        for (clue, at), a, b, y in zip(decided, sanctioned, prosecuted, recovered, strict=True):
            commission = "市纪委监委" if clue.round_id.split("-")[1] == "CITY" else "县（区）纪委监委"
            self.plan(
                at,
                EventKind.OUTCOME_RECORDED,
                "clue",
                record_id=clue.id,
                fields={"sanctioned": a, "prosecuted": b, "recovered_yuan": y},
                why="审查调查终结，作出处理",
                by=commission,
            )

    # ---- assignments ----------------------------------------------------------------------------
    def make_assignments(self) -> None:
        rng = self.rng
        topics = (
            "完善巡察底稿制度",
            "推动问题线索移交办理",
            "规范巡察整改日常监督",
            "开展村社延伸巡察",
            "加强巡察干部队伍建设",
            "落实巡察整改“回头看”",
        )
        n = 0
        for year in range(2019, UNTIL.year + 1):
            for _ in range(8 * self.scale):
                n += 1
                region = rng.choice(REGIONS)
                assigned = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                if assigned > UNTIL:
                    continue
                due = assigned + dt.timedelta(days=rng.choice((30, 45, 60)))
                a = Assignment(f"A{n:06d}", f"督促{region}巡察办{rng.choice(topics)}", region, assigned, due)
                self.plan(
                    assigned, EventKind.ADDED, "assignment", record=a, why="线上交办事项", by="市委巡察办"
                )
                roll = rng.random()
                reported = (
                    due - dt.timedelta(days=rng.randint(0, 20))
                    if roll < 0.8
                    else due + dt.timedelta(days=rng.randint(1, 30))
                    if roll < 0.92
                    else None
                )
                if reported is not None and assigned <= reported <= UNTIL:
                    self.plan(
                        reported,
                        EventKind.ASSIGNMENT_REPORTED,
                        "assignment",
                        record_id=a.id,
                        fields={"reported_on": reported},
                        why="书面报告办理情况",
                        by=f"{region}巡察办",
                    )

    def build(self) -> _Planned:
        self.make_units()
        self.unit_by_id = {u.id: u for u in self.units}
        self.make_rounds()
        self.make_problems()
        self.make_clues()
        self.make_assignments()
        return self.planned


def _split(items: list, parts: int, rng: random.Random) -> list[list]:
    items = list(items)
    rng.shuffle(items)
    return [items[i::parts] for i in range(parts)]


def _multinomial(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Exactly ``total`` items spread over ``weights`` (seeded): calibrated totals stay exact."""
    counts = [0] * len(weights)
    if not weights or total <= 0:
        return counts
    for index in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[index] += 1
    return counts


def _allocate_amount(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` 元 in proportion to ``weights``, in whole 100 元, summing exactly."""
    hundreds = total // 100
    scale = sum(weights)
    shares = [int(hundreds * w / scale) for w in weights]
    shares[0] += hundreds - sum(shares)
    out = [s * 100 for s in shares]
    out[0] += total - sum(out)
    return out


def generate(scale: int = 1, seed: int = 2021) -> Sample:
    """The sample as records and planned events, nothing written yet."""
    builder = _Builder(scale, seed)
    planned = builder.build()
    return Sample(builder.units, builder.rounds, builder.inspections, planned.events())


def sample_clock(at: dt.date) -> dt.datetime:
    """Deterministic ``recorded_at``: the working day's 17:30 (the same seed gives the same bytes)."""
    return dt.datetime.combine(at, dt.time(17, 30))


WRITER = "样例生成器"
WRITE_CHUNK = 100_000  # events encoded, hashed and appended at a time
MEMORY_LIMIT = "500MB"  # DuckDB's, while the sample is written (a million problems: 3.9M events)


def build_sample(
    out: str | Path, scale: int = 1, seed: int = 2021, *, overwrite: bool = False
) -> dict[str, int]:
    """Write the sample ledger to ``out`` (a new DuckDB file or an empty PostgreSQL database)."""
    from toolkit.ledger import Ledger
    from toolkit.store import collector_paused, is_url, open_store

    if not is_url(out):
        path = Path(out)
        published = path.with_name(path.name + ".published")
        if path.exists() or published.exists():
            if not overwrite:
                raise FileExistsError(f"{path} exists (pass overwrite=True / --force to replace it)")
            path.unlink(missing_ok=True)
            for f in published.glob("*") if published.exists() else []:
                f.unlink()
    store = open_store(out)
    if store.exists():  # ledger tables already there (PostgreSQL): append through the checked path
        write_checked(out, generate(scale, seed))
    else:
        with collector_paused():
            planned = _Builder(scale, seed).build()
            with store.write_session(create=True) as session:
                if session.dialect == "duckdb":  # beyond it DuckDB spills to the file's .tmp folder
                    session.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
                _write_planned(session, planned)
                del planned
                session.materialize_current()
    with Ledger.open(out) as ledger:
        return ledger.counts()


def write_checked(out: str | Path, sample: Sample) -> None:
    """Write ``sample`` event by event through ``Ledger.write``, every rule checked on the way.

    ``build_sample`` writes the same events in bulk (``_write_planned``); a test compares the two."""
    from toolkit.ledger import Ledger

    with Ledger.write(out, by=WRITER, clock=sample_clock, create=True) as tx:
        for e in sample.events:
            if e.kind is EventKind.ADDED:
                tx.add(e.record, at=e.at, why=e.why, by=e.by)
            else:
                tx.change(e.entity, e.record_id, e.kind, at=e.at, why=e.why, by=e.by, **e.fields)


def _write_planned(session, planned: _Planned) -> None:
    """Append the planned events to a new ledger in write order, with their hash chain and
    projection rows: what ``write_checked`` writes, without an object and a validation per event
    (the records and changes come from this module; ``write_checked`` is the checked path).
    Consumes ``planned`` (each record's values are let go once written)."""
    import pyarrow as pa

    encoders = [_payload_encoder([n for n, _ in added_columns(e)][:-2]) for e in ENTITIES]
    tables = [added_table(e) for e in ENTITIES]
    headers = planned.headers
    entity_of = [entity for _, entity, _, _ in headers]
    names = pa.array(ENTITIES, pa.string())
    columns = {  # events' header columns, one value per header
        "by": pa.array([by or WRITER for *_, by in headers], pa.string()),
        "why": pa.array([why for *_, why, _ in headers], pa.string()),
        "kind": pa.array([str(KINDS[kind]) for kind, *_ in headers], pa.string()),
        "entity": pa.array([ENTITIES[entity] for entity in entity_of], pa.string()),
    }
    # by, why, kind, entity as they sit in the hashed body (events.event_hash), joined once
    middle = ["\x1f".join(c[i].as_py() for c in columns.values()) for i in range(len(headers))]
    ordinals = numpy.frombuffer(planned.at, dtype=numpy.int32)
    first = int(ordinals.min()) if len(ordinals) else 0
    dates = [dt.date.fromordinal(first + d) for d in range(int(ordinals.max()) - first + 1)] if first else []
    clock = [sample_clock(d) for d in dates]
    when = [
        d.isoformat() + "\x1f" + c.isoformat(timespec="microseconds")
        for d, c in zip(dates, clock, strict=True)
    ]
    epoch = dt.datetime(1970, 1, 1)
    days = numpy.array([(d - epoch.date()).days for d in dates], dtype=numpy.int32)
    micros = numpy.array([(c - epoch) // dt.timedelta(microseconds=1) for c in clock], dtype=numpy.int64)
    at, head, record_id, body = planned.at, planned.head, planned.record_id, planned.body
    heads = numpy.frombuffer(head, dtype=numpy.uint32)
    sha256 = hashlib.sha256

    def append(first_seq, chunk, ids, payloads, hashes, first_prev, added, changes) -> None:
        offsets, chunk_heads = ordinals[chunk] - first, heads[chunk]
        session.append_columns(
            "events",
            [
                pa.array(numpy.arange(first_seq, first_seq + len(chunk), dtype=numpy.int64)),
                pa.array(days[offsets]).view(pa.date32()),
                pa.array(micros[offsets]).view(pa.timestamp("us")),
                columns["by"].take(chunk_heads),
                columns["why"].take(chunk_heads),
                columns["kind"].take(chunk_heads),
                columns["entity"].take(chunk_heads),
                ids,
                payloads,
                [first_prev, *hashes[:-1]],
                hashes,
            ],
        )
        for table, rows in zip(tables, added, strict=True):
            if rows:
                *values, d, s = zip(*rows, strict=True)
                session.append_columns(table, [*values, [dates[x] for x in d], s])
        if changes:
            e, rid, field, value, d, s = zip(*changes, strict=True)
            session.append_columns("changes", [names.take(e), rid, field, value, [dates[x] for x in d], s])

    prev, seq = GENESIS_HASH, 0
    order = planned.order()
    # the database appends one chunk while the next is hashed (DuckDB lets go of the GIL)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as appender:
        appending = None
        for start in range(0, len(order), WRITE_CHUNK):
            chunk = order[start : start + WRITE_CHUNK]
            ids: list[str] = []
            payloads: list[str] = []
            hashes: list[str] = []
            changes: list[tuple] = []
            added: list[list[tuple]] = [[] for _ in ENTITIES]
            first_seq, first_prev = seq + 1, prev
            for i in chunk.tolist():
                seq += 1
                d, h, rid, b = at[i] - first, head[i], record_id[i], body[i]
                if type(b) is _Change:
                    payload = b.payload
                    for field, value in b.rows:
                        changes.append((entity_of[h], rid, field, value, d, seq))
                else:
                    e = entity_of[h]
                    payload = encoders[e](b)
                    added[e].append((*b, d, seq))
                    body[i] = None
                text = "\x1f".join((str(seq), when[d], middle[h], rid, payload, prev))
                prev = sha256(text.encode("utf-8")).hexdigest()
                ids.append(rid)
                payloads.append(payload)
                hashes.append(prev)
            if appending is not None:
                appending.result()
            batch = (first_seq, chunk, ids, payloads, hashes, first_prev, added, changes)
            appending = appender.submit(append, *batch)
        if appending is not None:
            appending.result()


def _payload_encoder(names: list[str]):
    """``encode_payload`` of a record's values in field order, as one function of the values
    (the keys sorted once, not per record); values of other kinds go through ``encode_payload``."""
    order = sorted(range(len(names)), key=names.__getitem__)
    keys = [(json.encoder.encode_basestring(names[j]) + ":", j) for j in order]
    string = json.encoder.encode_basestring

    def encode(values: tuple) -> str:
        parts = []
        for key, j in keys:
            v = values[j]
            t = type(v)
            if t is str:
                parts.append(key + string(v))
            elif v is None:
                parts.append(key + "null")
            elif t is bool:
                parts.append(key + ("true" if v else "false"))
            elif t is int:
                parts.append(key + int.__repr__(v))
            elif t is dt.date:
                parts.append(key + '"' + v.isoformat() + '"')
            else:
                parts.append(key + encode_payload({"": v})[4:-1])
        return "{" + ",".join(parts) + "}"

    return encode
