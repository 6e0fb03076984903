import datetime as dt

import pytest

from tests.ingest_workbooks import write_xlsx
from toolkit.ingest.readers import UnreadableFile, read_sheets

CSV = "序号,问题描述,整改时限\r\n1,违规发放津贴,2021年6月30日\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes(CSV.encode(encoding))
    (sheet,) = read_sheets(path)
    assert sheet.rows[0][0] == "序号"  # no BOM left on the first header
    assert sheet.rows[1][1] == "违规发放津贴"


def test_undecodable_csv_is_unreadable(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\xff" * 10)
    with pytest.raises(UnreadableFile, match="编码"):
        read_sheets(path)


def test_calamine_and_openpyxl_agree(tmp_path):
    rows = [[None], ["标题"], ["序号", "日期", "金额"], [1, dt.date(2021, 6, 30), 12.5]]
    path = write_xlsx(tmp_path / "a.xlsx", ("S", rows))
    fast = read_sheets(path, engine="calamine")[0].rows
    slow = read_sheets(path, engine="openpyxl")[0].rows
    assert fast[1][0] == slow[1][0] == "标题"  # leading blank row kept: row numbers stay exact
    assert fast[3][1] == slow[3][1] == dt.date(2021, 6, 30)
    assert float(fast[3][2]) == float(slow[3][2]) == 12.5


@pytest.mark.parametrize(
    ("name", "content"), [("a.xlsx", b"not a zip"), ("a.txt", b"x"), ("a.xls", b"\x00" * 64)]
)
def test_unreadable_files(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        read_sheets(path)
    assert err.value.reason


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match="not found"):
        read_sheets(tmp_path / "nope.xlsx")


def test_calamine_rows_start_at_a1_and_are_cleaned(tmp_path):
    """Rows are streamed from the first used cell (here C3): the rows above and the columns to the
    left are put back, so every cell keeps the row and column Excel shows; blanks are None, a
    midnight datetime a date."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    from toolkit.ingest.readers import _clean

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "序号"
    ws["D4"] = "  "
    ws["E4"] = dt.datetime(2021, 6, 30)
    ws["C5"] = dt.datetime(2021, 6, 30, 10, 30)
    ws["D5"] = True
    ws["E5"] = 1.5
    ws["E6"] = "\u3000"
    path = tmp_path / "c3.xlsx"
    wb.save(path)
    rows = read_sheets(path)[0].rows
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet")
    expected = [tuple(map(_clean, row)) for row in sheet.to_python(skip_empty_area=False)]
    assert rows == expected
    assert rows[2] == (None, None, "序号", None, None)
    assert rows[3][4] == dt.date(2021, 6, 30) and type(rows[3][4]) is dt.date
    assert rows[4] == (None, None, dt.datetime(2021, 6, 30, 10, 30), True, 1.5)
    assert rows[5] == (None,) * 5


def test_rows_are_cleaned_chunk_by_chunk_as_cell_by_cell(monkeypatch):
    """Columns of a chunk are cleaned as a whole (kept when nothing changes, repeated texts made
    one object): the cells are what ``_clean`` gives each, across chunk boundaries, and a row of
    another length than its chunk's is cleaned cell by cell."""
    from toolkit.ingest import readers

    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)
    unit = "县水务局党组"
    long_text = "长" * (readers.SHARED_TEXT + 1)
    raw = [
        ["", "", "", ""],
        [1.0, "".join(["县水务局", "党组"]), "问题一", dt.date(2021, 1, 1)],
        [2.0, "".join(["县水务局", "党组"]), " ", "2021年6月30日"],
        [3.0, "\u3000", "问题三", dt.datetime(2021, 1, 2)],
        [4.0, "".join(["县水务局", "党组"]), long_text, dt.datetime(2021, 1, 2, 8, 0)],
        [
            True,
            "".join(["县水务局", "党组"]),
            "".join(["长"] * (readers.SHARED_TEXT + 1)),
            dt.date(2021, 1, 3),
        ],
        [5, "城关镇党委"],
        [6.0, "城关镇党委", "问题六", None],
    ]
    rows = readers._cleaned([list(r) for r in raw], left=2)
    assert rows == [(None, None, *map(readers._clean, r)) for r in raw]
    assert all(type(r) is tuple for r in rows)
    assert [type(r[2]) for r in rows[1:]] == [float, float, float, float, bool, int, float]
    assert rows[3][5] == dt.date(2021, 1, 2) and type(rows[3][5]) is dt.date  # in a column of dates only
    units = [r[3] for r in rows if r[3] == unit]
    assert len(units) == 4 and all(u is units[0] for u in units)  # one object for a repeated text


def test_merges_and_error_cells_fill_tuple_rows():
    """Merged cells are filled down in range order (a later range may start in a cell an earlier
    one filled); a row is copied once however many ranges or errors touch it; error values go
    only into empty cells, rows and columns added as needed."""
    from types import SimpleNamespace

    from toolkit.ingest.readers import Sheet, _fill_vertical_merges, _restore_errors

    rows = [("a", "b", "c"), (None, None, None), (None, None, "x"), (None, None)]
    _fill_vertical_merges(rows, [((0, 0), (1, 1)), ((1, 1), (3, 2))])
    assert rows == [("a", "a", "c"), ("a", "a", "a"), (None, "a", "a"), (None, "a")]
    assert all(type(r) is tuple for r in rows)

    errors = {(1, 1): "#N/A", (2, 5): "#DIV/0!", (6, 2): "#REF!", (2, 4): "#NAME?"}
    sheet = Sheet("S", [("a", None), (None,)])
    _restore_errors([sheet], SimpleNamespace(errors=lambda name: errors))
    assert sheet.rows == [
        ("a", None),
        (None, None, None, "#NAME?", "#DIV/0!"),
        (),
        (),
        (),
        (None, "#REF!"),
    ]
