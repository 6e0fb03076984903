"""一报一单: the portrait's figures are the metrics' for the unit and its five-year window."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit import metrics
from toolkit.cli import main
from toolkit.filters import Filters
from toolkit.labels import percent, yuan
from toolkit.listings import unit_recurrences
from toolkit.masking import NAMES_SHOWN_ZH
from toolkit.reports import portrait

DAY = dt.date(2026, 11, 15)
UNIT = "U000517"  # a 青溪县 department: two rounds in the window, one a 回头看, clues, a case


@pytest.fixture(scope="module")
def window(sample_ledger):
    """The rounds that inspected UNIT after DAY minus five years, read from the raw tables."""
    insp = sample_ledger.table("inspections").execute()
    rounds = sample_ledger.table("rounds").execute().set_index("id")
    ids = insp.loc[insp["unit_id"] == UNIT, "round_id"]
    start = pd.to_datetime(rounds.loc[ids, "start"])
    inside = start[(start > pd.Timestamp(2021, 11, 15)) & (start <= pd.Timestamp(DAY))]
    return tuple(sorted(inside.index))


@pytest.fixture(scope="module")
def report(sample_ledger):
    return docx.Document(io.BytesIO(portrait(sample_ledger, UNIT, as_of=DAY)))


def text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def table_headed(document, first: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first)


def test_the_headline_figures_are_the_metrics_for_the_window(sample_ledger, report, window):
    assert len(window) == 2
    scope = Filters(unit=UNIT, round=window)
    h = metrics.headline(sample_ledger, as_of=DAY, filters=scope).iloc[0]
    o = metrics.outcomes(sample_ledger, as_of=DAY, filters=scope).iloc[0]
    c = metrics.case_conversion(sample_ledger, as_of=DAY, filters=scope).iloc[0]
    body = text(report)
    assert (
        f"发现问题 {int(h['problems'])} 个，已整改 {int(h['rectified'])} 个，整改率 {percent(h['rate'])}"
        in body
    )
    assert (
        f"移交问题线索 {int(o['clues'])} 件，已处置 {int(c['disposed'])} 件，立案 {int(o['cases'])} 件"
        in body
    )
    assert f"挽回经济损失 {yuan(int(o['recovered_yuan']))}" in body
    assert int(h["problems"]) > 0 and int(o["clues"]) > 0


def test_rounds_table_lists_the_window(sample_ledger, report, window):
    rows = table_headed(report, "巡察轮次").rows[1:]
    names = sample_ledger.table("rounds").execute().set_index("id").loc[list(window), "name"]
    assert sorted(r.cells[0].text for r in rows) == sorted(names)
    assert "巡察“回头看”" in [r.cells[1].text for r in rows]


def test_checklist_has_every_rectified_problem_of_the_window(sample_ledger, report, window):
    problems = sample_ledger.as_of(DAY).table("problems").execute()
    mine = problems[(problems["unit_id"] == UNIT) & problems["round_id"].isin(window)]
    rectified = mine[mine["status"].isin(["rectified", "closed"])]
    table = table_headed(report, "序号")
    assert len(table.rows) - 1 == len(rectified) > 0
    assert sorted(r.cells[3].text for r in table.rows[1:]) == sorted(rectified["description"])
    assert all(r.cells[7].text == "" for r in table.rows[1:])  # 复查结果 left for the team


def test_recurrences_are_listed(sample_ledger, report):
    expected = unit_recurrences(sample_ledger, UNIT, as_of=DAY)
    rows = table_headed(report, "问题类别")  # the first such table is by category
    rec = [t for t in report.tables if t.rows[0].cells[1].text == "首次整改轮次"][0]
    assert sorted(r.cells[0].text for r in rec.rows[1:]) == sorted(expected["category"])
    assert len(rows.rows) > 1


def test_a_chart_is_embedded(report):
    assert len(report.inline_shapes) == 1
    images = [p for p in report.part.package.parts if p.content_type == "image/png"]
    assert images and images[0].blob[:4] == b"\x89PNG"


def test_names_masked_unless_asked(sample_ledger, report, window):
    clues = sample_ledger.table("clues").execute()
    subjects = clues.loc[(clues["unit_id"] == UNIT) & clues["round_id"].isin(window), "subject"].tolist()
    assert subjects
    assert not any(name in text(report) for name in subjects)
    assert NAMES_SHOWN_ZH not in text(report)
    shown = text(docx.Document(io.BytesIO(portrait(sample_ledger, UNIT, as_of=DAY, show_names=True))))
    assert all(name in shown for name in subjects)
    assert NAMES_SHOWN_ZH in shown  # the document says it shows names


def test_cli_portrait(sample_path, tmp_path):
    out = tmp_path / "p.docx"
    args = ["report", "portrait", "--ledger", str(sample_path), "--unit", UNIT, "--as-of", "2026-11-15"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "廉情画像" in docx.Document(out).paragraphs[0].text
    assert "姓名已遮盖" in result.output
    named = CliRunner().invoke(main, [*args, "--out", str(out), "--names"])
    assert named.exit_code == 0 and "未遮盖" in named.output and "NOT masked" in named.output
    missing = ["report", "portrait", "--ledger", str(sample_path), "--unit", "NOPE", "--out", str(out)]
    refused = CliRunner().invoke(main, missing)
    assert refused.exit_code == 2 and "未找到单位“NOPE”" in refused.output
    bad_day = CliRunner().invoke(main, [*args[:-1], "2021-13-01", "--out", str(out)])
    assert bad_day.exit_code == 2 and "2021-13-01" in bad_day.output and "Traceback" not in bad_day.output
