"""The ``toolkit`` command: a thin click layer; every command is a library call underneath."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from toolkit.cli_errors import SentenceGroup, exit_codes_help


@click.group(
    cls=SentenceGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\n" + exit_codes_help(),
)
@click.version_option(package_name="xuncha-toolkit")
def main() -> None:
    """巡察台账工具包 Xuncha Toolkit: inspection ledgers, metrics and apps."""


@main.command()
@click.option(
    "--out", required=True, help="要生成的账本 / DuckDB file to create (or an empty postgresql:// database)."
)
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="规模倍数 / Multiply units and every total (93 = ~1M problems).",
)
@click.option(
    "--seed",
    default=2021,
    show_default=True,
    type=int,
    help="随机种子 / Random seed: same seed, same ledger.",
)
@click.option("--force", is_flag=True, help="覆盖已有账本文件 / Replace an existing ledger file.")
def sample(out: str, scale: int, seed: int, force: bool) -> None:
    """生成样例台账 / Build the sample ledger of 江州市 (calibrated to 衢州's published figures)."""
    from toolkit.sample import build_sample

    try:
        counts = build_sample(out, scale=scale, seed=seed, overwrite=force)
    except FileExistsError as err:
        click.echo(f"已存在 / exists: {err}", err=True)
        sys.exit(2)
    click.echo(f"样例台账已生成 / sample ledger written: {out}")
    for name, count in counts.items():
        click.echo(f"  {name:12s} {count:>10,d}")
    _echo_receipt(out)


@main.command()
@click.option("--ledger", "ledger_path", required=True, help="账本 / DuckDB file or postgresql:// URL.")
@click.option(
    "--expect",
    multiple=True,
    metavar="RECEIPT",
    help="另行保存的收据 / A receipt kept elsewhere (the line, or a file of them; repeatable): exit 1 if the ledger "
    "no longer holds its head.",
)
@click.option(
    "--wait",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="等待写入完成的秒数 / Seconds to wait for a write under way before giving up (exit 2).",
)
def verify(ledger_path: str, expect: tuple[str, ...], wait: float) -> None:
    """核验账本 / Prove the ledger: the event chain and its head, the tables figures are read from, the
    published copy the apps read, and receipts kept elsewhere.

    Exit 0: intact (the last line is the ledger's receipt, to keep elsewhere); 1: tampered, each
    finding named (table or file, record, event); 2: could not check (missing, not a ledger,
    unreadable, or busy: a write under way for longer than --wait)."""
    from toolkit.store import open_store
    from toolkit.verify import verify as verify_store

    receipts = _receipts(expect)
    result = verify_store(open_store(ledger_path), expect=receipts, wait=wait)
    if result.ok:
        click.echo(
            f"账本完好 / OK: {result.events:,} events, hash chain intact; head, tables and published "
            "copy agree with the events"
        )
        for receipt in receipts:
            click.echo(f"收据相符 / receipt holds: {receipt}")
        for note in result.notes:
            click.echo(f"注意 / note: {note}")
        click.echo(str(result.head))
        return
    for finding in result.findings:
        click.echo(f"TAMPERED 被改动: {finding.sentence_zh} / {finding}", err=True)
    click.echo(
        f"账本被改动，共 {len(result.findings)} 处 / TAMPERED: {len(result.findings)} finding(s); "
        "the figures read from this ledger cannot be signed",
        err=True,
    )
    sys.exit(1)


def _receipts(values: tuple[str, ...]):
    """Each ``--expect``: a receipt line, or a file holding receipt lines (all of them count)."""
    from toolkit.events import Receipt

    receipts = []
    for value in values:
        path = Path(value)
        if "xuncha-receipt" not in value and path.is_file():
            found = Receipt.parse_all(path.read_text(encoding="utf-8", errors="replace"))
            if not found:
                raise click.BadParameter(f"no receipt line in {value}", param_hint="--expect")
            receipts += found
        else:
            try:
                receipts.append(Receipt.parse(value))
            except ValueError as err:
                raise click.BadParameter(str(err), param_hint="--expect") from None
    return receipts


def _receipt_line(target: str) -> str | None:
    """The chain's head after a write: the line an office keeps elsewhere (``verify --expect``).
    None when there is no ledger (an import that wrote nothing into a new one) or no head yet."""
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerMissing

    try:
        with Ledger.open(target) as ledger:
            receipt = ledger.receipt()
    except LedgerMissing:
        return None
    return str(receipt) if receipt is not None else None


def _echo_receipt(target: str) -> None:
    if receipt := _receipt_line(target):
        click.echo(f"收据（请另行保存）/ receipt (keep it elsewhere): {receipt}")


@main.command()
@click.option(
    "--ledger",
    "ledger_path",
    default=None,
    help="应用读取的账本 / DuckDB file or postgresql:// URL the apps read (default: XUNCHA_LEDGER; in a source "
    "checkout sample_data/ledger.duckdb; installed: ~/.local/share/xuncha/ledger.duckdb).",
)
@click.option("--port", default=8866, show_default=True, type=click.IntRange(1, 65535), help="端口 / Port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="监听地址 / Address to bind; 127.0.0.1 keeps it on this PC (and checks the Host header).",
)
@click.option(
    "--token",
    default=None,
    envvar="XUNCHA_SERVE_TOKEN",
    help="访问令牌 / Access token (or the XUNCHA_SERVE_TOKEN environment variable: kept out of the process list); "
    "one is generated when not given.",
)
@click.option(
    "--no-token", is_flag=True, help="不用令牌 / Serve without a token (only behind your own access control)."
)
@click.option(
    "--notebook-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="应用笔记本目录 / Directory of app notebooks (default: the app shipped in the package).",
)
@click.option(
    "--pool-size",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="预热内核数 / Preheated kernels per notebook; 0 disables.",
)
@click.option(
    "--max-kernels",
    default=16,
    show_default=True,
    type=click.IntRange(min=1),
    help="内核上限 / Kernels running at most (~300 MB each), the preheated ones included; "
    "beyond it visitors get a 'try again later' page (HTTP 503).",
)
@click.option(
    "--connect-timeout",
    default=60,
    show_default=True,
    type=click.IntRange(min=1),
    help="未连接页面的内核回收秒数 / Seconds before the kernel of a page no browser showed up for (a bare GET, a crawler) is shut down.",
)
@click.option(
    "--idle-timeout",
    default=300,
    show_default=True,
    type=click.IntRange(min=1),
    help="空闲页面的内核回收秒数 / Seconds before the kernel of a page whose browser went away unannounced is shut down.",
)
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    help="反向代理下的路径前缀 / Path prefix behind a reverse proxy, e.g. /xuncha/ (the proxy forwards /xuncha/ unchanged; "
    "see docs/deploy.md).",
)
@click.option(
    "--open-browser", is_flag=True, help="在默认浏览器中打开 / Open the apps in the default browser."
)
def serve(
    ledger_path,
    port,
    host,
    token,
    no_token,
    notebook_dir,
    pool_size,
    max_kernels,
    connect_timeout,
    idle_timeout,
    base_url,
    open_browser,
) -> None:
    """提供领导应用 / Serve the leaders' app with Voila (read-only, token-protected)."""
    from toolkit import serve as serving
    from toolkit.location import default_location

    code = serving.serve(
        ledger_path or default_location(),
        host=host,
        port=port,
        token=token,
        no_token=no_token,
        notebook_dir=notebook_dir or serving.DEFAULT_NOTEBOOK_DIR,
        open_browser=open_browser,
        pool_size=pool_size,
        max_kernels=max_kernels,
        connect_timeout=connect_timeout,
        idle_timeout=idle_timeout,
        base_url=base_url,
    )
    sys.exit(code)


# ---- metrics (toolkit.metrics) ------------------------------------------------------------------


def _metric_filters(**values):
    from toolkit.filters import Filters

    return Filters(**{k: (v if len(v) != 1 else v[0]) for k, v in values.items() if v})


def format_metric(df, fmt: str) -> str:
    """CSV/JSON: columns as computed (rates as fractions); table: rates as percent, one decimal."""
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    if fmt == "csv":
        return out.to_csv(index=False).rstrip("\n")
    if fmt == "json":
        return out.to_json(orient="records", force_ascii=False, indent=1)
    rates = ["rate", *df.attrs.get("rates", [])]
    for column in out.columns:
        if column in rates:
            out[column] = out[column].map(lambda x: "" if pd.isna(x) else f"{100 * x:.1f}%")
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda x: "" if pd.isna(x) else f"{x:.2f}")
    return out.to_string(index=False) if len(out) else "(no rows)"


@main.command()
@click.argument("name", required=False)
@click.option(
    "--list", "list_", is_flag=True, help="列出全部指标及口径 / List the metrics with their definitions."
)
@click.option("--ledger", "ledger_path", help="账本 / DuckDB file or postgresql:// URL.")
@click.option(
    "--by", multiple=True, help="分组维度 / Group by a dimension (repeatable): term, round, region ..."
)
@click.option(
    "--as-of", "as_of", help="截至日期 / Date the ledger is replayed to, YYYY-MM-DD (default: today)."
)
@click.option("--term", multiple=True, help="Filter: term (届), e.g. 七届.")
@click.option("--round", "round_", multiple=True, help="筛选：轮次 / Filter: round id.")
@click.option("--region", multiple=True, help="筛选：地区（县区） / Filter: region (county/district).")
@click.option(
    "--unit-kind", multiple=True, help="筛选：单位类型 / Filter: unit kind (department, township ...)."
)
@click.option("--sector", multiple=True, help="Filter: sector (住建, 人防 ...).")
@click.option("--category", multiple=True, help="筛选：问题类别 / Filter: problem category.")
@click.option("--rules", default=None, help="预警规则 / overdue: warning preset (jiangjin, nanjing).")
@click.option("--indicator", default=None, help="同级比较的指标 / peer-comparison: the metric to compare.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
    help="输出格式 / markdown: with --list, the README's metric table.",
)
def metrics(
    name,
    list_,
    ledger_path,
    by,
    as_of,
    term,
    round_,
    region,
    unit_kind,
    sector,
    category,
    rules,
    indicator,
    fmt,
) -> None:
    """计算指标 / Compute metric NAME on a ledger (``--list`` shows them all with their definitions)."""
    from toolkit.ledger import Ledger
    from toolkit.metrics import REGISTRY, catalogue
    from toolkit.store import LedgerMissing

    if list_ or not name:
        if fmt == "markdown":
            click.echo(catalogue.markdown_table())
        elif fmt in ("csv", "json"):
            click.echo(format_metric(catalogue.catalogue(), fmt))
        else:
            click.echo(catalogue.plain_list())
        return
    if fmt == "markdown":
        click.echo("--format markdown 仅用于 --list / --format markdown goes with --list only", err=True)
        sys.exit(2)
    if name not in REGISTRY:
        click.echo(f"未知指标 / unknown metric: {name} (toolkit metrics --list)", err=True)
        sys.exit(2)
    if not ledger_path:
        click.echo("缺少 --ledger / missing --ledger", err=True)
        sys.exit(2)
    params = {k: v for k, v in (("rules", rules), ("indicator", indicator)) if v is not None}
    filters = _metric_filters(
        term=term, round=round_, region=region, unit_kind=unit_kind, sector=sector, category=category
    )
    by_arg = list(by) if len(by) > 1 else (by[0] if by else None)
    try:
        with Ledger.open(ledger_path) as ledger:
            df = REGISTRY[name].func(ledger, as_of=as_of, filters=filters, by=by_arg, **params)
    except LedgerMissing:
        click.echo(f"账本不存在 / ledger not found: {ledger_path}", err=True)
        sys.exit(2)
    except (ValueError, TypeError) as err:
        click.echo(f"参数错误 / invalid: {err}", err=True)
        sys.exit(2)
    click.echo(format_metric(df, fmt))


# ---- import (toolkit.ingest) -------------------------------------------------------------------


IMPORT_EXIT_CODES = """\b
退出码 / exit codes:
  0  全部接收（或重复）/ every row accepted (or a duplicate)
  1  有拒收行（见 --rejects 工作簿）/ some rows rejected (see the --rejects workbook)
  2  未导入：文件无法读取、过大、已加密或不是台账，或参数有误；账本未改动 /
     not imported: a file unreadable, too large, encrypted or not a ledger, or a bad option;
     the ledger is untouched
"""


@main.command("import", epilog=IMPORT_EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--ledger",
    "ledger_path",
    required=True,
    help="账本（不存在时新建） / DuckDB file or postgresql:// URL (created if missing).",
)
@click.option(
    "--round", "round_name", default=None, help="巡察轮次 for sheets without a round column (name or id)."
)
@click.option("--unit", default=None, help="被巡察单位 for sheets without a unit column.")
@click.option("--region", default=None, help="区县 of units the import has to create.")
@click.option(
    "--by", default="巡察办", show_default=True, help="导入人 / Who imports (recorded on every event)."
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default=None,
    help="拒收行写入此工作簿 / Write rejected rows to this .xlsx.",
)
@click.option("--dry-run", is_flag=True, help="试运行：只检查，不写入 / Check and report, write nothing.")
@click.option(
    "--update-status",
    is_flag=True,
    help="按表中状态推进已有问题 / Move problems already in the ledger forward to the file's status.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="同 --format json / Same as --format json.")
def import_(
    files, ledger_path, round_name, unit, region, by, rejects, dry_run, update_status, fmt, as_json
) -> None:
    """导入台账 / Import Excel/CSV ledgers (整改台账, 问题线索台账) in one transaction.

    Every data row is accepted, rejected (row, column, reason) or a duplicate; lines that are not
    data (合计, 注：…) are listed as skipped. Start with --dry-run.
    """
    from toolkit.ingest import UnreadableFile, import_files
    from toolkit.ingest.quarantine import write_rejects
    from toolkit.ingest.report import terminal_safe

    if rejects:
        _check_rejects_path(rejects, files, ledger_path)
    bar = (
        click.progressbar(length=1, label="导入 importing", file=sys.stderr) if sys.stderr.isatty() else None
    )

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

    try:
        report = import_files(
            files,
            ledger_path,
            round=round_name,
            unit=unit,
            region=region,
            by=by,
            dry_run=dry_run,
            progress=progress,
            update_status=update_status,
        )
    except UnreadableFile as err:
        click.echo(
            f"无法读取文件，未写入账本 / unreadable file, nothing written: {terminal_safe(str(err))}",
            err=True,
        )
        sys.exit(2)
    if bar is not None:
        bar.render_finish()
    as_json = as_json or fmt == "json"
    receipt = None if dry_run else _receipt_line(ledger_path)
    if not as_json:
        click.echo(report.summary())
        if receipt:
            click.echo(f"收据（请另行保存）/ receipt (keep it elsewhere): {receipt}")
    written, failure = None, None
    if rejects and report.rejected_rows:
        try:
            written = write_rejects(report, rejects)
        except (OSError, ValueError) as err:  # after the import: say so, never hide the summary
            failure = f"{getattr(err, 'strerror', None) or err}"
    if as_json:
        click.echo(
            report.to_json(
                rejects_file=str(written) if written else None, rejects_error=failure, receipt=receipt
            )
        )
    elif written:
        click.echo(f"拒收行已写入 / rejected rows written to: {written}")
    elif rejects and not report.rejected_rows:
        click.echo(f"没有拒收行，未写入 {rejects} / nothing rejected, {rejects} not written")
    if failure:
        done = (
            "导入本身已完成 / the import itself is done" if report.written else "未写入账本 / nothing written"
        )
        click.echo(
            f"拒收行工作簿无法写入 {rejects}（{terminal_safe(failure)}）；{done} / "
            "could not write the rejects workbook",
            err=True,
        )
    sys.exit(1 if report.rejected else 0)


def _as_of_or_exit(as_of: str | None):
    """``--as-of`` as a date, or exit 2 with a sentence naming what was not understood."""
    import datetime as dt

    if as_of is None:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        click.echo(
            f"--as-of “{as_of}”无法识别，请写成 2021-06-30 / --as-of {as_of!r} not understood: write it as 2021-06-30",
            err=True,
        )
        sys.exit(2)


def _names_line(show_names: bool) -> str:
    """The line every command that writes persons' names says which it did."""
    if show_names:
        return "注意：文件含未遮盖的人员姓名，仅限有权限的人员阅看 / NOTE: persons' names are NOT masked in this file"
    return "人员姓名已遮盖（王**） / persons' names masked"


def _check_rejects_path(rejects: str, files, ledger_path: str) -> None:
    """Refuse a --rejects path that cannot work before anything is imported (exit 2)."""
    target = Path(rejects)

    def refuse(zh: str, en: str) -> None:
        click.echo(f"--rejects {rejects}: {zh} / {en}；未导入 / nothing imported", err=True)
        sys.exit(2)

    if target.suffix.lower() != ".xlsx":
        refuse("拒收行工作簿须以 .xlsx 结尾", "the rejects workbook must end in .xlsx")
    if target.is_dir():
        refuse("这是一个文件夹", "this is a folder")
    resolved = target.resolve()
    if any(Path(f).resolve() == resolved for f in files) or Path(ledger_path).resolve() == resolved:
        refuse("不能覆盖要导入的文件或账本", "must not overwrite a file being imported or the ledger")
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        refuse(f"无法在 {folder} 中写入", f"cannot write in {folder}")
    if target.exists() and not os.access(target, os.W_OK):
        refuse("文件不可写（是否正在 Excel 中打开？）", "the file is not writable (open in Excel?)")


@main.command("export")
@click.option("--ledger", "ledger_path", required=True, help="账本 / DuckDB file or postgresql:// URL.")
@click.option(
    "--out", "out", default=None, type=click.Path(dir_okay=False), help="要写入的工作簿 / The .xlsx to write."
)
@click.option(
    "--parquet",
    "parquet",
    default=None,
    type=click.Path(file_okay=False),
    help="改为导出 Parquet 文件夹 / Instead: a folder of Parquet files, every table of the ledger plus manifest.json (its receipt), "
    "for a province's Spark (needs --with-names: the event log cannot be masked).",
)
@click.option(
    "--force",
    is_flag=True,
    help="覆盖此前的 Parquet 导出 / With --parquet: replace an earlier export in that folder.",
)
@click.option(
    "--as-of", "as_of", default=None, help="截至日期 / The ledger as it stood on this day (YYYY-MM-DD)."
)
@click.option(
    "--with-names",
    is_flag=True,
    help="Write persons' names unmasked: 被反映人 and names in titles and descriptions (needs the right to see them).",
)
def export(ledger_path, out, parquet, force, as_of, with_names) -> None:
    """导出台账 / Write the ledger to an Excel workbook (整改台账, 问题线索台账, reference sheets), or with
    --parquet to a folder of Parquet files for a province's Spark.

    Names of persons are masked unless --with-names; the first sheet 说明 says which.
    """
    from toolkit.ingest.export import export_ledger
    from toolkit.store import LedgerMissing

    if (out is None) == (parquet is None):
        click.echo(
            "请给出 --out 工作簿 或 --parquet 文件夹之一 / give one of --out (.xlsx) or --parquet (folder)",
            err=True,
        )
        sys.exit(2)
    if parquet is not None:
        _export_parquet(ledger_path, parquet, force, as_of, with_names)
        return
    day = _as_of_or_exit(as_of)
    if Path(out).suffix.lower() != ".xlsx":
        click.echo("--out 须为 .xlsx 文件 / --out must end in .xlsx", err=True)
        sys.exit(2)
    try:
        counts = export_ledger(ledger_path, out, as_of=day, show_names=with_names)
    except LedgerMissing:
        click.echo(f"账本不存在 / ledger not found: {ledger_path}", err=True)
        sys.exit(2)
    click.echo(f"{out}: " + ", ".join(f"{sheet} {n}" for sheet, n in counts.items()))
    click.echo(_names_line(with_names))


def _export_parquet(ledger_path: str, folder: str, force: bool, as_of, with_names: bool) -> None:
    """``export --parquet``: the whole ledger (events included), so never masked and never dated."""
    from toolkit.parquet_export import NotAnExport, export_parquet

    if as_of is not None:
        click.echo(
            "--parquet 导出整个账本（含事件），不接受 --as-of：省里按日期计算时自行回放 / "
            "--parquet exports the whole ledger (its events): no --as-of; the province replays any date itself",
            err=True,
        )
        sys.exit(2)
    if not with_names:
        click.echo(
            "Parquet 导出是整个账本，含被反映人姓名（事件哈希链不能遮盖）；确认有权交出时加 --with-names / "
            "a Parquet export is the whole ledger, persons' names included (the hashed event log cannot be "
            "masked): add --with-names to confirm it may leave with them",
            err=True,
        )
        sys.exit(2)
    try:
        manifest = export_parquet(ledger_path, folder, force=force)
    except (FileExistsError, NotAnExport) as err:
        click.echo(f"未导出 / not exported: {err}", err=True)
        sys.exit(2)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"{folder}: {len(manifest['tables'])} 张表 tables, {rows:,} 行 rows, manifest.json")
    click.echo(_names_line(True))
    if manifest.get("receipt"):
        click.echo(f"收据（与清单一致）/ receipt (also in manifest.json): {manifest['receipt']}")


# ---- reports (toolkit.reports) ------------------------------------------------------------------


@main.group()
def report() -> None:
    """报告 / Reports offices hand in: quarterly report, 一报一单 (portrait), reconciliation."""


def _open_ledger_or_exit(ledger_path: str):
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerMissing

    try:
        return Ledger.open(ledger_path)
    except LedgerMissing:
        click.echo(f"账本不存在 / ledger not found: {ledger_path}", err=True)
        sys.exit(2)


def _write_report(out: str, data: bytes, show_names: bool | None = None) -> None:
    """Write the whole file or nothing (a partial file is renamed into place only when complete)."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"已生成 / written: {out}")
    if show_names is not None:
        click.echo(_names_line(show_names))


@report.command("reconcile")
@click.option("--ledger", "ledger_path", required=True, help="账本 / DuckDB file or postgresql:// URL.")
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="同时写入此工作簿 / Also write the list to this .xlsx.",
)
def report_reconcile(ledger_path: str, out: str | None) -> None:
    """定期对账 / Run the cross-checks; exit 1 when any mismatch is found, 0 when clean."""
    from toolkit.reports import reconcile
    from toolkit.reports.reconcile import mismatches_workbook

    with _open_ledger_or_exit(ledger_path) as ledger:
        found = reconcile(ledger)
    for m in found:
        click.echo(f"[{m.check}] {m.message_zh} / {m.message_en}  记录 records: {', '.join(m.records)}")
    if out:
        _write_report(out, mismatches_workbook(found))
    click.echo(
        f"对账不符 {len(found)} 项 / {len(found)} mismatches" if found else "对账一致 / ledger reconciles"
    )
    sys.exit(1 if found else 0)


@report.command("portrait")
@click.option("--ledger", "ledger_path", required=True, help="账本 / DuckDB file or postgresql:// URL.")
@click.option("--unit", "unit_id", required=True, help="Unit id (单位编号).")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="要写入的 Word 文件 / The .docx to write."
)
@click.option("--as-of", "as_of", default=None, help="报告日期 / Report date, YYYY-MM-DD (default: today).")
@click.option(
    "--names",
    is_flag=True,
    help="显示未遮盖的人员姓名 / Show persons' names unmasked, in tables and text (needs the right to see them).",
)
def report_portrait(ledger_path: str, unit_id: str, out: str, as_of: str | None, names: bool) -> None:
    """一报一单 / A unit's 廉情画像 and its 回头看 checklist, as Word (names masked unless --names)."""
    from toolkit.reports import portrait

    day = _as_of_or_exit(as_of)
    with _open_ledger_or_exit(ledger_path) as ledger:
        try:
            data = portrait(ledger, unit_id, as_of=day, show_names=names)
        except KeyError:
            click.echo(f"未找到单位“{unit_id}” / unit {unit_id} not found", err=True)
            sys.exit(2)
    _write_report(out, data, names)


@report.command("quarterly")
@click.option("--ledger", "ledger_path", required=True, help="账本 / DuckDB file or postgresql:// URL.")
@click.option("--quarter", required=True, help="季度 / The quarter, e.g. 2020Q4.")
@click.option("--region", default=None, help="只含此地区 / Only this region (county/district).")
@click.option("--team", default=None, help="Only this inspection team (巡察组).")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Word 或 Excel 文件 / A .docx or .xlsx file.",
)
@click.option(
    "--names",
    is_flag=True,
    help="显示未遮盖的人员姓名 / Show persons' names unmasked, in tables and text (needs the right to see them).",
)
def report_quarterly(ledger_path, quarter, region, team, out, names) -> None:
    """季度报告 / The quarter's work and indicators, as Word (.docx) or Excel (.xlsx); names masked unless --names."""
    from toolkit.reports import quarterly

    if region and team:
        click.echo("--region 与 --team 只能选一个 / give --region or --team, not both", err=True)
        sys.exit(2)
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in ("docx", "xlsx"):
        click.echo("--out 须为 .docx 或 .xlsx / --out must end in .docx or .xlsx", err=True)
        sys.exit(2)
    with _open_ledger_or_exit(ledger_path) as ledger:
        try:
            data = quarterly(ledger, quarter, region=region, team=team, fmt=fmt, show_names=names)
        except ValueError as err:
            click.echo(f"参数错误 / invalid: {err}", err=True)
            sys.exit(2)
    _write_report(out, data, names)


if __name__ == "__main__":  # pragma: no cover
    main()
