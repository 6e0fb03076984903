"""Installed as an office's IT officer would: from a wheelhouse, with no index, outside the source tree.

One build for the module: the committed files copied out of the checkout (so the wheel holds what a
clean clone holds), ``pip wheel`` of the toolkit and every dependency into a wheelhouse (the
``make wheelhouse`` command; pip's cache makes it quick where the tests' own environment was just
installed), then ``pip install --no-index --find-links`` into a fresh venv in a temporary folder.
From a folder outside the repository that venv's ``toolkit`` builds the sample, verifies it, refuses
to serve without a ledger in a sentence, and serves the app, which Chromium opens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, start_server, stop_server

pytestmark = pytest.mark.slow
KPI = "[data-kpi='problems']"


def run(argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A venv outside the checkout with the toolkit installed from a wheelhouse, no index."""
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"
    files = run(["git", "ls-files", "-z"], cwd=REPO).stdout.split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    started = time.monotonic()
    wheelhouse = base / "wheelhouse"
    built = run([sys.executable, "-m", "pip", "wheel", "-q", "-w", str(wheelhouse), str(source)])
    assert built.returncode == 0, built.stderr[-3000:]
    venv = base / "venv"
    run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}  # no extra find-links
    done = run(
        [
            venv / "bin" / "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "xuncha-toolkit",
        ],
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    print(
        f"wheelhouse of {len(list(wheelhouse.glob('*.whl')))} wheels, installed in {time.monotonic() - started:.0f} s"
    )
    outside = base / "office"
    outside.mkdir()
    return {"toolkit": str(venv / "bin" / "toolkit"), "cwd": outside, "home": base / "home"}


def test_the_installed_toolkit_builds_verifies_and_refuses_without_a_ledger(installed):
    toolkit, cwd = installed["toolkit"], installed["cwd"]
    env = {**os.environ, "HOME": str(installed["home"])}
    env.pop("XUNCHA_LEDGER", None)
    module = run(
        [str(Path(toolkit).with_name("python")), "-c", "import toolkit; print(toolkit.__file__)"], cwd=cwd
    )
    assert "site-packages" in module.stdout and str(REPO) not in module.stdout
    refused = run([toolkit, "serve", "--port", "1"], cwd=cwd, env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert ".local/share/xuncha/ledger.duckdb" in refused.stderr and "toolkit sample --out" in refused.stderr
    built = run([toolkit, "sample", "--out", "ledger.duckdb"], cwd=cwd, env=env)
    assert built.returncode == 0, built.stderr
    verified = run([toolkit, "verify", "--ledger", "ledger.duckdb"], cwd=cwd, env=env)
    assert verified.returncode == 0 and "xuncha-receipt" in verified.stdout


def test_the_installed_app_serves_and_shows_the_figures(
    installed, page, tmp_path, wait_for_voila, screenshot
):
    ledger = installed["cwd"] / "ledger.duckdb"
    if not ledger.exists():
        run([installed["toolkit"], "sample", "--out", str(ledger)], check=True)
    from toolkit import Ledger

    with Ledger.open(ledger) as opened:
        problems = opened.counts()["problems"]
    server = start_server(
        None, str(ledger), tmp_path / "serve.log", toolkit=(installed["toolkit"],), cwd=installed["cwd"]
    )
    try:
        page.goto(server.url("app.ipynb"), wait_until="commit")
        wait_for_voila(page, selector=KPI)
        assert page.locator(KPI).first.inner_text().strip() == f"{problems:,}"
        screenshot("installed-wheel-overview")
        assert "Traceback" not in server.log()  # while serving (kernels stopped mid-run may say more)
    finally:
        stop_server(server)
