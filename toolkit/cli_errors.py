"""How the ``toolkit`` command fails: a sentence and a documented exit code, never a traceback.

Commands catch the failures they expect and say what happened; anything that still escapes a
command reaches :class:`SentenceGroup`, which turns it into one line on stderr and an exit code
from :data:`EXIT_CODES`. An unexpected error (a bug) is exit 3: its traceback goes to a log file
whose path the sentence gives, so the analyst can send it to whoever maintains the toolkit
without the terminal filling with code. Secrets (a password in a ``postgresql://`` URL) are
removed from every sentence.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

import click

from toolkit.redaction import redact

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_REFUSED = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    EXIT_OK: ("完成", "done"),
    EXIT_FOUND: (
        "检查发现问题：有拒收行、台账被篡改或对账不符",
        "the check found something: rejected rows, tampering, reconciliation mismatches",
    ),
    EXIT_REFUSED: (
        "未执行：参数有误、文件或账本不存在/无法读取/正被占用，或账本由更新版本的工具包维护（未写入任何内容）",
        "not done: invalid arguments, or a file or ledger missing, unreadable, busy or kept by a newer toolkit (nothing written)",
    ),
    EXIT_INTERNAL: (
        "内部错误：详情已写入日志文件，请联系维护人员",
        "internal error: details written to a log file for the maintainers",
    ),
    EXIT_INTERRUPTED: ("被中断（Ctrl+C），未写入任何内容", "interrupted (Ctrl+C), nothing written"),
}


def exit_codes_help() -> str:
    """The exit-code table shown at the end of ``toolkit --help`` (and in the README)."""
    lines = ["退出码 / exit codes:"]
    for code, (zh, en) in EXIT_CODES.items():
        lines.append(f"  {code:>3}  {zh} / {en}")
    return "\n".join(lines)


def explain(err: BaseException) -> tuple[int, str]:
    """The exit code and the sentence for a failure that escaped a command."""
    from toolkit.store import LedgerError

    if isinstance(err, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "已中断，未写入任何内容 / interrupted, nothing written"
    if isinstance(err, LedgerError):  # missing, not a ledger, unreadable, busy, read-only, tampered head
        return EXIT_REFUSED, err.sentence
    if isinstance(err, TimeoutError):
        return EXIT_REFUSED, f"账本正被占用，请稍后重试 / the ledger is busy, try again later: {err}"
    if isinstance(err, MemoryError):
        return EXIT_REFUSED, "内存不足，文件或结果过大 / out of memory: the file or result is too large"
    if isinstance(err, PermissionError):
        return EXIT_REFUSED, f"没有权限 / permission denied: {err.filename or err}"
    if isinstance(err, IsADirectoryError):
        return EXIT_REFUSED, f"这是一个目录，不是文件 / is a directory, not a file: {err.filename}"
    if isinstance(err, FileNotFoundError):
        return EXIT_REFUSED, f"文件不存在 / file not found: {err.filename or err}"
    if isinstance(err, OSError):
        return (
            EXIT_REFUSED,
            f"无法读写文件 / cannot read or write: {err.filename or ''} {err.strerror or err}",
        )
    if isinstance(err, ValueError):
        return EXIT_REFUSED, f"参数错误 / invalid: {err}"
    return _database_error(err)


def _database_error(err: BaseException) -> tuple[int, str]:
    """DuckDB and PostgreSQL failures that are the database's answer, not a bug of ours."""
    module, name = type(err).__module__.split(".")[0].lstrip("_"), type(err).__name__
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else name
    if module == "duckdb" and name in ("IOException", "SerializationException", "InvalidInputException"):
        return EXIT_REFUSED, (
            "无法打开账本：不是 DuckDB 账本文件，或正被其他程序占用 / "
            f"cannot open the ledger: not a DuckDB ledger file, or in use by another program ({first_line})"
        )
    if module == "psycopg":
        if name in ("InsufficientPrivilege", "ReadOnlySqlTransaction"):
            return EXIT_REFUSED, (
                "此数据库角色只能读取，不能写入 / this database role may only read, not write"
            )
        if name in ("OperationalError", "ConnectionTimeout"):
            return EXIT_REFUSED, f"无法连接数据库 / cannot connect to the database: {first_line}"
    return EXIT_INTERNAL, ""


def log_internal_error(err: BaseException) -> Path:
    """Write the traceback of an unexpected error to a private log file; return its path."""
    folder = Path(os.environ.get("XUNCHA_LOG_DIR") or tempfile.gettempdir())
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"xuncha-error-{stamp}-", suffix=".log", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(redact("".join(traceback.format_exception(err))))
    return Path(name)


class SentenceGroup(click.Group):
    """A click group whose commands never end in a traceback (see the module docstring)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BaseException as err:  # noqa: BLE001 - the boundary: everything becomes a sentence
            code, sentence = explain(err)
            if code == EXIT_INTERNAL:
                try:
                    where = log_internal_error(err)
                    sentence = (
                        f"内部错误（{type(err).__name__}），详情已写入 {where}，请联系维护人员 / "
                        f"internal error ({type(err).__name__}); details written to {where}"
                    )
                except OSError:
                    sentence = f"内部错误 / internal error ({type(err).__name__})"
            click.echo(redact(sentence), err=True)
            ctx.exit(code)


__all__ = [
    "EXIT_CODES",
    "EXIT_FOUND",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "SentenceGroup",
    "exit_codes_help",
    "explain",
    "redact",
]
