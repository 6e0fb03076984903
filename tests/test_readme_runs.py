"""The README's Python blocks run verbatim, from the repository's root and from a subfolder.

Each block runs in a fresh interpreter on its own copy of the sample ledger (``XUNCHA_LEDGER``,
the default ``Ledger.open()`` reads), so a block that writes changes only its copy. The province's
block needs a Spark session and is run by the Spark tests; every other block runs here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.store import copy_ledger

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks() -> list[str]:
    return BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks_and_each_is_run_somewhere():
    blocks = python_blocks()
    assert len(blocks) >= 2
    assert sum("spark" in b for b in blocks) <= 1  # only the province's block is left to the Spark tests


@pytest.mark.parametrize("where", ["root", "subfolder"])
@pytest.mark.parametrize("index", [i for i, b in enumerate(python_blocks()) if "spark" not in b])
def test_a_readme_block_runs_verbatim(index, where, sample_path, tmp_path):
    block = python_blocks()[index]
    ledger = copy_ledger(sample_path, tmp_path / "ledger.duckdb")  # its file, head and published copies
    cwd = REPO if where == "root" else REPO / "notebooks"
    env = {**os.environ, "XUNCHA_LEDGER": str(ledger), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", block], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (
        f"README block {index + 1} failed from {where}:\n{block}\n{done.stderr[-3000:]}"
    )
