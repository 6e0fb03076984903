"""Column aliases and value synonyms, kept as data so an office can extend them without code.

Every team and county names its columns its own way (问题描述 / 巡察反馈的问题 / 问题内容). The
importer recognises a column by comparing its cleaned header (spaces removed, full-width brackets
made half-width, a trailing unit such as ``（万元）`` split off) against the lists below. The kind
of ledger (rectification ledger 整改台账 or clue ledger 问题线索台账) is recognised from which
fields its header row names: a clue ledger names 被反映人 or 线索*, a rectification ledger 问题描述
and 整改*.

To add a synonym, append it to the right list; nothing else changes.
"""

from __future__ import annotations

import dataclasses
import re

from toolkit.models import Disposal, ProblemStatus

PROBLEM = "problem"
CLUE = "clue"
ROUND = "round"
UNIT = "unit"
INSPECTION = "inspection"
ASSIGNMENT = "assignment"

# field -> header texts meaning that field (compared after ``clean_header``).
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "no", "no.", "#", "seq"),
    "unit": ("被巡察单位", "被巡察党组织", "单位名称", "被巡察单位名称", "单位", "unit", "inspectedunit"),
    "round": ("巡察轮次", "轮次", "巡察轮次名称", "round"),
    "region": ("所属区县", "区县", "县区", "地区", "region", "district"),
    "team": ("巡察组", "巡察组别", "team"),
    # ids: written by ``toolkit export`` so that an exported ledger imports back to the same records
    "record_id": ("记录编号", "recordid"),
    "round_id": ("轮次编号", "roundid"),
    "unit_id": ("单位编号", "unitid"),
    # as a column it is the row's own filing date (the rejects workbook carries the sheet's one)
    "report_date": ("填报时间", "填报日期", "reportdate"),
}

# Reference sheets (巡察轮次, 被巡察单位, 巡察记录) as ``toolkit export`` writes them.
REFERENCE_ALIASES: dict[str, tuple[str, ...]] = {
    "term": ("届次", "届别", "term"),
    "number": ("轮次序号", "number"),
    "round_kind": ("巡察方式", "roundkind"),
    "level": ("巡察层级", "level"),
    "start": ("进驻时间", "start"),
    "end": ("撤离时间", "end"),
    "feedback_on": ("反馈时间", "feedbackon"),
    "looks_back_at": ("回头看对象轮次", "looksbackat"),
    "sector": ("行业", "所属行业", "sector"),
    "unit_kind": ("单位类型", "党组织类型", "unitkind"),
    "in_scope": ("纳入全覆盖", "inscope"),
    "added_at": ("登记日期", "addedat"),
    "public_reports": ("群众反映", "群众反映件数", "publicreports"),
    "matter": ("交办事项", "督办事项", "matter"),
    "assigned_on": ("交办时间", "交办日期", "assignedon"),
    "report_due": ("报告时限", "反馈时限", "reportdue"),
    "reported_on": ("报告时间", "反馈报告时间", "reportedon"),
}

PROBLEM_ALIASES: dict[str, tuple[str, ...]] = {
    "category": ("问题类别", "问题类型", "问题分类", "类别", "category"),
    "description": (
        "问题描述",
        "巡察反馈的问题",
        "问题内容",
        "存在问题",
        "反馈问题",
        "问题表现",
        "具体问题",
        "description",
        "problem",
    ),
    "measures": ("整改措施", "整改举措", "measures"),
    "leader": ("责任领导", "责任人", "牵头领导", "leader"),
    "responsible": ("责任部门", "责任单位", "主办单位", "牵头部门", "责任科室", "responsible"),
    "due": ("整改时限", "完成时限", "整改期限", "时限要求", "完成时间", "due", "deadline"),
    "progress": ("整改进展", "整改进度", "整改情况", "progress"),
    "status": ("整改状态", "完成情况", "是否完成", "整改结果", "status"),
    "closed_on": ("销号时间", "销号日期", "closedon"),
    "rectified_on": ("整改完成时间", "完成整改时间", "rectifiedon"),
    "found_on": ("发现时间", "foundon"),
    "amount": ("涉及金额", "金额", "问题金额", "amount"),
    "common": ("共性问题", "是否共性问题", "共性/个性", "common"),
}

CLUE_ALIASES: dict[str, tuple[str, ...]] = {
    "clue_no": ("线索编号", "clueno"),
    "title": ("线索名称", "线索标题", "主要问题", "线索内容", "title"),
    "subject": ("被反映人", "被反映人姓名", "subject"),
    "subject_post": ("职务", "被反映人职务", "职务职级", "post"),
    "subject_unit": ("所在单位", "被反映人所在单位", "工作单位"),
    "transferred_on": ("移交时间", "移交日期", "transferredon"),
    "source": ("线索来源", "来源", "source"),
    "disposal": ("处置方式", "处置类别", "disposal"),
    "clue_status": ("办理状态", "办理情况", "办结情况"),
    "disposed_on": ("办结时间", "处置时间", "disposedon"),
    "case_opened_on": ("立案时间", "立案日期", "caseopenedon"),
    "sanctioned": ("党纪政务处分", "党纪政务处分人数", "处分人数", "sanctioned"),
    "prosecuted": ("移送司法", "移送司法机关", "移送检察机关", "prosecuted"),
    "recovered": ("挽回经济损失", "追缴金额", "挽回损失", "recovered"),
}

# Fields whose presence in a header row tells the ledger kind (with at least one more field).
KIND_MARKERS: dict[str, frozenset[str]] = {
    CLUE: frozenset({"subject", "clue_no", "transferred_on", "disposal", "title"}),
    PROBLEM: frozenset({"description", "measures", "due", "status", "progress", "category"}),
}

# Status synonyms -> vocabulary. 基本完成 / 阶段性完成 are IN_PROGRESS: 昆明 counts only finished work.
STATUS_SYNONYMS: dict[str, ProblemStatus] = {
    "未整改": ProblemStatus.OPEN,
    "未完成": ProblemStatus.OPEN,
    "未启动": ProblemStatus.OPEN,
    "否": ProblemStatus.OPEN,
    "open": ProblemStatus.OPEN,
    "正在整改": ProblemStatus.IN_PROGRESS,
    "整改中": ProblemStatus.IN_PROGRESS,
    "推进中": ProblemStatus.IN_PROGRESS,
    "基本完成": ProblemStatus.IN_PROGRESS,
    "阶段性完成": ProblemStatus.IN_PROGRESS,
    "部分完成": ProblemStatus.IN_PROGRESS,
    "in_progress": ProblemStatus.IN_PROGRESS,
    "inprogress": ProblemStatus.IN_PROGRESS,
    "已完成": ProblemStatus.RECTIFIED,
    "已整改": ProblemStatus.RECTIFIED,
    "完成整改": ProblemStatus.RECTIFIED,
    "整改完成": ProblemStatus.RECTIFIED,
    "完成": ProblemStatus.RECTIFIED,
    "是": ProblemStatus.RECTIFIED,
    "rectified": ProblemStatus.RECTIFIED,
    "长期坚持": ProblemStatus.ONGOING,
    "持续整改": ProblemStatus.ONGOING,
    "ongoing": ProblemStatus.ONGOING,
    "已销号": ProblemStatus.CLOSED,
    "销号": ProblemStatus.CLOSED,
    "closed": ProblemStatus.CLOSED,
}

DISPOSAL_SYNONYMS: dict[str, Disposal] = {
    "谈话函询": Disposal.TALK,
    "谈话": Disposal.TALK,
    "函询": Disposal.TALK,
    "talk": Disposal.TALK,
    "初步核实": Disposal.VERIFY,
    "核实": Disposal.VERIFY,
    "verify": Disposal.VERIFY,
    "暂存待查": Disposal.SHELVE,
    "暂存": Disposal.SHELVE,
    "shelve": Disposal.SHELVE,
    "予以了结": Disposal.CLOSE,
    "了结": Disposal.CLOSE,
    "close": Disposal.CLOSE,
    "立案审查调查": Disposal.CASE,
    "立案审查": Disposal.CASE,
    "立案": Disposal.CASE,
    "case": Disposal.CASE,
}

# Words in a deadline cell that are flags, not dates.
DEADLINE_ONGOING = ("长期坚持", "长期", "持续推进", "ongoing")
DEADLINE_IMMEDIATE = ("立行立改", "立即整改", "即知即改", "immediate")

# Lines below the header that are never records. ``layout`` recognises each by the whole line,
# never by the first word of a cell alone: 共计3笔专项资金未及时入账 is a problem, not a total.
# A totals line: one of these labels (合计, 合计：, 合计（11项）) and otherwise only numbers.
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计", "total", "subtotal", "sum")
# A note line: its first filled cell starts with one of these, followed by a colon, a number or
# nothing (注：…, 注1：…, 备注：…, 说明：…, 填表说明); a note's further lines (2.…) are notes too.
NOTE_WORDS = ("注", "备注", "说明", "填表说明", "附注", "note", "notes")
# A filler line: one cell saying the rest of the page is empty.
FILLER_LINES = ("以下空白", "以下无内容", "以下无正文", "此页无正文", "本页以下空白")
# A signature line: every filled cell is "word：value" with one of these words (or META_KEYS).
SIGNATURE_WORDS = (
    "填表人",
    "填报人",
    "审核人",
    "制表人",
    "负责人",
    "单位负责人",
    "联系人",
    "联系电话",
    "签字",
    "盖章",
)
META_KEYS = {"填报单位": "unit", "填报时间": "date", "填报日期": "date", "报送单位": "unit", "填表人": "by"}

UNIT_FACTORS = {"元": 1, "万元": 10_000, "亿元": 100_000_000, "人": 1, "个": 1, "件": 1}

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．，：（）／－　％",
    "0123456789.,:()/- %",
)
_UNIT_RE = re.compile(r"^(?P<name>.*?)\((?P<unit>万元|亿元|元|人|个|件)\)$")


def to_halfwidth(text: str) -> str:
    """Full-width digits and punctuation (common in Chinese documents) as ASCII."""
    return text.translate(_FULLWIDTH)


@dataclasses.dataclass(frozen=True)
class HeaderMatch:
    """A recognised column: its field name and the unit its header declares (``万元``), if any."""

    field: str
    unit: str | None


def clean_header(text: object) -> tuple[str, str | None]:
    """Header text without spaces/newlines, half-width, lower-case, unit split off."""
    s = to_halfwidth(str(text or "")).strip()
    s = re.sub(r"\s+", "", s).replace("*", "").lower()
    m = _UNIT_RE.match(s)
    if m:
        return m.group("name"), m.group("unit")
    return s, None


_LOOKUP: dict[str, str] = {}
for _table in (COMMON_ALIASES, PROBLEM_ALIASES, CLUE_ALIASES, REFERENCE_ALIASES):
    for _field, _names in _table.items():
        for _name in _names:
            _LOOKUP.setdefault(clean_header(_name)[0], _field)


MAX_HEADER_LENGTH = 60  # no column header is longer; a longer cell is text, never a header


def match_header(text: object) -> HeaderMatch | None:
    """The field a header cell names, or None for a column the importer does not know."""
    if len(str(text or "")) > MAX_HEADER_LENGTH:
        return None
    name, unit = clean_header(text)
    if not name:
        return None
    field = _LOOKUP.get(name)
    if field is None:
        # 党纪政务处分（人） and 挽回经济损失（万元） carry units; 状态 columns may say "(是/否)".
        name = re.sub(r"\(.*?\)$", "", name)
        field = _LOOKUP.get(name)
    return HeaderMatch(field, unit) if field else None


def ledger_kind(fields: set[str]) -> str | None:
    """Which ledger a header row belongs to, or None when it is not a header row at all."""
    if {"start", "feedback_on"} <= fields and "round" in fields:
        return ROUND
    if {"sector", "unit_kind"} <= fields and "unit" in fields:
        return UNIT
    if "public_reports" in fields and {"round", "unit"} <= fields:
        return INSPECTION
    if {"matter", "assigned_on", "report_due"} <= fields:
        return ASSIGNMENT
    clue = len(fields & KIND_MARKERS[CLUE])
    problem = len(fields & KIND_MARKERS[PROBLEM])
    if "subject" in fields and clue >= 2:
        return CLUE
    if problem >= 2 and "description" in fields:
        return PROBLEM
    if clue >= 3:
        return CLUE
    return None


def lookup_status(text: str) -> ProblemStatus | None:
    key = re.sub(r"\s+", "", text).lower()
    if key in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[key]
    # A progress note such as "已完成整改，待验收" starts with its status word.
    for word in sorted(STATUS_SYNONYMS, key=len, reverse=True):
        if len(word) >= 2 and key.startswith(word):
            return STATUS_SYNONYMS[word]
    return None


def lookup_disposal(text: str) -> Disposal | None:
    key = re.sub(r"\s+", "", text).lower()
    if key in DISPOSAL_SYNONYMS:
        return DISPOSAL_SYNONYMS[key]
    for word in sorted(DISPOSAL_SYNONYMS, key=len, reverse=True):
        if len(word) >= 2 and word in key:
            return DISPOSAL_SYNONYMS[word]
    return None
