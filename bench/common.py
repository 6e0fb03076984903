"""What every benchmark shares: running a case in its own process, and writing its BENCHMARKS.md section."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

HEADER = (
    "# Benchmarks\n\nFigures measured by `bench/`; ratios are against a baseline run in the same run.\n\n"
)


def peak_mb() -> float:
    """This process's peak resident memory (each case runs in its own process, so it is the case's)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
