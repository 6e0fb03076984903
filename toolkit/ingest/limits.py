"""Limits on what an imported file and its rows may hold, kept as data like ``aliases``.

Two kinds, both generous for real ledgers and both refusing what no office writes:

- File limits bound the work and memory of an import *before* any engine reads the file
  (``preflight``): a county's ledger has a few thousand rows, a province's a few hundred
  thousand, never a million columns or a gigabyte of XML.
- Value limits say what is plausible in one row (``normalize``, ``validate``): a date before
  1990, a deadline 50 years ahead, a million persons sanctioned for one clue or an amount of
  10^308 元 is a typo or an attack, and is rejected with the row, the column and a reason
  instead of being signed off in an office's figures.

To change a limit, change the number here; nothing else changes.
"""

from __future__ import annotations

import datetime as dt

MB = 1024 * 1024

# ---- files ------------------------------------------------------------------------------------

MAX_FILE_BYTES = {".xlsx": 100 * MB, ".xlsm": 100 * MB, ".xls": 64 * MB, ".csv": 256 * MB}
MAX_UNCOMPRESSED_BYTES = 500 * MB  # all parts of one .xlsx together, decompressed
MAX_COMPRESSION_RATIO = 200  # decompressed / compressed size of one part (real sheets: 5-20)
RATIO_CHECKED_ABOVE = 10 * MB  # tiny parts compress absurdly well and harm no one
MAX_ZIP_ENTRIES = 10_000
MAX_SHEETS = 500
MAX_ROWS = 200_000  # per sheet, the last row holding a value
MAX_COLUMNS = 200  # per sheet, the last column holding a value
# Engines hold a sheet as a full grid (rows x columns of its used range, empty cells included):
# this bounds that grid for one file (all its sheets) and for all the files of one import.
MAX_CELLS = 10_000_000
MAX_IMPORT_CELLS = 20_000_000
MAX_XML_PROLOG = 4096  # bytes at the start of an XML part where a <!DOCTYPE> would be

# ---- values -----------------------------------------------------------------------------------

EARLIEST_DATE = dt.date(1990, 1, 1)  # before the inspection system (巡察) as it is today
MAX_DEADLINE_YEARS = 10  # a deadline (整改时限, 报告时限) at most this far after the import date
MAX_ROUND_AHEAD_YEARS = 2  # a round (进驻/撤离/反馈时间) may be planned, not further ahead
# Things that have happened: never after the day of the import.
PAST_FIELDS = (
    "found_on",
    "rectified_on",
    "closed_on",
    "transferred_on",
    "disposed_on",
    "case_opened_on",
    "reported_on",
    "assigned_on",
    "added_at",
    "report_date",
)
DEADLINE_FIELDS = ("due", "report_due")
ROUND_FIELDS = ("start", "end", "feedback_on")

# A row whose earliest date lies this far before the lower quartile of its round's rows does not
# move the start of a round the import creates: it is rejected as before the round began.
ROUND_OUTLIER_DAYS = 366
# A new unit whose name (region and level words taken off) matches an existing unit's this closely
# (difflib ratio) is reported as possibly the same unit.
SIMILAR_UNIT_RATIO = 0.85

MAX_YUAN = 100_000_000_000  # 1,000 亿元 for one problem or one clue
MAX_COUNTS = {
    "sanctioned": 200,  # persons 党纪政务处分 for one clue
    "prosecuted": 200,  # persons 移送司法 for one clue
    "public_reports": 100_000,  # 群众反映 in one round for one unit
    "number": 100,  # 轮次序号
}
MAX_NUMBER_DIGITS = 15  # digits a number may have (what Excel keeps exactly), 30 digits is a typo

NAME_LENGTH = 200
TEXT_LENGTH = 2000
# field -> the most characters its text may have; fields not listed get DEFAULT_TEXT_LENGTH.
MAX_TEXT_LENGTH = {
    **dict.fromkeys(
        (
            "unit",
            "round",
            "region",
            "team",
            "subject",
            "subject_post",
            "subject_unit",
            "responsible",
            "leader",
            "category",
            "source",
            "sector",
            "term",
            "clue_no",
            "seq",
            "record_id",
            "round_id",
            "unit_id",
            "looks_back_at",
        ),
        NAME_LENGTH,
    ),
    **dict.fromkeys(("description", "measures", "progress", "title", "matter"), TEXT_LENGTH),
}
DEFAULT_TEXT_LENGTH = 500

# What a cell shows when its formula failed: never a value (a #DIV/0! amount is not 0 元).
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)


def excel_error(value: object) -> str | None:
    """``#DIV/0!`` for a cell holding an Excel error value, else None."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


def text_length(field: str) -> int:
    return MAX_TEXT_LENGTH.get(field, DEFAULT_TEXT_LENGTH)
