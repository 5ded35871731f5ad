"""Evaluation rounds in the store, on real databases: rewards granted by many threads at once
never spend more than the round's budget, a retried grant is the same grant, and a round's
results are published once however often the activity runs."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from lifecycle.calendar import SHANGHAI
from lifecycle.contracts.rounds import PublishInput, RosterInput
from lifecycle.domain.evaluations import Result

T0 = dt.datetime(2027, 1, 4, 10, tzinfo=SHANGHAI)
RID = "evaluation:wuhan-2021:2026"


def opened(store, budget: int | None = 5_000_000) -> None:
    data = RosterInput(
        round_id=RID,
        policy="wuhan-2021",
        period="2026",
        rules=None,
        budget_cny=budget,
        opened_by="bureau_officer:li",
        opened_at=T0,
    )
    store.rounds.open(data, "0123456789abcdef", 30)
    store.rounds.open(data, "0123456789abcdef", 99)  # a retried activity changes nothing


def test_concurrent_grants_never_spend_more_than_the_budget(real_store):
    opened(real_store, budget=5_000_000)

    def grant(n: int) -> int:
        return real_store.rounds.award(RID, f"case-{n}", 2_000_000 if n % 3 else 3_000_000, T0)

    with ThreadPoolExecutor(max_workers=12) as pool:
        granted = list(pool.map(grant, range(30)))
    assert sum(granted) == real_store.rounds.spent(RID) == 5_000_000
    assert all(g >= 0 for g in granted) and granted.count(0) >= 27
    # Granted again to the same case (the activity retried): the same amount, nothing more.
    again = [real_store.rounds.award(RID, f"case-{n}", 3_000_000, T0) for n in range(30)]
    assert again == granted and real_store.rounds.spent(RID) == 5_000_000


def test_results_are_published_once_and_the_round_row_follows(real_store):
    opened(real_store)
    assert real_store.rounds.round(RID).entrants == 30
    result = Result(
        case_id="case-1",
        credit_code="91420100MA4K00001X",
        name="武汉某平台",
        total=91.5,
        grade="excellent",
        rank=1,
        reward_cny=3_000_000,
    )
    data = PublishInput(
        round_id=RID,
        policy="wuhan-2021",
        period="2026",
        budget_cny=5_000_000,
        closed_by="bureau_officer:li",
        closed_at=T0,
        results=[result],
    )
    real_store.rounds.publish(data)
    real_store.rounds.publish(data.model_copy(update={"status": "closed"}))
    [row] = real_store.rounds.results(RID)
    assert (row.rank, row.grade, row.reward_cny, row.provider_name) == (
        1,
        "excellent",
        3_000_000,
        "武汉某平台",
    )
    assert real_store.rounds.round(RID).status == "closed"
    assert [r.round_id for r in real_store.rounds.rounds("wuhan-2021")] == [RID]


def test_a_round_never_opened_is_not_granted_anything(real_store):
    with pytest.raises(LookupError, match="never opened"):
        real_store.rounds.award("evaluation:wuhan-2021:2030", "case-1", 1, T0)
