"""A province's path, for real: the sample ledger exported with ``toolkit export --parquet``, opened
in a local Spark session (``local[2]``) as a read-only ledger, and every metric compared with
DuckDB: every ``by`` today, and on a past date (the replay, executed by Spark).

One Spark session and one export for the module. Without Java or pyspark the tests are skipped,
naming the install command (CI installs both: ``.ci/system-packages.txt``, the ``spark`` extra).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.parity import assert_same, compute, groupings
from toolkit.metrics import REGISTRY

pytestmark = [pytest.mark.spark, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]
PAST = dt.date(2022, 9, 15)  # early in the second term: first-term items still open or extended


def missing() -> str | None:
    if shutil.which("java") is None:
        return "Java not found (Spark needs it): run `sudo apt-get install -y openjdk-17-jre-headless` (or: sudo make system-deps)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark not installed: run `pip install -e '.[dev]'` (the spark extra)"
    return None


@pytest.fixture(scope="module")
def export_folder(sample_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("province") / "江州市"
    done = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "export", "--ledger", str(sample_path), "--parquet", str(folder), "--with-names"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "manifest.json" in done.stdout and "NOT masked" in done.stdout
    return folder


@pytest.fixture(scope="module")
def spark():
    if reason := missing():
        pytest.skip(reason)
    from toolkit.province import local_session

    session = local_session(cores=2, memory="1g")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def city(spark, export_folder):
    from toolkit.province import open_city

    ledger = open_city(spark, str(export_folder))
    yield ledger
    ledger.close()


def test_the_export_names_what_it_holds_and_refuses_without_consent(
    sample_path, sample_ledger, export_folder, tmp_path
):
    manifest = json.loads((export_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["receipt"] == str(sample_ledger.receipt())
    counts = sample_ledger.counts()
    assert manifest["tables"]["problems"]["rows"] == counts["problems"]
    assert manifest["tables"]["events"]["rows"] == counts["events"]
    refused = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "export", "--ledger", str(sample_path), "--parquet", str(tmp_path / "x")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert refused.returncode == 2 and "--with-names" in refused.stderr and not (tmp_path / "x").exists()
    again = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "export", "--ledger", str(sample_path), "--parquet", str(export_folder), "--with-names"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert again.returncode == 2 and "--force" in again.stderr  # an earlier export is never replaced silently


def test_every_metric_by_every_dimension_equals_duckdb(city, sample_ledger):
    assert city.receipt() == sample_ledger.receipt()
    for name in sorted(REGISTRY):
        for by in groupings(name):
            assert_same(compute(sample_ledger, name, by), compute(city, name, by), f"{name} by={by} on Spark")


def test_every_metric_on_a_past_date_equals_duckdb(city, sample_ledger):
    for name in sorted(REGISTRY):
        for by in (None, "region"):
            duck = compute(sample_ledger, name, by, as_of=PAST)
            assert not isinstance(duck, ValueError), f"{name} by={by}: {duck}"
            assert_same(duck, compute(city, name, by, as_of=PAST), f"{name} as_of={PAST} by={by} on Spark")


def test_an_altered_export_is_refused(spark, export_folder, tmp_path):
    from toolkit.province import ExportMismatch, open_city

    altered = tmp_path / "altered"
    shutil.copytree(export_folder, altered)
    manifest = json.loads((altered / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["problems"]["rows"] += 1  # a row taken out of the file, as the manifest sees it
    (altered / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ExportMismatch, match="problems"):
        open_city(spark, str(altered))


def test_the_readmes_spark_block_runs_as_written(spark, export_folder, tmp_path, monkeypatch, capsys):
    from tests.test_readme_runs import python_blocks

    block = next(b for b in python_blocks() if "spark" in b)
    lake = tmp_path / "lake"
    lake.mkdir()
    for city in ("江州市", "临江市"):  # two cities: two copies of the sample's export
        shutil.copytree(export_folder, lake / city)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "江州市" in printed and "临江市" in printed


def test_a_province_stacks_its_cities_each_from_its_own_export(spark, export_folder, sample_ledger):
    from toolkit.province import Province

    with Province(spark, {"甲市": str(export_folder), "乙市": str(export_folder)}) as province:
        stacked = province.metric("rectification-rate", by="region")
    assert list(stacked.columns[:2]) == ["city", "region"]
    duck = REGISTRY["rectification-rate"].func(sample_ledger, by="region")
    for city in ("甲市", "乙市"):
        one = stacked[stacked["city"] == city].drop(columns="city")
        assert_same(duck, one.reset_index(drop=True), f"rectification-rate for {city}")
