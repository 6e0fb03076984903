"""A record's history told in sentences: 2020年12月18日 东湖区巡察办将状态改为整改中，事由：报送整改方案.

Why: the event log is the ledger's truth, but its rows (``status_changed``, a JSON payload) are
code. A leader reads what happened, when, by whom and why, in the page's language; the who and
the why stay as the ledger wrote them (data values), names masked by the listing that read them.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from toolkit import labels
from toolkit.models import DeadlineKind, Disposal, ProblemStatus

SENTENCES = {
    "added": ("{day} {by}记录了此问题{detail}", "{day} {by} recorded the problem{detail}"),
    "status_changed": ("{day} {by}将状态改为{status}", "{day} {by} changed the status to {status}"),
    "deadline_extended": ("{day} {by}将整改时限延至{due}", "{day} {by} extended the deadline to {due}"),
    "closed_out": ("{day} {by}予以销号", "{day} {by} closed it out"),
    "clue_disposed": ("{day} {by}将处置方式定为{disposal}", "{day} {by} set the disposal to {disposal}"),
    "case_opened": ("{day} {by}立案审查调查", "{day} {by} opened a case"),
    "outcome_recorded": ("{day} {by}登记了处理结果", "{day} {by} recorded the outcome"),
    "assignment_reported": ("{day} {by}报告了办理情况", "{day} {by} reported back"),
    "corrected": ("{day} {by}更正了记录", "{day} {by} corrected the record"),
}
OTHER = ("{day} {by}更新了记录", "{day} {by} updated the record")
REASON = ("，事由：{why}", ". Reason: {why}")
DUE = ("，整改时限{due}", ", due {due}")


def _day(value, lang: str) -> str:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = value.date()
    return labels.date(value, lang)


def _vocab(value, cls, lang: str) -> str:
    try:
        return labels.vocab(value, cls, lang)
    except ValueError:
        return str(value)


def sentence(at, kind: str, by: str, why: str, payload: str, lang: str = "zh") -> str:
    """One event as a sentence in ``lang`` (the who and the why as the ledger wrote them)."""
    i = 0 if lang == "zh" else 1
    try:
        fields = json.loads(payload) if payload else {}
    except (TypeError, ValueError):
        fields = {}
    if not isinstance(fields, dict):
        fields = {}
    detail = ""
    if kind == "added" and fields.get("due"):
        detail = DUE[i].format(due=_day(fields["due"], lang))
    elif kind == "added" and fields.get("deadline") in ("immediate", "ongoing"):
        detail = ("，" if i == 0 else ", ") + _vocab(fields["deadline"], DeadlineKind, lang)
    template = SENTENCES.get(kind, OTHER)[i]
    text = template.format(
        day=_day(at, lang),
        by=by or "—",
        status=_vocab(fields.get("status", ""), ProblemStatus, lang) if fields.get("status") else "—",
        due=_day(fields.get("due"), lang),
        disposal=_vocab(fields.get("disposal", ""), Disposal, lang) if fields.get("disposal") else "—",
        detail=detail,
    )
    if why:
        text += REASON[i].format(why=why)
    return text + ("。" if i == 0 else ".")


def sentences(events: pd.DataFrame, lang: str = "zh") -> list[str]:
    """``listings.problem_history`` rows as sentences, oldest first."""
    return [sentence(r.at, r.kind, r.by, r.why, r.payload, lang) for r in events.itertuples(index=False)]
