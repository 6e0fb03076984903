"""A throwaway PostgreSQL server for the parity tests: initdb + pg_ctl in a temp dir, loopback only.

The server binaries come from Debian's ``postgresql`` package (``apt-get install -y postgresql``);
when they are missing the tests that need a server are skipped with that command in the reason.
Running as root, the cluster is owned by the ``postgres`` system user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = "apt-get install -y postgresql"
SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/bin", "/usr/bin")


def find_bin(name: str) -> str | None:
    """The newest ``name`` (initdb, pg_ctl) under the Debian layout or on PATH."""
    import glob

    for pattern in SEARCH:
        for directory in sorted(glob.glob(pattern), reverse=True):
            candidate = Path(directory) / name
            if candidate.exists() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without runuser: cannot start PostgreSQL as a non-root user")
    return [runuser, "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def temporary_server(dbname: str = "ledger") -> Iterator[str]:
    """Start a PostgreSQL cluster in a temp dir on 127.0.0.1 and yield a URL to ``dbname``."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise FileNotFoundError(f"PostgreSQL server binaries not found; install them: {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="xuncha-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    log = root / "server.log"
    run = dict(check=True, capture_output=True, text=True)
    try:
        subprocess.run(
            _as_owner(
                [
                    initdb,
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8" if _has_c_utf8() else "--no-locale",
                ]
            ),
            **run,
        )
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
        subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-l", str(log), "-o", opts, "-w", "start"]), **run)
        try:
            import psycopg

            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as con:
                con.execute(f"CREATE DATABASE {dbname}")
            yield f"postgresql://postgres@127.0.0.1:{port}/{dbname}"
        finally:
            subprocess.run(
                _as_owner([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _has_c_utf8() -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return "c.utf8" in out or "c.utf-8" in out
