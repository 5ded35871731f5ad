"""The README is a front door and the docs behind it hold together: the README stays short,
every relative link of the README and of docs/ resolves (to a file, and to a heading when it
names one), no page points users at the developers' DOMAIN.md, and every page has a
walkthrough that tests/e2e runs as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.walkthrough import walkthrough

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text("utf-8"), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_readme_is_at_most_about_200_lines():
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 200


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    text = page.read_text("utf-8")
    for link in (a or b for a, b in LINK.findall(text)):
        if re.match(r"^[a-z]+:", link):
            continue  # http:, https:, mailto:
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: {link} does not resolve"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"{page.name}: {link}: no such heading"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_points_at_the_developers_rulebook(page):
    assert "DOMAIN.md" not in page.read_text("utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_has_a_walkthrough_to_run(page):
    assert walkthrough(page).lines, f"{page.name} has no sh block to run"


BENCH = re.compile(r"<!-- bench: (\S+) -->\n(.*?)<!-- /bench -->", re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_bench_figure_is_the_kept_runs(page):
    """A table of figures is rendered from the run it names (make bench wrote it), never typed."""
    from bench import report

    for source, shown in BENCH.findall(page.read_text("utf-8")):
        result = json.loads((page.parent / source).read_text("utf-8"))
        assert shown.strip() == report.render(result).strip(), f"{page.name}: re-render {source}"
