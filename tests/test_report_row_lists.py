"""A finding about many rows stays one line a person can read: the first row ranges are listed
and the rest counted, in the printed report and in what the import page shows."""

from __future__ import annotations

import datetime as dt

import openpyxl

from toolkit.ingest import import_files
from toolkit.ingest.report import ROW_RANGES_SHOWN, row_ranges


def test_a_few_rows_are_all_listed_as_ranges():
    assert row_ranges([14, 8, 9, 10]) == "8-10, 14"
    assert row_ranges([3]) == "3"
    assert row_ranges([]) == ""
    assert row_ranges([5, 5, 6]) == "5-6"  # a row named twice is one row


def test_many_rows_list_the_first_ranges_and_count_all():
    rows = list(range(1, 200_000, 5))  # 40,000 rows, none adjacent
    text = row_ranges(rows)
    assert text.startswith("1, 6, 11, ")
    assert text.endswith("…（共 40,000）")
    shown = text.split(" …")[0].split(", ")
    assert len(shown) == ROW_RANGES_SHOWN
    assert shown[-1] == str(rows[ROW_RANGES_SHOWN - 1])


def undated_rectifications(path, rows: int) -> None:
    """A 整改台账 whose every other row is marked 已完成 without a completion date."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append(["江州市委巡察反馈问题整改台账"])
    ws.append(["填报时间：2021年12月31日"])  # what undated rectified rows are dated by
    ws.append(["序号", "被巡察单位", "巡察轮次", "问题类别", "问题描述", "整改时限", "整改状态"])
    for i in range(rows):
        status = "已完成" if i % 2 else "整改中"
        ws.append(
            [
                i + 1,
                "江州市第1单位党组",
                "七届市委第1轮巡察",
                "作风",
                f"问题{i}：台账不全",
                dt.date(2021, 6, 30),
                status,
            ]
        )
    wb.save(path)


def test_an_import_of_thousands_of_undated_rows_reports_them_in_one_short_line(tmp_path):
    workbook = tmp_path / "big.xlsx"
    undated_rectifications(workbook, 3_000)
    report = import_files([workbook], tmp_path / "l.duckdb", dry_run=True, today=dt.date(2022, 1, 1))
    dated = [f for f in report.findings if f.kind == "date_from_filing"]
    assert len(dated) == 1
    assert "…（共 " in dated[0].where and len(dated[0].where) < 400
    summary = report.summary()
    assert max(len(line) for line in summary.splitlines()) < 1_000
