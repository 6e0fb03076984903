"""The closest name in a list: ``difflib.get_close_matches(word, names, n=1, cutoff)``, the same
answer, asked many times against one list.

An import that creates 500 units compares each with every unit of its region: difflib's
``quick_ratio`` (a multiset count in Python) for 250,000 pairs, then ``ratio`` for every pair
that passes. Here the multiset counts of all names are taken at once per word (numpy, one row
per name), and ``ratio`` is worked out in descending order of that upper bound, stopping as soon
as no name left can beat the best found. Candidates are scored by difflib itself, so the answer
is difflib's: the best ``(ratio, name)`` at or above ``cutoff``.
"""

from __future__ import annotations

import difflib

import numpy as np


def _ratio(matches: int, length: int) -> float:
    """difflib's ``_calculate_ratio``: the same float for the same counts."""
    return 2.0 * matches / length if length else 1.0


class CloseNames:
    """``best(word, exclude)``: difflib's single closest match to ``word`` among ``names``."""

    def __init__(self, names: list[str], cutoff: float) -> None:
        self.names = list(names)
        self.cutoff = cutoff
        self._lengths = np.array([len(n) for n in self.names], dtype=np.int64)
        alphabet: dict[str, int] = {}
        for name in self.names:
            for ch in name:
                alphabet.setdefault(ch, len(alphabet))
        self._alphabet = alphabet
        counts = np.zeros((len(self.names), len(alphabet)), dtype=np.int32)
        for row, name in enumerate(self.names):
            for ch in name:
                counts[row, alphabet[ch]] += 1
        self._counts = counts

    def best(self, word: str, exclude: frozenset[str] | set[str] = frozenset()) -> str | None:
        """The name ``get_close_matches(word, names without exclude, n=1, cutoff)`` returns."""
        if not self.names:
            return None
        wanted: dict[int, int] = {}
        for ch in word:
            if ch in self._alphabet:
                wanted[self._alphabet[ch]] = wanted.get(self._alphabet[ch], 0) + 1
        if wanted:
            columns = list(wanted)
            shared = np.minimum(self._counts[:, columns], np.array([wanted[c] for c in columns])).sum(axis=1)
        else:
            shared = np.zeros(len(self.names), dtype=np.int64)
        total = self._lengths + len(word)
        if word:  # every total is then above 0
            candidates = self._candidates(word, exclude, shared, total)
        else:  # an empty word: difflib's ratio of nothing to nothing is 1.0
            candidates = self._candidates_one_by_one(word, exclude, shared, total)
        candidates.sort(reverse=True)
        best: tuple[float, str] | None = None
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        for bound, name in candidates:
            if best is not None and (bound, name) <= best:
                # ratio <= quick_ratio, and the candidates come by (bound, name) descending:
                # nothing further down can score higher, nor tie with a greater name
                break
            matcher.set_seq1(name)
            score = matcher.ratio()
            if score >= self.cutoff and (best is None or (score, name) > best):
                best = (score, name)
        return best[1] if best else None

    def _candidates(self, word: str, exclude, shared, total) -> list[tuple[float, str]]:
        """(quick_ratio, name) of each name not in ``exclude`` whose real_quick_ratio and
        quick_ratio (the multiset count) reach the cutoff: difflib's floats, worked out for all
        names at once (the same operations on the same numbers)."""
        length_bound = 2.0 * np.minimum(self._lengths, len(word)) / total
        bound = 2.0 * shared / total
        passing = np.flatnonzero((length_bound >= self.cutoff) & (bound >= self.cutoff)).tolist()
        candidates = [(b, self.names[i]) for i, b in zip(passing, bound[passing].tolist(), strict=True)]
        return [(b, name) for b, name in candidates if name not in exclude] if exclude else candidates

    def _candidates_one_by_one(self, word: str, exclude, shared, total) -> list[tuple[float, str]]:
        """``_candidates`` one name at a time (for a word or name of no characters)."""
        loose = np.flatnonzero(2.0 * shared >= (self.cutoff - 1e-9) * total)
        candidates = []
        for i in loose.tolist():
            name = self.names[i]
            if name in exclude:
                continue
            length = len(name) + len(word)
            if _ratio(min(len(name), len(word)), length) < self.cutoff:
                continue
            bound = _ratio(int(shared[i]), length)  # difflib's quick_ratio: the multiset count
            if bound >= self.cutoff:
                candidates.append((bound, name))
        return candidates
