"""The import's bulk paths give exactly what their one-row counterparts give.

A 100,000-row import checks its rows (``validate.check_rows``) and builds its problems
(``models.make_problems``) a block at a time, and makes ids from a cached prefix
(``resolve.hash_prefix``). Each is compared here with the one-row function it stands for, on
rows made to break every rule, mixed with clean ones in the same blocks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re

import pytest

from tests.builders import tiny_problem
from toolkit.ingest import aliases, limits, validate
from toolkit.ingest.resolve import _SPACES, _unspaced, hash_prefix, hash_with_prefix, short_hash
from toolkit.models import PROBLEM_BLOCK, DeadlineKind, Problem, ProblemStatus, make_problems

D = dt.date
TODAY = D(2022, 1, 1)


def _fields(problem: Problem) -> dict:
    return {f.name: getattr(problem, f.name) for f in dataclasses.fields(Problem)}


def _mutations() -> list[dict]:
    """Field changes each of which one check of ``Problem`` refuses (or, for some, accepts)."""
    return [
        {"id": ""},
        {"category": "   "},
        {"description": 7},
        {"description": "报销\x07审批"},
        {"team": "第一\u202e组"},
        {"responsible": "\ud800"},
        {"deadline": "dated"},  # a code, not a member: Problem coerces it, the fast path must not trust it
        {"status": "已销号", "rectified_on": D(2020, 5, 1), "closed_on": D(2020, 6, 1)},
        {"status": "nonsense"},
        {"found_on": dt.datetime(2020, 4, 1, 9)},
        {"due": "2020-09-30"},
        {"amount_yuan": -1},
        {"amount_yuan": True},
        {"amount_yuan": 1.5},
        {"deadline": DeadlineKind.DATED, "due": None},
        {"deadline": DeadlineKind.ONGOING},
        {"due": D(2020, 3, 1)},
        {"status": ProblemStatus.RECTIFIED},
        {"status": ProblemStatus.RECTIFIED, "rectified_on": D(2020, 3, 1)},
        {"status": ProblemStatus.CLOSED, "rectified_on": D(2020, 5, 1)},
        {"status": ProblemStatus.CLOSED, "rectified_on": D(2020, 5, 1), "closed_on": D(2020, 4, 30)},
        {"rectified_on": D(2020, 5, 1)},
        {"closed_on": D(2020, 5, 1)},
        {"status": ProblemStatus.CLOSED, "rectified_on": D(2020, 5, 1), "closed_on": D(2020, 5, 2)},  # fine
        {"deadline": DeadlineKind.IMMEDIATE},  # fine
        {"deadline": DeadlineKind.ONGOING, "due": None, "status": ProblemStatus.ONGOING},  # fine
    ]


def _one_by_one(rows: list[dict]) -> list:
    """``Problem(**fields)`` row by row: the reference, kept here on purpose rather than calling
    ``models``' own fallback, so the block form is never compared with itself."""
    out = []
    for fields in rows:
        try:
            out.append(Problem(**fields))
        except ValueError as err:
            out.append(err)
    return out


def _clean_values(i: int) -> dict:
    """The values of a clean problem row (the ``i``-th of a table)."""
    return {
        "unit": f"单位{i % 40}",
        "round": "第一轮巡察",
        "description": f"问题{i}",
        "deadline": DeadlineKind.DATED,
        "due": D(2021, 1 + i % 12, 1),
        "status": ProblemStatus.IN_PROGRESS,
        "amount_yuan": i,
    }


def _same(a, b) -> bool:
    if isinstance(a, ValueError) or isinstance(b, ValueError):
        return type(a) is type(b) and str(a) == str(b)
    return (
        a == b
        and _fields(a) == _fields(b)
        and all(type(getattr(a, n)) is type(getattr(b, n)) for n in _fields(a))
    )


def test_make_problems_builds_what_problem_builds_and_refuses_what_it_refuses():
    rng = random.Random(7)
    mutations = _mutations()
    clean = [
        _fields(tiny_problem(f"P{i}", description=f"问题{i}"))
        for i in range(PROBLEM_BLOCK * (len(mutations) + 1))
    ]
    rows = [dict(r) for r in clean]
    for block, mutation in enumerate(mutations):  # each alone in its block, beside clean rows
        rows[block * PROBLEM_BLOCK + rng.randrange(PROBLEM_BLOCK)].update(mutation)
    built = make_problems(rows)
    expected = _one_by_one(rows)
    assert len(built) == len(expected) == len(rows)
    assert all(_same(a, b) for a, b in zip(built, expected, strict=True))
    refused = sum(isinstance(x, ValueError) for x in expected)
    assert refused >= 18  # the mutations above really were refused, so both paths were compared on them
    # a block with no bad row is built without the one-row checks: still the very same records
    assert make_problems(clean) == [Problem(**r) for r in clean]


def test_make_problems_never_trusts_a_row_with_a_missing_or_extra_field():
    row = _fields(tiny_problem())
    missing = {k: v for k, v in row.items() if k != "team"}
    assert make_problems([missing]) == [Problem(**missing)]  # team has a default: Problem fills it
    with pytest.raises(TypeError):
        make_problems([{**row, "colour": "red"}])  # as Problem(**row) itself refuses it


@pytest.mark.parametrize("seed", range(4))
def test_check_rows_finds_what_check_row_finds(seed):
    rng = random.Random(seed)
    faults = [
        {"unit": ""},
        {"round": None},
        {"description": ""},
        {"deadline": None},
        {"deadline": DeadlineKind.ONGOING, "status": ProblemStatus.CLOSED},
        {"description": "=cmd|' /C calc'!A0\x1b"},
        {"category": "类别\u2400"},
        {"unit": "单" * (limits.NAME_LENGTH + 1)},
        {"description": "述" * (limits.TEXT_LENGTH + 1)},
        {"responsible": "部" * (limits.DEFAULT_TEXT_LENGTH + 1)},
        {"found_on": D(1989, 12, 31)},
        {"rectified_on": D(2022, 1, 2)},
        {"due": D(2040, 1, 1)},
    ]
    rows = []
    for i in range(validate.SCREEN_BLOCK * (len(faults) + 2)):
        values = _clean_values(i)
        rows.append(values)
    for block, fault in enumerate(faults):  # each alone in its block, beside clean rows
        rows[block * validate.SCREEN_BLOCK + rng.randrange(validate.SCREEN_BLOCK)].update(fault)
    for _ in range(seed * 3):  # and a few more anywhere
        rows[rng.randrange(len(rows))].update(rng.choice(faults))
    got = validate.check_rows(aliases.PROBLEM, rows, TODAY)
    expected = {i: e for i, v in enumerate(rows) if (e := validate.check_row(aliases.PROBLEM, v, TODAY))}
    assert got == expected
    assert len(expected) >= len(faults)  # every fault was found, so each block was compared


_TABLE_FAULTS = [
    {"unit": ""},
    {"unit": None, "unit_id": "U-1"},  # fine: the id names the unit
    {"round": ""},
    {"description": ""},
    {"deadline": None},
    {"deadline": DeadlineKind.ONGOING, "status": ProblemStatus.CLOSED},
    {"deadline": DeadlineKind.ONGOING, "status": "closed"},  # a code, not the member: fine
    {"description": "=cmd|' /C calc'!A0\x1b"},
    {"description": "多行\n问题\t描述"},  # fine
    {"category": "类别\u2400"},
    {"round": "第一轮巡察\u202e"},
    {"unit": "单" * (limits.NAME_LENGTH + 1)},
    {"description": "述" * (limits.TEXT_LENGTH + 1)},
    {"responsible": "部" * (limits.DEFAULT_TEXT_LENGTH + 1)},
    {"amount_yuan": "金" * (limits.DEFAULT_TEXT_LENGTH + 1)},  # text where a number was
    {"status": "x" * (limits.DEFAULT_TEXT_LENGTH + 1)},
    {"found_on": D(1989, 12, 31)},
    {"rectified_on": D(2022, 1, 2)},
    {"closed_on": D(2022, 3, 1), "report_due": D(2050, 1, 1)},
    {"due": D(2040, 1, 1)},
    {"due": "2040-01-01"},  # fine: not a date
]


@pytest.mark.parametrize("fault", _TABLE_FAULTS)
def test_check_rows_clears_a_table_whole_only_when_no_row_has_a_fault(fault):
    """Each fault alone in a table of clean rows: the whole-table screen must not clear it."""
    rows = [_clean_values(i) for i in range(validate.SCREEN_BLOCK * 3)]
    rows[700].update(fault)
    expected = {i: e for i, v in enumerate(rows) if (e := validate.check_row(aliases.PROBLEM, v, TODAY))}
    assert validate.check_rows(aliases.PROBLEM, rows, TODAY) == expected
    assert set(expected) <= {700}


def test_check_rows_on_a_clean_table_finds_nothing_and_a_rule_without_screen_still_runs(monkeypatch):
    rows = [{"unit": "单位", "round": "第一轮", "matter": "事项", "region": "青溪县"} for _ in range(1500)]
    assert validate.check_rows(aliases.INSPECTION, rows, TODAY) == {}

    def no_matter(values):  # a new rule with no screen: check_rows must run it on every row
        return [] if values.get("matter") != "坏" else [validate.FieldError("matter", "坏", "bad")]

    monkeypatch.setitem(validate.RULES, aliases.INSPECTION, [*validate.INSPECTION_RULES, no_matter])
    rows[1234] = {**rows[1234], "matter": "坏"}
    assert list(validate.check_rows(aliases.INSPECTION, rows, TODAY)) == [1234]


def test_every_character_a_hash_strips_is_a_space_or_unprintable():
    """``_unspaced`` skips the regex for printable text without an ASCII space: sound only if no
    printable character other than the space is whitespace to ``\\s``."""
    spaces = [c for c in map(chr, range(0x110000)) if _SPACES.match(c)]
    assert " " in spaces and "\u3000" in spaces
    assert [c for c in spaces if c.isprintable() and c != " "] == []
    for text in ("县 住建局", "县\u3000住建局", "县住建局", "a\tb\x1fc", ""):
        assert _unspaced(text) == re.sub(r"\s+", "", text)


def test_a_cached_hash_prefix_gives_the_id_short_hash_gives():
    for parts in (("R-1", "U 2", "类别", " 描述 x "), ("", None, "", ""), ("a\x1fb", "c", "d", "e\u3000f")):
        assert hash_with_prefix(hash_prefix(*parts[:3]), parts[3]) == short_hash(*parts)


def test_build_problems_gives_what_build_problem_gives_row_by_row():
    from tests.builders import tiny_round, tiny_unit

    rnd, unit = tiny_round(), tiny_unit()
    filed = validate.RowContext(rnd, unit, "第一巡察组", D(2021, 6, 30), D(2021, 6, 30))
    unfiled = validate.RowContext(rnd, unit, "第一巡察组", TODAY, None)
    base = {"description": "问题", "deadline": DeadlineKind.DATED, "due": D(2021, 3, 1)}
    variants = [
        ({}, filed),
        ({"status": ProblemStatus.RECTIFIED}, filed),  # dated by the filing date
        ({"status": ProblemStatus.RECTIFIED}, unfiled),  # refused before the model: no date to go by
        ({"status": ProblemStatus.CLOSED}, unfiled),
        ({"found_on": D(1999, 1, 1)}, filed),  # before the round began
        ({"due": None}, filed),  # the model refuses it
        ({"amount_yuan": -5}, filed),
        ({"description": "问题\x07"}, filed),
    ]
    rows = []
    for i in range(PROBLEM_BLOCK * 3):
        change, ctx = variants[0] if i % 97 else variants[(i // 97) % len(variants)]
        rows.append(({**base, "description": f"问题{i}", **change}, ctx))

    def one(values, ctx):
        try:
            return validate.build_problem(values, ctx)
        except validate.RecordError as err:
            return err

    got, expected = validate.build_problems(rows), [one(v, c) for v, c in rows]
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        if isinstance(b, validate.RecordError):
            assert type(a) is validate.RecordError and a.error == b.error
        else:
            assert a == b
    assert {type(x).__name__ for x in expected} == {"Problem", "RecordError"}


def test_an_import_asks_the_ledger_about_its_own_ids_in_batches(tmp_path, monkeypatch):
    """A re-import finds every one of its problems in the ledger, whichever lookup batch holds
    it, and each one whose status moved is a conflict: nothing is read whole but rounds and units."""
    from tests.ingest_workbooks import ROUND, problem_rows, simple_ledger
    from toolkit.ingest import import_files, pipeline

    monkeypatch.setattr(pipeline, "LOOKUP_BATCH", 7)
    ledger = tmp_path / "l.duckdb"
    first = import_files(
        [simple_ledger(tmp_path / "a.xlsx", problem_rows(40))], ledger, round=ROUND, today=TODAY
    )
    assert (first.accepted, first.duplicates) == (40, 0)
    rows = problem_rows(45)  # 40 the ledger holds, 5 new; 3 held ones now say 未整改
    for row in rows[10:13]:
        row[5] = "未整改"
    again = import_files([simple_ledger(tmp_path / "b.xlsx", rows)], ledger, round=ROUND, today=TODAY)
    assert (again.accepted, again.duplicates) == (5, 40)
    assert [c.kind for c in again.conflicts] == ["ledger_differs"] * 3
    asked = []
    monkeypatch.setattr(
        pipeline._LedgerState, "find", lambda self, records: asked.append(len(records))
    )  # and with no lookup at all, the same file would be all new: the lookup is what found them
    blind = import_files(
        [simple_ledger(tmp_path / "c.xlsx", rows)], ledger, round=ROUND, today=TODAY, dry_run=True
    )
    assert asked == [45] and blind.duplicates == 0


def _problem_rows(odd: list[tuple[dict, str]], seed: int) -> list[tuple[dict, validate.RowContext]]:
    """Clean problem rows in blocks of ``PROBLEM_BLOCK``, with each odd row alone in its block
    (``"filed"`` / ``"unfiled"``: the context it is read against)."""
    from tests.builders import tiny_round, tiny_unit

    rng = random.Random(seed)
    rounds = [
        tiny_round(),
        tiny_round(
            id="R2",
            name="七届市委第九轮巡察",
            start=D(2020, 2, 1),
            end=D(2020, 3, 1),
            feedback_on=D(2020, 4, 1),
        ),
    ]
    units = [tiny_unit(), tiny_unit("U2", name="市教育局党组")]
    contexts = {
        (kind, r, u): validate.RowContext(
            rnd,
            unit,
            "第一巡察组",
            D(2021, 6, 30) if kind == "filed" else TODAY,
            D(2021, 6, 30) if kind == "filed" else None,
        )
        for kind in ("filed", "unfiled")
        for r, rnd in enumerate(rounds)
        for u, unit in enumerate(units)
    }
    statuses = [ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS, ProblemStatus.RECTIFIED, ProblemStatus.CLOSED]
    rows = []
    for i in range(PROBLEM_BLOCK * (len(odd) + 1)):
        values = {
            "description": f"问题{i}",
            "deadline": DeadlineKind.DATED,
            "due": D(2021, 1 + i % 12, 1 + i % 28),
            "status": statuses[i % 4],
            "category": f"类别{i % 3}",
            "amount_yuan": i,
        }
        rows.append((values, contexts["filed", i % 2, (i // 2) % 2]))
    for block, (change, kind) in enumerate(odd):
        i = block * PROBLEM_BLOCK + rng.randrange(PROBLEM_BLOCK)
        values, ctx = rows[i]
        rows[i] = ({**values, **change}, contexts[kind, rounds.index(ctx.round), units.index(ctx.unit)])
    return rows


def _odd_problem_rows() -> list[tuple[dict, str]]:
    """Each a row the block path must take as ``build_problem`` does, or leave to it."""
    return [
        ({"status": ProblemStatus.RECTIFIED, "closed_on": D(2021, 3, 1)}, "filed"),  # dated by 销号时间
        ({"status": ProblemStatus.RECTIFIED}, "unfiled"),  # no date to go by: refused
        ({"status": ProblemStatus.CLOSED}, "unfiled"),
        ({"status": ProblemStatus.CLOSED, "rectified_on": D(2021, 2, 1)}, "filed"),
        ({"status": ProblemStatus.CLOSED, "closed_on": D(2021, 2, 1)}, "unfiled"),
        ({"found_on": D(2020, 1, 1)}, "filed"),  # before the round began
        ({"found_on": D(2020, 4, 1)}, "filed"),
        ({"due": D(2020, 2, 1)}, "filed"),
        ({"deadline": DeadlineKind.IMMEDIATE, "due": None}, "filed"),
        ({"deadline": DeadlineKind.ONGOING, "due": None, "status": ProblemStatus.ONGOING}, "filed"),
        ({"deadline": DeadlineKind.DATED, "due": None}, "filed"),  # the model refuses it
        ({"status": None}, "filed"),
        ({"status": "已销号"}, "filed"),
        ({"progress": "已完成整改"}, "filed"),  # no status: read from the progress
        ({"closed_on": D(2021, 5, 1)}, "filed"),  # status given: the 销号时间 does not count
        ({"record_id": "P-given"}, "filed"),
        ({"category": ""}, "filed"),
        ({"category": None}, "filed"),
        ({"description": "报销 审批　不规范"}, "filed"),  # spaces the id leaves out
        ({"description": "报销\x07审批"}, "filed"),
        ({"description": ""}, "filed"),
        ({"description": 12}, "filed"),
        ({"amount_yuan": -5}, "filed"),
        ({"amount_yuan": 1.5}, "filed"),
        ({"common": "是"}, "filed"),
        ({"responsible": "财务科"}, "filed"),
        ({"responsible": 7}, "filed"),
    ]


def _build_one(values, ctx):
    try:
        return validate.build_problem(values, ctx)
    except validate.RecordError as err:
        return err
    except (KeyError, ValueError, TypeError) as err:  # not a record error: raised, not returned
        return type(err)


def _same_outcome(a, b) -> bool:
    if isinstance(b, validate.RecordError):
        return type(a) is validate.RecordError and a.error == b.error
    return (
        type(a) is type(b)
        and a == b
        and _fields(a) == _fields(b)
        and all(type(getattr(a, n)) is type(getattr(b, n)) for n in _fields(a))
    )


@pytest.mark.parametrize("seed", range(3))
def test_the_block_path_of_build_problems_gives_what_build_problem_gives(seed):
    rows = _problem_rows(_odd_problem_rows(), seed)
    got, expected = validate.build_problems(rows), [_build_one(v, c) for v, c in rows]
    assert len(got) == len(expected) == len(rows)
    assert all(_same_outcome(a, b) for a, b in zip(got, expected, strict=True))
    assert sum(isinstance(x, validate.RecordError) for x in expected) >= 10  # the odd rows were odd


def test_the_block_path_of_build_problems_really_builds_clean_blocks(monkeypatch):
    rows = _problem_rows([({"record_id": "P-given"}, "filed"), ({"found_on": D(2020, 4, 1)}, "filed")], 0)
    monkeypatch.setattr(validate, "_problems_row_by_row", lambda block: pytest.fail("not in bulk"))
    built = validate.build_problems(rows)
    assert [_build_one(v, c) for v, c in rows] == built


def test_a_problem_row_without_a_deadline_raises_as_build_problem_does():
    rows = _problem_rows([({}, "filed")], 0)
    del rows[3][0]["deadline"]
    with pytest.raises(KeyError):
        validate.build_problem(*rows[3])
    with pytest.raises(KeyError):
        validate.build_problems(rows)


def test_no_character_a_record_may_not_hold_is_printable():
    """``models._columns_are_valid`` skips the search for ``FORBIDDEN_TEXT`` in printable text:
    sound only if every character it names is unprintable."""
    from toolkit.models import FORBIDDEN_TEXT

    forbidden = [c for c in map(chr, range(0x110000)) if FORBIDDEN_TEXT.match(c)]
    assert "\x07" in forbidden and "\u202e" in forbidden and "\ud800" in forbidden
    assert [c for c in forbidden if c.isprintable()] == []


def test_make_problems_refuses_a_forbidden_character_in_a_shared_text():
    """Rounds, units, categories and teams are looked at once per distinct text: a bad one among
    many good ones is still found, as ``Problem`` finds it."""
    rows = [_fields(tiny_problem(f"P{i}", description=f"问题{i}")) for i in range(PROBLEM_BLOCK)]
    for field in ("round_id", "unit_id", "category", "team", "responsible"):
        for bad in ("第\x07组", "第\u202e组", " "):
            changed = [dict(r) for r in rows]
            changed[100][field] = bad
            assert all(_same(a, b) for a, b in zip(make_problems(changed), _one_by_one(changed), strict=True))
            assert isinstance(make_problems(changed)[100], ValueError) or field in ("team", "responsible")
