import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ingest_workbooks import HEADER, write_xlsx
from toolkit.ingest import aliases
from toolkit.ingest.layout import column_letter, find_table
from toolkit.ingest.readers import Sheet, read_sheets


def test_title_meta_header_totals_notes(tmp_path):
    rows = [
        ["中共青溪县委第三巡察组反馈问题整改台账"],
        ["填报单位：县住房和城乡建设局党组", None, None, "填报时间：2021年7月5日"],
        [],
        ["序号", "问题类别", "巡察反馈的问题", "整改时限", "完成情况", "涉及金额（万元）"],
        [1, "财务", "违规发放津贴", "2021年6月30日", "已完成", 1.5],
        [],
        [2, "财务", "公务接待超标", "立行立改", "已整改", None],
        ["合计", None, None, None, None, 1.5],
        ["小 计", None, None, None, None, 1.5],
        ["注：金额单位为万元"],
        [3, "财务", "注释之后的行仍是数据", "2021年6月30日", "已完成", None],
    ]
    table = find_table(read_sheets(write_xlsx(tmp_path / "a.xlsx", ("S", rows)))[0])
    assert table.kind == aliases.PROBLEM
    assert table.header_row == 4
    assert table.title == "中共青溪县委第三巡察组反馈问题整改台账"
    assert table.meta == {"unit": "县住房和城乡建设局党组", "date": "2021年7月5日"}
    # blank row 6 skipped, row numbers as Excel shows; a note does not end the table
    assert [r.excel_row for r in table.rows] == [5, 7, 11]
    assert [(r, why.split(" / ")[1]) for r, why in table.skipped] == [
        (8, "totals line"),
        (9, "totals line"),
        (10, "note line"),
    ]
    assert table.column("amount").unit == "万元"
    assert table.column("description").letter == "C"


def test_clue_ledger_is_recognised_from_headers():
    sheet = Sheet(
        "x",
        [
            ["线索编号", "被反映人", "职务", "移交时间", "处置方式"],
            ["1", "王某甲", "科长", "2021.6.1", "谈话函询"],
        ],
    )
    assert find_table(sheet).kind == aliases.CLUE


def test_sheet_without_header_has_no_table():
    assert find_table(Sheet("说明", [["本表由各乡镇填报"], [], ["联系人：张某"]])) is None


def test_second_header_row_names_grouped_columns():
    rows = [
        ["序号", "问题描述", "整改时限", "整改情况", None],
        [None, None, None, "整改状态", "销号时间"],
        [1, "问题", "2021.6.30", "已销号", "2021.7.1"],
    ]
    table = find_table(Sheet("x", rows))
    assert table.column("status").index == 3 and table.column("closed_on").index == 4
    assert [r.excel_row for r in table.rows] == [3]


def test_column_numbering_and_repeated_header_are_skipped():
    rows = [HEADER, [1, 2, 3, 4, 5, 6], [1, "单位", "类", "问题", dt.date(2021, 9, 30), "整改中"], HEADER]
    table = find_table(Sheet("x", rows))
    assert [r.excel_row for r in table.rows] == [3]
    assert {r for r, _ in table.skipped} == {2, 4}


def test_several_sheets_read_in_order(tmp_path):
    path = write_xlsx(
        tmp_path / "b.xlsx", ("说明", [["填表说明"]]), ("城关镇", [HEADER]), ("河西乡", [HEADER])
    )
    sheets = read_sheets(path)
    assert [s.name for s in sheets] == ["说明", "城关镇", "河西乡"]
    assert [find_table(s) is not None for s in sheets] == [False, True, True]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_section_headings_are_skipped_and_become_the_category():
    rows = [
        ["序号", "问题描述", "整改时限", "整改状态"],
        ["一、落实中央八项规定精神方面"],
        [1, "超标准接待", "2021.9.30", "整改中"],
        ["（二）选人用人问题", None, None, None],
        [2, "档案审核不严", "2021.9.30", "整改中"],
    ]
    table = find_table(Sheet("x", rows))
    assert [(r.excel_row, r.section) for r in table.rows] == [(3, "落实中央八项规定精神"), (5, "选人用人")]
    assert [r for r, _ in table.skipped] == [2, 4]
    from toolkit.ingest.normalize import normalize_row

    assert normalize_row(table, table.rows[0])[0]["category"] == "落实中央八项规定精神"


def test_vertically_merged_unit_belongs_to_every_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["中共青溪县委巡察反馈问题整改台账"])
    ws.merge_cells("A1:D1")
    for row in [
        ["序号", "被巡察单位", "问题描述", "整改时限"],
        [1, "县水务局党组", "甲", "2021.9.30"],
        [2, None, "乙", "2021.9.30"],
        [3, None, "丙", "2021.9.30"],
    ]:
        ws.append(row)
    ws.merge_cells("B3:B5")
    wb.save(tmp_path / "m.xlsx")
    sheet = read_sheets(tmp_path / "m.xlsx")[0]
    assert [r[1] for r in sheet.rows[2:5]] == ["县水务局党组"] * 3
    assert sheet.rows[0][1] is None  # a title merged across columns is not copied along the row


def _whole_lines(table, rows, start):
    """Oracle for ``_collect_rows``: every line below the header read whole, one after another."""
    from toolkit.ingest import layout

    header_texts = [layout._text(c.header) for c in table.columns]
    data, skipped, section, in_note = [], [], "", False
    for i in range(start, len(rows)):
        row = rows[i]
        cells = [layout._text(c) for c in row]
        if not any(cells):
            continue
        if layout._plainly_data(row, cells, header_texts):
            reason = ""
        else:
            reason = layout._skip_reason(table, row, cells, header_texts, in_note)
        in_note = reason == layout.NOTE_LINE
        if reason == layout.SECTION_LINE:
            section = layout.section_heading(cells) or section
        if reason:
            skipped.append((i + 1, reason))
        else:
            data.append((i + 1, tuple(row), section))
    return data, skipped


LINE_CELLS = [
    None,
    "",
    " ",
    "\u3000",
    1,
    1.0,
    1.5,
    1.9999,
    2,
    2.0,
    3,
    "3",
    0,
    -1.0,
    1e308,
    float("inf"),
    float("nan"),
    True,
    False,
    dt.date(2021, 6, 30),
    "1",
    "１",
    "2",
    "1.0",
    "序号",
    "问题描述",
    "整改时限",
    "合计",
    "小计（城关镇）",
    "共计3笔专项资金未及时入账",
    "注：金额单位为万元",
    "说明",
    "2. 时限以领导小组批准为准",
    "一、落实中央八项规定精神方面",
    "（二）选人用人方面问题",
    "以下空白",
    "填表人：张某",
    "审核人：李某",
    "县水务局党组",
    "12.5万元",
    "-",
    "#DIV/0!",
    "整改台账",
]


NUMBERS = [
    1,
    1.0,
    1.5,
    1.9999,
    2,
    2.0,
    0,
    -1.0,
    "1",
    "0001",
    "0",
    "10",
    "１",
    "2",
    True,
    float("nan"),
    float("inf"),
]


@st.composite
def sheets_below_a_header(draw):
    """A header (its first cell possibly a number) and lines of every kind below it: anything,
    lone cells, records, column numbering, the header again with a number for its first cell."""
    header = [draw(st.sampled_from(["序号", "1", "2", "1.0", "2.0", "合计", None])), *HEADER[1:]]
    cell = st.sampled_from(LINE_CELLS)
    number = st.sampled_from(NUMBERS)
    line = st.one_of(
        st.lists(cell, max_size=6),
        cell.map(lambda only: [only]),  # notes, their further lines, headings, fillers
        st.tuples(number, cell, cell, cell).map(list),
        st.tuples(number, st.sampled_from([2, 2.0, "2"]), st.sampled_from([3, 3.0, "3"])).map(list),
        number.map(lambda first: [first, *header[1:]]),
    )
    return [header, *draw(st.lists(line, max_size=40))]


@given(rows=sheets_below_a_header(), title=st.sampled_from(["", "整改台账", "县水务局党组"]))
@example(
    rows=[HEADER, ["注：金额单位为万元"], [2.0, "县水务局党组", "甲"], ["县水务局党组"]], title=""
)  # a record ends a note
@example(
    rows=[HEADER, ["一、党的建设方面"], [2.0, "县水务局党组", "甲"], [], [3.0, "城关镇党委", "乙"]], title=""
)
@settings(max_examples=400, deadline=None)
def test_lines_told_plain_at_a_glance_are_what_reading_them_whole_says(rows, title):
    """``_collect_rows`` tells most lines by their first two cells: whatever the lines, it finds the
    same data rows (numbers, cells, sections) and skipped lines (reasons) as reading each whole."""
    from toolkit.ingest import layout

    header = rows[0]
    columns = layout._columns(header, [], layout._match_row(header))
    table = layout.Table("S", aliases.PROBLEM, 1, columns, [], title=title)
    layout._collect_rows(table, rows, 1)
    oracle = layout.Table("S", aliases.PROBLEM, 1, columns, [], title=title)
    expected_data, expected_skipped = _whole_lines(oracle, rows, 1)
    assert [(r.excel_row, r.cells, r.section) for r in table.rows] == expected_data
    assert table.skipped == expected_skipped
    assert all(type(r.cells) is tuple for r in table.rows)
