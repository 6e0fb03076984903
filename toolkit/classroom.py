"""The classroom on one laptop: the lessons copied out of git, the course's own ledger, JupyterLab.

``make workshop`` (``python -m toolkit.classroom``) prepares ``classroom/`` (git-ignored) and
opens JupyterLab there, in Chinese (``toolkit.lab``)::

    classroom/lessons/       the six lessons, the trainee's JupyterLab root: no solutions in sight
    classroom/solutions/     the trainer's copy (``make workshop-solutions``)
    classroom/ledger.duckdb  the course's own ledger, built from the sample's seed
    classroom/scratch/       the trainee's scratch ledger and rejects workbook (lesson 06)

Why copies: a lesson opened in JupyterLab is saved with outputs and metadata, so committed
notebooks would show as modified in git after every class; the copies are the trainee's to keep
(a second ``make workshop`` never overwrites them; ``--reset`` starts the room afresh).

Why the course's own ledger: an analyst trying the example import on ``sample_data/ledger.duckdb``
changes its figures (青溪县's 整改率), and the course asks about those figures. The course ledger
is generated from the seed (``XUNCHA_WORKSHOP_SEED``, default the sample's), so every laptop
has the same one; ``XUNCHA_LEDGER`` names another one instead (a real anonymised ledger).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from toolkit.location import LEDGER_ENV
from toolkit.workshop.importing import SCRATCH_ENV

REPO = Path(__file__).resolve().parents[1]
LESSONS = REPO / "notebooks" / "workshop"
SOLUTIONS = LESSONS / "solutions"
ROOM_ENV = "XUNCHA_CLASSROOM"
SEED_ENV = "XUNCHA_WORKSHOP_SEED"
DEFAULT_SEED = 2021


def room() -> Path:
    """The classroom folder: ``$XUNCHA_CLASSROOM`` or ``classroom/`` in the repository."""
    return Path(os.environ.get(ROOM_ENV) or REPO / "classroom")


def seed() -> int:
    """The seed of the course ledger (``XUNCHA_WORKSHOP_SEED``, else the sample's)."""
    value = os.environ.get(SEED_ENV, "").strip()
    if not value:
        return DEFAULT_SEED
    if not value.isdigit():
        raise ValueError(f"{SEED_ENV}: 种子应是一个整数 / the seed is a whole number, got {value!r}")
    return int(value)


def course_ledger(folder: Path) -> str:
    """The ledger the course reads: ``XUNCHA_LEDGER`` if the trainer set one, else
    ``folder/ledger.duckdb``, generated from :func:`seed` when missing or built from another seed."""
    if os.environ.get(LEDGER_ENV):
        return os.environ[LEDGER_ENV]
    from toolkit.sample import build_sample

    path = folder / "ledger.duckdb"
    stamp = folder / "ledger.seed"
    wanted = str(seed())
    if not path.exists() or not stamp.exists() or stamp.read_text().strip() != wanted:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"正在生成课程台账（种子 {wanted}，约半分钟）/ building the course ledger (seed {wanted}) …")
        build_sample(path, seed=int(wanted), overwrite=True)
        stamp.write_text(wanted + "\n")
    return str(path)


def copy_notebooks(source: Path, target: Path, *, reset: bool = False) -> list[Path]:
    """Copy ``source``'s notebooks into ``target``; one already there is the trainee's and stays,
    unless ``reset``. Returns the notebooks copied."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for notebook in sorted(source.glob("*.ipynb")):
        dest = target / notebook.name
        if reset or not dest.exists():
            shutil.copyfile(notebook, dest)
            copied.append(dest)
    if reset:
        shutil.rmtree(target / ".ipynb_checkpoints", ignore_errors=True)
    return copied


def prepare(*, solutions: bool = False, reset: bool = False, folder: Path | None = None) -> dict[str, str]:
    """Make the classroom ready; returns what JupyterLab needs: its root and the environment
    the kernels read (``XUNCHA_LEDGER``, ``XUNCHA_SCRATCH``)."""
    folder = folder or room()
    ledger = course_ledger(folder)
    kind = "solutions" if solutions else "lessons"
    root = folder / kind
    scratch = folder / ("scratch-solutions" if solutions else "scratch")
    if reset:
        shutil.rmtree(scratch, ignore_errors=True)
    copy_notebooks(SOLUTIONS if solutions else LESSONS, root, reset=reset)
    scratch.mkdir(parents=True, exist_ok=True)
    return {"root": str(root), LEDGER_ENV: ledger, SCRATCH_ENV: str(scratch)}


def main(argv: list[str] | None = None) -> int:
    """``python -m toolkit.classroom [--solutions] [--reset] [--prepare-only]``."""
    parser = argparse.ArgumentParser(
        prog="python -m toolkit.classroom", description="培训课程：准备教室并打开 JupyterLab"
    )
    parser.add_argument("--solutions", action="store_true", help="参考答案（培训老师用）")
    parser.add_argument(
        "--reset", action="store_true", help="恢复到课前状态：重新复制课程笔记本，清空练习账本"
    )
    parser.add_argument("--prepare-only", action="store_true", help="只准备教室，不打开 JupyterLab")
    args = parser.parse_args(argv)
    try:
        ready = prepare(solutions=args.solutions, reset=args.reset)
    except (OSError, ValueError) as err:
        print(f"无法准备教室 / cannot prepare the classroom: {err}", file=sys.stderr)
        return 2
    root = ready.pop("root")
    print(f"课程笔记本：{root}\n课程台账：{ready[LEDGER_ENV]}\n练习账本文件夹：{ready[SCRATCH_ENV]}")
    if args.prepare_only:
        return 0
    from toolkit import lab

    return lab.start(root, **ready)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
