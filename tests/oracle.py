"""An independent oracle for the metrics: plain pandas over the raw ``events`` table.

It parses the event payloads itself and replays them record by record in Python, written from
the metric definitions (README's metric table) without ``toolkit.replay``, ``toolkit.filters``
or ``toolkit.metrics``: if the ibis expressions and this slow, obvious reading disagree on any
ledger, one of them is wrong. Only for small test ledgers.

The definitions it encodes (the same words as the registry):
* records (problems, clues, inspections, assignments) exist on day d when added on or before d;
  each field is the value of its latest change dated on or before d;
* units and rounds are reference records: present on every date, whenever registered;
* 按期: a rectified problem is judged against the latest ``due`` dated on or before its
  ``rectified_on`` (else its due as recorded); any other problem against its due on d;
* 成案率: final disposals are talk, close and case; verify and shelve are pending;
* coverage: the term of the latest round started by d; units in scope from the whole register.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

RECTIFIED = ("rectified", "closed")
FINAL_DISPOSALS = ("talk", "close", "case")
JIANGJIN = (("red", -1), ("yellow", 10), ("green", 20))  # colour when days_left <= threshold
DATE_FIELDS = {
    "found_on",
    "due",
    "rectified_on",
    "closed_on",
    "transferred_on",
    "disposed_on",
    "case_opened_on",
    "assigned_on",
    "reported_on",
    "start",
    "end",
    "feedback_on",
}


def _value(field: str, raw):
    if raw is None:
        return None
    if field in DATE_FIELDS:
        return dt.date.fromisoformat(raw)
    return raw


class Oracle:
    """The raw events of one ledger, replayed by hand."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = [
            {
                "seq": int(e.seq),
                "at": pd.Timestamp(e.at).date(),
                "kind": e.kind,
                "entity": e.entity,
                "record_id": e.record_id,
                "payload": {k: _value(k, v) for k, v in json.loads(e.payload).items()},
            }
            for e in events.sort_values("seq").itertuples()
        ]

    # ---- replay ------------------------------------------------------------------------------

    def records(self, entity: str, day: dt.date | None) -> list[dict]:
        """Records of ``entity`` on ``day`` (None: every event, whatever its date)."""
        out: dict[str, dict] = {}
        for e in self.events:
            if e["entity"] != entity or (day is not None and e["at"] > day):
                continue
            if e["kind"] == "added":
                out[e["record_id"]] = dict(e["payload"], _seq=e["seq"])
            elif e["record_id"] in out:
                out[e["record_id"]].update(e["payload"])
        return list(out.values())

    def reference(self) -> tuple[dict, dict]:
        units = {u["id"]: u for u in self.records("unit", None)}
        rounds = {r["id"]: r for r in self.records("round", None)}
        return units, rounds

    def with_dimensions(self, entity: str, day: dt.date) -> list[dict]:
        units, rounds = self.reference()
        out = []
        for r in self.records(entity, day):
            unit, rnd = units[r["unit_id"]], rounds[r["round_id"]]
            out.append(dict(r, region=unit["region"], term=rnd["term"], round_start=rnd["start"]))
        return out

    def due_in_force(self, problem: dict, day: dt.date):
        """The due date that judges ``problem`` (see the module docstring)."""
        if problem["status"] not in RECTIFIED:
            return problem["due"]
        due = None
        found = False
        for e in self.events:
            if e["entity"] != "problem" or e["record_id"] != problem["id"]:
                continue
            if e["kind"] == "added":
                due, found = e["payload"].get("due"), True
            elif "due" in e["payload"] and e["at"] <= day and e["at"] <= problem["rectified_on"]:
                due = e["payload"]["due"]
        assert found
        return due

    def extensions(self, problem_id: str, day: dt.date) -> int:
        return sum(
            1
            for e in self.events
            if e["entity"] == "problem"
            and e["record_id"] == problem_id
            and e["kind"] == "deadline_extended"
            and e["at"] <= day
        )

    # ---- the metrics -------------------------------------------------------------------------

    def rectification_rate(self, day, by=None) -> pd.DataFrame:
        rows = [
            {"region": p["region"], "problems": 1, "rectified": int(p["status"] in RECTIFIED)}
            for p in self.with_dimensions("problem", day)
        ]
        return _rate(_sum(rows, by, ["problems", "rectified"]), "rectified", "problems")

    def on_time_rate(self, day, by=None) -> pd.DataFrame:
        rows = []
        for p in self.with_dimensions("problem", day):
            due = self.due_in_force(p, day)
            if due is None or due >= day:
                continue
            done = p["status"] in RECTIFIED
            rows.append(
                {
                    "region": p["region"],
                    "due_passed": 1,
                    "on_time": int(done and p["rectified_on"] <= due),
                    "late": int(done and p["rectified_on"] > due),
                    "not_rectified": int(not done),
                }
            )
        return _rate(
            _sum(rows, by, ["due_passed", "on_time", "late", "not_rectified"]), "on_time", "due_passed"
        )

    def case_conversion(self, day, by=None) -> pd.DataFrame:
        rows = [
            {
                "region": c["region"],
                "clues": 1,
                "disposed": int(c["disposal"] in FINAL_DISPOSALS),
                "pending": int(c["disposal"] not in FINAL_DISPOSALS),
                "cases": int(c["disposal"] == "case"),
            }
            for c in self.with_dimensions("clue", day)
        ]
        return _rate(_sum(rows, by, ["clues", "disposed", "pending", "cases"]), "cases", "disposed")

    def outcomes(self, day, by=None) -> pd.DataFrame:
        rows = [
            {
                "region": c["region"],
                "clues": 1,
                "cases": int(c["disposal"] == "case"),
                "decided": int(c["sanctioned"] > 0 or c["prosecuted"] > 0 or c["recovered_yuan"] > 0),
                "sanctioned": c["sanctioned"],
                "prosecuted": c["prosecuted"],
                "recovered_yuan": c["recovered_yuan"],
            }
            for c in self.with_dimensions("clue", day)
        ]
        columns = ["clues", "cases", "decided", "sanctioned", "prosecuted", "recovered_yuan"]
        return _sum(rows, by, columns)

    def clue_yield(self, day, by=None) -> pd.DataFrame:
        clues = _sum(
            [{"region": c["region"], "clues": 1} for c in self.with_dimensions("clue", day)], by, ["clues"]
        )
        seen: dict = {}
        for i in self.with_dimensions("inspection", day):
            seen.setdefault(i["region"] if by else None, set()).add(i["unit_id"])
        inspected = pd.DataFrame(
            [{"region": k, "units_inspected": len(v)} for k, v in seen.items()],
            columns=["region", "units_inspected"],
        )
        if by is None:
            df = pd.DataFrame(
                {"clues": clues["clues"], "units_inspected": [int(inspected["units_inspected"].sum())]}
            )
        else:
            df = clues.merge(inspected, on="region", how="outer").fillna(0)
            df = df.astype({"clues": "int64", "units_inspected": "int64"})
        df["clues_per_unit"] = _divide(df["clues"], df["units_inspected"])
        return _sorted(df, by)

    def coverage(self, day, by=None) -> pd.DataFrame:
        units, rounds = self.reference()
        started = [r for r in rounds.values() if r["start"] <= day]
        term = max(started, key=lambda r: (r["start"], r["id"]))["term"] if started else ""
        inspected = {
            i["unit_id"] for i in self.records("inspection", day) if rounds[i["round_id"]]["term"] == term
        }
        rows = [
            {"term": term, "region": u["region"], "units": 1, "inspected": int(u["id"] in inspected)}
            for u in units.values()
            if u["in_scope"]
        ]
        keys = ["term"] + ([by] if by else [])
        if not rows:  # grouped by term even for a total: no unit in scope, no row
            df = pd.DataFrame(columns=[*keys, "units", "inspected"])
        else:
            df = pd.DataFrame(rows).groupby(keys, as_index=False)[["units", "inspected"]].sum()
        return _rate(_sorted(df, keys), "inspected", "units")

    def overdue_summary(self, day, by=None) -> pd.DataFrame:
        rows = []
        for p in self.with_dimensions("problem", day):
            if p["status"] in RECTIFIED:
                continue
            colour = "none"
            if p["due"] is not None:
                left = (p["due"] - day).days
                colour = next((c for c, most in JIANGJIN if left <= most), "none")
            rows.append(
                {
                    "region": p["region"],
                    "open": 1,
                    **{c: int(colour == c) for c in ("red", "yellow", "green", "none")},
                    "escalated": 0,
                    "extended": int(self.extensions(p["id"], day) > 0),
                }
            )
        columns = ["open", "red", "yellow", "green", "none", "escalated", "extended"]
        return _rate(_sum(rows, by, columns), "red", "open")

    def assignments(self, day, by=None) -> pd.DataFrame:
        rows = []
        for a in self.records("assignment", day):
            if a["due"] > day:
                continue
            reported = a["reported_on"]
            rows.append(
                {
                    "region": a["assignee_region"],
                    "due": 1,
                    "reported_on_time": int(reported is not None and reported <= a["due"]),
                    "reported_late": int(reported is not None and reported > a["due"]),
                    "outstanding": int(reported is None),
                }
            )
        columns = ["due", "reported_on_time", "reported_late", "outstanding"]
        return _rate(_sum(rows, by, columns), "reported_on_time", "due")

    def recurrence(self, day, by=None) -> pd.DataFrame:
        problems = self.with_dimensions("problem", day)
        rows = []
        for p in problems:
            if p["status"] not in RECTIFIED:
                continue
            later = any(
                q["unit_id"] == p["unit_id"]
                and q["category"] == p["category"]
                and q["round_start"] > p["round_start"]
                for q in problems
            )
            rows.append({"region": p["region"], "rectified": 1, "recurred": int(later)})
        return _rate(_sum(rows, by, ["rectified", "recurred"]), "recurred", "rectified")


METRICS = (
    "rectification-rate",
    "on-time-rate",
    "case-conversion",
    "clue-yield",
    "outcomes",
    "coverage",
    "overdue-summary",
    "assignments",
    "recurrence",
)


def compute(oracle: Oracle, name: str, day: dt.date, by=None) -> pd.DataFrame:
    return getattr(oracle, name.replace("-", "_"))(day, by)


# ---- small helpers -----------------------------------------------------------------------------


def _sum(rows: list[dict], by, columns: list[str]) -> pd.DataFrame:
    """Totals of ``columns`` (one row even when there are none), or per ``by`` group."""
    if by is None:
        return pd.DataFrame({c: [int(sum(r[c] for r in rows))] for c in columns})
    if not rows:
        return pd.DataFrame(columns=[by, *columns])
    df = pd.DataFrame(rows).groupby(by, as_index=False)[columns].sum()
    return _sorted(df, by)


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype("float64").to_numpy()
    den = denominator.astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(den > 0, num / np.where(den > 0, den, 1), np.nan), index=numerator.index)


def _rate(df: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    df = df.copy()
    df["rate"] = _divide(df[numerator], df[denominator])
    return df


def _sorted(df: pd.DataFrame, by) -> pd.DataFrame:
    keys = [by] if isinstance(by, str) else list(by or [])
    return df.sort_values(keys).reset_index(drop=True) if keys else df.reset_index(drop=True)
