"""The system down across a deadline, on the real dev server: the worker is killed while a
public notice runs and started again days (of business time) after it closed. The listing the
notice drives is dated when it closed, 24:00 of its last day, with the time it was applied
beside it, and the listing day (which later deadlines count from) is the day it was due."""

import datetime as dt
import signal
from pathlib import Path

import pytest

from tests.helpers import cli, show, wait_for_business, wait_until

pytestmark = pytest.mark.e2e
EX = Path("examples")
OFFICER = ("--as", "bureau_officer:li")


@pytest.mark.long
def test_a_notice_closed_while_no_worker_ran_lists_the_provider_when_it_closed(split):
    system = split(LIFECYCLE_BUSINESS_START="2026-03-02", LIFECYCLE_DAY_SECONDS="3")
    cli(system, "round", "set", "guangzhou-2024", "down")
    application = str(EX / "guangzhou-2024" / "application.json")
    case_id = cli(
        system, "case", "apply", "guangzhou-2024", application, "--round", "down"
    ).stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    score = '{"score": 90, "rank": 1, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", score)
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    [notice] = [d for d in show(system, case_id)["deadlines"] if d["name"] == "public_notice"]
    closes = dt.datetime.fromisoformat(notice["closes_at"])
    system.kill_worker(signal.SIGKILL)

    # Three business days past the close, the worker comes back.
    wait_for_business(system, closes + dt.timedelta(days=3))
    system.start_worker()
    wait_until(lambda: show(system, case_id)["state"] == "listed", timeout=120, interval=1)

    [listing] = [e for e in show(system, case_id)["history"] if e["to_state"] == "listed"]
    assert dt.datetime.fromisoformat(listing["at"]) == closes, listing
    applied = dt.datetime.fromisoformat(listing["data"]["applied_at"])
    assert applied > closes + dt.timedelta(days=3), listing
    history = cli(system, "case", "history", case_id).stdout
    assert f"{notice['date'][:4]}" in history and "(applied " in history
    listed_on = show(system, case_id)["entered_on"]
    assert listed_on == closes.date().isoformat(), listed_on
