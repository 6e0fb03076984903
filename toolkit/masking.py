"""Names of persons masked in free text: 被反映人 and whoever a title or description names.

Why more than the subject column: a clue's title repeats its subject ("反映村会计朱某己优亲厚友
问题"), often names a second person ("局长张大山和副局长李小河"), and a description written in
a county may spell a name with spaces ("赵 小 海") or full-width letters. Masking only the
被反映人 column hands every one of those names out in clear. So wherever a view or a file is
made without the right to see names, its free text goes through :class:`NameMasker`, which masks:

* **known names**: every 被反映人 recorded anywhere in the ledger (a subject field naming
  several persons, ``张三、李四``, gives each of them) and the record's own subject. A title
  naming another person who is a subject elsewhere is masked too, that is how co-subjects are
  known. Only what looks like a name is searched for: two to :data:`MAX_NAME` characters,
  beginning with a surname (or written in letters, or with the ``·`` of a transliterated
  name). A subject field holding 不详, 匿名 or 问题 is masked where it stands, but does not
  mask that word in every description of the ledger;
* **names after a post word**: 书记, 局长, 会计 … followed by a surname from the 百家姓 (compound
  surnames first) and one or two given characters ("局长张大山" -> "局长张**"), unless what follows
  is an ordinary word that merely begins with a surname character (会计师, 主任任期, 书记和主任).

Both searches run on a folded copy of the text (full-width letters and digits made half-width,
letters lower-cased, spaces of every width and zero-width characters removed), so "赵 小 海",
"赵　小　海" and "ＺＨＡＮＧ Wei" are found like "赵小海" and "zhangwei"; the span found in the
original text, spaces included, is replaced by :func:`mask_name` of the name (王某甲 -> 王**).

The word lists are data (``masking_words.toml`` beside this module): an office adds a post word
or a surname there. Masking errs on the side of hiding: a word after a post word that looks like
a name is masked (tests measure how often that happens on the sample: never).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("masking_words.toml")
MIN_NAME = 2
MAX_NAME = 12
SEPARATORS = re.compile(r"[、，,;；/／|｜]")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_UNMASKABLE = re.compile(r"\s|[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@functools.cache
def words() -> dict:
    """The word lists of ``masking_words.toml``, folded like the text they are compared with."""
    raw = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {
        "posts": frozenset(fold(w)[0] for w in raw["posts"]),
        "surnames": frozenset(fold(raw["surnames"])[0]),
        "compound_surnames": frozenset(fold(w)[0] for w in raw["compound_surnames"]),
        "not_names": tuple(sorted({fold(w)[0] for w in raw["not_names"]}, key=len, reverse=True)),
        "name_followers": frozenset(fold(raw["name_followers"])[0]),
    }


def fold(text: str) -> tuple[str, list[int]]:
    """The text compared with the word lists, and for each of its characters its index in ``text``.

    Spaces of every width and zero-width characters are dropped; everything else is NFKC
    (full-width -> half-width) and lower-cased. CJK ideographs, by far the commonest, pass as
    they are.
    """
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if "\u4e00" <= ch <= "\u9fff":
            out.append(ch)
            origin.append(i)
            continue
        if ch.isspace() or ch in _INVISIBLE:
            continue
        for f in unicodedata.normalize("NFKC", ch).casefold():
            if not f.isspace():
                out.append(f)
                origin.append(i)
    return "".join(out), origin


def _surname_length(name: str) -> int:
    w = words()
    return 2 if len(name) > 2 and name[:2] in w["compound_surnames"] else 1


def mask_name(name: str | None) -> str:
    """王某甲 -> 王**: keep the surname (enough to tell records apart), hide the rest.

    A compound surname stays whole (欧阳明华 -> 欧阳**); spaces inside a name are dropped
    (赵 小 海 -> 赵**); a field naming several persons masks each (张三、李四 -> 张*、李*).
    """
    if not name:
        return ""
    parts = SEPARATORS.split(name)
    seps = SEPARATORS.findall(name)
    masked = []
    for part in parts:
        part = _UNMASKABLE.sub("", part)
        if not part:
            masked.append("")
            continue
        keep = _surname_length(part)
        masked.append(part[:keep] + "*" * max(1, len(part) - keep))
    out = masked[0]
    for sep, part in zip(seps, masked[1:], strict=True):
        out += sep + part
    return out


def names_in(subject: str | None) -> set[str]:
    """The folded names a subject field gives: each person it names (and the whole field)."""
    if not subject:
        return set()
    found = set()
    for part in [subject, *SEPARATORS.split(subject)]:
        folded, _ = fold(part)
        if looks_like_a_name(folded):
            found.add(folded)
    return found


def looks_like_a_name(folded: str) -> bool:
    """Two to ``MAX_NAME`` characters that begin with a surname, or a name in letters or with
    the middle dot of a transliterated name (买买提·艾力); 不详, 匿名, 问题 are not names."""
    if not MIN_NAME <= len(folded) <= MAX_NAME:
        return False
    w = words()
    if folded[0] in w["surnames"] or folded[:2] in w["compound_surnames"] or "·" in folded:
        return True
    return not any(_name_char(c) for c in folded)


class NameMasker:
    """Masks persons' names in free text (see the module docstring for what counts as a name)."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known: set[str] = set()
        for subject in known:
            self.known |= names_in(subject)
        self._lengths = sorted({len(n) for n in self.known}, reverse=True)
        self._starts = {n[0] for n in self.known}
        w = words()
        self._posts = re.compile("|".join(re.escape(p) for p in sorted(w["posts"], key=len, reverse=True)))

    @classmethod
    def for_ledger(cls, ledger) -> NameMasker:
        """A masker knowing every 被反映人 the ledger holds (its current ``clues`` table)."""
        return cls(known_names(ledger))

    def text(self, value, subjects: Iterable[str | None] = ()) -> str:
        """``value`` with every name masked; ``subjects``: the record's own 被反映人, always masked.

        Anything that is not a string (a number, a date, None) is returned unchanged.
        """
        if not isinstance(value, str) or not value:
            return value
        folded, origin = fold(value)
        extra = set()
        for subject in subjects:
            extra |= names_in(subject) if isinstance(subject, str) else set()
        spans = self._known_spans(folded, extra) + self._post_spans(folded)
        if not spans:
            return value
        return _replace(value, origin, _merge(spans))

    def column(self, values: Iterable, subjects: Iterable | None = None) -> list:
        """:meth:`text` over a column; ``subjects`` the same length, one subject per row."""
        if subjects is None:
            return [self.text(v) for v in values]
        return [self.text(v, (s,)) for v, s in zip(values, subjects, strict=True)]

    def _known_spans(self, folded: str, extra: set[str]) -> list[tuple[int, int]]:
        names = self.known | extra if extra else self.known
        if not names:
            return []
        lengths = sorted({len(n) for n in extra} | set(self._lengths), reverse=True)
        starts = self._starts | {n[0] for n in extra}
        spans = []
        i, n = 0, len(folded)
        while i < n:
            if folded[i] in starts:
                for length in lengths:
                    if i + length <= n and folded[i : i + length] in names:
                        spans.append((i, i + length))
                        i += length
                        break
                else:
                    i += 1
            else:
                i += 1
        return spans

    def _post_spans(self, folded: str) -> list[tuple[int, int]]:
        spans = []
        for match in self._posts.finditer(folded):
            length = name_after_post(folded, match.end())
            if length:
                spans.append((match.end(), match.end() + length))
        return spans


def name_after_post(folded: str, at: int) -> int:
    """How many characters at ``at`` (just after a post word) are a person's name; 0 if none."""
    w = words()
    rest = folded[at : at + 8]
    if not rest or rest.startswith(w["not_names"]) or _starts_with_post(rest):
        return 0
    if rest[:2] in w["compound_surnames"]:
        surname = 2
    elif rest[0] in w["surnames"]:
        surname = 1
    else:
        return 0
    given = rest[surname : surname + 2]
    if not given or not _name_char(given[0]) or _starts_with_post(rest[surname:]):
        return 0
    if len(given) == 2 and _name_char(given[1]) and given[1] not in w["name_followers"]:
        return surname + 2
    return surname + 1


def _starts_with_post(text: str) -> bool:
    return any(text.startswith(p) for p in words()["posts"])


def _name_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _replace(text: str, origin: list[int], spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        a, b = origin[start], origin[end - 1] + 1
        out.append(text[last:a])
        out.append(mask_name(text[a:b]))
        last = b
    out.append(text[last:])
    return "".join(out)


def known_names(ledger) -> list[str]:
    """Every 被反映人 the ledger records (current ``clues`` table; one small distinct query)."""
    clues = ledger.table("clues")
    subjects = clues.select("subject").distinct().execute()["subject"]
    return [s for s in subjects if isinstance(s, str) and s]


def mask_text(text, names: Iterable[str] = ()) -> str:
    """One text with ``names`` and any name after a post word masked (no ledger needed)."""
    return NameMasker(names).text(text)


def mask_columns(df, masker: NameMasker, columns: Iterable[str], subject: str | None = None):
    """A copy of ``df`` with its free-text ``columns`` masked (each row's ``subject`` too) and the
    ``subject`` column itself reduced to :func:`mask_name`."""
    out = df.copy()
    subjects = list(out[subject]) if subject and subject in out else None
    for column in columns:
        if column in out:
            out[column] = masker.column(out[column], subjects)
    if subjects is not None:
        out[subject] = [mask_name(s) if isinstance(s, str) else s for s in subjects]
    return out


NAMES_SHOWN_ZH = "本文件含未遮盖的人员姓名，仅限有权限的人员阅看，注意保密。"
NAMES_SHOWN_EN = "This file shows persons' names unmasked: for authorised readers only."
NAMES_MASKED_ZH = "人员姓名已遮盖：被反映人及标题、描述中出现的姓名只保留姓氏（如“王**”）。"

__all__ = [
    "NAMES_MASKED_ZH",
    "NAMES_SHOWN_EN",
    "NAMES_SHOWN_ZH",
    "NameMasker",
    "fold",
    "known_names",
    "looks_like_a_name",
    "mask_columns",
    "mask_name",
    "mask_text",
    "name_after_post",
    "names_in",
]
