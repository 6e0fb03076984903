"""The ``toolkit`` command: a thin click layer; every command is a library call underneath."""

from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xuncha-toolkit")
def main() -> None:
    """巡察台账工具包 Xuncha Toolkit: inspection ledgers, metrics and apps."""


@main.command()
@click.option("--out", required=True, help="DuckDB file to create (or an empty postgresql:// database).")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Multiply units and every total (93 = ~1M problems).",
)
@click.option(
    "--seed", default=2021, show_default=True, type=int, help="Random seed: same seed, same ledger."
)
@click.option("--force", is_flag=True, help="Replace an existing ledger file.")
def sample(out: str, scale: int, seed: int, force: bool) -> None:
    """Build the sample ledger of 江州市 (calibrated to 衢州's published figures)."""
    from toolkit.sample import build_sample

    try:
        counts = build_sample(out, scale=scale, seed=seed, overwrite=force)
    except FileExistsError as err:
        click.echo(f"已存在 / exists: {err}", err=True)
        sys.exit(2)
    click.echo(f"样例台账已生成 / sample ledger written: {out}")
    for name, count in counts.items():
        click.echo(f"  {name:12s} {count:>10,d}")


@main.command()
@click.option("--ledger", "ledger_path", required=True, help="DuckDB file or postgresql:// URL.")
def verify(ledger_path: str) -> None:
    """Check the event log's hash chain; exit 1 and name the first altered event if broken."""
    from toolkit.ledger import verify as verify_store
    from toolkit.store import LedgerMissing, open_store

    try:
        result = verify_store(open_store(ledger_path))
    except LedgerMissing:
        click.echo(f"账本不存在 / ledger not found: {ledger_path}", err=True)
        sys.exit(2)
    if result.ok:
        click.echo(f"OK: {result.events} events, hash chain intact")
        return
    b = result.broken
    click.echo(f"TAMPERED: event {b.seq} (record {b.record_id}): {b.reason}", err=True)
    sys.exit(1)


# ---- import (toolkit.ingest) -------------------------------------------------------------------


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--ledger", "ledger_path", required=True, help="DuckDB file or postgresql:// URL (created if missing)."
)
@click.option(
    "--round", "round_name", default=None, help="巡察轮次 for sheets without a round column (name or id)."
)
@click.option("--unit", default=None, help="被巡察单位 for sheets without a unit column.")
@click.option("--region", default=None, help="区县 of units the import has to create.")
@click.option("--by", default="巡察办", show_default=True, help="Who imports (recorded on every event).")
@click.option(
    "--rejects", type=click.Path(dir_okay=False), default=None, help="Write rejected rows to this .xlsx."
)
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@click.option(
    "--update-status", is_flag=True, help="Move problems already in the ledger forward to the file's status."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
def import_(
    files, ledger_path, round_name, unit, region, by, rejects, dry_run, update_status, fmt, as_json
) -> None:
    """Import Excel/CSV ledgers (整改台账, 问题线索台账) in one transaction.

    Exit code 0: every row accepted (or a duplicate); 1: some rows rejected (see --rejects);
    2: a file could not be read (nothing written).
    """
    import json

    from toolkit.ingest import UnreadableFile, import_files
    from toolkit.ingest.quarantine import write_rejects

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
        click.echo(f"无法读取文件，未写入账本 / unreadable file, nothing written: {err}", err=True)
        sys.exit(2)
    if bar is not None:
        bar.render_finish()
    written = write_rejects(report, rejects) if rejects else None
    if as_json or fmt == "json":
        out = report.to_dict()
        out["rejects_file"] = str(written) if written else None
        click.echo(json.dumps(out, ensure_ascii=False, default=str, indent=2))
    else:
        click.echo(report.summary())
        if written:
            click.echo(f"拒收行已写入 / rejected rows written to: {written}")
    sys.exit(1 if report.rejected else 0)


@main.command("export")
@click.option("--ledger", "ledger_path", required=True, help="DuckDB file or postgresql:// URL.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
@click.option("--as-of", "as_of", default=None, help="The ledger as it stood on this day (YYYY-MM-DD).")
@click.option(
    "--with-names", is_flag=True, help="Write 被反映人 names unmasked (needs the right to see them)."
)
def export(ledger_path, out, as_of, with_names) -> None:
    """Write the ledger to an Excel workbook (整改台账, 问题线索台账, reference sheets)."""
    import datetime as dt

    from toolkit.ingest.export import export_ledger
    from toolkit.store import LedgerMissing

    try:
        counts = export_ledger(
            ledger_path, out, as_of=dt.date.fromisoformat(as_of) if as_of else None, with_names=with_names
        )
    except LedgerMissing:
        click.echo(f"账本不存在 / ledger not found: {ledger_path}", err=True)
        sys.exit(2)
    click.echo(f"{out}: " + ", ".join(f"{sheet} {n}" for sheet, n in counts.items()))


if __name__ == "__main__":  # pragma: no cover
    main()
