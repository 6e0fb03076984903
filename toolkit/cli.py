"""The ``toolkit`` command: a thin click layer; every command is a library call underneath."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xuncha-toolkit")
def main() -> None:
    """巡察台账工具包 Xuncha Toolkit: inspection ledgers, metrics and apps."""


@main.command()
@click.option("--ledger", "ledger_path", required=True, help="DuckDB file or postgresql:// URL.")
def verify(ledger_path: str) -> None:
    """Check the event log's hash chain; exit 1 and name the first altered event if broken."""
    from toolkit.ledger import Ledger, verify as verify_store
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


if __name__ == "__main__":  # pragma: no cover
    main()
