"""A province's ledgers on Spark: each city's Parquet export opened as a read-only ``Ledger``.

One city at a time, never a union: a city's ledger is what its office signs, and its ids
(``P00000042``), region names (市本级) and terms (七届) are its own. A union would merge two
cities' 市本级 into one region, join one city's problems to another's units wherever their ids
meet, and make coverage count the term of whichever city started a round last. So every city
is opened in its own Spark session (``spark.newSession()``: the same cluster, its own table
names), where its tables are registered under their ledger names; every metric runs on it
unchanged, executed by Spark. ``Province.metric`` runs one metric for each city and stacks the
results with a ``city`` column: the province compares its cities on the definitions each city
reports by.

An export is immutable, so what would be a query on a live ledger is read from its manifest:
the receipt, and the day of the last event (whether an as-of date needs the replay).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd

from toolkit.events import Receipt
from toolkit.ledger import Ledger
from toolkit.metrics import REGISTRY
from toolkit.parquet_export import MANIFEST, export_tables, parse_manifest
from toolkit.store import LedgerError, LedgerMissing, NotALedger

# Small shuffles for small results: Spark's default of 200 partitions per shuffle costs more
# than the data of a city's metric. The cluster's own settings win when the session exists.
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}


class ExportMismatch(LedgerError):
    """The Parquet files do not hold what the export's manifest says: figures are not read from it."""

    zh, en = "Parquet 导出与其清单不符", "the Parquet export does not match its manifest"


def local_session(cores: int = 2, memory: str = "2g"):
    """A Spark session on this machine (``local[cores]``), for a laptop, the tests and the bench;
    on a cluster use the session you are given."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(f"local[{cores}]").appName("xuncha-province")
    builder = builder.config("spark.driver.memory", memory)
    for key, value in LOCAL_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class CityLedger(Ledger):
    """A read-only ledger over one city's Parquet export, executed by Spark.

    Writes stay with the city's own store; ``close`` drops this city's tables from its session
    and never stops the shared Spark session."""

    def __init__(self, con, session, manifest: dict, where: str) -> None:
        super().__init__(None, con)
        self.session = session
        self.manifest = manifest
        self.where = where
        last = manifest.get("last_event_day")
        self.last_event_day = dt.date.fromisoformat(last) if last else None

    def refresh(self) -> CityLedger:
        return self  # an export never changes: open a newer export to read it

    def latest_event_day(self) -> dt.date | None:
        """The export's manifest says it: no Spark job to ask."""
        return self.last_event_day if self.last_event_day is not None else super().latest_event_day()

    def close(self) -> None:
        for name in self.manifest["tables"]:
            self.session.catalog.dropTempView(name)
        self._tables = {}

    def receipt(self) -> Receipt | None:
        text = self.manifest.get("receipt")
        return Receipt.parse(text) if text else None

    def verify(self, *args, **kwargs):
        raise LedgerError(
            self.where,
            "an export is checked against its manifest when opened; verify the city's own ledger "
            "with `toolkit verify` and compare its receipt with the manifest's",
        )


def open_city(spark, folder: str, *, check: bool = True) -> CityLedger:
    """One city's export folder (written by ``toolkit export --parquet``; any path Spark reads:
    a local folder, ``hdfs://``, ``s3a://``) as a read-only ledger in a session of its own.

    ``check``: compare each table's columns and row count with the manifest (one Spark job) and
    refuse the folder when they differ (``ExportMismatch``)."""
    folder = str(folder).rstrip("/")
    if "://" not in folder:  # a local path: Spark would read it from the JVM's folder, not Python's
        folder = str(Path(folder).resolve())
    manifest = _read_manifest(spark, folder)
    session = spark.newSession()
    for name, table in manifest["tables"].items():
        reader = session.read.schema(_spark_schema(table["columns"]))  # no job to infer it
        reader.parquet(f"{folder}/{table['file']}").createOrReplaceTempView(name)
    con = ibis.pyspark.connect(session)
    ledger = CityLedger(con, session, manifest, folder)
    if check:
        try:
            _check(ledger)
        except BaseException:
            ledger.close()
            raise
    return ledger


# The manifest's column types (ibis names) as Spark reads them from the files; a timestamp is the
# ledger's wall-clock time (TIMESTAMP without a zone), never shifted by a session time zone.
SPARK_TYPES = {
    "string": "STRING",
    "int64": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP_NTZ",
}


def _spark_schema(columns: dict[str, str]) -> str:
    return ", ".join(f"`{name}` {SPARK_TYPES[_kind(dtype)]}" for name, dtype in columns.items())


def _read_manifest(spark, folder: str) -> dict:
    from pyspark.errors import AnalysisException

    try:
        rows = spark.read.text(f"{folder}/{MANIFEST}", wholetext=True).collect()
    except AnalysisException as err:
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err):
            raise LedgerMissing(folder, f"no {MANIFEST}: not a complete export") from None
        raise NotALedger(folder, str(err).strip().splitlines()[0]) from None
    if len(rows) != 1:
        raise NotALedger(folder, f"{MANIFEST} is not one file")
    try:
        return parse_manifest(rows[0][0], folder)
    except ValueError as err:
        raise NotALedger(folder, str(err)) from None


def _check(ledger: CityLedger) -> None:
    """Columns and row counts of every table against the manifest, in one query."""
    tables = ledger.manifest["tables"]
    for name in export_tables():
        stored = ledger.table(name).schema()
        expected = tables[name]["columns"]
        if list(stored) != list(expected):
            raise ExportMismatch(
                ledger.where, f"{name} has columns {list(stored)}, the manifest {list(expected)}"
            )
        for column, dtype in stored.items():
            if _kind(str(dtype)) != _kind(expected[column]):
                raise ExportMismatch(
                    ledger.where, f"{name}.{column} is {dtype}, the manifest says {expected[column]}"
                )
    counts = [
        ledger.table(name).count().name("rows").as_table().mutate(table=ibis.literal(name)) for name in tables
    ]
    found = dict(ibis.union(*counts).execute()[["table", "rows"]].itertuples(index=False))
    for name, table in tables.items():
        if int(found[name]) != int(table["rows"]):
            raise ExportMismatch(
                ledger.where, f"{name} holds {found[name]} rows, the manifest says {table['rows']}"
            )


def _kind(dtype: str) -> str:
    """A column type without precision or nullability (``timestamp(6)`` and ``!timestamp`` agree)."""
    return dtype.lstrip("!").split("(")[0]


class Province:
    """Several cities' exports on one Spark session, each city its own ledger (see the module
    docstring for why not one unioned ledger).

    ``cities``: city name -> export folder."""

    def __init__(self, spark, cities: Mapping[str, str], *, check: bool = True) -> None:
        if not cities:
            raise ValueError("cities: name at least one city and its export folder")
        self.spark = spark
        self.cities: dict[str, CityLedger] = {}
        try:
            for name, folder in cities.items():
                self.cities[name] = open_city(spark, str(folder), check=check)
        except BaseException:
            self.close()
            raise

    def city(self, name: str) -> CityLedger:
        if name not in self.cities:
            raise ValueError(f"city: {name!r} is not one of {', '.join(self.cities)}")
        return self.cities[name]

    def metric(self, name: str, **kwargs) -> pd.DataFrame:
        """Metric ``name`` (a registered metric) for every city, stacked with ``city`` first; the
        keyword arguments (as_of, by, filters ...) go to the metric unchanged."""
        if name not in REGISTRY:
            raise ValueError(f"metric: unknown {name!r} (toolkit metrics --list)")
        frames = []
        for city, ledger in self.cities.items():
            df = REGISTRY[name].func(ledger, **kwargs)
            df.insert(0, "city", city)
            frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        out.attrs = frames[0].attrs
        return out

    def close(self) -> None:
        for ledger in self.cities.values():
            ledger.close()

    def __enter__(self) -> Province:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
