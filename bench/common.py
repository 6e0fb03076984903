"""What every benchmark shares: running a case in its own process, and writing its BENCHMARKS.md section."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

HEADER = (
    "# Benchmarks\n\nFigures measured by `bench/`; ratios are against a baseline run in the same run.\n\n"
)


def peak_mb() -> float:
    """This process's peak resident memory (each case runs in its own process, so it is the case's)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FamilyMemory:
    """The peak of this process's and its children's memory together (PSS: a page shared by
    several counts a share in each), sampled every ``every`` seconds on a thread of its own: a
    forked child's copy-on-write pages are memory the work needs, which ``peak_mb`` leaves out.
    Linux only (``/proc``); elsewhere the peak stays 0. Use as a context manager."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak_kb = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> FamilyMemory:
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self._take()

    def _take(self) -> None:
        me = os.getpid()
        try:
            with open(f"/proc/{me}/task/{me}/children") as f:
                kids = f.read().split()
        except OSError:
            return  # no /proc
        self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, [str(me), *kids])))


def _pss_kb(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except (OSError, ValueError):
        return 0  # gone already


def run_case(module: str, *args: str) -> dict:
    """Run ``python -m MODULE --case ARGS`` and read the JSON line it prints last."""
    proc = subprocess.run(
        [sys.executable, "-m", module, "--case", *args], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_section(out: str | Path, marker: str, section: str) -> None:
    """Replace the section starting with ``marker`` in BENCHMARKS.md (or append it), and print it."""
    path = Path(out)
    text = path.read_text() if path.exists() else HEADER
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + 1)
        text = text[:start] + section.rstrip() + "\n\n" + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)
    print(section)
