"""The import's column-at-a-time row stages give exactly what their row-by-row forms gave.

``pipeline._fill_from_sheet``, ``pipeline._new_round_starts``, ``merge.seq_conflicts`` and
``findings._Places`` each work on whole columns; here each is compared with the row-by-row code
it replaced (kept below as the reference), on clean rows holding one odd row at a time.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
import random
import statistics
from types import SimpleNamespace

import pytest

from tests.builders import tiny_round
from toolkit.ingest import aliases, findings, limits, merge, pipeline
from toolkit.ingest.layout import DataRow, Table
from toolkit.ingest.report import FileReport, ImportReport
from toolkit.ingest.resolve import Resolver, robust_start

D = dt.date
TODAY = D(2022, 1, 1)


# ---- _fill_from_sheet ---------------------------------------------------------------------------


def _fill_row_by_row(table: Table, options, all_values: list[dict]) -> list[dict]:
    """The loop ``_check_table`` ran before (the reference)."""
    title_round = options["round"] or pipeline.round_from_title(table.title)
    title_team = pipeline.team_from_title(table.title)
    meta_unit = table.meta.get("unit", "")
    if any(w in meta_unit for w in pipeline.TEAM_WORDS):
        meta_unit = ""
    meta_unit = meta_unit or pipeline.unit_from_title(table.title) or ""
    own_unit, sheet_date = options["unit"], "date" in table.meta
    contexts, shared = [], {}
    for values in all_values:
        context: dict[str, str] = {}
        if title_round and not values.get("round"):
            values["round"] = context["巡察轮次"] = title_round
        fallback_unit = own_unit or values.get("unit") or values.get("subject_unit") or meta_unit
        if fallback_unit and fallback_unit != values.get("unit"):
            values["unit"] = context["被巡察单位"] = fallback_unit
        if sheet_date and not values.get("report_date"):
            context["填报时间"] = table.meta["date"]
        if title_team and not values.get("team"):
            values["team"] = context["巡察组"] = title_team
        contexts.append(shared.setdefault(tuple(context.items()), context))
    return contexts


_ODD_ROWS = [
    {"round": ""},
    {"round": None},
    {"unit": ""},
    {"unit": None, "subject_unit": "所在单位"},
    {"unit": "", "subject_unit": ""},
    {"report_date": D(2021, 6, 30)},
    {"team": "第二巡察组"},
    {"team": ""},
    {"unit": "县住建局"},  # the same as --unit
]

_SHEETS = [  # title, meta, options round, options unit
    ("青溪县委第三轮巡察反馈问题整改台账", {}, None, None),
    ("城关镇党委巡察反馈问题整改台账（县委第二巡察组）", {"date": "2021年12月31日"}, None, None),
    ("整改台账", {"unit": "县委第一巡察组", "date": "2021.12"}, "青溪县委第一轮巡察", None),
    ("整改台账", {"unit": "县教育局党组"}, None, "县住建局"),
    ("整改台账", {}, None, None),
]


@pytest.mark.parametrize("sheet", range(len(_SHEETS)))
def test_fill_from_sheet_gives_what_the_row_by_row_loop_gave(sheet):
    title, meta, round_, unit = _SHEETS[sheet]
    table = Table("表", aliases.PROBLEM, 1, [], [], title=title, meta=meta)
    options = {"round": round_, "unit": unit, "region": None, "today": TODAY}
    rng = random.Random(sheet)
    rows = [{"round": "第一轮", "unit": f"单位{i % 7}", "description": f"问题{i}"} for i in range(300)]
    for odd in _ODD_ROWS:  # each alone among clean rows
        values = copy.deepcopy(rows)
        values[rng.randrange(len(values))].update(odd)
        expected_values = copy.deepcopy(values)
        expected = _fill_row_by_row(table, options, expected_values)
        got = pipeline._fill_from_sheet(table, options, values)
        assert got == expected and values == expected_values
        assert [list(c.items()) for c in got] == [list(c.items()) for c in expected]  # same order
        assert len({id(c) for c in got}) == len({id(c) for c in expected})  # shared alike


# ---- _new_round_starts --------------------------------------------------------------------------


def _robust_start_as_written(row_dates: list, filed: list) -> dt.date:
    """``resolve.robust_start`` as it was written before it counted dates (the reference)."""
    fence = None
    if row_dates:
        ordinals = sorted(d.toordinal() for d in row_dates)
        quartile = (
            statistics.quantiles(ordinals, n=4, method="inclusive")[0] if len(ordinals) > 1 else ordinals[0]
        )
        fence = quartile - limits.ROUND_OUTLIER_DAYS
    kept = [d for d in (*row_dates, *filed) if fence is None or d.toordinal() >= fence]
    return min(kept or [*row_dates, *filed])


def test_robust_start_gives_what_it_gave_before_it_counted_dates():
    rng = random.Random(3)
    for _ in range(300):
        rows = [
            D(2021, 1, 1) + dt.timedelta(days=rng.randrange(-900, 400)) for _ in range(rng.randrange(0, 30))
        ]
        filed = [
            D(2021, 6, 1) + dt.timedelta(days=rng.randrange(-600, 200)) for _ in range(rng.randrange(1, 4))
        ]
        assert robust_start(rows, filed) == _robust_start_as_written(rows, filed)


def _starts_row_by_row(values, stated, resolver, today) -> dict:
    """The loop ``_new_round_starts`` ran before (the reference)."""
    rows: dict[str, list] = {}
    filed: dict[str, list] = {}
    for v, own in zip(values, stated, strict=True):
        name = pipeline._round_name(v.get("round_id"), v.get("round"), resolver)
        dates = list(filter(None, map(v.get, pipeline._ROW_DATES)))
        if dates:
            rows.setdefault(name, []).append(min(dates))
        filed.setdefault(name, []).append(own or today)
    return {name: _robust_start_as_written(rows.get(name, []), days) for name, days in filed.items()}


_ODD_DATES = [
    {"found_on": D(2019, 1, 1)},
    {"found_on": D(2012, 3, 1)},  # a typo far before the rest: left out of the start
    {"rectified_on": D(2020, 1, 1), "closed_on": D(2020, 1, 5)},
    {"due": None, "deadline": "ongoing"},
    {"transferred_on": D(2020, 2, 2)},
    {"round": "第二轮", "due": D(2021, 9, 9)},
    {"round_id": "R1"},  # a round the ledger knows, by its id
    {"round_id": "R-unknown", "round": None},
]


@pytest.mark.parametrize("seed", range(3))
def test_new_round_starts_gives_what_the_row_by_row_loop_gave(seed):
    rng = random.Random(seed)
    resolver = Resolver([tiny_round()], [], set())
    for odd in [{}, *_ODD_DATES]:
        values = [{"round": "第一轮", "due": D(2021, 1 + i % 12, 1 + i % 27)} for i in range(200)]
        stated = [None if i % 3 else D(2021, 12, 31) for i in range(200)]
        values[rng.randrange(200)].update(odd)
        got = pipeline._new_round_starts(values, stated, resolver, TODAY)
        assert got == _starts_row_by_row(values, stated, resolver, TODAY)
        assert list(got) == list(_starts_row_by_row(values, stated, resolver, TODAY))
    only_reports = [{"round": "第一轮"} for _ in range(5)]  # no row dates at all
    assert pipeline._new_round_starts(only_reports, [None] * 5, resolver, TODAY) == {"第一轮": TODAY}


# ---- seq_conflicts and the places of findings -----------------------------------------------------


def _records(n: int, rng: random.Random):
    """(pending, record, context) for ``n`` problem rows over two files, a few units and rounds."""
    files = [FileReport("b.xlsx"), FileReport("a.xlsx")]
    tables = [Table(s, aliases.PROBLEM, 1, [], []) for s in ("台账", "附表")]
    rounds = [SimpleNamespace(id=f"R{i}") for i in range(2)]
    units = [SimpleNamespace(id=f"U{i}") for i in range(5)]
    contexts = [SimpleNamespace(round=r, unit=u) for r in rounds for u in units]
    out = []
    for i in range(n):
        p = SimpleNamespace(
            file=files[i % 2],
            table=tables[(i // 2) % 2],
            row=DataRow(3 + i // 4, ()),
            values={"seq": str(i)},
        )
        out.append((p, SimpleNamespace(id=f"P{i}"), contexts[rng.randrange(len(contexts))]))
    return out


def _seq_row_by_row(records) -> list:
    """``seq_conflicts`` as it was (the reference): the conflicts it lists."""
    groups: dict = {}
    for p, record, ctx in records:
        seq = str(p.values.get("seq", "")).strip()
        if not seq or record is None:
            continue
        groups.setdefault((ctx.round.id, ctx.unit.id, seq), {}).setdefault(record.id, []).append(p)
    return [
        (",".join(sorted(real)), " / ".join(merge.where(p) for rows in real.values() for p in rows))
        for (_, _, seq), real in groups.items()
        if len(real) > 1
    ]


_ODD_SEQS = [
    {"seq": " 5 "},
    {"seq": ""},
    {"seq": 7},
    {"seq": None},
    {"record": None},  # a duplicate row
    {"id": "P3"},  # the same problem under the same 序号: no conflict
    {"seq": "5", "copy": True},  # the same place twice
]


@pytest.mark.parametrize("seed", range(3))
def test_seq_conflicts_lists_what_the_row_by_row_loop_listed(seed):
    rng = random.Random(seed)
    for odd in _ODD_SEQS:
        records = _records(400, rng)
        for _ in range(3):  # a few rows of one unit and round numbered alike
            i, j = rng.randrange(400), rng.randrange(400)
            records[j][0].values["seq"] = records[i][0].values["seq"]
            records[j] = (records[j][0], records[j][1], records[i][2])
        i = rng.randrange(400)
        p, record, ctx = records[i]
        if "record" in odd:
            record = None
        elif "id" in odd:
            record = SimpleNamespace(id=odd["id"])
        elif "copy" in odd:
            records.append((p, SimpleNamespace(id="P-other"), ctx))
        elif odd.get("seq") == " 5 ":  # the 序号 of another row of its unit, with spaces
            other = records[rng.randrange(400)]
            p.values["seq"], ctx = f" {other[0].values['seq']} ", other[2]
        else:
            p.values.update(odd)
        records[i] = (p, record, ctx)
        report = ImportReport(dry_run=True)
        merge.seq_conflicts(report, records)
        assert [(c.record_id, c.where) for c in report.conflicts] == _seq_row_by_row(records)
        assert report.conflicts


def _places_row_by_row(records, key) -> dict:
    """``findings._places`` as it was (the reference)."""
    found: dict = {}
    for p, r, ctx in records:
        if r is not None and ctx is not None:
            found.setdefault(key(ctx), set()).add((p.file.path, p.table.sheet, p.row.excel_row))
    return {k: findings._shown(heapq.nsmallest(findings.PLACES_SHOWN, v), len(v)) for k, v in found.items()}


@pytest.mark.parametrize("seed", range(3))
def test_places_are_where_the_row_by_row_loop_found_them(seed):
    rng = random.Random(seed)
    records = _records(300, rng)
    records[5] = (records[5][0], None, records[5][2])  # a duplicate row: no place
    records[6] = (records[6][0], records[6][1], None)  # a reference record: no context
    records.append(records[7])  # the same place twice counts once
    lone = SimpleNamespace(round=SimpleNamespace(id="R-lone"), unit=SimpleNamespace(id="U-lone"))
    records.insert(rng.randrange(300), (records[9][0], records[9][1], lone))
    places = findings._Places(records)
    assert places.of("unit.id") == _places_row_by_row(records, lambda ctx: ctx.unit.id)
    assert places.of("round.id") == _places_row_by_row(records, lambda ctx: ctx.round.id)
    assert findings._Places([]).of("unit.id") == {}


@pytest.mark.parametrize("odd", ["none", "again", "known"])
def test_mark_duplicates_counts_what_the_row_by_row_loop_counted(odd):
    """An import of new rows only is counted in bulk; one repeated or known id sends it row by row."""
    from tests.builders import tiny_problem

    records = [(p, tiny_problem(r.id), ctx) for p, r, ctx in _records(300, random.Random(5))]
    known = {"P-elsewhere"}
    if odd == "again":  # a second copy of a row's problem, with nothing different
        records.append((records[-1][0], records[7][1], records[-1][2]))
    elif odd == "known":
        known.add("P11")
    files = list({id(p.file): p.file for p, _, _ in records}.values())
    seen, accepted, per_file = set(), [], {id(f): 0 for f in files}
    for p, record, _ in records:  # the reference
        if record.id not in seen and record.id not in known:
            seen.add(record.id)
            accepted.append(record.id)
            per_file[id(p.file)] += 1
    report = ImportReport(dry_run=True)
    assert merge.mark_duplicates(report, records, known, {}) == []
    assert report.accepted_ids == accepted
    assert [f.accepted for f in files] == [per_file[id(f)] for f in files]
    assert sum(f.duplicates for f in files) == len(records) - len(accepted)


def _dates_from_filing_row_by_row(records) -> dict:
    """The rows ``_dates_from_filing`` named before it picked them by columns (the reference)."""
    from toolkit.models import RECTIFIED_STATUSES, Problem, ProblemStatus

    by_sheet: dict = {}
    for p, record, ctx in records:
        if not isinstance(record, Problem) or record.status not in RECTIFIED_STATUSES:
            continue
        undated = not p.values.get("rectified_on") and not p.values.get("closed_on")
        unclosed = record.status is ProblemStatus.CLOSED and not p.values.get("closed_on")
        if (undated or unclosed) and ctx.filed_on is not None:
            by_sheet.setdefault((p.file.path, p.table.sheet, ctx.filed_on), []).append(p.row.excel_row)
    return by_sheet


@pytest.mark.parametrize("seed", range(4))
def test_dates_from_filing_names_the_rows_the_row_by_row_loop_named(seed):
    from tests.builders import tiny_problem
    from toolkit.models import ProblemStatus

    rng = random.Random(seed)
    states = [
        dict(status=ProblemStatus.OPEN),
        dict(status=ProblemStatus.RECTIFIED, rectified_on=D(2020, 5, 1)),
        dict(status=ProblemStatus.CLOSED, rectified_on=D(2020, 5, 1), closed_on=D(2020, 6, 1)),
    ]
    stated = [{}, {"rectified_on": D(2020, 5, 1)}, {"closed_on": D(2020, 6, 1)}, {"rectified_on": None}]
    filed = [None, D(2021, 6, 30), D(2021, 12, 31)]
    records = []
    for i, (p, _, _) in enumerate(_records(400, rng)):
        p.values.update(rng.choice(stated))
        ctx = SimpleNamespace(filed_on=rng.choice(filed) if i % 50 == 0 else filed[1])
        record = tiny_problem(f"P{i}", **rng.choice(states)) if i % 37 else None
        records.append((p, record, ctx))
    report = ImportReport(dry_run=True)
    findings._dates_from_filing(report, records)
    expected = _dates_from_filing_row_by_row(records)
    assert [f.where for f in report.findings] == [
        f"{path} [{sheet}] 第 {findings.row_ranges(rows)} 行 rows"
        for (path, sheet, _), rows in expected.items()
    ]
    assert all(str(filed) in f.detail_en for f, (_, _, filed) in zip(report.findings, expected, strict=True))
    assert len(expected) >= 2
