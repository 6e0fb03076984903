"""A result frame as an office reads it: Chinese headers and words, rates as 88.6%, names masked.

Why a separate view: metrics and listings return codes and fractions (``closed``, ``talk``,
``red``, 0.889952) because code compares and sums them; a person reads 已销号, 谈话函询, 红色,
88.6%. :func:`chinese` makes that copy for reading only (answers and further sums come from the
original frame). Column names come from the record fields, the metric and listing columns and
the metric registry (``rectification-rate`` -> 整改率); a column nobody named keeps its name.

Names of persons are masked by default, like every view of the toolkit (``toolkit.masking``):
the 被反映人 keeps its surname, and names in titles, descriptions and event texts are masked
(every subject the ledger records when ``ledger`` is given, else those in the frame and any name
after a post word such as 局长).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from toolkit import labels, models
from toolkit.events import EventKind
from toolkit.masking import NameMasker, mask_columns
from toolkit.metrics import REGISTRY

COLUMNS_ZH = {
    # reference records
    "id": "编号",
    "name": "名称",
    "term": "届次",
    "number": "轮次序号",
    "round_kind": "巡察方式",
    "level": "巡察层级",
    "region": "地区",
    "sector": "行业领域",
    "unit_kind": "单位类型",
    "in_scope": "在巡察范围内",
    "start": "进驻日期",
    "end": "结束日期",
    "feedback_on": "反馈日期",
    "looks_back_at": "回头看的轮次",
    "added_at": "登记日期",
    "changed_at": "最近变更日期",
    # inspections, problems, clues, assignments
    "round": "轮次编号",
    "round_id": "轮次编号",
    "round_name": "巡察轮次",
    "round_start": "进驻日期",
    "unit": "单位编号",
    "unit_id": "单位编号",
    "unit_name": "被巡察单位",
    "team": "巡察组",
    "public_reports": "群众反映（件）",
    "category": "问题类别",
    "description": "问题描述",
    "found_on": "发现日期",
    "due": "整改时限",
    "judged_due": "考核时限",
    "found_again_on": "同类问题再现日期",
    "deadline": "时限类型",
    "status": "整改状态",
    "common": "共性问题",
    "responsible": "责任部门",
    "amount_yuan": "涉及金额（元）",
    "rectified_on": "整改完成日期",
    "closed_on": "销号日期",
    "title": "线索名称",
    "subject": "被反映人",
    "subject_post": "职务",
    "source": "线索来源",
    "transferred_on": "移交日期",
    "disposal": "处置方式",
    "disposed_on": "处置日期",
    "case_opened_on": "立案日期",
    "assignee_region": "承办地区",
    "assignee_unit_id": "承办单位编号",
    "assigned_on": "交办日期",
    "reported_on": "反馈日期",
    # events
    "seq": "序号",
    "at": "日期",
    "recorded_at": "记录时间",
    "by": "记录人",
    "why": "事由",
    "kind": "事件",
    "entity": "记录类别",
    "record_id": "记录编号",
    "payload": "内容",
    "field": "字段",
    "value": "指标值",
    # metric columns
    "units": "被巡察单位数",
    "rounds": "轮次数",
    "problems": "发现问题",
    "rectified": "已整改",
    "clues": "移交线索",
    "rate": "比率",
    "due_passed": "已到期问题",
    "on_time": "按期整改",
    "late": "逾期整改",
    "not_rectified": "到期未整改",
    "open": "未完成整改",
    "red": "红色预警",
    "yellow": "黄色预警",
    "green": "绿色预警",
    "none": "未预警",
    "escalated": "移交纪委",
    "extended": "延期",
    "extensions": "延期次数",
    "days_left": "距时限天数",
    "days_to_due": "距时限天数",
    "colour": "预警",
    "disposed": "处置完毕线索",
    "pending": "待处置线索",
    "cases": "立案",
    "decided": "已有处理结果",
    "sanctioned": "党纪政务处分（人次）",
    "prosecuted": "移送司法（人）",
    "recovered_yuan": "挽回经济损失（元）",
    "units_inspected": "被巡察单位数",
    "clues_per_unit": "每单位移交线索",
    "inspected": "已巡察单位",
    "peer_median": "同级中位数",
    "mad": "离散程度（MAD）",
    "gap": "差距",
    "ratio": "相当于中位数",
    "robust_z": "稳健 z 值",
    "low_outlier": "明显偏低",
    "recurred": "复发",
    "reported_on_time": "按期反馈",
    "reported_late": "逾期反馈",
    "outstanding": "未反馈",
    "score": "综合得分",
    "band": "等次",
    "indicators": "计分指标",
    "label": "名称",
    "prev_hash": "前一事件哈希",
    "hash": "哈希",
    "first_round": "首次发现轮次",
    "again_round": "再次发现轮次",
    "again_found": "再次发现问题数",
}

# Columns holding a code of one of the vocabularies, shown by its Chinese label.
VOCABULARY_COLUMNS = {
    "round_kind": models.RoundKind,
    "level": models.RoundLevel,
    "unit_kind": models.UnitKind,
    "status": models.ProblemStatus,
    "deadline": models.DeadlineKind,
    "disposal": models.Disposal,
}
COLOURS_ZH = {"red": "红色", "yellow": "黄色", "green": "绿色", "none": "无预警"}
BANDS_ZH = {"blue": "蓝", "green": "绿", "yellow": "黄", "red": "红"}
EVENTS_ZH = {
    EventKind.ADDED: "新增",
    EventKind.STATUS_CHANGED: "状态变化",
    EventKind.DEADLINE_EXTENDED: "延期",
    EventKind.CLOSED_OUT: "销号",
    EventKind.CLUE_DISPOSED: "线索处置",
    EventKind.CASE_OPENED: "立案",
    EventKind.OUTCOME_RECORDED: "处理结果",
    EventKind.ASSIGNMENT_REPORTED: "交办反馈",
    EventKind.CORRECTED: "更正",
}
ENTITIES_ZH = {
    "unit": "被巡察单位",
    "round": "巡察轮次",
    "inspection": "巡察记录",
    "problem": "问题",
    "clue": "问题线索",
    "assignment": "交办事项",
}
VALUE_WORDS = {
    "colour": COLOURS_ZH,
    "band": BANDS_ZH,
    "kind": {k.value: v for k, v in EVENTS_ZH.items()},
    "entity": ENTITIES_ZH,
}
# Always a fraction; "value", "peer_median", "gap" and "mad" are too, unless the frame compares
# clue yield (clues per unit, not a share).
RATE_COLUMNS = ("rate", "ratio")
PEER_COLUMNS = ("value", "peer_median", "gap", "mad")
FREE_TEXT = ("title", "description", "why", "payload", "subject_post")
NOT_A_SHARE = ("units_inspected", "clues_per_unit")


def column_name(column: str) -> str:
    """The Chinese header of ``column``: our words, or a metric's title (``整改率``,
    ``整改率：已整改``, ``整改率得分`` for the scoreboard's columns)."""
    from toolkit.metrics import REGISTRY

    if column in COLUMNS_ZH:
        return COLUMNS_ZH[column]
    head, _, part = column.partition(":")
    if head.endswith("_points") and head[: -len("_points")] in REGISTRY:
        return REGISTRY[head[: -len("_points")]].title_zh + "得分"
    if head in REGISTRY:
        title = REGISTRY[head].title_zh
        return f"{title}：{COLUMNS_ZH.get(part, part)}" if part else title
    return column


def _share_columns(df: pd.DataFrame) -> list[str]:
    shares = [c for c in RATE_COLUMNS if c in df]
    if not any(c in df for c in NOT_A_SHARE):
        shares += [c for c in PEER_COLUMNS if c in df]
    shares += [c for c in df.columns if c in REGISTRY and REGISTRY[c].value == "rate"]
    return [
        c for c in shares if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    ]


def _percent(value, missing: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return labels.percent(float(value))


def _word(value, words: dict, missing: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return words.get(value, value)


def _indicator_titles(value):
    if not isinstance(value, str):
        return value
    return "、".join(REGISTRY[n].title_zh if n in REGISTRY else n for n in value.split(","))


def _date(value, missing: str):
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, pd.Timestamp | dt.datetime):
        return (
            value.strftime("%Y-%m-%d")
            if (value.hour, value.minute, value.second) == (0, 0, 0)
            else (value.strftime("%Y-%m-%d %H:%M"))
        )
    return value.isoformat() if isinstance(value, dt.date) else value


def chinese(df: pd.DataFrame, *, ledger=None, names: bool = False, missing: str = "—") -> pd.DataFrame:
    """中文显示: a copy of ``df`` for reading: Chinese headers, codes as words (已销号, 谈话函询,
    红色), rates as 88.6%, dates as 2021-06-30, 是/否, names of persons masked.

    ``ledger``: mask every 被反映人 the ledger records wherever the text names them (without it,
    the subjects in ``df`` and names after a post word). ``names=True`` shows names (a view
    opened with that right). ``missing``: what an empty cell shows.
    """
    out = df.copy()
    if not names:
        masker = (
            NameMasker.for_ledger(ledger)
            if ledger is not None
            else NameMasker(out["subject"].dropna() if "subject" in out else ())
        )
        out = mask_columns(out, masker, FREE_TEXT, "subject" if "subject" in out else None)
    for column in _share_columns(out):
        out[column] = [_percent(v, missing) for v in out[column]]
    for column, vocabulary in VOCABULARY_COLUMNS.items():
        if column in out and not pd.api.types.is_numeric_dtype(out[column]):
            words = {m.value: m.label_zh for m in vocabulary}
            out[column] = [
                _word(v, words, "待处置" if column == "disposal" else missing) for v in out[column]
            ]
    for column, words in VALUE_WORDS.items():
        if column in out and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [_word(v, words, missing) for v in out[column]]
    if "indicators" in out and not pd.api.types.is_numeric_dtype(out["indicators"]):
        out["indicators"] = [_indicator_titles(v) for v in out["indicators"]]
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.map({True: "是", False: "否"})
        elif (
            pd.api.types.is_datetime64_any_dtype(series) or series.map(lambda v: isinstance(v, dt.date)).any()
        ):
            out[column] = [_date(v, missing) for v in series]
        elif pd.api.types.is_float_dtype(series):
            out[column] = series.round(2)
    out.columns = [column_name(str(c)) for c in out.columns]
    if out.index.name:
        out.index.name = column_name(str(out.index.name))
    return out
