"""Where the ledger is when nobody says: ``XUNCHA_LEDGER``; else, in a source checkout, the
repository's sample ledger; else (an installed wheel) the user's own ``~/.local/share/xuncha/ledger.duckdb``.

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
SOURCE_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_LEDGER = SOURCE_ROOT / "sample_data" / "ledger.duckdb"


def user_ledger() -> Path:
    """The per-user default of an installed toolkit: ``$XDG_DATA_HOME/xuncha/ledger.duckdb``
    (``~/.local/share/xuncha/ledger.duckdb``); ``toolkit sample --out`` it to start."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "xuncha" / "ledger.duckdb"


def in_source_checkout() -> bool:
    """Running from the repository (``pip install -e .`` or ``PYTHONPATH``), not from a wheel."""
    return (SOURCE_ROOT / "pyproject.toml").is_file() and (SOURCE_ROOT / "sample_data").is_dir()


def default_location() -> str:
    """账本位置: ``XUNCHA_LEDGER`` if set; else the repository's ``sample_data/ledger.duckdb`` in a
    source checkout; else :func:`user_ledger`."""
    return os.environ.get(LEDGER_ENV) or str(default_location_unset())


def missing_sentence(target: str | os.PathLike) -> str:
    """What to tell someone whose ledger file is not there: where we looked, and how to point
    the toolkit at a ledger (Chinese, then English)."""
    looked = Path(target).expanduser()
    absolute = looked if looked.is_absolute() else Path.cwd() / looked
    relative = f"（相对路径从当前文件夹 {Path.cwd()} 算起）" if not looked.is_absolute() else ""
    relative_en = f" (a relative path is read from the current folder, {Path.cwd()})" if relative else ""
    return (
        f"{absolute} 处没有账本{relative}。请写出账本的完整路径，或设置环境变量 {LEDGER_ENV}，"
        f"或不带参数调用 Ledger.open() 打开 {LEDGER_ENV} 指向的账本（未设置时为 {default_location_unset()}）；"
        "还没有账本时，运行 toolkit sample --out 路径 生成样例台账。"
        f" / No ledger at {absolute}{relative_en}. Give the ledger's full path, set {LEDGER_ENV}, or call "
        f"Ledger.open() without a path to open the ledger {LEDGER_ENV} names ({default_location_unset()} "
        "when it is not set); to build the sample, run toolkit sample --out PATH."
    )


def default_location_unset() -> Path:
    """Where :func:`default_location` looks when ``XUNCHA_LEDGER`` is not set."""
    return SAMPLE_LEDGER if in_source_checkout() else user_ledger()
