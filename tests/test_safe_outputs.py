"""Every file the toolkit writes from the hostile ledger: no formula, no name in clear, no crash.

Workbooks (export, the tracker's download, the quarterly .xlsx, the reconcile list) are opened
with openpyxl: not one formula cell, every hostile text there as the text it is, and no person
the ledger records readable unless the names were asked for. Word files (一报一单, the quarterly
.docx) are built despite control characters and mask the same names. The export, made with the
names, imports back through the real importer into an empty ledger as the same records.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import docx
import ipywidgets as w
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.hostile import (
    CONTROL,
    DESCRIPTIONS,
    FORMULAS,
    PORTRAIT_UNIT,
    SUBJECTS,
    build_hostile_ledger,
    known_persons,
    leaked_names,
)
from toolkit import Ledger
from toolkit.apps.router import App
from toolkit.cli import main
from toolkit.ingest import import_files
from toolkit.ingest.export import export_ledger
from toolkit.replay import derived_names
from toolkit.reports import portrait, quarterly
from toolkit.reports.reconcile import Mismatch, mismatches_workbook, reconcile
from toolkit.safe_xlsx import formula_cells, visible_controls

TABLES = ("units", "rounds", "inspections", "problems", "clues", "assignments")
QUARTER = "2026Q4"  # the corpus's round, problems and case


def workbook_text(data) -> str:
    book = openpyxl.load_workbook(data if not isinstance(data, bytes) else io.BytesIO(data))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


def assert_safe_workbook(data, persons) -> str:
    """No formula cell, no person in clear; returns the workbook's text."""
    assert formula_cells(data if not isinstance(data, bytes) else io.BytesIO(data)) == []
    text = workbook_text(data)
    assert leaked_names(text, persons) == []
    return text


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def persons(hostile_ledger):
    return known_persons(hostile_ledger)


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    """The corpus alone in a new ledger: small, for what need not go through the whole sample."""
    return build_hostile_ledger(tmp_path_factory.mktemp("corpus") / "corpus.duckdb", sample=False)


@pytest.mark.slow
def test_the_export_keeps_formulas_as_text_and_masks_every_name(hostile_path, persons, tmp_path):
    out = tmp_path / "masked.xlsx"
    export_ledger(hostile_path, out)
    text = assert_safe_workbook(out, persons)
    book = openpyxl.load_workbook(out)
    descriptions = [c for c in book["整改台账"]["I"] if c.value in FORMULAS]
    assert {c.value for c in descriptions} == set(FORMULAS)
    assert all(c.data_type == "s" and c.quotePrefix for c in descriptions)
    assert "反映局长张**和副局长李**违规插手工程项目问题" in text and "出纳孙**一人保管" in text
    assert visible_controls(CONTROL) in text  # shown as control pictures, not dropped


def test_the_export_with_names_names_them_and_stays_formula_free(corpus_path, tmp_path):
    out = tmp_path / "named.xlsx"
    export_ledger(corpus_path, out, show_names=True)
    assert formula_cells(out) == []
    assert set(leaked_names(workbook_text(out), SUBJECTS)) == set(SUBJECTS)


def _comparable(value):
    """What survives an .xlsx and the importer: control characters become control pictures
    (XML 1.0 cannot hold them, toolkit.safe_xlsx) and the importer's free-text cleaning folds
    every run of white space (U+3000 included) into one space and trims the ends."""
    if isinstance(value, str):
        return re.sub(r"\s+", " ", visible_controls(value)).strip()
    return value


def test_export_then_import_gives_back_the_hostile_records(tmp_path):
    corpus = build_hostile_ledger(tmp_path / "importable.duckdb", sample=False, only_importable=True)
    out = tmp_path / "export.xlsx"
    export_ledger(corpus, out, show_names=True)
    copy = tmp_path / "copy.duckdb"
    report = import_files([out], copy, today=dt.date(2026, 11, 20))
    assert (report.rejected, report.duplicates) == (0, 0), report.summary()
    altered = []
    with Ledger.open(corpus) as before, Ledger.open(copy) as after:
        for table in TABLES:
            # a workbook carries a record, not its history (what is derived from it is left out)
            a, b = (
                led.table(table).execute().drop(columns=list(derived_names("problem")), errors="ignore")
                for led in (before, after)
            )
            a, b = (frame.sort_values("id").reset_index(drop=True) for frame in (a, b))
            pd.testing.assert_frame_equal(
                a.map(_comparable), b.map(_comparable), check_dtype=False, obj=table
            )
            for column in a.columns:
                for x, y in zip(a[column], b[column], strict=True):
                    if isinstance(x, str) and x != y:
                        altered.append(x)
    # formulas and HTML come back exactly; only control characters and odd white space change
    assert set(FORMULAS) <= set(DESCRIPTIONS) and all(
        re.search(r"[\x00-\x1f\u3000]", text) for text in altered
    ), altered


def test_the_tracker_download_is_formula_free_and_masked(hostile_ledger, persons):
    app = App(hostile_ledger, "view=tracker&colour=all")
    export = next(i for i in _walk(app) if "xc-report" in getattr(i, "_dom_classes", ()))
    export.children[0].click()  # the leader asks for the file
    link = next(i for i in _walk(app) if isinstance(i, w.HTML) and "xc-download" in i.value)
    data = base64.b64decode(re.search(r"base64,([^']+)'", link.value).group(1))
    text = assert_safe_workbook(data, persons)
    assert "<img src=x onerror=window.__xss=1>城关镇党委" in text and FORMULAS[0] + "局党组" in text
    sheet = openpyxl.load_workbook(io.BytesIO(data))["整改跟踪"]
    hostile = [c for c in sheet["C"] if c.value == FORMULAS[0] + "局党组"]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


@pytest.mark.slow
def test_the_quarterly_report_masks_names_and_holds_no_formula(hostile_ledger, persons):
    text = assert_safe_workbook(quarterly(hostile_ledger, QUARTER, fmt="xlsx"), persons)
    assert "反映局长张**和副局长李**违规插手工程项目问题" in text
    word = docx_text(quarterly(hostile_ledger, QUARTER))
    assert leaked_names(word, persons) == [] and "张**" in word
    named = docx_text(quarterly(hostile_ledger, QUARTER, show_names=True))
    assert {"张大山", "李小河"} <= set(leaked_names(named, persons))


def test_the_portrait_survives_control_characters_and_masks_names(hostile_ledger, persons):
    word = docx_text(portrait(hostile_ledger, PORTRAIT_UNIT, as_of="2026-11-20"))
    assert leaked_names(word, persons) == []
    assert "反映局长张**和副局长李**违规插手工程项目问题" in word  # the clue list
    assert "局长张**违规审批" in word and "<script>window.__xss=1</script>" in word  # the checklist
    odd = docx_text(portrait(hostile_ledger, "UH00004", as_of="2026-11-20"))  # a name with U+0007
    assert visible_controls(CONTROL) in odd


def test_the_reconcile_workbook_keeps_hostile_text_as_text(hostile_ledger):
    found = reconcile(hostile_ledger) + [
        Mismatch("references", "clue", (FORMULAS[1], FORMULAS[0]), FORMULAS[0], "<img src=x onerror=1>")
    ]
    data = mismatches_workbook(found)
    assert formula_cells(io.BytesIO(data)) == []
    assert FORMULAS[0] in workbook_text(data)


def test_cli_export_and_report_of_the_hostile_ledger(hostile_path, corpus_path, persons, tmp_path):
    runner = CliRunner()
    export = runner.invoke(main, ["export", "--ledger", str(corpus_path), "--out", str(tmp_path / "e.xlsx")])
    assert export.exit_code == 0, export.output
    assert_safe_workbook(tmp_path / "e.xlsx", persons)
    reconcile_out = tmp_path / "r.xlsx"
    result = runner.invoke(
        main, ["report", "reconcile", "--ledger", str(hostile_path), "--out", str(reconcile_out)]
    )
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    assert formula_cells(reconcile_out) == []
