"""The byte scan of a worksheet (``preflight._fast_scan``) against the expat callbacks it replaces
(``preflight._expat_scan``, the reference): on every sheet, usual or crafted to mislead a byte
scan, whatever the chunk boundaries, the survey is the same (extent, cells, error cells and their
order) or the same sentence refuses it; and the usual sheet never needs the callbacks."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile_files as hostile
from tests.ingest_workbooks import HEADER, problem_rows, write_xlsx
from toolkit.ingest import limits, preflight

SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNKS = (1, 3, 7, 16, 61, preflight.CHUNK)  # 1: every boundary falls inside a tag somewhere


def outcome(path: Path):
    """What the survey says: the sheets (errors in their order), or the sentence refusing it."""
    try:
        found = preflight.survey(path)
    except preflight.Refused as err:
        return str(err)
    return [(s.name, s.rows, s.columns, s.cells, list(s.errors.items())) for s in found.sheets]


def reference(path: Path):
    """The survey by the expat callbacks alone."""
    with mock.patch.object(preflight, "_fast_scan", side_effect=preflight._Unusual):
        return outcome(path)


def byte_scan_only(path: Path):
    """The survey by the byte scan, failing if any part needs the callbacks."""
    with mock.patch.object(preflight, "_expat_scan", side_effect=AssertionError("fell back")):
        return outcome(path)


def in_parallel(path: Path):
    """The survey with every part measured by ``_scan_in_parallel`` (expat's pass in a child)."""
    with mock.patch.object(preflight, "PARALLEL_ABOVE", 0):
        return outcome(path)


def agree(path: Path, chunk: int = preflight.CHUNK):
    """The survey with chunks of ``chunk`` bytes, checked against the reference, with expat's
    pass here and in a child; returned."""
    with mock.patch.object(preflight, "CHUNK", chunk):
        found, expected, parallel = outcome(path), reference(path), in_parallel(path)
    assert found == expected, chunk
    assert parallel == expected, chunk
    return found


def workbook(path: Path, rows: str, *, before: str = "", after: str = "", **extra: str) -> Path:
    """A workbook whose sheet is ``rows`` in ``sheetData`` (``before``/``after`` it in the
    worksheet); ``extra`` parts are added as they are (``xl__x`` names ``xl/x``)."""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SPREADSHEET}">{before}'
    sheet += f"<sheetData>{rows}</sheetData>{after}</worksheet>"
    hostile.raw_xlsx(path, sheet)
    with zipfile.ZipFile(path, "a") as zf:
        for name, xml in extra.items():
            zf.writestr(name.replace("__", "/"), xml)
    return path


def raw(path: Path, sheet: bytes | str) -> Path:
    return hostile.raw_xlsx(path, sheet)


# ---- the usual sheet: no callback, the same answer ---------------------------------------------

USUAL = {
    "inline strings and numbers": hostile.HEADER_ROW
    + '<row r="2"><c r="A2" t="n"><v>1</v></c><c r="B2" t="inlineStr"><is><t>资金</t></is></c></row>',
    "shared strings, styled blanks beyond the values": '<row r="1" spans="1:9"><c r="A1" s="1" t="s"><v>0</v></c>'
    '<c r="B1" s="2"/><c r="I1" s="2"/></row><row r="2"><c r="C2" t="s"><v>3</v></c><c r="J2" s="4"/></row>'
    + "".join(f'<row r="{n}" s="3" customFormat="1"><c r="A{n}" s="3"/></row>' for n in range(3, 40)),
    "formulas": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>2</v></c>'
    '<c r="C1"><f t="shared" ref="C1:C2" si="0">IF(A1&gt;0,B1,"&lt;c r=")</f><v>2</v></c>'
    '<c r="D1"><f t="shared" si="0"/><v>5</v></c><c r="E1"><f>NOW()</f></c></row>',
    "error cells": '<row r="3"><c r="A3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B3" s="2" t="e"><v>#N/A</v></c>'
    '<c r="C3" t="e"><v> #REF! </v></c><c r="D3" t="e"><v></v></c></row>'
    '<row r="4"><c r="A4" t="e"><v>#VALUE!</v></c><c r="A4" t="e"><v>#NAME?</v></c></row>',
    "text that looks like cells": '<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;c r="Z99"&gt;&lt;v&gt;1'
    '&lt;/v&gt; t="e" x:c </t></is></c><c r="B1" t="str"><f>"a&gt;b"</f><v>&lt;is&gt;</v></c></row>',
    "rows between the values": '\n  <row r="1" x14ac:dyDescent="0.25">\n    <c r="A1"><v>1</v></c>\n'
    '    <c r="B1" t="s"><v>0</v></c>\n  </row>\n  <row r="2"/>\n',
}


@pytest.mark.parametrize("name", USUAL)
@pytest.mark.parametrize("chunk", CHUNKS)
def test_usual_sheets_agree_at_every_chunk_size(name, chunk, tmp_path):
    agree(workbook(tmp_path / "w.xlsx", USUAL[name], before='<dimension ref="A1:J40"/>'), chunk)


@pytest.mark.parametrize("name", USUAL)
def test_usual_sheets_need_no_callback(name, tmp_path):
    path = workbook(tmp_path / "w.xlsx", USUAL[name], before='<dimension ref="A1:J40"/>')
    assert byte_scan_only(path) == reference(path)


def test_a_written_workbook_needs_no_callback(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", ("台账", [HEADER, *problem_rows(300)]), ("空表", []))
    found = byte_scan_only(path)
    assert found == reference(path) and found[0][1:4] == (301, 6, 1806)


def test_error_cells_are_read_with_their_text_in_order(tmp_path):
    (sheet,) = byte_scan_only(workbook(tmp_path / "w.xlsx", USUAL["error cells"]))
    assert sheet[4] == [
        ((3, 1), "#DIV/0!"),
        ((3, 2), "#N/A"),
        ((3, 3), "#REF!"),
        ((3, 4), "#N/A"),
        ((4, 1), "#NAME?"),
    ]
    assert sheet[1:4] == (4, 4, 6)


def test_an_error_cell_split_at_every_byte(tmp_path):
    cell = '<row r="9"><c r="C9" s="1" t="e"><f>VLOOKUP(A9,X:Y,2,0)</f><v>#N/A</v></c></row>'
    path = workbook(tmp_path / "w.xlsx", hostile.HEADER_ROW + cell)
    for chunk in range(1, 200):
        assert agree(path, chunk)[0][4] == [((9, 3), "#N/A")]


# ---- what a byte scan would misread: the callbacks measure it ----------------------------------

MISLEADING = {
    "attribute values holding > and quotes": '<row r="2"><c r="A2" cm="1" vm="&gt;"><v>1</v>'
    '</c><c r="B2" s="3" note="a &gt; b, \'q\'"><v>2</v></c><c r="C2" x=">"><v>3</v></c></row>',
    "pretty printed": '<row r="1">\n <c r="A1">\n  <v>1</v>\n </c>\n <c r="B1"><f>1</f>\n<v>0</v></c></row>',
    "far dimension in a comment": '<row r="1"><c r="A1"><v>1</v></c></row><!-- <dimension ref="A1:XFD1048576"/> -->',
    "far dimension in CDATA": '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<dimension ref="A1:ZZ9"/>]]>'
    "</t></is></c></row>",
    "far dimension in a processing instruction": '<row r="1"/><?pi <dimension ref="A1:ZZ9"/> ?>',
    "cell in a comment": '<row r="1"><c r="A1"><v>1</v></c><!-- <c r="Z999"><v>1</v></c> --></row>',
    "cell in CDATA": '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="Z9"><v>1</v></c>]]></t></is></c></row>',
    "cell in a processing instruction": '<row r="1"><c r="A1"><v>1</v></c><?pi <c r="Z9"><v>1</v></c> ?></row>',
    "comment after the root": None,
    "reference in single quotes": "<row r='2'><c r='B2'><v>1</v></c></row>",
    "error type as an entity": '<row r="2"><c r="B2" t="&#101;"><v>#N/A</v></c></row>',
    "error type in single quotes": '<row r="2"><c r="B2" t=\'e\'><v>#N/A</v></c></row>',
    "error type with spaces": '<row r="2"><c r="B2" t = "e"><v>#N/A</v></c></row>',
    "error type and ph=true": '<row r="2"><c r="B2" ph="true" t="e"><v>#N/A</v></c><c r="C2" ph="true"><v>1</v></c></row>',
    "long error text": '<row r="2"><c r="B2" t="e"><v>' + "#" * 70 + "</v></c></row>",
    "long error text of wide characters": '<row r="2"><c r="B2" t="e"><v>' + "错" * 40 + "</v></c></row>",
    "error text with an entity": '<row r="2"><c r="B2" t="e"><v>#N/A &amp; more</v></c></row>',
    "error text with CR LF": '<row r="2"><c r="B2" t="e"><v>#N/A\r\nx</v></c></row>',
    "error text with markup": '<row r="2"><c r="B2" t="e"><v>#N/A<b>x</b>y</v></c></row>',
    "empty error value": '<row r="2"><c r="B2" t="e"><v/></c></row>',
    "error cell with an inline string": '<row r="2"><c r="B2" t="e"><is><t>#N/A</t></is></c></row>',
    "cells without r": '<row r="3"><c><v>1</v></c><c t="s"><v>2</v></c><c/><c s="1"><v>3</v></c></row>',
    "rows without r": "<row><c><v>1</v></c></row><row><c><v>2</v></c><c><v>3</v></c></row>",
    "row r not a number": '<row r="7"><c r="A7"><v>1</v></c></row><row r="x"><c><v>2</v></c></row>',
    "value after a row start": '<row r="7"><v>1</v><c r="B7"><v>1</v></c></row>',
    "value after an empty cell": '<row r="5"><c r="E5"/><v>1</v><c r="F5" s="1"/></row>',
    "value after a cell's end": '<row r="5"><c r="A5"></c><v>1</v></row>',
    "two values in a cell": '<row r="5"><c r="A5"><v>1</v><v>2</v></c><c r="B5"><is><t>x</t></is><v>3</v></c></row>',
    "reference with $ and lower case": '<row r="3"><c r="$C$3"><v>1</v></c><c r="d3"><v>1</v></c></row>',
    "references that are not references": '<row r="3"><c r="A1B"><v>1</v></c><c r="A0"><v>1</v></c>'
    '<c r="A1234567890"><v>1</v></c><c r=" A1"><v>1</v></c><c r="A1&#10;"><v>1</v></c><c r="A٣"><v>1</v></c></row>',
    "reference not first": '<row r="3"><c s="1" r="C3" t="n"><v>1</v></c></row>',
    "text between a cell and its value": '<row r="3"><c r="C3"> <v>1</v></c><c r="D3"><f>1</f> <v>1</v></c></row>',
    "value with attributes": '<row r="3"><c r="C3"><v xml:space="preserve">1</v></c><c r="D3"><is x="1"/></c></row>',
    "prefixed cells": '<row r="1"><x:c r="Q1"><x:v>1</x:v></x:c><c r="A1"><y:is><t>x</t></y:is></c></row>',
    "prefixed error value": '<row r="1"><c r="B1" t="e"><x:v>#N/A</x:v></c></row>',
    "deep prefixes": '<row r="1"><a:b:c r="R1"><v>1</v></a:b:c><c:c r="S1"><v>1</v></c:c><c: r="T1"/></row>',
    "names that only begin like ours": '<row r="1"><cc r="Z1"><v>1</v></cc><c.x r="Z2"><vv>1</vv></c.x>'
    "<isx/><dimensions ref='A1:ZZ9'/></row>",
    "dimension in single quotes": "<row r='1'/><dimension ref='A1:XFD1048576'/>",
    "dimension with its ref second": '<row r="1"/><dimension x="1" ref="A1:XFD9"/>',
    "dimension without ref": '<row r="1"><c r="A1"><v>1</v></c></row><dimension/>',
    "dimension ref with a newline": '<row r="1"/><dimension ref="A1:B2&#10;"/>',
    "far dimension at the end": '<row r="1"><c r="A1"><v>1</v></c></row><dimension ref="A1:B2"/><dimension ref="A1:ZZ5"/>',
    "prefixed far dimension": '<row r="1"><c r="A1"><v>1</v></c></row><x:dimension ref="A1:ZZ5"/>',
    "far cell": '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "far column": '<row r="5"><c r="A5"><v>1</v></c><c r="ZZ5"><v>1</v></c></row>',
    "far empty cell": '<row r="5"><c r="A5"><v>1</v></c><c r="ZZ900000" s="1"/></row>',
    "far cell in a near row": '<row r="5"><c r="A5"><v>1</v></c><c r="A900000"><v>1</v></c></row>',
    "unclosed tag": '<row r="1"><c r="A1"><v>1</v></c><c r="ZZ5"><v>1</v></row>',
    "mismatched tag": '<row r="1"><c r="A1"><v>1</v></c></rows>',
    "undefined entity": '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',
    "control character": '<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01</t></is></c></row>',
    "duplicate attribute": '<row r="1"><c r="A1" r="B1"><v>1</v></c></row>',
}


def misleading(path: Path, name: str) -> Path:
    if name == "comment after the root":
        xml = hostile.sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>') + '<!-- <c r="Z9"><v>1</v></c> -->'
        return raw(path, xml)
    return workbook(path, MISLEADING[name], before='<dimension ref="A1:C9"/>')


@pytest.mark.parametrize("name", MISLEADING)
@pytest.mark.parametrize("chunk", (1, 7, 61, preflight.CHUNK))
def test_misleading_sheets_agree_at_every_chunk_size(name, chunk, tmp_path):
    agree(misleading(tmp_path / "w.xlsx", name), chunk)


HIDDEN = [f"{what} in {where}" for what in ("cell", "far dimension") for where in ("a comment", "CDATA")]


@pytest.mark.parametrize(
    "name", [*HIDDEN, "cell in a processing instruction", "far dimension in a processing instruction"]
)
@pytest.mark.parametrize("chunk", range(1, 90, 4))
def test_hidden_cells_and_dimensions_are_not_read_even_unfinished(name, chunk, tmp_path):
    """expat reports a comment, CDATA or processing instruction once it is complete: one still
    open at the end of a chunk must not be read either."""
    (sheet,) = agree(misleading(tmp_path / "w.xlsx", name), chunk)
    assert sheet[1:4] in ((1, 1, 1), (0, 0, 0))


@pytest.mark.parametrize(
    "name",
    [
        "cell in a comment",
        "error type as an entity",
        "cells without r",
        "value after an empty cell",
        "prefixed cells",
    ],
)
def test_what_the_byte_scan_cannot_read_goes_to_the_callbacks(name, tmp_path):
    path = misleading(tmp_path / "w.xlsx", name)
    with mock.patch.object(preflight, "_expat_scan", wraps=preflight._expat_scan) as callbacks:
        assert outcome(path) == reference(path)
    assert callbacks.called


def test_the_usual_prefixed_sheet_agrees(tmp_path):
    ns = f'xmlns:x="{SPREADSHEET}"'
    xml = f'<x:worksheet {ns}><x:dimension ref="A1:B2"/><x:sheetData><x:row r="1"><x:c r="A1" t="e"><x:v>#N/A</x:v>'
    xml += '</x:c><x:c r="B2"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    (sheet,) = agree(raw(tmp_path / "w.xlsx", xml), 5)
    assert sheet[1:] == (2, 2, 2, [((1, 1), "#N/A")])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "iso-8859-1", "utf-8-sig"])
def test_other_encodings_agree(encoding, tmp_path):
    """UTF-16 is told by its NUL bytes whatever the chunk, another declared encoding by expat."""
    rows = '<row r="2"><c r="B2" t="e"><v>#Né</v></c><c r="C3"><v>1</v></c></row>'
    declared = "UTF-16" if encoding.startswith("utf-16") else encoding.upper().replace("-SIG", "")
    xml = f'<?xml version="1.0" encoding="{declared}"?><worksheet><sheetData>{rows}</sheetData></worksheet>'
    path = raw(tmp_path / "w.xlsx", xml.encode(encoding))
    for chunk in (1, 2, 7, preflight.CHUNK):
        agree(path, chunk)


@pytest.mark.parametrize("encoding", ["GB18030", "GBK", "Shift_JIS"])
def test_an_encoding_expat_cannot_read_is_refused_with_a_sentence(encoding, tmp_path):
    """expat reads no multi-byte encoding but UTF-8 and UTF-16 (it raises ValueError, not a parse
    error): the survey says so instead of letting the error through."""
    xml = f'<?xml version="1.0" encoding="{encoding}"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    path = raw(tmp_path / "w.xlsx", xml.encode("ascii"))
    found = agree(path)
    assert isinstance(found, str) and "character encoding" in found and encoding in found


def test_a_doctype_after_a_long_prolog_is_refused_alike(tmp_path):
    xml = '<?xml version="1.0"?><!--' + "x" * 5000 + '--><!DOCTYPE w [<!ENTITY e "x">]><worksheet/>'
    assert "DOCTYPE" in agree(raw(tmp_path / "w.xlsx", xml), 61)


def test_a_damaged_part_the_workbook_does_not_name_is_measured_alike(tmp_path):
    elsewhere = hostile.sheet_xml('<row r="3"><c r="A3"><v>1</v></c><c r="Z9"><v>1</v>')
    elsewhere = elsewhere.removesuffix("</sheetData></worksheet>")  # unclosed: damaged at its end
    path = workbook(tmp_path / "w.xlsx", hostile.HEADER_ROW, xl__worksheets__elsewhere=elsewhere)
    assert [s[:4] for s in agree(path)] == [("台账", 1, 3, 3), ("xl/worksheets/elsewhere", 9, 26, 2)]
    agree(path, 16)


@pytest.mark.parametrize("chunk", (7, preflight.CHUNK))
@pytest.mark.parametrize(("limit", "value"), [("MAX_CELLS", 5), ("MAX_ROWS", 3), ("MAX_COLUMNS", 2)])
def test_limits_are_refused_first_where_the_callbacks_refuse(limit, value, chunk, tmp_path):
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"/></row><row r="2"><c r="A2"/><c r="C2" s="1"/></row>'
        '<row r="3"><c r="B3" t="e"><v>#N/A</v></c><c r="A3"><v>1</v></c></row>'
        '<row r="4"><c r="C4"><v>1</v></c></row><dimension ref="A1:Z99"/><row r="5"><c r="A5"/></row>'
    )
    with mock.patch.object(limits, limit, value):
        refused = agree(workbook(tmp_path / "w.xlsx", rows), chunk)
    assert isinstance(refused, str)


@contextlib.contextmanager
def refusals_at_next_chunk():
    """The exceptions the byte scan's ``_next_chunk`` raises meanwhile (a list, filled)."""
    seen, original = [], preflight._next_chunk

    def spy(chunks, tail):
        try:
            return original(chunks, tail)
        except (preflight.Refused, preflight._Unusual) as err:
            seen.append(type(err))
            raise

    with mock.patch.object(preflight, "_next_chunk", spy):
        yield seen


def lie_about_size(path: Path, name: str = "xl/worksheets/sheet1.xml") -> tuple[int, int]:
    """The central directory now says the part is 1 byte; (its real size, the others' sizes)."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))
    data[at + 24 : at + 28] = (1).to_bytes(4, "little")
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo(name).file_size
        others = sum(i.file_size for i in zf.infolist()) - size
    path.write_bytes(bytes(data))
    return size, others


def test_a_cell_before_a_refused_end_is_refused_first(tmp_path):
    """The part ends (truncated) right after a far cell and lies about its size: expat's callbacks
    read the far cell before the size is checked, so it is the far cell that is refused, whatever
    chunk the scan still carries it in."""
    sheet = hostile.sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="9"><c r="ZZ9"><v>1</v>')
    path = raw(tmp_path / "w.xlsx", sheet.removesuffix("</sheetData></worksheet>"))
    lie_about_size(path)
    with refusals_at_next_chunk() as seen:
        for chunk in range(1, 80):
            assert "702" in agree(path, chunk)
    assert preflight._Unusual in seen  # the far cell was still carried when the size was refused


def test_the_running_budget_is_refused_alike_wherever_it_runs_out(tmp_path):
    """A large part claiming 1 byte: zipfile reads it up to the budget and finds a bad CRC there,
    before or after a far cell, inside a tag or not; whatever is refused first stays first."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{r}</v></c></row>' for r in range(1, 400))
    path = workbook(tmp_path / "w.xlsx", rows + '<row r="400"><c r="ZZ400"><v>1</v></c></row>' + rows[:4000])
    size, others = lie_about_size(path)
    answers = set()
    with refusals_at_next_chunk() as seen:
        for budget in range(others + 5000, others + size + 2, 97):
            for chunk in (29, 512):
                with mock.patch.object(limits, "MAX_UNCOMPRESSED_BYTES", budget):
                    answers.add(agree(path, chunk).partition(" / ")[0][:6])
    assert answers == {"工作簿已损坏", "工作表「台账"} and preflight.Refused in seen


# ---- any sheet made of these pieces ------------------------------------------------------------

USUAL_PIECES = [
    '<row r="{r}"><c r="{a}{r}" t="s"><v>1</v></c><c r="{b}{r}" s="2"/></row>',
    '<row r="{r}" spans="1:3"><c r="{a}{r}" t="inlineStr"><is><t>x&lt;c r="Z9"&gt;"e"</t></is></c></row>',
    '<c r="{a}{r}"><f>A1&gt;0</f><v>1</v></c>',
    '<c r="{a}{r}"><f t="shared" si="0"/><v>2</v></c>',
    '<c r="{b}{r}" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    '<c r="{a}{r}" t="e"><v>{text}</v></c>',
    '<c r="{a}{r}" s="1"/>',
    '<c r="{b}{r}"></c>',
    '<c r="{a}{r}" t="n"><f>NOW()</f></c>',
    '<row r="{r}"/>',
    "<row><c/></row>",
    '<dimension ref="A1:{b}{r}"/>',
    "\n  ",
]
ODD_PIECES = [
    '<c r="{a}{r}" x=">"><v>1</v></c>',
    "<c r='{a}{r}'><v>1</v></c>",
    '<c t="s"><v>3</v></c>',
    '<c r="{a}{r}" t="&#101;"><v>#N/A</v></c>',
    '<c r="{a}{r}" t="e"><v>' + "#" * 65 + "</v></c>",
    '<c r="{a}{r}" t="e"><v>a&amp;b</v></c>',
    '<c s="1" r="{b}{r}"><v>1</v></c>',
    "<row><c><v>1</v></c></row>",
    "<v>1</v>",
    "<is><t>x</t></is>",
    '<x:c r="{b}{r}"><x:v>1</x:v></x:c>',
    "<dimension ref='A1:B2'/>",
    '<!-- <c r="{b}{r}"><v>1</v></c> -->',
    '<c r="{a}{r}" t="inlineStr"><is><t><![CDATA[<c r="Z9"><v>]]></t></is></c>',
    "<?pi <v>?>",
    '<c r="{a}{r}">',  # damage
    "</row>",  # damage
]
NEAR = {"r": [1, 2, 3, 9, 10, 99, 0], "a": ["A", "B", "Z", "AA"], "b": ["A", "C", "GR"]}
FAR = {"r": [200_000, 200_001, 1_048_576], "a": ["GS"], "b": ["XFD"]}
ERROR_TEXTS = ["#N/A", "", " #REF! ", "错误", "x\ny"]


@st.composite
def sheets(draw, pieces, refs):
    parts = []
    for piece in draw(st.lists(st.sampled_from(pieces), max_size=16)):
        parts.append(
            piece.format(
                r=draw(st.sampled_from(refs["r"])),
                a=draw(st.sampled_from(refs["a"])),
                b=draw(st.sampled_from(refs["b"])),
                text=draw(st.sampled_from(ERROR_TEXTS)),
            )
        )
    return "".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets(USUAL_PIECES, NEAR), chunk=st.sampled_from(CHUNKS))
def test_any_usual_sheet_agrees_without_callbacks(rows, chunk):
    with tempfile.TemporaryDirectory() as tmp:
        path = workbook(Path(tmp) / "w.xlsx", rows)
        with mock.patch.object(preflight, "CHUNK", chunk):
            assert byte_scan_only(path) == reference(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=sheets(USUAL_PIECES * 3 + ODD_PIECES, {k: NEAR[k] + FAR[k] for k in NEAR}),
    chunk=st.sampled_from(CHUNKS),
    limit=st.sampled_from([None, ("MAX_CELLS", 4), ("MAX_ROWS", 5), ("MAX_COLUMNS", 3)]),
)
def test_any_sheet_of_these_pieces_agrees(rows, chunk, limit):
    with tempfile.TemporaryDirectory() as tmp:
        path = workbook(Path(tmp) / "w.xlsx", rows)
        if limit is None:
            agree(path, chunk)
        else:
            with mock.patch.object(limits, *limit):
                agree(path, chunk)


@pytest.mark.parametrize(
    "tag", ['<dimension ref="A1:ZZ9" x="a>b" ref="B1"/>', '<c r="A1" x="a>b" r="B1"><v>1</v></c>']
)
def test_a_tag_cut_after_a_quoted_gt_is_not_read_before_expat_has(tag, tmp_path):
    """A chunk ending just after the ``>`` inside an attribute value leaves the tag unfinished: a
    duplicate attribute later makes it damaged XML, never a far dimension or a cell."""
    path = workbook(tmp_path / "w.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>' + tag)
    for chunk in range(1, 120):
        assert "damaged" in agree(path, chunk)


# ---- expat's pass in a child process (big parts) ------------------------------------------------


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_big_part_is_scanned_here_while_a_child_parses_it(tmp_path):
    path = workbook(
        tmp_path / "big.xlsx",
        "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 500)),
    )
    with (
        mock.patch.object(preflight, "PARALLEL_ABOVE", 0),
        mock.patch.object(preflight, "_fast_scan", wraps=preflight._fast_scan) as scans,
        mock.patch.object(preflight, "_expat_scan", side_effect=AssertionError("fell back")),
    ):
        found = outcome(path)
    assert found == reference(path) == [("台账", 499, 1, 499, [])]
    assert scans.call_args_list  # every scan here without expat, which ran in a child each time
    assert all(c.kwargs.get("elsewhere") is not None for c in scans.call_args_list)
    assert no_children_left()


@pytest.mark.parametrize("name", ["damaged", "doctype", "latin-1"])
def test_what_the_child_finds_wrong_is_measured_as_before(name, tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    if name == "damaged":
        path = raw(
            tmp_path / "x.xlsx",
            f'<worksheet xmlns="{SPREADSHEET}"><sheetData>{rows}<row></sheetData></worksheet>',
        )
    elif name == "doctype":
        path = raw(
            tmp_path / "x.xlsx",
            " " * 5000
            + f'<!DOCTYPE x><worksheet xmlns="{SPREADSHEET}"><sheetData>{rows}</sheetData></worksheet>',
        )
    else:
        sheet = f'<?xml version="1.0" encoding="iso-8859-1"?><worksheet xmlns="{SPREADSHEET}"><sheetData>{rows}</sheetData></worksheet>'
        path = raw(tmp_path / "x.xlsx", sheet.encode("latin-1"))
    with mock.patch.object(preflight, "_scan_in_parallel", wraps=preflight._scan_in_parallel) as tried:
        assert in_parallel(path) == reference(path) == outcome(path)
    assert tried.called
    assert no_children_left()


@pytest.mark.parametrize("child", ["fails", "dies", "cannot fork"])
def test_without_the_childs_yes_the_part_is_measured_as_before(child, tmp_path):
    path = workbook(tmp_path / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>2</v></c></row>')
    patches = {
        "fails": mock.patch.object(preflight, "_expat_reads_whole", side_effect=ValueError("boom")),
        "dies": mock.patch.object(preflight, "_expat_reads_whole", side_effect=lambda *a: os._exit(3)),
        "cannot fork": mock.patch.object(preflight.os, "fork", side_effect=OSError("no memory")),
    }
    with patches[child], mock.patch.object(preflight, "_fast_scan", wraps=preflight._fast_scan) as scans:
        assert in_parallel(path) == reference(path) == [("台账", 1, 3, 2, [])]
    # measured again here, with expat, after the child's answer was not a yes (or no child at all)
    assert [c.kwargs.get("elsewhere") is None for c in scans.call_args_list][-1] is True
    assert no_children_left()


def test_a_child_is_killed_and_reaped_when_the_scan_here_stops_first(tmp_path):
    path = workbook(tmp_path / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    started = []

    def slow(*args):
        started.append(os.getpid())
        import time

        time.sleep(60)
        return True

    with (
        mock.patch.object(preflight, "PARALLEL_ABOVE", 0),
        mock.patch.object(preflight, "_expat_reads_whole", side_effect=slow),
        mock.patch.object(preflight, "_scan_region", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        preflight.survey(path)
    assert no_children_left()  # killed, not left to sleep a minute


def test_where_a_fork_is_not_safe_the_part_is_measured_here_alone(tmp_path):
    path = workbook(tmp_path / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with (
        mock.patch.object(preflight, "PARALLEL_ABOVE", 0),
        mock.patch.object(preflight, "CAN_FORK", False),
        mock.patch.object(preflight, "_scan_in_parallel", side_effect=AssertionError("forked")),
    ):
        assert outcome(path) == reference(path) == [("台账", 1, 1, 1, [])]


def test_a_host_that_ignores_sigchld_still_gets_its_survey(tmp_path):
    """With SIGCHLD ignored the kernel reaps the child itself: waiting for it finds none."""
    import signal

    path = workbook(
        tmp_path / "x.xlsx", "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 200))
    )
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        found = in_parallel(path)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert found == reference(path) == [("台账", 199, 1, 199, [])]


def test_a_child_that_does_not_answer_in_time_is_killed_and_the_part_measured_here(tmp_path):
    path = workbook(tmp_path / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')

    def hangs(*args):
        import time

        time.sleep(60)

    with (
        mock.patch.object(preflight, "CHILD_SECONDS", 0.2),
        mock.patch.object(preflight, "_expat_reads_whole", side_effect=hangs),
        mock.patch.object(preflight, "_fast_scan", wraps=preflight._fast_scan) as scans,
    ):
        assert in_parallel(path) == reference(path) == [("台账", 1, 1, 1, [])]
    assert scans.call_args_list[-1].kwargs.get("elsewhere") is None  # measured here, with expat
    assert no_children_left()


def test_the_child_reads_the_file_the_parent_opened_not_what_is_at_its_path_now(tmp_path):
    path = workbook(tmp_path / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    original = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        replacement = tmp_path / "other.xlsx"
        replacement.write_bytes(b"PK not the file the survey opened")
        os.replace(replacement, path)
        same = preflight._same_file(zf, path)
        assert same != path
        assert same.read_bytes() == original
