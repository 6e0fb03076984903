"""Hostile and broken files for the ingest tests, built in code (never checked-in binaries).

Each builder writes a small file that would hurt an importer that trusts it: a 2 KB workbook with
one value in XFD1048576, a zip bomb, an encrypted workbook, a CSV in .xlsx clothing …
"""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>问题描述</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>整改时限</t></is></c></row>'
)


def sheet_xml(rows: str, dimension: str | None = None, after: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData>{after}</worksheet>"
    )


def raw_xlsx(path: Path, sheet: str | bytes, **parts: str | bytes) -> Path:
    """A minimal workbook whose one worksheet XML is ``sheet`` (other parts may be replaced)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", parts.get("workbook", WORKBOOK))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def far_cell(path: Path, ref: str = "XFD1048576") -> Path:
    """One value far out: calamine would hold every cell up to it (17 billion for XFD1048576)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    far = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    return raw_xlsx(path, sheet_xml(HEADER_ROW + far))


def lying_dimension(path: Path) -> Path:
    return raw_xlsx(path, sheet_xml(HEADER_ROW, dimension="A1:XFD1048576"))


def zip_bomb(path: Path, megabytes: int = 600) -> Path:
    """A worksheet of ``megabytes`` MB of blanks that compresses to well under a megabyte."""
    blank = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(sheet_xml(HEADER_ROW).encode()[: -len("</sheetData></worksheet>")])
            for _ in range(megabytes):
                part.write(blank)
            part.write(b"</sheetData></worksheet>")
    return path


def lying_zip_sizes(path: Path, megabytes: int = 50) -> Path:
    """A bomb whose central directory claims each part is tiny."""
    zip_bomb(path, megabytes)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # central directory entry: signature PK\\x01\\x02, uncompressed size at offset 24
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[at + 24 : at + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def error_cells(path: Path) -> Path:
    """A ledger row whose 涉及金额 is #DIV/0! and whose 整改时限 is #N/A (cached formula errors)."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>被巡察单位</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>问题描述</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>整改时限</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>涉及金额（万元）</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>县水务局党组</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>专项资金滞留</t></is></c>'
        '<c r="C2" t="e"><f>VLOOKUP(A2,X:Y,2,0)</f><v>#N/A</v></c>'
        '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    )
    return raw_xlsx(path, sheet_xml(rows))


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE file with EncryptionInfo.

    A minimal compound file (one directory sector) naming the two streams is enough for the
    importer to know what it is.
    """
    import struct

    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<IIIIIII", header, 44, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)  # sector 0 FAT, sector 1 directory

    def entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", raw, 116, 0xFFFFFFFE, 0)
        return bytes(raw)

    directory = entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2)
    directory += entry("EncryptedPackage", 2) + bytes(128)
    path.write_bytes(bytes(header) + bytes(fat) + directory)
    return path


def merge_storm(path: Path, merges: int = 20_000) -> Path:
    """A 200 x 26 sheet with the whole of it merged ``merges`` times over: a CPU bomb for a reader
    that fills merged cells without a budget."""
    far = '<row r="200"><c r="Z200"><v>1</v></c></row>'
    merged = f'<mergeCells count="{merges}">' + '<mergeCell ref="A1:Z200"/>' * merges + "</mergeCells>"
    return raw_xlsx(path, sheet_xml(HEADER_ROW + far, after=merged))
