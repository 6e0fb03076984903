"""Preflight: measure a file before any engine reads it, and refuse what would not fit.

Engines trust a file: python-calamine holds a sheet as a full grid up to its last filled cell, so
a 2 KB workbook with one value in XFD1048576 asks for 17 billion cells and the process aborts;
a zip bomb decompresses to gigabytes. So ``survey`` reads the file the cheap, bounded way first
and raises ``Refused`` with a sentence when it is over a limit in ``limits`` (``readers`` turns
it into ``UnreadableFile``):

- what the bytes are, whatever the name says: an empty file, a password-protected workbook (an
  OLE container holding ``EncryptionInfo``), an old ``.xls`` or a text/HTML file named ``.xlsx``;
- ``.xlsx``/``.xlsm`` (a zip, opened with the stdlib): the number of parts, their declared and
  their real decompressed size together (decompressed as a stream with a running budget, so a
  part that lies about its size is caught), each large part's compression ratio, no
  ``<!DOCTYPE>`` in any XML part; each worksheet is streamed through expat (well-formed, no
  DOCTYPE) while its cells are counted and the last row and column that hold a value found (and
  its ``<dimension>`` checked), stopping at the first limit passed: by a byte scan of the usual
  sheet, by expat callbacks for any sheet that scan cannot read exactly. Cells holding an Excel
  error (``#DIV/0!``) are remembered: calamine reads them as empty, and an error must never pass
  for a blank (a blank amount is 0 元);
- ``.xls``: the BIFF records of its ``Workbook`` stream are walked (the OLE container is opened
  with xlrd's ``compdoc``) for the same extents, error cells and the ``FILEPASS`` of a password.

Memory stays bounded by the chunk size and the number of error cells, whatever the file holds.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import functools
import gc
import operator
import os
import posixpath
import re
import select
import signal
import struct
import sys
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from toolkit.ingest import limits

CHUNK = 1 << 20
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")
SAVE_AS_XLSX = (
    "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入 / open it in Excel or WPS, save it as .xlsx and import that"
)


@dataclasses.dataclass
class SheetSurvey:
    """What preflight saw of one sheet: its extent (1-based last row and column holding a value),
    its number of cells, and the Excel error values by (row, column), 1-based."""

    name: str
    rows: int = 0
    columns: int = 0
    cells: int = 0
    errors: dict[tuple[int, int], str] = dataclasses.field(default_factory=dict)

    @property
    def grid(self) -> int:
        return self.rows * self.columns


@dataclasses.dataclass
class Survey:
    """What preflight found: the file's real ``kind`` (xlsx, xls, csv) and its sheets."""

    kind: str
    sheets: list[SheetSurvey] = dataclasses.field(default_factory=list)

    @property
    def grid(self) -> int:
        """Cells the engines will hold for this file (rows x columns of every sheet)."""
        return sum(s.grid for s in self.sheets)

    def errors(self, sheet: str) -> dict[tuple[int, int], str]:
        return next((s.errors for s in self.sheets if s.name == sheet), {})


class Refused(Exception):
    """The file is over a limit or is not what its name says; the message is the sentence."""


def survey(path: Path) -> Survey:
    """Check ``path`` against ``limits`` by what its bytes are; ``Refused`` with a sentence if not."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise Refused("文件为空（0 字节）/ the file is empty (0 bytes)")
    limit = limits.MAX_FILE_BYTES.get(suffix)
    if limit is not None and size > limit:
        raise Refused(
            f"文件过大（{size / limits.MB:,.0f} MB，{suffix} 上限 {limit / limits.MB:,.0f} MB），请分批导入 / "
            f"file too large ({size / limits.MB:,.0f} MB, {suffix} limit {limit / limits.MB:,.0f} MB): "
            "split it and import the parts",
        )
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = _what_it_is(head)
    if suffix == ".csv":
        if kind in ("xlsx", "ole"):
            raise Refused("这是 Excel 工作簿，不是 CSV：请改扩展名 / an Excel workbook named .csv: rename it")
        return Survey("csv")
    if kind == "xlsx":
        if suffix == ".xls":
            raise Refused(
                "这是 .xlsx 工作簿，扩展名却是 .xls：请改为 .xlsx / an .xlsx workbook named .xls: rename it"
            )
        return Survey("xlsx", _survey_xlsx(path))
    if kind == "ole":
        return Survey("xls", _survey_ole(path, suffix))
    raise Refused(_not_a_workbook(kind, suffix))


def _what_it_is(head: bytes) -> str:
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in text[:512]:
        return "html"
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml2003"
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return "text"
            except UnicodeDecodeError as err:
                if err.start >= len(head) - 4:  # a character cut by the 4 KB window
                    return "text"
    return "unknown"


def _not_a_workbook(kind: str, suffix: str) -> str:
    return {
        "html": f"这是网页（HTML）文件，扩展名却是 {suffix}（一些系统这样导出）；{SAVE_AS_XLSX}",
        "xml2003": f"这是 Excel 2003 XML 表格；{SAVE_AS_XLSX}",
        "text": f"这是文本（CSV）文件，扩展名却是 {suffix}：请把扩展名改为 .csv / "
        f"a text (CSV) file named {suffix}: rename it to .csv",
    }.get(kind, f"不是 Excel 工作簿，或文件已损坏 / not an Excel workbook, or the file is damaged ({suffix})")


# ---- .xlsx -------------------------------------------------------------------------------------


def _survey_xlsx(path: Path) -> list[SheetSurvey]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise Refused(f"工作簿已损坏，无法打开 / the workbook is damaged: {err}") from None
    with zf:
        infos = zf.infolist()
        _check_zip(path, infos)
        names = _sheet_parts(path, zf)
        budget = [limits.MAX_UNCOMPRESSED_BYTES]
        sheets = [_scan_part(path, zf, info, names.get(info.filename), budget) for info in infos]
    sheets = [s for s in sheets if s is not None and (s.cells or s.name in names.values())]
    _check_extents(path, sheets)
    return sheets


def _check_zip(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise Refused(f"工作簿包含 {len(infos):,} 个部件，超过上限 / too many parts ({len(infos):,})")
    if any(i.flag_bits & 0x1 for i in infos):
        raise Refused("工作簿已加密（设有密码）/ the workbook is encrypted (password-protected)")
    declared = sum(i.file_size for i in infos)
    if declared > limits.MAX_UNCOMPRESSED_BYTES:
        raise Refused(_too_big(declared))
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.RATIO_CHECKED_ABOVE and ratio > limits.MAX_COMPRESSION_RATIO:
            raise Refused(
                f"部件 {i.filename} 压缩比 {ratio:,.0f}:1 异常（疑似压缩炸弹）/ part {i.filename} compresses "
                f"{ratio:,.0f}:1, far beyond any real workbook (a zip bomb?)",
            )


def _too_big(size: int) -> str:
    return (
        f"工作簿解压后超过 {limits.MAX_UNCOMPRESSED_BYTES / limits.MB:,.0f} MB（疑似压缩炸弹或过大），请分批导入 / "
        f"the workbook decompresses to more than {limits.MAX_UNCOMPRESSED_BYTES / limits.MB:,.0f} MB "
        f"(a zip bomb, or too large: split it) [{size / limits.MB:,.0f} MB declared or read]"
    )


def _open_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """The part as a stream that may deliver at most the remaining budget (+1 to notice more),
    whatever size it declares."""
    capped = copy.copy(info)
    capped.file_size = budget[0] + 1
    try:
        return zf.open(capped)
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, RuntimeError) as err:
        raise Refused(f"工作簿已损坏 / the workbook is damaged ({info.filename}: {err})") from None


def _chunks(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """The decompressed part in chunks, counted against ``budget``; its real size must be the
    declared one."""
    seen = 0
    stream = _open_part(path, zf, info, budget)
    try:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
                raise Refused(f"工作簿已损坏 / the workbook is damaged ({info.filename}: {err})") from None
            if not chunk:
                break
            seen += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise Refused(_too_big(limits.MAX_UNCOMPRESSED_BYTES - budget[0]))
            if seen == len(chunk) and _has_doctype(chunk[: limits.MAX_XML_PROLOG]):
                raise Refused(
                    f"部件 {info.filename} 含 DOCTYPE 声明（工作簿从不含此内容）/ part holds a DOCTYPE"
                )
            yield chunk
    finally:
        stream.close()
    if seen != info.file_size:
        raise Refused(
            f"部件 {info.filename} 的实际大小与声明不符（已损坏或被篡改）/ part {info.filename} is "
            f"{seen:,} bytes, not the {info.file_size:,} it declares (damaged or forged)",
        )


def _has_doctype(prolog: bytes) -> bool:
    return b"<!doctype" in prolog.lower() or b"<!entity" in prolog.lower()


def _read_small(path: Path, zf: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A small XML part (workbook.xml and its rels) as a tree, or None when absent."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    budget = [min(limits.MAX_UNCOMPRESSED_BYTES, 16 * limits.MB)]
    data = b"".join(_chunks(path, zf, info, budget))
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise Refused(f"工作簿已损坏 / the workbook is damaged ({name}: {err})") from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


def _sheet_parts(path: Path, zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet name, from xl/workbook.xml and its relationships."""
    workbook = _read_small(path, zf, "xl/workbook.xml")
    rels = _read_small(path, zf, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        raise Refused("不是 Excel 工作簿（缺少 xl/workbook.xml）/ not an Excel workbook (no xl/workbook.xml)")
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    parts = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[part] = element.get("name", "")
    if len(parts) > limits.MAX_SHEETS:
        raise Refused(f"工作表过多（{len(parts):,} 个）/ too many sheets ({len(parts):,})")
    return parts


_REF_RE = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,9})$")


@functools.lru_cache(maxsize=4096)  # asked for every cell, about a few dozen letters
def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _SheetScan:
    """expat callbacks for one worksheet: counts, extent of cells holding a value, error cells.

    Only element starts are watched; the end and text handlers are set just while inside the
    ``<v>`` of an error cell (a sheet has millions of elements and almost no errors).
    """

    def __init__(self, parser, sheet: SheetSurvey) -> None:
        self.parser, self.sheet = parser, sheet
        self.row = self.col = 0
        self.cell_type: str | None = None
        self.error_text: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":  # the most frequent first: a sheet is mostly cells and their values
            ref = _REF_RE.match(attrs.get("r", ""))
            if ref:
                self.col, self.row = _column_number(ref[1]), int(ref[2])
            else:
                self.col += 1
            self.cell_type = attrs.get("t")
            self.sheet.cells += 1
            if self.sheet.cells > limits.MAX_CELLS:
                raise Refused(_grid_sentence(self.sheet.name, "cells", self.sheet.cells))
        elif name == "v" or name == "is":
            s = self.sheet
            if self.row > s.rows or self.col > s.columns:
                self._holds_value()
            if name == "v" and self.cell_type == "e":
                self.error_text = []
                self.parser.CharacterDataHandler = self.text
                self.parser.EndElementHandler = self.end_error
        elif name == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() else self.row + 1
            self.col = 0
            self.cell_type = None
        elif name == "dimension":
            _check_dimension(self.sheet.name, attrs.get("ref", ""))

    def end_error(self, name: str) -> None:
        if name.rpartition(":")[2] == "v":
            self.sheet.errors[(self.row, self.col)] = "".join(self.error_text).strip() or "#N/A"
            self.parser.CharacterDataHandler = None
            self.parser.EndElementHandler = None

    def text(self, data: str) -> None:
        if sum(map(len, self.error_text)) < 64:
            self.error_text.append(data)

    def _holds_value(self) -> None:
        s = self.sheet
        if self.row > s.rows or self.col > s.columns:
            s.rows, s.columns = max(s.rows, self.row), max(s.columns, self.col)
            if s.rows > limits.MAX_ROWS or s.columns > limits.MAX_COLUMNS:
                raise Refused(_extent_sentence(s.name, self.row, self.col))


def _check_dimension(sheet: str, ref: str) -> None:
    """The ``<dimension ref>`` a sheet declares: calamine believes it, so it must fit the limits."""
    last = _REF_RE.match(ref.split(":")[-1])
    if last:
        rows, cols = int(last[2]), _column_number(last[1])
        if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS or rows * cols > limits.MAX_CELLS:
            raise Refused(_extent_sentence(sheet, rows, cols, declared=True))


def _refuse_doctype(*_args) -> None:
    raise Refused("工作表含 DOCTYPE 声明（工作簿从不含此内容）/ the sheet holds a DOCTYPE")


def _scan_part(
    path: Path, zf, info: zipfile.ZipInfo, name: str | None, budget: list[int]
) -> SheetSurvey | None:
    """Count a part's real size; measure it as a worksheet when the workbook names it one, or when
    it looks like one (an engine may find a sheet by another path than ours: every part that
    says ``worksheet`` is measured, so none escapes the limits). None when it is no sheet.

    The byte scan (``_fast_scan``) measures the usual sheet; a part it cannot read exactly is
    measured again from its first byte by ``_expat_scan``, with the budget as it was. A big part
    is first measured with expat's pass in a child process (``_scan_in_parallel``)."""
    left = budget[0]
    if info.file_size >= PARALLEL_ABOVE and CAN_FORK:
        try:
            sheet = _scan_in_parallel(path, zf, info, name, budget)
            if sheet is not _AGAIN:
                return sheet
        except (Refused, _Unusual):
            pass  # measured again below, as if never tried: the same answer, in the same order
        budget[0] = left
    opened = _open_sheet(path, zf, info, name, budget)
    if opened is None:
        return None
    sheet, first, chunks = opened
    try:
        _fast_scan(sheet, first, chunks)
        return sheet
    except _Unusual:
        chunks.close()
    budget[0] = left
    return _expat_scan(path, zf, info, name, budget)


# A part this big is measured on two cores: the byte scan here, expat's pass over the same bytes
# in a child process (a third of the survey's time on a 70 MB sheet). Below it a fork costs more
# than it saves.
PARALLEL_ABOVE = 4 * limits.MB
# Linux only: macOS may abort a child forked from a process with threads (its system frameworks
# are not fork-safe), and Windows has no fork; there the part is measured here alone.
CAN_FORK = sys.platform.startswith("linux") and hasattr(os, "fork")
_AGAIN = object()  # what ``_scan_in_parallel`` returns when the part must be measured as before
# How long the child may take before the part is measured here instead: expat reads over 100 MB/s.
CHILD_SECONDS, CHILD_BYTES_PER_SECOND = 10.0, 10 * limits.MB


def _scan_in_parallel(path: Path, zf, info: zipfile.ZipInfo, name: str | None, budget: list[int]):
    """``_scan_part``'s byte scan with expat's pass run beside it in a forked child.

    The byte scan relies on expat having read every byte it scans (see below). Here expat reads
    them in the child, all of them, while this process scans; the scan's result stands only if
    both finish and the child found the part well-formed, without DOCTYPE or entity declaration,
    in UTF-8. Anything else (the child's verdict, a refusal or ``_Unusual`` here) returns
    ``_AGAIN`` or raises, and the caller measures the part as before from its first byte: a
    damaged or crafted part gets exactly the answer it gets without a child."""
    left = budget[0]
    opened = _open_sheet(path, zf, info, name, budget)
    if opened is None:
        return None
    sheet, first, chunks = opened
    timeout = CHILD_SECONDS + info.file_size / CHILD_BYTES_PER_SECOND
    verdict = _in_child(timeout, _expat_reads_whole, _same_file(zf, path), path, info, left)
    if verdict is None:  # no child (no fork here): nothing was scanned yet
        chunks.close()
        return _AGAIN
    try:
        _fast_scan(sheet, first, chunks, elsewhere=verdict)
        return sheet if verdict.wait() else _AGAIN
    except Exception:  # noqa: BLE001 - bytes expat has not read may break the scan in any way
        return _AGAIN
    finally:
        chunks.close()
        verdict.cancel()


def _same_file(zf: zipfile.ZipFile, path: Path) -> Path:
    """What a forked child opens to read the very file ``zf`` reads, with an offset of its own:
    the parent's descriptor through /proc (a file put at ``path`` since is not it), else ``path``."""
    try:
        own = Path(f"/proc/self/fd/{zf.fp.fileno()}")
    except (AttributeError, OSError, ValueError):
        return path
    return own if own.exists() else path


def _expat_reads_whole(source: Path, path: Path, info: zipfile.ZipInfo, budget: int) -> bool:
    """Whether expat reads the part from its first byte to its last with no error, no DOCTYPE or
    entity declaration and no encoding but UTF-8: what the byte scan takes for granted. The
    workbook is opened at ``source`` (``_same_file``); ``path`` names it in messages."""
    encodings: list[str] = []
    parser = _checking_parser(encodings)
    with zipfile.ZipFile(source) as own:  # its own file offset: the parent's moves as it reads
        for chunk in _chunks(path, own, info, [budget]):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return all(e.lower() == "utf-8" for e in encodings)


class _ChildVerdict:
    """A yes/no a forked child computes: ``wait`` for it (at most ``timeout`` seconds), ``cancel``
    (kill and reap) when it is no longer wanted."""

    def __init__(self, pid: int, pipe: int, timeout: float) -> None:
        self.pid, self.pipe, self.timeout = pid, pipe, timeout
        self.answer: bytes | None = None

    def _answered(self, timeout: float) -> bool:
        """Whether the child has answered, or died (the pipe's end), within ``timeout`` seconds."""
        if self.answer is None and self.pid and select.select([self.pipe], [], [], timeout)[0]:
            self.answer = os.read(self.pipe, 1)  # b"" if the child died without answering
        return self.answer is not None

    def said_no(self) -> bool:
        """Whether the child has answered no (or died) already; does not wait."""
        return self._answered(0) and self.answer != b"1"

    def wait(self) -> bool:
        """True only if the child answered yes in time; a child still at work is killed."""
        yes = self._answered(self.timeout) and self.answer == b"1"
        self.cancel()
        return yes

    def cancel(self) -> None:
        """Kill the child if it has not answered (until then it cannot have exited, so its pid is
        its own), then reap it."""
        if self.pid and not self._answered(0):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        pid, self.pid = self.pid, 0
        if pid:
            try:
                with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
                    os.waitpid(pid, 0)
            finally:
                os.close(self.pipe)


def _in_child(timeout: float, function, *args) -> _ChildVerdict | None:
    """Run ``function(*args)`` (True or False; an exception is False) in a forked child, to be
    waited for at most ``timeout`` seconds; None when no child can be made. The child only
    computes: it writes one byte and leaves with ``os._exit``, running no exit handler and
    touching nothing the parent holds."""
    read_end, write_end = os.pipe()
    try:
        with warnings.catch_warnings():  # Python >= 3.12 warns of forking a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child
        answer = b"0"
        try:
            gc.disable()  # no finalizer of what the parent holds (a database, say) runs here
            os.close(read_end)
            answer = b"1" if function(*args) else b"0"
        except BaseException:  # noqa: BLE001 - any failure is "not proven whole"
            pass
        finally:
            try:
                os.write(write_end, answer)
            finally:
                os._exit(0)
    os.close(write_end)
    return _ChildVerdict(pid, read_end, timeout)


def _open_sheet(path: Path, zf, info: zipfile.ZipInfo, name: str | None, budget: list[int]):
    """(its survey, the first chunk, the other chunks) of a part to measure as a sheet, or None
    for a part that is no sheet (read to its end all the same, so its size is counted)."""
    chunks = _chunks(path, zf, info, budget)
    first = next(chunks, b"")
    if name is None and b"worksheet" not in first[: limits.MAX_XML_PROLOG].lower():
        for _ in chunks:
            pass
        return None
    return SheetSurvey(name if name is not None else info.filename), first, chunks


def _expat_scan(
    path: Path, zf, info: zipfile.ZipInfo, name: str | None, budget: list[int]
) -> SheetSurvey | None:
    """``_scan_part`` with an expat callback on every element: slow (a Python call per element),
    reads every well-formed sheet. The reference the byte scan is tested against."""
    opened = _open_sheet(path, zf, info, name, budget)
    if opened is None:
        return None
    sheet, first, chunks = opened
    parser = expat.ParserCreate()
    scan = _SheetScan(parser, sheet)
    parser.StartElementHandler = scan.start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        parser.Parse(first, False)
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, ValueError) as err:  # ValueError: an encoding expat cannot read
        if name is None:  # not named a sheet: a part we do not understand is the engines' affair
            for _ in chunks:
                pass
            return sheet
        if not isinstance(err, expat.ExpatError):
            declared = _DECLARED_ENCODING.search(first[: limits.MAX_XML_PROLOG])
            encoding = declared.group(1).decode("ascii") if declared else "?"  # a name, nothing else
            raise Refused(
                f"工作表「{sheet.name}」声明的字符编码（{encoding}）无法读取，请用 Excel 或 WPS 另存为 .xlsx 再导入 / "
                f"sheet {sheet.name!r} declares a character encoding that cannot be read ({encoding}): "
                "open it in Excel or WPS, save it as .xlsx and import that"
            ) from None
        raise Refused(
            f"工作表「{sheet.name}」已损坏 / sheet {sheet.name!r} is damaged ({expat.ErrorString(err.code)})"
        ) from None
    return sheet


# ---- the byte scan of a usual worksheet ---------------------------------------------------------
#
# A worksheet is mostly ``<c r="B7" s="1" t="s"><v>12</v></c>``: a Python callback per element
# costs seconds where one ``re.findall`` over the bytes costs a fraction. expat still reads every
# byte first (with no element callback: well-formedness, DOCTYPE and entity refusal stay
# expat's), so in the bytes scanned every ``<`` starts a tag, a comment, a CDATA section or a
# processing instruction, and no ``<`` hides in a text or an attribute value. Each ``<`` the scan
# meets is then:
#
# - a cell span: ``<c r="REF"``, attributes with no entity, no ' quote and no value ending in
#   "e" (so its type is not the error type ``t="e"``), ``>``, maybe a formula, then at once ``<v``
#   or ``<is``: expat would credit that value to that cell (no ``c`` or ``row`` start between),
#   so REF holds a value;
# - or a start tag of ``c``, ``v``, ``is`` or ``dimension`` on its own, or ``<!`` or ``<?``;
# - or another tag, which the survey does not read.
#
# A lone ``c`` is a cell holding no value of its own (a value after it would be a lone ``v`` or
# ``is``); a lone ``v`` must be the value of an error cell (``t="e"``, a short plain text), a lone
# ``dimension`` must carry a plain ``ref``. Anything else raises ``_Unusual`` and the part is
# measured again by ``_expat_scan``: a comment, CDATA or processing instruction (they may hold
# any text, ``<c`` included), a lone ``is``, a value credited to a row or to a cell without a
# plain reference, a prefix (``x:c``), an encoding other than UTF-8, damaged XML, and a limit
# passed (the callbacks know which comes first, and the sentence names the cell). Rows only
# move the position of cells without a reference, which never stay on this path.

_SPANS = re.compile(
    rb'<(?:c r="([A-Z]{1,4})(\d{1,9})"'  # a cell whose first attribute is a plain reference,
    rb"[^<>&'e]*+(?:e(?!\")[^<>&'e]*+)*+>"  # in the rest of it no entity, no ', no value ending in e,
    rb"(?:<f[\s/>][^<]*+(?:</f>)?)?+"  # maybe a formula,
    rb"<(?:v|is)[\s/>]"  # then its value
    rb"|([!?]|(?:c|v|is|dimension)(?=[\s/>])))"  # or something on its own
)
_ERROR_CELLS = re.compile(
    rb'<c r="([A-Z]{1,4})(\d{1,9})"(?:\s++(?!t=")[^\s=<>&\']++="[^"<>&]*+")*+\s++t="e"'  # attribute by attribute
    rb"[^<>&']*+>(?:<f[\s/>][^<]*+(?:</f>)?)?+"
    rb"<v>([^<&\r]{0,64})</v>"  # expat hands the callbacks a text this short whole
)
_DIMENSIONS = re.compile(rb'<dimension\s+ref="([^"<&\t\n\r]*)"')
_OUR_NAMES = re.compile(rb":(?:c|v|is|dimension)[\s/>]")  # after a prefix, or in a text
_PREFIXED = re.compile(rb"<[^\s<>/!?]*:(?:c|v|is|dimension)[\s/>]")  # x:c, a:b:c: expat sees no namespace
_ANY_TAG = re.compile(rb"[<:](?:c|v|is|dimension)[\s/>]")
_DECLARED_ENCODING = re.compile(rb"""<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml\s[^>]*>")
_LETTERS, _DIGITS, _ALONE = (operator.itemgetter(i) for i in range(3))  # of a span, or of a lone tag
_TEXT = operator.itemgetter(2)  # of an error cell
_MAX_TAIL = 4 * CHUNK  # the unread end of one tag or cell a scan may carry from chunk to chunk
_MAX_CELL_TAGS = 64  # formula, value and end tags that may close a chunk after the last cell start


class _Unusual(Exception):
    """The byte scan cannot measure this part exactly: ``_expat_scan`` measures it again."""


def _checking_parser(encodings: list[str]):
    """An expat parser with no element callback that refuses a DOCTYPE or an entity declaration
    and notes the declared encoding into ``encodings`` (the byte scan's expat pass)."""

    def declared(version, encoding, standalone) -> None:
        encodings.append(encoding or "UTF-8")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.XmlDeclHandler = declared
    return parser


def _fast_scan(sheet: SheetSurvey, first: bytes, chunks, elsewhere: _ChildVerdict | None = None) -> None:
    """Measure the part whose first chunk is ``first`` into ``sheet`` without a callback per
    element; ``_Unusual`` when the bytes are not the usual worksheet (see above). ``elsewhere``:
    expat's pass runs in a child (``_scan_in_parallel``); the scan stops as soon as it says no."""
    encodings: list[str] = []
    parser = _checking_parser(encodings)
    if hasattr(parser, "SetReparseDeferralEnabled"):  # expat >= 2.6 may leave a chunk unparsed
        parser.SetReparseDeferralEnabled(False)  # behind a long unfinished tag: no byte unchecked
    prolog = True

    def scan(region: bytes) -> None:
        nonlocal prolog
        if prolog and region:  # the XML declaration (expat read it) is no processing instruction
            prolog, declaration = False, _XML_DECLARATION.match(region)
            region = region[declaration.end() :] if declaration else region
        _scan_region(sheet, region)

    tail, chunk = b"", first
    try:
        while chunk:
            if elsewhere is None:
                parser.Parse(chunk, False)
            elif elsewhere.said_no():
                raise _Unusual
            if encodings and encodings[0].lower() != "utf-8":
                raise _Unusual
            buf = tail + chunk if tail else chunk
            end = _region_end(buf)
            scan(buf if end == len(buf) else buf[:end])
            tail = buf[end:]
            if len(tail) > _MAX_TAIL:
                raise _Unusual
            chunk = _next_chunk(chunks, tail)
        if elsewhere is None:
            parser.Parse(b"", True)
    except (expat.ExpatError, ValueError):  # ValueError: an encoding expat cannot read
        raise _Unusual from None
    scan(tail)


def _next_chunk(chunks, tail: bytes) -> bytes:
    """The next chunk, b"" at the end. When the part is refused there (budget, size), expat's
    callbacks would already have read the complete tags of the carried ``tail``: if one of them
    counts, measure again, so that a limit passed in it is refused first, as it would be."""
    try:
        return next(chunks, b"")
    except Refused:
        if _ANY_TAG.search(tail):
            raise _Unusual from None
        raise


def _region_end(buf: bytes) -> int:
    """Where the bytes parsed so far can be scanned up to: before the last ``<`` that is neither
    inside a cell span (its formula, its value) nor the start of one, so no span and no tag name
    is cut; all of ``buf`` when only text follows the last tag, or when it has no ``<`` at all
    (the rest of a text: a carried tail always holds one). A last tag the scan reads (``c``,
    ``dimension``) always waits: its ``>`` may lie in an attribute value, the tag unfinished and
    not yet checked by expat."""
    end = len(buf)
    for _ in range(_MAX_CELL_TAGS):
        end = buf.rfind(b"<", 0, end)
        name = buf[end + 1 : end + 3]
        if end < 0 or not (name[:1] in (b"", b"f", b"v") or name in (b"i", b"is", b"/", b"/f", b"/v")):
            break
    else:
        raise _Unusual  # no cell ends with so many formula and value tags
    if end < 0:
        return 0 if b"<" in buf else len(buf)
    if name[:1] not in (b"c", b"d") and buf.find(b"<", end + 1) < 0 and buf.find(b">", end) >= 0:
        return len(buf)
    return end


def _scan_region(sheet: SheetSurvey, region: bytes) -> None:
    """Add the cells, extent and error cells of ``region`` (whole tags, parsed by expat) to
    ``sheet``; ``Refused`` for a declared dimension over the limits, ``_Unusual`` (see above)."""
    if b"\x00" in region or (b":" in region and _OUR_NAMES.search(region) and _PREFIXED.search(region)):
        raise _Unusual  # UTF-16 or UTF-32 (no NUL in UTF-8 XML); a prefix
    found = _SPANS.findall(region)
    letters = set(map(_LETTERS, found))
    errors, dimensions = [], []
    if b"" in letters:  # something on its own (a span has letters)
        alone = set(map(_ALONE, found))
        if not alone.isdisjoint((b"is", b"!", b"?")):
            raise _Unusual
        if b"v" in alone or b"dimension" in alone:
            tally = collections.Counter(map(_ALONE, found))
            errors, dimensions = _ERROR_CELLS.findall(region), _DIMENSIONS.findall(region)
            if len(errors) != tally[b"v"] or len(dimensions) != tally[b"dimension"]:
                raise _Unusual
    cells = len(found) - len(errors) - len(dimensions)
    digits = set(map(_DIGITS, found))
    letters.update(map(_LETTERS, errors))
    digits.update(map(_DIGITS, errors))
    letters.discard(b"")
    digits.discard(b"")
    rows = max(map(int, digits), default=0)
    columns = max((_column_number(x.decode()) for x in letters), default=0)
    if sheet.cells + cells > limits.MAX_CELLS or rows > limits.MAX_ROWS or columns > limits.MAX_COLUMNS:
        raise _Unusual  # the callbacks know which limit comes first, and where
    for ref in dimensions:
        _check_dimension(sheet.name, ref.decode())
    sheet.cells += cells
    sheet.rows, sheet.columns = max(sheet.rows, rows), max(sheet.columns, columns)
    if errors:  # in their order, a cell's later error where its first was (as expat's callbacks)
        places = zip(
            map(int, map(_DIGITS, errors)),
            map(_column_number, map(bytes.decode, map(_LETTERS, errors))),
            strict=True,
        )
        texts = map(str.strip, map(bytes.decode, map(_TEXT, errors)))
        sheet.errors.update(zip(places, [text or "#N/A" for text in texts], strict=True))


def _extent_sentence(sheet: str, rows: int, cols: int, declared: bool = False) -> str:
    said = "声明" if declared else "有内容"
    return (
        f"工作表「{sheet}」{said}的范围达 {rows:,} 行 × {cols:,} 列，超过上限（{limits.MAX_ROWS:,} 行、"
        f"{limits.MAX_COLUMNS:,} 列、{limits.MAX_CELLS:,} 个单元格）；请删除多余的行列或分批导入 / "
        f"sheet {sheet!r} {'declares' if declared else 'holds values up to'} {rows:,} rows x {cols:,} "
        f"columns, over the limits ({limits.MAX_ROWS:,} rows, {limits.MAX_COLUMNS:,} columns, "
        f"{limits.MAX_CELLS:,} cells): delete the stray cells far out, or split the file"
    )


def _grid_sentence(sheet: str, what: str, n: int) -> str:
    return (
        f"工作表「{sheet}」单元格过多（{n:,} 个以上，上限 {limits.MAX_CELLS:,}），请分批导入 / "
        f"sheet {sheet!r} has too many {what} ({n:,}+, limit {limits.MAX_CELLS:,}): split the file"
    )


def _check_extents(path: Path, sheets: list[SheetSurvey]) -> None:
    grid = sum(s.grid for s in sheets)
    if grid > limits.MAX_CELLS:
        big = max(sheets, key=lambda s: s.grid)
        raise Refused(
            f"工作簿各表合计 {grid:,} 个单元格（行 × 列），超过上限 {limits.MAX_CELLS:,}（最大的是「{big.name}」："
            f"{big.rows:,} 行 × {big.columns:,} 列）；请删除多余的行列或分批导入 / the sheets hold {grid:,} cells "
            f"(rows x columns), over the limit of {limits.MAX_CELLS:,}: delete stray cells or split the file",
        )


# ---- .xls (BIFF8 in an OLE container) --------------------------------------------------------

BOF, EOF, FILEPASS, BOUNDSHEET, DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200
MULRK, MULBLANK, FORMULA, BOOLERR = 0x00BD, 0x00BE, 0x0006, 0x0205
VALUE_RECORDS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, FORMULA, BOOLERR, MULRK})
CELL_RECORDS = VALUE_RECORDS | {0x0201, MULBLANK}
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!"}


def _survey_ole(path: Path, suffix: str) -> list[SheetSurvey]:
    from xlrd.compdoc import CompDoc, CompDocError

    data = path.read_bytes()
    try:
        with open(os.devnull, "w") as quiet:
            doc = CompDoc(data, logfile=quiet)
            streams = {d.name for d in doc.dirlist}
            if streams & set(ENCRYPTED_STREAMS):
                raise Refused(
                    "工作簿设有打开密码，无法读取：请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再导入 / "
                    "the workbook is password-protected: remove the password in Excel and save it again",
                )
            workbook = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except CompDocError as err:
        raise Refused(f"文件已损坏 / the file is damaged ({err})") from None
    if workbook is None:
        raise Refused(
            f"这是 Office 文件但不是 Excel 工作簿（Word？）/ an Office file but no workbook ({suffix})"
        )
    if suffix != ".xls":
        raise Refused(
            f"这是旧版 .xls 工作簿，扩展名却是 {suffix}：请改为 .xls / an old .xls workbook named {suffix}: rename it",
        )
    sheets = scan_biff(workbook)
    _check_extents(path, sheets)
    return sheets


def scan_biff(stream: bytes) -> list[SheetSurvey]:
    """Walk the BIFF8 records of a ``Workbook`` stream: each worksheet's extent, cells and error
    values (``Refused`` at the first limit passed or at a ``FILEPASS`` record)."""
    names: dict[int, str] = {}
    sheets: list[SheetSurvey] = []
    sheet: SheetSurvey | None = None
    pos = 0
    while pos + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, pos)
        body, pos = pos + 4, pos + 4 + length
        if record == FILEPASS:
            raise Refused(
                "工作簿设有打开密码，无法读取：请在 Excel 中取消密码后另存再导入 / "
                "the workbook is password-protected: remove the password in Excel and save it again"
            )
        if record == BOUNDSHEET and length >= 8:
            offset, n, flags = struct.unpack_from("<IxxBB", stream, body)
            raw = stream[body + 8 : body + 8 + n * (2 if flags & 1 else 1)]
            names[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
        elif record == BOF and length >= 4:
            kind = struct.unpack_from("<H", stream, body + 2)[0]
            sheet = SheetSurvey(names.get(body - 4, f"Sheet{len(sheets) + 1}")) if kind == 0x0010 else None
            if sheet is not None:
                sheets.append(sheet)
        elif record == EOF:
            sheet = None
        elif sheet is not None and record in CELL_RECORDS and length >= 4:
            _biff_cell(sheet, record, stream, body, length)
        elif sheet is not None and record == DIMENSIONS and length >= 14:
            rows, cols = (
                struct.unpack_from("<I", stream, body + 4)[0],
                struct.unpack_from("<H", stream, body + 10)[0],
            )
            if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS or rows * cols > limits.MAX_CELLS:
                raise Refused(_extent_sentence(sheet.name, rows, cols, declared=True))
    return sheets


def _biff_cell(sheet: SheetSurvey, record: int, stream: bytes, body: int, length: int) -> None:
    row, col = struct.unpack_from("<HH", stream, body)
    last = struct.unpack_from("<H", stream, body + length - 2)[0] if record in (MULRK, MULBLANK) else col
    sheet.cells += max(1, last - col + 1)
    if sheet.cells > limits.MAX_CELLS:
        raise Refused(_grid_sentence(sheet.name, "cells", sheet.cells))
    if record not in VALUE_RECORDS:
        return
    sheet.rows, sheet.columns = max(sheet.rows, row + 1), max(sheet.columns, last + 1)
    if sheet.rows > limits.MAX_ROWS or sheet.columns > limits.MAX_COLUMNS:
        raise Refused(_extent_sentence(sheet.name, row + 1, last + 1))
    if record == BOOLERR and length >= 8 and stream[body + 7]:
        sheet.errors[(row + 1, col + 1)] = BIFF_ERRORS.get(stream[body + 6], "#N/A")
    elif (
        record == FORMULA
        and length >= 14
        and stream[body + 12 : body + 14] == b"\xff\xff"
        and stream[body + 6] == 2
    ):
        sheet.errors[(row + 1, col + 1)] = BIFF_ERRORS.get(stream[body + 8], "#N/A")
