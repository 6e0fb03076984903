"""The workshop course: notebooks run headless as shipped and with their solutions, on the sample
ledger and on another seed; the checker recognises a plausible wrong answer for every exercise
and never prints the expected answer.

Notebook executions are session fixtures (one kernel run per notebook and ledger, ~5-25 s each),
shared by the assertions below.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from toolkit import Ledger
from toolkit import workshop as ws
from toolkit.labels import percent
from toolkit.sample import build_sample

WORKSHOP = Path(__file__).resolve().parents[1] / "notebooks" / "workshop"
SHIPPED = sorted(WORKSHOP.glob("*.ipynb"))
SOLUTIONS = sorted((WORKSHOP / "solutions").glob("*.ipynb"))
CHECK = re.compile(r'^check\("(\d+\.\d+)", answer_(\d+)_(\d+)\)$', re.M)
OTHER_SEED = 7


@contextlib.contextmanager
def environment(**values: str):
    """Set environment variables for a kernel started inside the block (it inherits them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(path: Path, ledger: Path, scratch: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    with environment(XUNCHA_LEDGER=str(ledger), XUNCHA_SCRATCH=str(scratch), XUNCHA_WORKSHOP_LANG="zh"):
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(WORKSHOP)}}
        ).execute()
    return nb


def exercises_in(nb) -> list[str]:
    return [m.group(1) for c in nb.cells if c.cell_type == "code" for m in CHECK.finditer(c.source)]


def check_outputs(nb) -> dict[str, str]:
    """exercise id -> what its check cell printed."""
    out = {}
    for cell in nb.cells:
        match = CHECK.search(cell.source) if cell.cell_type == "code" else None
        if match:
            out[match.group(1)] = "".join(
                o.get("text", "") for o in cell.outputs if o.output_type == "stream"
            )
    return out


def errors(nb) -> list[str]:
    return [
        f"{o.ename}: {o.evalue}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]


@pytest.fixture(scope="session")
def other_seed_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed7") / "ledger.duckdb"
    build_sample(path, seed=OTHER_SEED)
    return path


@pytest.fixture(scope="session")
def executed(sample_path, other_seed_path, tmp_path_factory):
    """``executed(kind, name)``: a notebook run once per session; kind shipped / solutions / seed7."""
    cache: dict[tuple[str, str], nbformat.NotebookNode] = {}
    sources = {"shipped": (WORKSHOP, sample_path), "solutions": (WORKSHOP / "solutions", sample_path)}
    sources["seed7"] = (WORKSHOP / "solutions", other_seed_path)

    def get(kind: str, name: str):
        if (kind, name) not in cache:
            folder, ledger = sources[kind]
            cache[kind, name] = run(folder / name, ledger, tmp_path_factory.mktemp(f"scratch-{kind}"))
        return cache[kind, name]

    return get


# ---- the notebooks --------------------------------------------------------------------------


def test_six_notebooks_and_their_solutions():
    assert [p.name[:2] for p in SHIPPED] == ["01", "02", "03", "04", "05", "06"]
    assert [p.name for p in SOLUTIONS] == [p.name for p in SHIPPED]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_solutions_differ_only_in_the_answers(path):
    """Shipped and solution notebooks have the same cells, except the answers (and the fixes of
    notebook 06); a trainer who edits one and forgets the other is caught here."""
    shipped = nbformat.read(path, as_version=4).cells
    solved = nbformat.read(WORKSHOP / "solutions" / path.name, as_version=4).cells[1:]  # note on top
    assert len(shipped) == len(solved)
    for a, b in zip(shipped, solved, strict=True):
        if a.source == b.source:
            continue
        assert a.cell_type == b.cell_type == "code"
        assert a.source.endswith("...") or "value=..." in a.source, a.source
        assert "..." not in b.source, b.source


def test_every_registered_exercise_is_in_one_notebook_with_an_unanswered_cell():
    seen = []
    for path in SHIPPED:
        nb = nbformat.read(path, as_version=4)
        ids = exercises_in(nb)
        sources = [c.source for c in nb.cells]
        for eid in ids:
            assert eid.startswith(str(int(path.name[:2])) + "."), (path.name, eid)
            assert f"{ws.EXERCISES[eid].variable} = ..." in sources
        seen += ids
    assert sorted(seen) == sorted(ws.EXERCISES)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_notebook_runs_and_every_check_is_not_answered_yet(path, executed):
    nb = executed("shipped", path.name)
    assert errors(nb) == []
    outputs = check_outputs(nb)
    assert outputs and set(outputs) == set(exercises_in(nb))
    for eid, text in outputs.items():
        assert "尚未作答" in text, (eid, text)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebook_passes_every_check(path, executed):
    nb = executed("solutions", path.name)
    assert errors(nb) == []
    for eid, text in check_outputs(nb).items():
        assert "回答正确" in text, (eid, text)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_course_runs_start_to_finish_on_another_seed(path, executed):
    nb = executed("seed7", path.name)
    assert errors(nb) == []
    outputs = check_outputs(nb)
    assert outputs
    for eid, text in outputs.items():
        assert "回答正确" in text, (eid, text)


def test_import_notebook_writes_the_scratch_ledger_never_the_shared_one(sample_path, executed):
    with Ledger.open(sample_path) as ledger:
        before = ledger.counts()
    nb = executed("solutions", "06_导入与数据质量.ipynb")
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "拒收 rejected 0" in printed  # the fixed rejects went in on the second import
    with Ledger.open(sample_path) as ledger:
        assert ledger.counts() == before


# ---- the checker ----------------------------------------------------------------------------


def _shown(value) -> list[str]:
    """Ways the expected answer could be printed (so the tests can say it was not)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value < 1:
        return [percent(value), f"{value:.3f}"]
    if isinstance(value, (int, float)):
        return [str(int(value)), f"{value:,.0f}"]
    if isinstance(value, str):
        return [value]
    return list(value)


def _same_answer(ex, a, b) -> bool:
    """Whether two answers to ``ex`` read the same to the checker."""
    from toolkit.workshop.checker import _read, _same

    return _same(_read(a, ex.kind), _read(b, ex.kind), ex)


@pytest.fixture(scope="module", params=["sample", "seed7"])
def ledger_path(request, sample_path, other_seed_path, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("checker-scratch")
    with environment(XUNCHA_SCRATCH=str(scratch)):
        yield sample_path if request.param == "sample" else other_seed_path


@pytest.mark.parametrize("eid", sorted(ws.EXERCISES))
def test_a_plausible_wrong_answer_is_rejected_with_its_hint(eid, ledger_path, capsys):
    ex = ws.EXERCISES[eid]
    ctx = ws.context(ledger_path)
    expected = ex.expected(ctx)
    assert ws.check(eid, expected, ledger=ledger_path).ok
    rejected = 0
    for mistake in ex.wrong:
        wrong_answer = mistake.answer(ctx)
        result = ws.check(eid, wrong_answer, ledger=ledger_path)
        if result.ok:  # this mistake happens to give the right answer on this ledger
            continue
        rejected += 1
        # two mistakes may give the same number on a ledger (every clue disposed: dividing by all
        # clues is dividing by the pending ones too); the first one listed names it
        named = next(
            m
            for m in ex.wrong
            if _same_answer(ex, m.answer(ctx), wrong_answer) and not _same_answer(ex, m.answer(ctx), expected)
        )
        assert result.status == ws.WRONG and result.mistake == named.name
        assert named.hint_zh in result.message
        if ex.kind != "set":
            assert not any(s in result.message for s in _shown(expected) if len(s) > 1), result.message
    assert rejected, f"{eid}: no typical wrong answer differs from the right one on this ledger"
    capsys.readouterr()


def test_not_answered_yet_and_the_kinds_of_answers(sample_path):
    ctx = ws.context(sample_path)
    rate = ws.EXERCISES["2.1"].expected(ctx)
    assert ws.check("2.1", ..., ledger=sample_path).status == ws.UNANSWERED
    assert ws.check("2.1", None, ledger=sample_path).status == ws.UNANSWERED
    assert ws.check("2.1", rate * 100, ledger=sample_path).ok  # a percent is fine
    assert ws.check("2.1", percent(rate), ledger=sample_path).ok  # so is "88.6%"
    assert ws.check("2.1", round(rate, 2), ledger=sample_path).status == ws.WRONG  # too coarse
    table = ws.check("1.1", ctx.ledger.table("problems").execute(), ledger=sample_path)
    assert table.status == ws.INVALID and "表" in table.message
    assert ws.check("2.3", 3, ledger=sample_path).status == ws.INVALID
    assert ws.check("1.1", 10**9, ledger=sample_path).message.count("偏大") == 1
    english = ws.check("1.1", 10**9, ledger=sample_path, lang="en")
    assert "too large" in english.message and "Hint" in english.message


def test_questions_are_filled_in_from_the_ledger(sample_path, other_seed_path, capsys):
    for path in (sample_path, other_seed_path):
        ctx = ws.context(path)
        for ex in ws.EXERCISES.values():
            text = ex.text(ctx, "zh")
            assert "{" not in text and text.strip()
            assert "{" not in ex.text(ctx, "en")


def test_the_scratch_ledger_is_never_the_shared_one(sample_path, tmp_path):
    with environment(XUNCHA_SCRATCH=str(sample_path.parent), XUNCHA_LEDGER=str(sample_path)):
        with pytest.raises(ValueError):
            ws.scratch_ledger(sample_path)
        with pytest.raises(ValueError):
            ws.import_into(str(sample_path), ws.messy_file())


def test_the_checker_reads_no_notebooks():
    """Expected answers come from the ledger: nothing in the package opens a notebook (solutions
    included), so a trainee cannot find the answers by reading what the checker reads."""
    for module in Path(ws.__file__).parent.glob("*.py"):
        assert "ipynb" not in module.read_text(encoding="utf-8"), module.name
