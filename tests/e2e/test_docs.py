"""Every page of docs/ run as written, as the README's walkthrough is (tests/e2e/walkthrough.py):
its settings, its commands in order, refusals refused and promised output printed."""

from __future__ import annotations

import pytest

from tests.e2e.walkthrough import ROOT, run, system_settings, walkthrough

pytestmark = pytest.mark.e2e

PAGES = sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.long
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_the_page_runs_as_written(new_system, page):
    walk = walkthrough(page)
    system = new_system(**system_settings(walk))
    run(walk, system, walk.prelude)  # what the page asks before its system starts
    system.start()
    try:
        run(walk, system)
    finally:
        assert system.stop() == 0
