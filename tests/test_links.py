"""Every link in README.md and docs/ resolves inside the repository (it must stand alone)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)  # code is not a link
    return [a or b for a, b in LINK.findall(text)]


def _anchors(path: Path) -> set[str]:
    """GitHub-style anchors of a markdown file's headings."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"#+\s+(.*)", line):
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(slug)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_links_resolve_inside_the_repository(doc):
    links = _links(doc)
    for link in links:
        assert not re.match(r"[a-z]+://", link), f"{doc.name}: {link} leaves the repository"
        target, _, anchor = link.partition("#")
        resolved = (doc.parent / target).resolve() if target else doc
        assert resolved.is_relative_to(REPO), f"{doc.name}: {link} points outside the repository"
        assert resolved.exists(), f"{doc.name}: {link} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{doc.name}: {link}: no heading #{anchor}"


def test_the_docs_are_linked_from_the_readme():
    readme_links = {(REPO / link.partition("#")[0]).resolve() for link in _links(REPO / "README.md")}
    for doc in DOCS[1:]:
        assert doc in readme_links or any(
            doc.resolve() == (d.parent / link.partition("#")[0]).resolve()
            for d in DOCS
            for link in _links(d)
            if link.partition("#")[0]
        ), f"{doc.relative_to(REPO)} is linked from nowhere"
