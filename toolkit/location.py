"""Where the ledger is when nobody says: ``XUNCHA_LEDGER``, else the repository's sample ledger.

Why one place: the apps (``toolkit serve`` sets ``XUNCHA_LEDGER``), the analyst's notebooks and
the workshop all open "the ledger" without a path, and a notebook in a subfolder must find the
same file as one at the repository root. A relative path is read from the current folder, which
in JupyterLab is the notebook's folder: :func:`missing_sentence` says so when nothing is there.
Standard library only, so the server can import it without loading the database engines.
"""

from __future__ import annotations

import os
from pathlib import Path

LEDGER_ENV = "XUNCHA_LEDGER"
SAMPLE_LEDGER = Path(__file__).resolve().parents[1] / "sample_data" / "ledger.duckdb"


def default_location() -> str:
    """账本位置: ``XUNCHA_LEDGER`` if set, else the repository's ``sample_data/ledger.duckdb``."""
    return os.environ.get(LEDGER_ENV) or str(SAMPLE_LEDGER)


def missing_sentence(target: str | os.PathLike) -> str:
    """What to tell someone whose ledger file is not there: where we looked, and how to point
    the toolkit at a ledger (Chinese, then English)."""
    looked = Path(target).expanduser()
    absolute = looked if looked.is_absolute() else Path.cwd() / looked
    relative = f"（相对路径从当前文件夹 {Path.cwd()} 算起）" if not looked.is_absolute() else ""
    relative_en = f" (a relative path is read from the current folder, {Path.cwd()})" if relative else ""
    return (
        f"{absolute} 处没有账本{relative}。请写出账本的完整路径，或设置环境变量 {LEDGER_ENV}，"
        f"或不带参数调用 Ledger.open() 打开 {LEDGER_ENV} 指向的账本（未设置时为样例台账 {SAMPLE_LEDGER}）；"
        "还没有账本时，运行 toolkit sample --out 路径 生成样例台账。"
        f" / No ledger at {absolute}{relative_en}. Give the ledger's full path, set {LEDGER_ENV}, or call "
        f"Ledger.open() without a path to open the ledger {LEDGER_ENV} names (the sample ledger "
        f"{SAMPLE_LEDGER} when it is not set); to build the sample, run toolkit sample --out PATH."
    )
