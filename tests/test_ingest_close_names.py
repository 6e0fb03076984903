"""``close_names`` and ``SimilarUnits`` give difflib's answers: compared with difflib itself (and
with the unit search as it was written over difflib) on names built to be near one another."""

from __future__ import annotations

import difflib
import random

import pytest

from toolkit.ingest import limits
from toolkit.ingest.close_names import CloseNames
from toolkit.ingest.resolve import SimilarUnits, unit_core
from toolkit.models import Unit, UnitKind

WORDS = [
    "县",
    "市",
    "区",
    "住房和城乡建设局",
    "水务局",
    "第",
    "单位",
    "党组",
    "党委",
    "镇",
    "(",
    "（",
    "一",
    "1",
    "2",
    "12",
]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))


def _difflib_best(word: str, names: list[str], cutoff: float) -> str | None:
    found = difflib.get_close_matches(word, names, n=1, cutoff=cutoff)
    return found[0] if found else None


@pytest.mark.parametrize("seed", range(6))
def test_close_names_answer_as_difflib_does(seed):
    rng = random.Random(seed)
    names = list(dict.fromkeys(_name(rng) for _ in range(150)))
    for cutoff in (0.6, limits.SIMILAR_UNIT_RATIO, 0.95):
        search = CloseNames(names, cutoff)
        for _ in range(60):
            word = _name(rng)
            exclude = set(rng.sample(names, 3))
            expected = _difflib_best(word, [n for n in names if n not in exclude], cutoff)
            assert search.best(word, exclude) == expected


def test_numbered_names_find_the_neighbour_difflib_finds():
    names = [f"第{i}单位党组" for i in range(1, 300)]
    search = CloseNames(names, limits.SIMILAR_UNIT_RATIO)
    found = 0
    for i in range(1, 300):
        word = f"第{i}单位党组"
        expected = _difflib_best(word, [n for n in names if n != word], limits.SIMILAR_UNIT_RATIO)
        assert search.best(word, {word}) == expected
        found += expected is not None
    assert found > 100  # the comparison saw real matches, not only None


def test_no_names_and_no_shared_character():
    assert CloseNames([], 0.85).best("水务局") is None
    assert CloseNames(["党委"], 0.6).best("水务局") is None


def _similar_as_it_was(unit: Unit, existing: list[Unit]) -> Unit | None:
    """The search as written before ``close_names``: every pair through difflib."""
    by_region: dict[str, dict[str, list[Unit]]] = {}
    for other in existing:
        by_region.setdefault(other.region, {}).setdefault(unit_core(other.name, other.region), []).append(
            other
        )
    cores = {
        core: first
        for core, units in by_region.get(unit.region, {}).items()
        if (first := next((u for u in units if u.id != unit.id), None)) is not None
    }
    core = unit_core(unit.name, unit.region)
    if core in cores:
        return cores[core]
    close = difflib.get_close_matches(core, list(cores), n=1, cutoff=limits.SIMILAR_UNIT_RATIO)
    return cores[close[0]] if close else None


@pytest.mark.parametrize("seed", range(4))
def test_similar_units_as_before(seed):
    rng = random.Random(seed)
    regions = ["青溪县", "江州市", "未注明"]
    existing = []
    for _ in range(220):
        region = rng.choice(regions)
        name = rng.choice(["", region, "中共", "县"]) + _name(rng)
        unit_id = f"U-{rng.randint(0, 180)}"  # some ids repeat: a unit asked about is not its own twin
        existing.append(
            Unit(id=unit_id, name=name, region=region, sector="未注明", unit_kind=UnitKind.DEPARTMENT)
        )
    twins = SimilarUnits(existing)
    asked = existing[::3] + [
        Unit(
            id="U-new",
            name=_name(rng),
            region=rng.choice(regions),
            sector="未注明",
            unit_kind=UnitKind.DEPARTMENT,
        )
        for _ in range(40)
    ]
    answers = [twins.of(u) for u in asked]
    assert answers == [_similar_as_it_was(u, existing) for u in asked]
    assert any(a is not None for a in answers)


def test_an_empty_word_or_name_is_answered_as_difflib_does():
    """A word or name of no characters takes the one-name-at-a-time path: difflib's ratio of two
    empty strings is 1.0."""
    for names in (["", "水务局", "县水务局"], ["水务局", "党组"], [""]):
        for word in ("", "水务局", "党"):
            for cutoff in (0.0, 0.6, 1.0):
                assert CloseNames(names, cutoff).best(word) == _difflib_best(word, names, cutoff)


@pytest.mark.parametrize("seed", range(3))
def test_ties_of_bound_and_score_give_difflibs_name(seed):
    """Numbered names (第12单位党组, 第21单位党组 ...) tie on both the bound and the ratio: the search
    may stop early only where no name further down could tie with a greater name."""
    rng = random.Random(seed)
    names = [f"第{n}单位党组" for n in rng.sample(range(1, 400), 150)]
    search = CloseNames(names, limits.SIMILAR_UNIT_RATIO)
    for word in names[:60] + ["第7单位党组", "第77单位党组", "第123单位党委"]:
        others = [n for n in names if n != word]
        expected = _difflib_best(word, others, limits.SIMILAR_UNIT_RATIO)
        assert search.best(word, exclude={word}) == expected, word
