"""An analyst imports while a leader's app reads: the write never fails, the reader never sees half.

Two real processes: a reader that keeps one connection open for the whole test and polls with
fresh ones, and a writer that imports 3,000 problems in one transaction, twice.
"""

import datetime as dt
import multiprocessing as mp
import time

from tests.builders import tiny_problem
from toolkit import Ledger

D = dt.date


def _writer(path, batches, size, done):
    for b in range(batches):
        with Ledger.write(path, by="分析员") as tx:
            for i in range(size):
                tx.add(tiny_problem(f"B{b}-{i:05d}", description=f"导入问题{i}"), at=D(2020, 6, 2))
    done.set()


def _reader(path, done, seen, held_ok):
    held = Ledger.open(path)  # held open for the whole import: must not block the writer
    while not done.is_set():
        with Ledger.open(path) as ledger:
            seen.append(int(ledger.table("problems").count().execute()))
        time.sleep(0.01)
    with Ledger.open(path) as ledger:
        seen.append(int(ledger.table("problems").count().execute()))
    held_ok.value = int(held.table("problems").count().execute())
    held.close()


def test_writer_and_reader_processes(tiny_path):
    ctx = mp.get_context("spawn")
    done = ctx.Event()
    manager = ctx.Manager()
    seen = manager.list()
    held_count = ctx.Value("i", -1)
    reader = ctx.Process(target=_reader, args=(str(tiny_path), done, seen, held_count))
    reader.start()
    time.sleep(1.5)  # the reader is up and holding its connection
    writer = ctx.Process(target=_writer, args=(str(tiny_path), 2, 3000, done))
    writer.start()
    writer.join(120)
    reader.join(120)
    assert writer.exitcode == 0, "the write failed while a reader held the ledger"
    assert reader.exitcode == 0
    observed = set(seen)
    assert observed <= {1, 3001, 6001}, f"a reader saw half an import: {sorted(observed)}"
    assert 1 in observed and 6001 in observed  # it really read before and after
    assert held_count.value == 1  # the long-lived reader kept its consistent snapshot
