"""The workshop notebooks render in Voila, read-only, for the trainer's projector.

Served like ``toolkit serve --notebook-dir notebooks/workshop --pool-size 0`` against the sample
ledger (no preheated kernels: a preheated copy of notebook 06 would import into the scratch
ledger before anyone asked for it), with the scratch folder in a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import start_server, stop_server

WORKSHOP = Path(__file__).resolve().parents[2] / "notebooks" / "workshop"
NOTEBOOKS = sorted(p.name for p in WORKSHOP.glob("*.ipynb"))


@pytest.fixture(scope="module")
def workshop_server(sample_path, tmp_path_factory):
    saved = os.environ.get("XUNCHA_SCRATCH")
    os.environ["XUNCHA_SCRATCH"] = str(tmp_path_factory.mktemp("voila-scratch"))
    try:
        server = start_server(
            WORKSHOP, str(sample_path), tmp_path_factory.mktemp("serve") / "serve.log", pool_size=0
        )
    finally:
        if saved is None:
            os.environ.pop("XUNCHA_SCRATCH", None)
        else:
            os.environ["XUNCHA_SCRATCH"] = saved
    yield server
    stop_server(server)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_workshop_notebook_renders_read_only(
    name, workshop_server, page, request_monitor, wait_for_voila, screenshot
):
    page.goto(workshop_server.url(name), wait_until="commit")
    wait_for_voila(page, text=name[3:].removesuffix(".ipynb"))
    body = page.inner_text("body")
    assert "尚未作答" in body, "the exercises' checks did not render"
    assert "Traceback" not in body and "Error" not in body
    assert 'check("' not in body, "code is shown (Voila must strip the sources)"
    screenshot(f"workshop-{name[:2]}")
    assert request_monitor.external == []
