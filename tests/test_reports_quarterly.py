"""The quarterly report: the figures in the .docx and .xlsx are the metrics' figures for 2020Q4."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit import metrics
from toolkit.cli import main
from toolkit.filters import Filters
from toolkit.labels import percent
from toolkit.masking import NAMES_SHOWN_ZH
from toolkit.reports import quarter_bounds, quarterly
from toolkit.reports.quarterly import periods

D = dt.date
Q = "2020Q4"
ENDS = {"this": D(2020, 12, 31), "previous": D(2020, 9, 30), "last_year": D(2019, 12, 31)}


@pytest.fixture(scope="module")
def report(sample_ledger):
    return docx.Document(io.BytesIO(quarterly(sample_ledger, Q)))


@pytest.fixture(scope="module")
def workbook(sample_ledger):
    return openpyxl.load_workbook(io.BytesIO(quarterly(sample_ledger, Q, fmt="xlsx")))


def table_starting(document, header: str, second: str | None = None):
    for table in document.tables:
        cells = [c.text for c in table.rows[0].cells]
        if cells[0] == header and (second is None or cells[1] == second):
            return {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    raise AssertionError(f"no table headed {header}")


def all_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_quarter_bounds_and_periods():
    assert quarter_bounds("2020Q4") == (D(2020, 10, 1), D(2020, 12, 31))
    assert quarter_bounds("2021q1") == (D(2021, 1, 1), D(2021, 3, 31))
    assert periods("2021Q1") == {"this": "2021Q1", "previous": "2020Q4", "last_year": "2020Q1"}
    with pytest.raises(ValueError, match="quarter"):
        quarter_bounds("2020-13")


def test_indicators_equal_the_metrics_at_each_quarter_end(sample_ledger, report):
    rows = table_starting(report, "指标")
    for column, period in ((1, "this"), (2, "previous"), (4, "last_year")):
        day = ENDS[period]
        h = metrics.headline(sample_ledger, as_of=day).iloc[0]
        assert rows["累计发现问题"][column] == f"{int(h['problems']):,d}"
        assert rows["整改率"][column] == percent(h["rate"])
        on_time = metrics.on_time_rate(sample_ledger, as_of=day).iloc[0]
        assert rows["按期整改率"][column] == percent(on_time["rate"])
        warn = metrics.overdue_summary(sample_ledger, as_of=day).iloc[0]
        assert rows["红色预警问题"][column] == f"{int(warn['red']):,d}"
        conv = metrics.case_conversion(sample_ledger, as_of=day).iloc[0]
        assert rows["成案率"][column] == percent(conv["rate"])
        cov = metrics.coverage(sample_ledger, as_of=day).iloc[0]
        assert rows["巡察全覆盖率"][column] == percent(cov["rate"])


def test_the_quarters_work_counts_records_dated_in_each_quarter(sample_ledger, report):
    """Counted independently from the raw tables as they stood at the end of 2020Q4."""
    view = sample_ledger.as_of(D(2020, 12, 31))
    problems = view.table("problems").execute()
    clues = view.table("clues").execute()
    rows = table_starting(report, "项目")
    for column, period in ((1, "this"), (2, "previous"), (3, "last_year")):
        start, end = quarter_bounds(periods(Q)[period])

        def inside(values, start=start, end=end):
            values = pd.to_datetime(values)
            return int(((values >= pd.Timestamp(start)) & (values <= pd.Timestamp(end))).sum())

        assert rows["发现问题"][column] == f"{inside(problems['found_on'])}"
        assert rows["完成整改问题"][column] == f"{inside(problems['rectified_on'])}"
        assert rows["移交问题线索"][column] == f"{inside(clues['transferred_on'])}"
        assert rows["立案"][column] == f"{inside(clues['case_opened_on'])}"
    assert int(rows["发现问题"][1]) > 0 and int(rows["反馈巡察轮次"][1]) > 0


def test_overdue_and_outcomes_by_region_equal_the_metrics(sample_ledger, report):
    warn = metrics.overdue_summary(sample_ledger, as_of=ENDS["this"], by="region").set_index("region")
    rows = table_starting(report, "地区")  # the first region table is the 三色预警
    assert set(rows) == set(warn.index)
    for region, cells in rows.items():
        assert cells[1:3] == [str(warn.loc[region, "open"]), str(warn.loc[region, "red"])]
    out = metrics.outcomes(sample_ledger, as_of=ENDS["this"], by="region")
    text = all_text(report)
    assert f"{int(out['sanctioned'].max())}" in text


def test_charts_are_embedded_as_png_images(report):
    assert len(report.inline_shapes) == 2
    images = [p for p in report.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 2 and all(p.blob[:8] == b"\x89PNG\r\n\x1a\n" for p in images)
    assert all(len(p.blob) > 20_000 for p in images)  # a rendered chart, not an empty canvas


def test_xlsx_holds_the_same_figures_as_numbers(sample_ledger, workbook):
    assert {"本季度工作", "主要指标", "三色预警", "线索处置与问责", "地区比较"} <= set(workbook.sheetnames)
    ws = workbook["主要指标"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    h = metrics.headline(sample_ledger, as_of=ENDS["this"]).iloc[0]
    assert rows["累计发现问题"][1] == h["problems"]
    assert rows["整改率"][1] == pytest.approx(h["rate"])
    assert (
        ws.cell(
            row=[r[0] for r in ws.iter_rows(values_only=True)].index("整改率") + 1, column=2
        ).number_format
        == "0.0%"
    )
    clues = workbook["线索处置与问责"]
    out = metrics.outcomes(sample_ledger, as_of=ENDS["this"], by="region").set_index("region")
    for row in clues.iter_rows(min_row=2, values_only=True):
        assert row[5] == out.loc[row[0], "sanctioned"]
        assert row[7] == pytest.approx(out.loc[row[0], "recovered_yuan"] / 10_000)


def test_names_are_masked_unless_asked(sample_ledger, report):
    clues = sample_ledger.as_of(ENDS["this"]).table("clues").execute()
    opened = pd.to_datetime(clues["case_opened_on"])
    subjects = clues.loc[opened >= pd.Timestamp(2020, 10, 1), "subject"].tolist()
    assert subjects
    masked = all_text(report)
    assert not any(name in masked for name in subjects)
    assert subjects[0][0] + "*" * (len(subjects[0]) - 1) in masked
    assert NAMES_SHOWN_ZH not in masked
    shown = all_text(docx.Document(io.BytesIO(quarterly(sample_ledger, Q, show_names=True))))
    assert all(name in shown for name in subjects)
    assert NAMES_SHOWN_ZH in shown
    book = openpyxl.load_workbook(io.BytesIO(quarterly(sample_ledger, Q, fmt="xlsx", show_names=True)))
    assert book.sheetnames[0] == "说明" and book["说明"]["A1"].value == NAMES_SHOWN_ZH


def test_a_region_report_is_that_regions_figures(sample_ledger):
    doc = docx.Document(io.BytesIO(quarterly(sample_ledger, Q, region="西山区")))
    rows = table_starting(doc, "指标")
    h = metrics.headline(sample_ledger, as_of=ENDS["this"], filters=Filters(region="西山区")).iloc[0]
    assert rows["累计发现问题"][1] == f"{int(h['problems']):,d}"
    a = metrics.assignments(sample_ledger, as_of=ENDS["this"], filters=Filters(region="西山区")).iloc[0]
    assert rows["交办事项按期反馈率"][1] == percent(a["rate"])
    assert "西山区巡察工作季度报告" in doc.paragraphs[0].text
    assert (
        "◀ 本地区" in table_starting(doc, "地区", "发现问题")["西山区"]
    )  # districts compared: its own row marked


def test_a_team_report_leaves_out_what_a_team_does_not_have(sample_ledger):
    team = sample_ledger.table("inspections").execute()["team"].value_counts().index[0]
    wb = openpyxl.load_workbook(io.BytesIO(quarterly(sample_ledger, Q, team=team, fmt="xlsx")))
    rows = {r[0]: r for r in wb["主要指标"].iter_rows(min_row=2, values_only=True)}
    h = metrics.headline(sample_ledger, as_of=ENDS["this"], filters=Filters(team=team)).iloc[0]
    assert rows["累计发现问题"][1] == h["problems"]
    assert "交办事项按期反馈率" not in rows and "巡察全覆盖率" not in rows


def test_cli_writes_docx_and_xlsx_and_refuses_region_with_team(sample_path, tmp_path):
    runner = CliRunner()
    for ext in ("xlsx",):
        out = tmp_path / f"q.{ext}"
        result = runner.invoke(
            main, ["report", "quarterly", "--ledger", str(sample_path), "--quarter", Q, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert openpyxl.load_workbook(out)["主要指标"].max_row > 5
    both = ["--region", "西山区", "--team", "x"]
    args = ["report", "quarterly", "--ledger", str(sample_path), "--quarter", Q, "--out", "x.docx"]
    assert runner.invoke(main, args + both).exit_code == 2
    bad = [
        "report",
        "quarterly",
        "--ledger",
        str(sample_path),
        "--quarter",
        "2020Q9",
        "--out",
        str(tmp_path / "x.docx"),
    ]
    assert runner.invoke(main, bad).exit_code == 2
