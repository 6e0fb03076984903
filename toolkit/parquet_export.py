"""A ledger's tables as a folder of Parquet files, for a province's data lake (Spark reads it).

The folder holds every table the metrics and the replay read, under the ledger's own names and
with the ledger's own column types: the event log (``events``), its projections (``changes``,
``<kind>_added``), its head (``ledger_head``) and the current-state tables (``units`` ...
``assignments``), one ``<table>.parquet`` each, plus ``manifest.json``: the tables, their
columns and row counts, the ledger's receipt and the day of its last event.

Written whole or not at all: the files go to a hidden sibling folder that is renamed into place
once complete, so a reader never finds half an export; the manifest is written last, and a
folder without one is not an export. The export is the ledger itself, names of persons
included (masking the events would break their hash chain): it goes where the ledger may go.

A PostgreSQL ledger can be written while it is exported: the receipt is read before and after,
and an export that straddled a write is done again (a write always moves the head).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from toolkit.ledger import CURRENT_TABLES, Ledger
from toolkit.store import HEAD_TABLE, LedgerBusy, table_columns

MANIFEST = "manifest.json"
FORMAT = "xuncha-parquet 1"
ATTEMPTS = 3


def export_tables() -> list[str]:
    """The tables an export holds: the stored ones (events, projections, head), then the current."""
    return [*table_columns(), *CURRENT_TABLES]


class NotAnExport(ValueError):
    """A folder the export would replace is not an earlier export: it is never deleted."""


def export_parquet(target: str | os.PathLike, folder: str | os.PathLike, *, force: bool = False) -> dict:
    """Write the ledger at ``target`` (a DuckDB file or a ``postgresql://`` URL) to ``folder``.

    ``force`` replaces an earlier export in ``folder`` (a folder holding a ``manifest.json``, or
    an empty one); any other existing folder or file is refused. Returns the manifest."""
    folder = Path(folder)
    _check_target(folder, force)
    with Ledger.open(target) as ledger:
        for _ in range(ATTEMPTS):
            before = ledger.receipt()
            partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            try:
                manifest = _write_tables(ledger, partial)
                if ledger.receipt() != before:
                    shutil.rmtree(partial)
                    continue  # a write committed while we read: read again
                manifest["receipt"] = str(before) if before is not None else None
                _write_json(partial / MANIFEST, manifest)
                _fsync(partial)
                _swap_into_place(partial, folder)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            return manifest
    raise LedgerBusy(str(target), f"it was written during each of {ATTEMPTS} attempts to export it")


def _check_target(folder: Path, force: bool) -> None:
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise NotAnExport(f"{folder} exists and is not a folder; nothing written")
    if not force:
        raise FileExistsError(f"{folder} exists (--force replaces an earlier export)")
    if any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise NotAnExport(f"{folder} holds files but no {MANIFEST}: not an export, never replaced")


def _write_tables(ledger: Ledger, folder: Path) -> dict:
    tables = {}
    for name in export_tables():
        expr = ledger.con.table(name)
        path = folder / f"{name}.parquet"
        ledger.con.to_parquet(expr, path)
        _fsync(path)
        tables[name] = {
            "file": path.name,
            "rows": pq.ParquetFile(path).metadata.num_rows,
            "columns": {column: str(dtype) for column, dtype in expr.schema().items()},
        }
    events = ledger.con.table("events")
    last = events.at.max().execute()
    return {
        "format": FORMAT,
        "exported_at": dt.datetime.now().replace(microsecond=0).isoformat(),
        "head_table": HEAD_TABLE,
        "last_event_day": None if last is None or last != last else str(_as_date(last)),
        "tables": tables,
    }


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_into_place(partial: Path, folder: Path) -> None:
    """Rename the complete export to ``folder``; an earlier export there is moved aside first and
    removed once the new one has its name."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(folder, old)
    try:
        os.rename(partial, folder)
    except BaseException:
        if old is not None:
            os.rename(old, folder)
        raise
    _fsync(folder.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: str | os.PathLike) -> dict:
    """The manifest of an export folder on this machine (``toolkit.province`` reads it through
    Spark, wherever the folder lives)."""
    return parse_manifest(Path(folder, MANIFEST).read_text(encoding="utf-8"), str(folder))


def parse_manifest(text: str, where: str) -> dict:
    """A manifest's content, checked to be one this toolkit wrote (``ValueError`` otherwise)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: {MANIFEST} is not JSON ({err.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{where}: {MANIFEST} is not a manifest of a ledger export ({FORMAT})")
    missing = [name for name in export_tables() if name not in data.get("tables", {})]
    if missing:
        raise ValueError(f"{where}: {MANIFEST} lists no table {missing[0]!r}")
    return data
