"""Nothing dropped in silence, nothing implausible signed: whole-line skips listed with reasons,
limits on dates, numbers and text, rounds not moved by a typo, similar units and undated
rectifications reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from tests.ingest_workbooks import HEADER, ROUND, problem_rows, simple_ledger, write_xlsx
from toolkit.cli import main
from toolkit.ingest import import_files, limits
from toolkit.ingest.layout import find_table
from toolkit.ingest.readers import Sheet
from toolkit.ledger import Ledger

TODAY = dt.date(2021, 9, 10)
UNIT = "县水务局党组"


def row(n: int, description: str, due="2021.9.30", status="整改中", *extra):
    return [n, UNIT, "财务管理和资金使用", description, due, status, *extra]


def test_totals_words_in_a_description_are_data_not_a_total():
    rows = [
        HEADER,
        row(1, "共计3笔专项资金未及时入账"),
        ["合计：3项", None, None, None, None, None],
        ["合计", None, None, None, 12.5, "—"],
        [None, "小计（城关镇）", None, None, "3项", None],
        ["共计3笔专项资金未及时入账", None, None, None, None, None],
    ]
    table = find_table(Sheet("x", rows))
    assert [r.excel_row for r in table.rows] == [2, 6]  # the lone 共计… line is a (bad) data row
    assert [r for r, _ in table.skipped] == [3, 4, 5]


def test_rows_after_a_note_are_data_and_every_skipped_line_is_listed(tmp_path):
    rows = [
        ["十四届青溪县委第三轮巡察反馈问题整改台账"],
        HEADER,
        row(1, "问题甲"),
        ["注：1.涉及金额单位为万元；"],
        ["2.长期坚持事项每半年报告一次。"],
        row(2, "注释之后的问题乙"),
        ["说明：以下为补报问题"],
        row(3, "补报的问题丙"),
        ["以下空白"],
        ["填表人：张某", None, None, "审核人：李某"],
        ["十四届青溪县委第三轮巡察反馈问题整改台账"],
    ]
    path = write_xlsx(tmp_path / "n.xlsx", ("台账", rows))
    report = import_files([path], tmp_path / "l.duckdb", round=ROUND, today=TODAY)
    assert (report.data_rows, report.accepted, report.rejected, report.duplicates) == (3, 3, 0, 0)
    skipped = {(x["row"], x["reason"].split(" / ")[1]) for x in report.skipped_lines()}
    assert {r for r, _ in skipped} == {4, 5, 7, 9, 10, 11}
    summary = report.summary()
    assert "第 4-5, 7 行 rows: 注释行 / note line" in summary
    assert "第 11 行 rows: 重复标题 / repeated title" in summary
    out = CliRunner().invoke(
        main,
        [
            "import",
            str(path),
            "--ledger",
            str(tmp_path / "x.duckdb"),
            "--round",
            ROUND,
            "--json",
            "--dry-run",
        ],
    )
    assert {x["row"] for x in json.loads(out.stdout)["skipped_lines"]} == {4, 5, 7, 9, 10, 11}


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        (row(1, "过早", due="1900-01-01"), "E", "1990"),
        (row(1, "时限太远", due="9999-12-31"), "E", "10 years"),
        (row(1, "尚未发生", "2021.9.30", "已整改", dt.date(2022, 1, 1)), "G", "after the import date"),
        (row(1, "错误值金额", "2021.9.30", "整改中", None, "#DIV/0!"), "H", "#DIV/0!"),
        (row(1, "金额过大", "2021.9.30", "整改中", None, "2000亿元"), "H", "over the limit"),
        (row(1, "无穷大", "2021.9.30", "整改中", None, "1" * 30), "H", "digits"),
        (row(1, "x" * (limits.TEXT_LENGTH + 1)), "D", "too long"),
        (row(1, "已整改但无日期", "2021.9.30", "已整改"), "G", "completion date"),
    ],
)
def test_implausible_values_are_rejected_naming_the_column(cells, column, words, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", ("台账", [[*HEADER, "整改完成时间", "涉及金额"], cells]))
    report = import_files([path], tmp_path / "l.duckdb", round=ROUND, today=TODAY)
    assert (report.accepted, report.rejected) == (0, 1)
    (err,) = [e for e in report.errors if words in e.reason_en]
    assert (err.row, err.column) == (2, column)


def test_persons_sanctioned_over_the_limit_are_rejected(tmp_path):
    header = ["线索编号", "被巡察单位", "线索名称", "被反映人", "移交时间", "处置方式", "党纪政务处分（人）"]
    rows = [header, ["1", UNIT, "违规发放补贴", "王某甲", "2021.6.1", "立案审查调查", 1_000_000]]
    report = import_files(
        [write_xlsx(tmp_path / "c.xlsx", ("线索", rows))], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    (err,) = report.errors
    assert (report.rejected, err.column, err.field) == (1, "G", "sanctioned")
    assert f"{limits.MAX_COUNTS['sanctioned']}" in err.reason_en


def test_a_typo_date_never_moves_a_created_round(tmp_path):
    rows = [
        ["填报时间：2021年9月1日"],
        [*HEADER, "发现时间"],
        *[row(i, f"问题{i}", "2021.12.31", "整改中") for i in range(1, 6)],
        row(6, "发现时间写错的问题", "2021.12.31", "整改中"),
    ]
    for i in range(2, 7):
        rows[i].append(dt.date(2021, 6, 1 + i))
    rows[7].append(dt.date(1995, 1, 1))  # a typo for 2021
    path = write_xlsx(tmp_path / "r.xlsx", ("台账", rows))
    ledger = tmp_path / "l.duckdb"
    report = import_files([path], ledger, round=ROUND, today=TODAY)
    assert (report.accepted, report.rejected) == (5, 1)
    (err,) = report.errors
    assert (err.row, err.field) == (8, "found_on") and "1995-01-01" in err.reason_zh
    with Ledger.open(ledger) as led:
        rnd = led.table("rounds").execute().iloc[0]
    assert rnd["start"].date() == rnd["feedback_on"].date() == dt.date(2021, 6, 3)
    (created,) = [f for f in report.findings if f.kind == "created_round"]
    assert "2021-06-03" in created.detail_zh


def test_similar_unit_is_created_with_a_finding_naming_both(tmp_path):
    ledger = tmp_path / "l.duckdb"
    first = [row(1, "问题甲")]
    first[0][1] = "青溪住房和城乡建设局党组"
    import_files(
        [simple_ledger(tmp_path / "a.xlsx", first)], ledger, round=ROUND, region="青溪县", today=TODAY
    )
    second = [row(2, "问题乙")]
    second[0][1] = "县住房和城乡建设局党组"
    path = simple_ledger(tmp_path / "b.xlsx", second)
    args = [
        "import",
        str(path),
        "--ledger",
        str(ledger),
        "--round",
        ROUND,
        "--region",
        "青溪县",
        "--dry-run",
        "--json",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (finding,) = [f for f in out["findings"] if f["kind"] == "similar_unit"]
    assert (
        "县住房和城乡建设局党组" in finding["detail_zh"]
        and "青溪住房和城乡建设局党组" in finding["detail_zh"]
    )
    assert out["created"]["units"] == ["县住房和城乡建设局党组（青溪县）"]
    table = CliRunner().invoke(main, args[:-1])
    assert "请核对 please check" in table.output and "将新建 would create" in table.output


def test_rectified_by_the_filing_date_is_flagged(tmp_path):
    rows = [["填报时间：2021年9月1日"], HEADER, row(1, "已整改的问题", "2021.9.30", "已整改")]
    report = import_files(
        [write_xlsx(tmp_path / "f.xlsx", ("台账", rows))], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    assert report.accepted == 1
    (flag,) = [f for f in report.findings if f.kind == "date_from_filing"]
    assert "2021-09-01" in flag.detail_zh and "#3" not in flag.where and "3" in flag.where


def test_an_implausible_filing_date_is_not_used(tmp_path):
    rows = [["填报时间：2051年9月1日"], HEADER, row(1, "已整改的问题", "2021.9.30", "已整改")]
    report = import_files(
        [write_xlsx(tmp_path / "f.xlsx", ("台账", rows))], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    assert (report.accepted, report.rejected) == (0, 1)
    assert report.errors[0].field == "rectified_on"
    assert [f.kind for f in report.findings] == ["filing_date_ignored"]


def test_values_from_the_title_and_options_are_checked_too(tmp_path):
    report = import_files(
        [simple_ledger(tmp_path / "a.xlsx", problem_rows(2))],
        tmp_path / "l.duckdb",
        round="第三轮\x07巡察",
        today=TODAY,
    )
    assert report.rejected == 2 and {e.field for e in report.errors} == {"round"}


def test_values_in_columns_without_a_header_are_said(tmp_path):
    rows = [HEADER, row(1, "问题甲", "2021.9.30", "整改中", "备忘：无表头的列")]
    report = import_files(
        [write_xlsx(tmp_path / "u.xlsx", ("台账", rows))], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    assert report.accepted == 1
    (finding,) = [f for f in report.findings if f.kind == "unheaded_cells"]
    assert "第 2 行" in finding.where


@pytest.mark.timeout(120)  # quadratic regexes took minutes on these cells; linear ones take milliseconds
def test_kilobyte_cells_do_not_stall_the_layout():
    long_digits = "1" * 30_000 + "x"
    rows = [
        ["(" * 30_000, "填报单位：" + "a" * 30_000],
        HEADER,
        row(1, "问题甲"),
        ["合计", None, None, None, long_digits, None],
        ["注：见下"],
        [long_digits],
    ]
    table = find_table(Sheet("x", rows))
    assert [r.excel_row for r in table.rows] == [3, 4]  # the 'total' with a 30,000-digit text is data
    assert [r for r, _ in table.skipped] == [5, 6]
