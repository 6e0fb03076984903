import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.ingest import aliases
from toolkit.ingest.normalize import (
    CellError,
    parse_amount,
    parse_count,
    parse_date,
    parse_deadline,
    parse_disposal,
    parse_status,
)
from toolkit.models import DeadlineKind, Disposal, ProblemStatus

D = dt.date


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (D(2021, 6, 30), D(2021, 6, 30)),
        (dt.datetime(2021, 6, 30, 0, 0), D(2021, 6, 30)),
        ("2021年6月30日", D(2021, 6, 30)),
        ("2021.6.30", D(2021, 6, 30)),
        ("2021/06/30", D(2021, 6, 30)),
        ("2021-06-30", D(2021, 6, 30)),
        ("20210630", D(2021, 6, 30)),
        ("２０２１年６月３０日", D(2021, 6, 30)),
        ("2021年6月30日前", D(2021, 6, 30)),
        ("2020年8月", D(2020, 8, 31)),  # month precision: the end of the month
        ("2021年2月底", D(2021, 2, 28)),
        ("2020.2", D(2020, 2, 29)),
        (44377, D(2021, 6, 30)),  # an Excel serial number that lost its date format
        ("2021-06-30 00:00:00", D(2021, 6, 30)),
    ],
)
def test_dates(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["2021年13月1日", "2021.2.30", "下个月", "30/06/2021", "", 12.5])
def test_bad_dates_raise_with_both_languages(cell):
    with pytest.raises(CellError) as err:
        parse_date(cell)
    assert err.value.zh and err.value.en


@pytest.mark.parametrize(
    ("cell", "kind", "due"),
    [
        ("长期坚持", DeadlineKind.ONGOING, None),
        ("长期坚持、常抓不懈", DeadlineKind.ONGOING, None),
        ("立行立改", DeadlineKind.IMMEDIATE, None),
        ("2021年6月30日", DeadlineKind.DATED, D(2021, 6, 30)),
        (D(2021, 9, 30), DeadlineKind.DATED, D(2021, 9, 30)),
    ],
)
def test_deadline_flags_are_not_dates(cell, kind, due):
    assert parse_deadline(cell) == (kind, due)


@pytest.mark.parametrize(
    ("cell", "unit", "yuan"),
    [
        (12.5, "万元", 125_000),
        ("１２．５", "万元", 125_000),
        ("3200元", "万元", 3_200),  # a unit in the cell wins over the column's
        ("1.05亿元", None, 105_000_000),
        ("5,810.292万元", None, 58_102_920),
        (3200, None, 3_200),
        ("0.00005", "万元", 1),  # 0.5 元 rounds half up
        (None, "万元", 0),
        ("-", None, 0),
        ("35.6万", None, 356_000),
    ],
)
def test_amounts_are_integer_yuan(cell, unit, yuan):
    assert parse_amount(cell, unit) == yuan


@pytest.mark.parametrize("cell", ["-5", "约3万", "abc", -1.0])
def test_bad_amounts(cell):
    with pytest.raises(CellError):
        parse_amount(cell, "万元")


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("已完成", ProblemStatus.RECTIFIED),
        ("已整改", ProblemStatus.RECTIFIED),
        ("完成整改", ProblemStatus.RECTIFIED),
        ("正在整改", ProblemStatus.IN_PROGRESS),
        ("整改中", ProblemStatus.IN_PROGRESS),
        ("基本完成", ProblemStatus.IN_PROGRESS),  # 昆明 counts 基本完成 as not done
        ("阶段性完成", ProblemStatus.IN_PROGRESS),
        ("长期坚持", ProblemStatus.ONGOING),
        ("已销号", ProblemStatus.CLOSED),
        ("未整改", ProblemStatus.OPEN),
        (" 已完成整改，待验收 ", ProblemStatus.RECTIFIED),
    ],
)
def test_status_synonyms(cell, status):
    assert parse_status(cell) is status


def test_unknown_status_is_an_error():
    with pytest.raises(CellError, match="差不多"):
        parse_status("差不多了")


@pytest.mark.parametrize(
    ("cell", "disposal"),
    [
        ("谈话函询", Disposal.TALK),
        ("初步核实", Disposal.VERIFY),
        ("暂存待查", Disposal.SHELVE),
        ("予以了结", Disposal.CLOSE),
        ("立案审查调查", Disposal.CASE),
        ("已立案审查", Disposal.CASE),
    ],
)
def test_disposals(cell, disposal):
    assert parse_disposal(cell) is disposal


@pytest.mark.parametrize(("cell", "n"), [(3, 3), (2.0, 2), ("3人", 3), ("", 0), ("２名", 2)])
def test_counts(cell, n):
    assert parse_count(cell) == n


def test_synonym_tables_are_data():
    aliases.STATUS_SYNONYMS["挂号督办"] = ProblemStatus.IN_PROGRESS
    try:
        assert parse_status("挂号督办") is ProblemStatus.IN_PROGRESS
    finally:
        del aliases.STATUS_SYNONYMS["挂号督办"]


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("涉及金额（万元）", "amount", "万元"),
        ("涉及金额(元)", "amount", "元"),
        ("巡察反馈的问题", "description", None),
        ("问 题 描 述", "description", None),
        ("完成时限", "due", None),
        ("党纪政务处分（人）", "sanctioned", "人"),
        ("挽回经济损失（万元）", "recovered", "万元"),
        ("Description", "description", None),
        ("责任单位", "responsible", None),
    ],
)
def test_header_aliases(header, field, unit):
    match = aliases.match_header(header)
    assert match is not None and (match.field, match.unit) == (field, unit)


def test_unknown_header_is_none():
    assert aliases.match_header("领导签字") is None


def test_repeated_cells_read_once_keep_their_column_and_type(monkeypatch):
    """Cells are read once per (field, column unit, type, value): the same "3" is 30,000 元 in
    the 万元 column and 3 元 in a 元 column, a bad cell stays bad when it comes again, and the
    cache empties itself at its bound instead of growing."""
    from toolkit.ingest import normalize
    from toolkit.ingest.layout import find_table
    from toolkit.ingest.readers import Sheet

    header = ["序号", "被巡察单位", "问题描述", "整改时限", "涉及金额（万元）", "追缴金额", "是否共性问题"]
    rows = [header] + [
        [i, "某局党组", f"问题{i}", "2021年6月30日" if i % 2 else "2021年13月1日", "3", "3", flag]
        for i, flag in ((1, 1), (2, True), (3, 1), (4, True))
    ]
    table = find_table(Sheet("x", rows))
    monkeypatch.setattr(normalize, "_CACHE", {})
    monkeypatch.setattr(normalize, "_CACHE_MAX", 6)
    seen = [normalize.normalize_row(table, row) for row in table.rows]
    assert [v["amount_yuan"] for v, _ in seen] == [30_000] * 4
    assert [v["recovered_yuan"] for v, _ in seen] == [3] * 4
    assert [[e.field for e in errors] for _, errors in seen] == [[], ["due"], [], ["due"]]
    assert [v["due"] for v, _ in seen[::2]] == [D(2021, 6, 30)] * 2
    assert len(normalize._CACHE) <= 6


def test_each_import_reads_its_cells_afresh(monkeypatch, tmp_path):
    """A limit changed between two imports in one process applies to the second: the cells the
    first read are forgotten when the next import starts."""
    from tests.ingest_workbooks import HEADER, write_xlsx
    from toolkit.ingest import import_files, limits

    rows = [[*HEADER, "涉及金额（万元）"], [1, "某局党组", "类别", "问题描述", "2021-06-30", "整改中", 3]]
    book = write_xlsx(tmp_path / "a.xlsx", ("整改台账", rows))
    options = {"round": "七届市委第一轮巡察", "region": "江州市", "dry_run": True, "today": D(2022, 1, 1)}
    first = import_files([book], tmp_path / "l.duckdb", **options)
    assert first.accepted == 1
    monkeypatch.setattr(limits, "MAX_YUAN", 10_000)  # 3 万元 is now over it
    second = import_files([book], tmp_path / "l.duckdb", **options)
    assert second.accepted == 0 and second.rejected == 1


CLEAN_TEXTS = [
    "县水务局党组",
    "问题甲：资金管理不规范",
    "<b>粗体</b>",
    "=cmd|'/C calc'!A0",
    "十四届（回头看）",
    "x" * 200,
]
TEXTS = [
    *CLEAN_TEXTS,
    None,
    "",
    " ",
    "县水务局 党组",
    " 前后有空格 ",
    "多行\n文字",
    "含控制字符\x07",
    "␇",
    "‮反转",
    "#DIV/0!",
    " #n/a ",
    "#1 问题",
    "x" * 201,
    "y" * 2000,
    "y" * 2001,
    "2021年6月30日",
    "2021.13.1",
    "长期坚持",
    "立行立改（2021年6月30日）",
    "已完成",
    "基本完成",
    "1.05亿元",
    "-3",
    "3人",
    "是",
]
ANY_CELLS = [
    *TEXTS,
    1,
    1.0,
    -0.0,
    0.0,
    True,
    2.5,
    44377,
    1e20,
    1e300,
    float("nan"),
    float("inf"),
    D(2021, 6, 30),
    dt.datetime(2021, 6, 30, 10, 30),
]
WHOLE_NUMBERS = [1.0, 2.0, 12345.0, -0.0, 1e20, 1e300]
NORMALIZE_HEADER = [
    "序号",
    "被巡察单位",
    "问题描述",
    "整改时限",
    "整改状态",
    "涉及金额（万元）",
    "销号时间",
    "共性问题",
]
NORMALIZE_HEADER += ["整改进展", "领导签字"]


@st.composite
def tables(draw):
    """A table whose columns each hold clean texts only (or with Excel errors), texts of any kind,
    whole numbers only, or anything."""
    from toolkit.ingest import layout

    pools = [
        draw(
            st.sampled_from(
                [[*CLEAN_TEXTS, None], [*CLEAN_TEXTS, "#DIV/0!", "问题#3"], TEXTS, WHOLE_NUMBERS, ANY_CELLS]
            )
        )
        for _ in NORMALIZE_HEADER
    ]
    n = draw(st.integers(min_value=0, max_value=12))
    rows = []
    for i in range(n):
        cells = tuple(draw(st.sampled_from(pool)) for pool in pools)
        cells = cells[: draw(st.sampled_from([len(cells)] * 5 + list(range(len(cells)))))]
        rows.append(layout.DataRow(i + 2, cells, draw(st.sampled_from(["", "", "党的建设"]))))
    columns = layout._columns(NORMALIZE_HEADER, [], layout._match_row(NORMALIZE_HEADER))
    return layout.Table("S", aliases.PROBLEM, 1, columns, rows)


@settings(max_examples=300, deadline=None)
@given(table=tables())
def test_rows_read_column_by_column_are_what_each_row_read_alone_gives(table):
    """``normalize_rows`` reads whole columns (clean texts and whole numbers at once, each distinct
    cell once): every row's values (keys in order, types) and errors are ``normalize_row``'s, and
    each row has its own list of errors."""
    from toolkit.ingest import normalize

    def typed(values):
        return [(k, type(v), v) for k, v in values.items()]

    def same_nan(a, b):  # NaN is no number: compare what is shown of it
        return repr(a) == repr(b)

    normalize.forget_cells()
    got = list(normalize.normalize_rows(table))
    normalize.forget_cells()
    expected = [normalize.normalize_row(table, row) for row in table.rows]
    assert len(got) == len(expected)
    for (values, errors), (want_values, want_errors) in zip(got, expected, strict=True):
        assert same_nan(typed(values), typed(want_values))
        assert errors == want_errors
    assert len({id(errors) for _, errors in got}) == len(got)


@pytest.mark.parametrize(
    "odd", [None, "", "  两端空格  ", "#N/A", "控制\x07字符", "占位\u2400", "长" * 3000, "中 间"]
)
@pytest.mark.parametrize("first_distinct", [True, False])
def test_a_text_column_judged_by_its_first_rows_reads_as_cell_by_cell(monkeypatch, odd, first_distinct):
    """``_text_column`` guesses from a column's first rows whether its texts repeat: a wrong guess
    costs time, never an answer. Both ways, with one odd cell, every cell reads as on its own."""
    from toolkit.ingest import normalize

    monkeypatch.setattr(normalize, "_SAMPLE", 8)
    head = [f"问题{i}" for i in range(8)] if first_distinct else ["同一问题"] * 8
    tail = ["单位甲", "单位乙"] * 40 if first_distinct else [f"描述{i}" for i in range(80)]
    for field in ("description", "unit"):
        column = head + tail
        column[50] = odd
        normalize.forget_cells()
        got = normalize._column_outcomes(field, None, column)
        normalize.forget_cells()
        expected = [normalize._value(field, None, cell) for cell in column]
        assert [(type(g), repr(g)) for g in got] == [(type(e), repr(e)) for e in expected]
