import datetime as dt

import openpyxl
import pytest

from toolkit.ingest import examples, import_files
from toolkit.ingest.quarantine import DETAIL_SHEET, ERROR_HEADERS, write_rejects
from toolkit.ledger import Ledger

TODAY = dt.date(2023, 9, 10)  # after the example files' dates (toolkit.ingest.examples)


@pytest.fixture
def county(tmp_path):
    return examples.county_ledger(tmp_path / "county.xlsx")


def test_rejects_workbook_layout(county, tmp_path):
    report = import_files([county], tmp_path / "l.duckdb", region="青溪县", today=TODAY)
    out = write_rejects(report, tmp_path / "rejects.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[: len(examples.HEADERS)] == examples.HEADERS  # the original columns, in place
    assert header[-3:] == list(ERROR_HEADERS)
    # context the rows took from the title / 填报单位 line travels with them
    assert "巡察轮次" in header and "被巡察单位" in header and "填报时间" in header
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 3
    assert rows[0][header.index("错误列")] == "G 整改时限"
    assert "2023年13月1日" in rows[0][header.index("错误原因")]
    assert rows[0][header.index("原始位置")] == "county.xlsx [整改台账] 第13行"
    assert wb[DETAIL_SHEET].max_row == 4


def test_no_rejects_no_file(tmp_path):
    report = import_files([examples.gb18030_csv(tmp_path / "a.csv")], tmp_path / "l.duckdb", today=TODAY)
    assert write_rejects(report, tmp_path / "r.xlsx") is None and not (tmp_path / "r.xlsx").exists()


def test_fix_a_reject_and_reimport(county, tmp_path):
    ledger = tmp_path / "l.duckdb"
    first = import_files([county], ledger, region="青溪县", today=TODAY)
    rejects = write_rejects(first, tmp_path / "rejects.xlsx")
    wb = openpyxl.load_workbook(rejects)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("整改时限") + 1).value = "2023年12月31日"  # fix the impossible date
    ws.cell(4, header.index("完成情况") + 1).value = "已完成"  # fix the unknown status
    wb.save(rejects)
    second = import_files([rejects], ledger, region="青溪县", today=TODAY)
    assert (second.data_rows, second.accepted, second.rejected, second.duplicates) == (3, 2, 1, 0)
    assert second.errors[0].field == "description"
    assert second.created_rounds == [] and second.created_units == []  # it found the same round and unit
    with Ledger.open(ledger) as led:
        p = led.table("problems").execute().set_index("description")
    assert p.loc["整改台账更新不及时", "due"].date() == dt.date(2023, 12, 31)
    assert p.loc["公车使用登记不全", "team"] == "青溪县委第三巡察组"
    # rectified without a date: the original sheet's 填报时间 travelled in the rejects workbook
    assert p.loc["公车使用登记不全", "rectified_on"].date() == dt.date(2023, 7, 5)
    third = import_files([rejects], ledger, region="青溪县", today=TODAY)
    assert (third.accepted, third.duplicates, third.rejected) == (0, 2, 1)


REJECTS_PEAK = """
import datetime as dt, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from toolkit.ingest.quarantine import write_rejects
from toolkit.ingest.report import ImportReport, RejectedRow, RowError

n = int(sys.argv[1])
headers = ["序号", "被巡察单位", "问题描述", "整改时限", "整改状态", "涉及金额（万元）"]
error = RowError("a.xlsx", "台账", 0, "D", "整改时限", "due", "日期不存在：2021年13月1日", "no such date")
report = ImportReport()
for i in range(n):
    cells = [i, "县水务局党组", "=危险公式\\x07" if i % 2 else "问题", "2021年13月1日", "整改中", 1.5]
    report.rejected_rows.append(RejectedRow("a.xlsx", "台账", i + 2, headers, cells, [error], {{}}))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
write_rejects(report, sys.argv[2])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.slow
def test_rejects_are_written_in_bounded_memory(tmp_path):
    """Writing 50,000 rejected rows costs no more memory than 5,000 (openpyxl's normal mode
    would hold every cell: about 110 MB more here)."""
    import subprocess
    import sys

    def growth(n: int) -> int:
        out = tmp_path / f"r{n}.xlsx"
        code = REJECTS_PEAK.format(limit=2 * 1024**3)
        done = subprocess.run(
            [sys.executable, "-c", code, str(n), str(out)],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        assert out.exists()
        return int(done.stdout.strip())

    small, large = growth(5_000), growth(50_000)
    assert large - small < 32, (small, large)  # MB


def test_rejects_workbook_keeps_text_as_text(county, tmp_path):
    from toolkit.safe_xlsx import formula_cells

    report = import_files([county], tmp_path / "l.duckdb", region="青溪县", today=TODAY)
    report.rejected_rows[0].cells[2] = "=cmd|' /C calc'!A0\x07"
    out = write_rejects(report, tmp_path / "rejects.xlsx")
    assert formula_cells(out) == []
    assert openpyxl.load_workbook(out).worksheets[0]["C2"].value == "=cmd|' /C calc'!A0\u2407"
