"""The README's walkthrough, run as written (tests/e2e/walkthrough.py): its settings, its
commands in order (a line whose comment says 'refused' must be refused, one with '→ TEXT' must
print it), its stated timing for the listing; and the notice's closing day it promises."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.walkthrough import ROOT, run, system_settings, walkthrough
from tests.helpers import show

pytestmark = pytest.mark.e2e


@pytest.mark.long
def test_the_first_case_walkthrough_runs_as_written(new_system):
    walk = walkthrough(ROOT / "README.md")
    assert walk.settings["LIFECYCLE_DAY_SECONDS"] == "10"
    system = new_system(**system_settings(walk))
    run(walk, system, walk.prelude)  # the rules asked before the rehearsal's system starts
    system.start()
    try:
        variables = run(walk, system)
        shown = show(system, variables["C"])
        assert shown["state"] == "listed"
        published = next(e for e in shown["history"] if e["action"] == "publicise")
        opened = dt.datetime.fromisoformat(published["at"]).date().isoformat()
        # Published on 1 December (a Tuesday) the 5th working day is the 7th; on the 2nd, the 8th.
        assert (
            published["data"]["deadlines"]["public_notice"]
            == {
                "2026-12-01": "2026-12-07",
                "2026-12-02": "2026-12-08",
            }[opened]
        )
        assert [e["action"] for e in shown["history"]][-1] == "list"
    finally:
        assert system.stop() == 0
