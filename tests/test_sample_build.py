"""The sample ledger is a reference (workshop answers, seed figures, metrics are read off it):
its events, hash chain and tables are pinned, and the bulk writer ``build_sample`` uses writes
exactly what writing each event through ``Ledger.write`` (every rule checked) writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import Counter

import pandas as pd
import pytest

from toolkit import Ledger
from toolkit.replay import derived_names
from toolkit.sample import _draws, build_sample, generate, write_checked

# Computed from the sample at scale 1 (seed 2021) as written before the bulk writer, by the event
# by event path of commit 8552240 (``Ledger.write``, one ``tx.add``/``tx.change`` per event):
# ``table_digests(path)`` on that ledger. A change to the sample changes them on purpose only.
HEAD = (41771, "871ae0723b3b5cc36e95e1262e9eb77a4eedd89707ae0e7e6e18098753abf16e")
DIGESTS = {
    "assignment_added": (62, "6ee495ae23014ec9b866eb12f02c744c"),
    "assignments": (62, "cdd2ee3a6aeb9be97254c92684cbc380"),
    "changes": (45287, "94301ac7500d2c8faa01550c04e6b274"),
    "clue_added": (514, "0c7abf662e0f61ba566a4e7b95606704"),
    "clues": (514, "ee4ec9441512eda95ca446c101da6a9b"),
    "events": (41771, "4832efab65b55bea85dba84b7f4a24c7"),
    "inspection_added": (1471, "70e6fa0958143a076af9891e4720019f"),
    "inspections": (1471, "205dd59de6833b86021bd8620f8a9cc8"),
    "ledger_head": (1, "6327db6144bd917fa338b13519950d88"),
    "problem_added": (10782, "157138c3f9490b3f23559df6fa9c8d73"),
    "problems": (10782, "1ec4f6a79ae1012c8979d4af5b6e59c8"),
    "round_added": (240, "fd98af413e1270edb1c9e3c993b2b5ca"),
    "rounds": (240, "6d6814de70c747ecb59b9610cdc049f9"),
    "unit_added": (862, "4618bf2ff97de60c09838151dee0d9dd"),
    "units": (862, "514237ec31c2b9c6128f2e9f5268f727"),
}

ORDER = {  # a defined row order per table (current-state tables are built with none)
    "events": "seq",
    "changes": "seq, field",
    "ledger_head": "seq",
}


def table_digests(path) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of the rows (Python values, in a defined order) of every stored table.

    ``changed_at``, the derived columns (``toolkit.replay.DERIVED``) and the head's ``state_format``, which
    tables gained after these digests were taken, are left out here and checked against the
    changes and the events on their own (below)."""
    with Ledger.open(path) as ledger:
        con = ledger.con.con
        names = sorted(r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
        out = {}
        for name in names:
            order = ORDER.get(name, "added_seq" if name.endswith("_added") else "id")
            later = ("changed_at", *derived_names("problem"), "state_format")
            columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in later]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f"SELECT {select} FROM {name} ORDER BY {order}").fetchall()
            out[name] = (len(rows), hashlib.md5(repr(rows).encode()).hexdigest())
        return out


def head(path) -> tuple[int, str]:
    with Ledger.open(path) as ledger:
        receipt = ledger.receipt()
        return receipt.seq, receipt.head


def test_the_sample_is_the_reference(sample_path):
    assert head(sample_path) == HEAD
    assert table_digests(sample_path) == DIGESTS


def test_the_bulk_writer_writes_what_the_checked_path_writes(tmp_path):
    checked = tmp_path / "checked.duckdb"
    write_checked(checked, generate(1))
    assert head(checked) == HEAD
    assert table_digests(checked) == DIGESTS
    with Ledger.open(checked) as ledger:
        assert ledger.verify().ok


def test_changed_at_is_each_records_latest_change(sample_path):
    """Past-date figures read unchanged records by ``changed_at``: worked out here from the
    changes in pandas, it must be each record's latest change date, else the date it was added."""
    with Ledger.open(sample_path) as ledger:
        changes = ledger.table("changes").execute()
        latest = changes.groupby(["entity", "record_id"])["at"].max()
        for kind in ("unit", "round", "inspection", "problem", "clue", "assignment"):
            table = ledger.table(kind + "s").execute().set_index("id")
            mine = latest.loc[kind] if kind in latest.index.get_level_values(0) else latest.iloc[:0]
            want = table["added_at"].copy()
            want.loc[mine.index] = mine
            assert table["changed_at"].notna().all(), kind
            assert (table["changed_at"] == want).all(), kind
        problems = ledger.table("problems").execute()
        assert (problems["changed_at"] > problems["added_at"]).any()


def test_the_derived_columns_are_worked_out_from_each_problems_history(sample_path):
    """``extensions`` and ``judged_due``, worked out here in Python from the event log alone: the
    number of deadline_extended events, and for a rectified or closed problem the due date of the
    latest event (by seq) dated on or before its rectified_on that set one, else the due date it
    was added with; for any other problem its due date."""
    with Ledger.open(sample_path) as ledger:
        events = ledger.table("events").execute()
        problems = ledger.table("problems").execute().set_index("id")
    events = events[events["entity"] == "problem"].sort_values("seq")
    extensions = Counter(events.loc[events["kind"] == "deadline_extended", "record_id"])
    recorded: dict[str, str | None] = {}
    dues: dict[str, list[tuple[dt.date, str | None]]] = {}
    for kind, record_id, at, payload in events[["kind", "record_id", "at", "payload"]].itertuples(
        index=False
    ):
        fields = json.loads(payload)
        if kind == "added":
            recorded[record_id] = fields.get("due")
        elif "due" in fields:
            dues.setdefault(record_id, []).append((pd.Timestamp(at).date(), fields["due"]))
    want_judged = {}
    for pid, row in problems.iterrows():
        judged = row["due"]
        if row["status"] in ("rectified", "closed"):
            judged = recorded[pid]
            on = row["rectified_on"]
            for at, due in dues.get(pid, []):
                if on is not None and not pd.isna(on) and at <= pd.Timestamp(on).date():
                    judged = due
        want_judged[pid] = None if judged is None or pd.isna(judged) else pd.Timestamp(judged).date()
    got_judged = {
        pid: None if pd.isna(day) else pd.Timestamp(day).date() for pid, day in problems["judged_due"].items()
    }
    assert got_judged == want_judged
    assert problems["extensions"].to_dict() == {pid: extensions.get(pid, 0) for pid in problems.index}
    rectified = problems["status"].isin(["rectified", "closed"])
    assert (problems["extensions"] > 0).any()
    assert (rectified & (problems["extensions"] > 0)).any()  # judged by a changed due date


def test_found_again_on_is_the_first_day_a_later_round_found_the_same_problem(sample_path):
    """``found_again_on``, worked out here in Python from the event log and the rounds: the
    earliest day a problem of the same unit and category was added from a round that started
    later than the problem's own round."""
    with Ledger.open(sample_path) as ledger:
        events = ledger.table("events").execute()
        problems = ledger.table("problems").execute().set_index("id")
        starts = ledger.table("rounds").execute().set_index("id")["start"].to_dict()
    added = events[(events["entity"] == "problem") & (events["kind"] == "added")]
    groups: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for at, payload in added[["at", "payload"]].itertuples(index=False):
        fields = json.loads(payload)
        start = starts.get(fields["round_id"])
        if start is not None and not pd.isna(start):
            key = (fields["unit_id"], fields["category"])
            groups.setdefault(key, []).append((pd.Timestamp(start).date(), pd.Timestamp(at).date()))
    want = {}
    for pid, row in problems.iterrows():
        mine = starts.get(row["round_id"])
        later = [
            at
            for start, at in groups.get((row["unit_id"], row["category"]), [])
            if mine is not None and not pd.isna(mine) and start > pd.Timestamp(mine).date()
        ]
        want[pid] = min(later) if later else None
    got = {
        pid: None if pd.isna(day) else pd.Timestamp(day).date()
        for pid, day in problems["found_again_on"].items()
    }
    assert got == want
    assert sum(day is not None for day in got.values()) > 100  # the sample has recurrences


def test_overwrite(tmp_path):
    path = tmp_path / "s.duckdb"
    build_sample(path)
    with pytest.raises(FileExistsError):
        build_sample(path)
    assert build_sample(path, overwrite=True)["events"] == HEAD[0]
    assert head(path) == HEAD


@pytest.mark.parametrize("seed", [0, 2021])
def test_fast_draws_draw_what_random_draws(seed):
    ours, theirs = random.Random(seed), random.Random(seed)
    randint, choice = _draws(ours)
    seqs = [(1,), (60, 90), tuple(range(7)), tuple(range(100)), list(range(1000))]
    for k in range(20_000):
        a = k % 97
        assert randint(a, a + k % 300) == theirs.randint(a, a + k % 300)
        seq = seqs[k % len(seqs)]
        assert choice(seq) == theirs.choice(seq)
        assert ours.random() == theirs.random()


@pytest.mark.postgres
def test_the_bulk_writer_on_postgresql():
    from tests.pg import INSTALL_HINT, find_bin, temporary_server

    if find_bin("initdb") is None or find_bin("pg_ctl") is None:
        pytest.skip(f"PostgreSQL server binaries (initdb, pg_ctl) not found: run `{INSTALL_HINT}`")
    with temporary_server() as url:
        assert build_sample(url)["events"] == HEAD[0]
        with Ledger.open(url) as ledger:
            receipt = ledger.receipt()
            assert (receipt.seq, receipt.head) == HEAD
            assert ledger.verify().ok
