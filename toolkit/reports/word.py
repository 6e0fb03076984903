"""Word (.docx) building blocks shared by the reports: headings, tables, charts as pictures.

Why one module: offices read these files in WPS or Word on machines without our fonts, so every
run names a Chinese font for East Asian text (``w:eastAsia``, 宋体 for body, 黑体 for headings:
the fonts every Chinese office PC has) and the tables share one plain grid style. A ``Sheet``
(``toolkit.reports.workbook``) is the unit of a table, so a report's Word table and its Excel
sheet come from the same columns.

Ledger text goes into a document only through these helpers (:func:`paragraph`, :func:`heading`,
:func:`add_table`): a control character that XML cannot hold (U+0007 in a unit's name) is shown
as its control picture (␇) instead of making python-docx refuse the whole report.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from toolkit import labels
from toolkit.reports.workbook import Column, Sheet, kind_of
from toolkit.safe_xlsx import visible_controls

BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _east_asian(style_or_run, font: str) -> None:
    style_or_run.font.name = font
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def new_document(title: str, subtitle: str = "", *, notice: str = "") -> Document:
    """A document with Chinese fonts set on the styles, and its centred title; ``notice`` (names
    shown unmasked, say) is printed in bold red right under it."""
    doc = Document()
    section = doc.sections[0]
    # A4, as Chinese offices print (python-docx's default template is US Letter); margins of the
    # 党政机关公文格式 (GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right)
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _east_asian(doc.styles["Normal"], BODY_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(doc.styles[name], HEADING_FONT)
    title_paragraph = heading(doc, title, level=0)
    title_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        paragraph(doc, subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if notice:
        run = doc.add_paragraph().add_run(visible_controls(notice))
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    return doc


def paragraph(doc: Document, text: str):
    """``doc.add_paragraph`` for text that may hold ledger strings."""
    return doc.add_paragraph(visible_controls(text))


def heading(doc: Document, text: str, level: int = 1):
    """``doc.add_heading`` for text that may hold ledger strings."""
    return doc.add_heading(visible_controls(text), level=level)


def text_value(value, kind: str) -> str:
    """A cell as offices write it: rates 90.3%, amounts in 万元/亿元, dates 2021年6月30日."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "rate":
        return labels.percent(float(value))
    if kind == "wan":
        return labels.yuan(int(value))
    if kind == "int":
        return labels.number(value)
    if kind == "delta":
        return f"{int(value):+,d}"
    if kind == "pp":
        return f"{float(value) * 100:+.1f}个百分点"
    if kind == "date":
        return labels.date(pd.Timestamp(value).date())
    return visible_controls(str(value))


def add_table(doc: Document, sheet: Sheet, *, heading_level: int | None = 2, limit: int | None = None):
    """The sheet as a Word table under its title; ``limit`` keeps long lists to their head
    (the full list is in the Excel version) and says how many rows were left out."""
    if heading_level is not None:
        heading(doc, sheet.title, level=heading_level)
    if sheet.note:
        paragraph(doc, sheet.note)
    frame = sheet.frame if limit is None else sheet.frame.head(limit)
    table = doc.add_table(rows=1, cols=len(sheet.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, sheet.columns, strict=True):
        cell.text = column.header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for record in frame.to_dict("records"):
        cells = table.add_row().cells
        for cell, column in zip(cells, sheet.columns, strict=True):
            cell.text = text_value(record.get(column.source), kind_of(column, record))
    if frame.empty:
        cells = table.add_row().cells
        cells[0].text = "（无）"
    if limit is not None and len(sheet.frame) > limit:
        doc.add_paragraph(f"（共 {len(sheet.frame)} 条，此处列出前 {limit} 条。）")
    return table


def add_picture(doc: Document, png: bytes, caption: str, width_cm: float = 15.5) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, caption).alignment = WD_ALIGN_PARAGRAPH.CENTER


def to_bytes(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = [
    "Column",
    "Sheet",
    "add_picture",
    "add_table",
    "heading",
    "new_document",
    "paragraph",
    "text_value",
    "to_bytes",
]
