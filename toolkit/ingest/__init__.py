"""Import the Excel ledgers offices really send (and export the ledger back to Excel).

Stages, one module each: ``preflight`` (a file measured before any engine reads it),
``readers`` (file -> raw sheets), ``layout`` (sheet -> table), ``aliases`` (column names and
value synonyms, as data), ``limits`` (file and value limits, as data), ``normalize`` (cell ->
value), ``validate`` (rules -> records), ``resolve`` (names -> rounds/units), ``merge``
(duplicates and conflicts between files), ``findings`` (what a person should check), ``writer``
(one transaction), ``pipeline`` (the whole import), ``report`` (what happened to every row),
``quarantine`` (rejects workbook), ``export`` (ledger -> workbook), ``examples`` (messy sample
files).
"""

from toolkit.ingest.pipeline import import_files
from toolkit.ingest.readers import UnreadableFile, read_sheets
from toolkit.ingest.report import Conflict, ImportReport, RejectedRow, RowError

__all__ = [
    "Conflict",
    "ImportReport",
    "RejectedRow",
    "RowError",
    "UnreadableFile",
    "import_files",
    "read_sheets",
]
