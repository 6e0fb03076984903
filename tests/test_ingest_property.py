"""Property: whatever the cells and layout, the importer only ever raises ``UnreadableFile``, and
accepted + rejected + duplicates == data rows, per file."""

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest_workbooks import write_xlsx
from toolkit.ingest import UnreadableFile, import_files
from toolkit.ingest.layout import find_table
from toolkit.ingest.readers import read_sheets

HEADERS = [
    "序号",
    "被巡察单位",
    "巡察轮次",
    "问题类别",
    "问题描述",
    "整改时限",
    "整改状态",
    "涉及金额（万元）",
    "销号时间",
    "领导签字",
]

cell = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "合计",
            "注：说明",
            "长期坚持",
            "立行立改",
            "已完成",
            "基本完成",
            "已销号",
            "差不多",
            "2021年6月30日",
            "2021.13.1",
            "2020年8月",
            "１２．５",
            "1.05亿元",
            "-3",
            "县水务局党组",
            "十四届青溪县委第三轮巡察",
            "问题描述",
            "",
            "  ",
            # hostile or implausible: rejected or skipped, never a crash, never a lost row
            "#DIV/0!",
            "#N/A",
            "共计3笔专项资金未及时入账",
            "说明：以下为补报",
            "以下空白",
            "填表人：张某",
            "挪用_x0007_资金",  # a BEL once calamine reads it
            "1" * 30,
            "1900-01-01",
            "9999-12-31",
            "=1+1",
        ]
    ),
    st.sampled_from([1e308, -1e308, 10**20, 1_000_000]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.integers(min_value=-10, max_value=100_000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e9),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12),
)

GOOD = {
    "序号": st.integers(1, 9),
    "被巡察单位": st.sampled_from(["县水务局党组", "城关镇党委"]),
    "巡察轮次": st.sampled_from(["十四届青溪县委第三轮巡察", "十四届青溪县委第四轮巡察"]),
    "问题类别": st.sampled_from(["财务管理", "选人用人"]),
    "问题描述": st.sampled_from(["问题甲", "问题乙", "问题丙"]),
    "整改时限": st.sampled_from(["2021年9月30日", "长期坚持", "立行立改", "2021.12"]),
    "整改状态": st.sampled_from(["整改中", "已完成", "基本完成", "已销号"]),
}


@st.composite
def sheets(draw):
    title = draw(st.lists(st.lists(cell, max_size=4), max_size=3))
    header = draw(st.permutations(HEADERS))[: draw(st.integers(min_value=4, max_value=len(HEADERS)))]
    header = list(dict.fromkeys([*header, "问题描述", "整改时限", "被巡察单位"]))
    row = st.tuples(
        *(st.one_of(GOOD[h], GOOD[h], GOOD[h], GOOD[h], cell) if h in GOOD else cell for h in header)
    ).map(list)
    body = draw(st.lists(row, max_size=12))
    return [*title, header, *body]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets(), round_opt=st.sampled_from([None, "十四届青溪县委第三轮巡察"]))
def test_counts_always_add_up(rows, round_opt):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        try:
            path = write_xlsx(tmp / "p.xlsx", ("S", rows))
        except Exception:  # openpyxl refuses some control characters; not our input to test
            return
        table = find_table(read_sheets(path)[0])
        if table is None:  # no header: the documented error, and nothing written
            with pytest.raises(UnreadableFile):
                import_files([path], tmp / "l.duckdb", round=round_opt)
            assert not (tmp / "l.duckdb").exists()
            return
        report = import_files([path], tmp / "l.duckdb", round=round_opt, today=dt.date(2021, 9, 10))
        (f,) = report.files
        assert f.accepted + f.rejected + f.duplicates == f.data_rows
        assert f.data_rows == (len(table.rows) if table else 0)
        if report.accepted:
            assert (tmp / "l.duckdb").exists()
