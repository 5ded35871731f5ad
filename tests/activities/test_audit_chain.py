"""The audit log on real databases: the database itself refuses to change or delete a row, and
a row changed anyway (by someone who can drop the guard) breaks the hash chain where verify
names it."""

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from lifecycle.calendar import SHANGHAI
from lifecycle.contracts import CaseSnapshot, RejectedEvent
from lifecycle.domain.case import AuditEntry
from lifecycle.domain.states import CaseState
from lifecycle.store.verify import verify

T0 = dt.datetime(2025, 9, 26, 10, 30, 15, 123456, tzinfo=SHANGHAI)


def snapshot(case_id: str, seq: int) -> CaseSnapshot:
    return CaseSnapshot(
        case_id=case_id,
        policy="qingdao-2024",
        round="r",
        credit_code="91370212MA3QD0001N",
        provider_name="甲",
        district="市南区",
        state="expert_review",
        last_seq=seq,
        updated_at=T0,
    )


def entry(seq: int, action: str, **data) -> AuditEntry:
    return AuditEntry(
        seq=seq,
        at=T0 + dt.timedelta(minutes=seq),
        actor_role="expert",
        actor_id="panel",
        action=action,
        from_state=CaseState.EXPERT_REVIEW,
        to_state=CaseState.EXPERT_REVIEW,
        reason="评审",
        clause="§三(三)",
        data=data,
    )


def written(store, case_id: str = "case-a", n: int = 4) -> None:
    for seq in range(1, n + 1):
        store.record(snapshot(case_id, seq), [entry(seq, "score", score=80.5 + seq, rank=seq)])


def test_rows_keep_the_actions_data_and_chain_to_the_one_before(real_store):
    written(real_store)
    rows = real_store.audit("case-a")
    assert rows[0].data == {"score": 81.5, "rank": 1}  # an expert's score is kept
    assert rows[0].prev_hash == "" and all(
        later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False)
    )
    with real_store.sessions() as s:
        checked = verify(s)
    assert (checked.cases, checked.rows, checked.breaks) == (1, 4, [])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET reason = 'forged' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_row(real_store, statement):
    written(real_store)
    with (
        pytest.raises(DatabaseError, match="audit_log is append-only"),
        real_store.sessions.begin() as s,
    ):
        s.execute(text(statement))
    assert [r.reason for r in real_store.audit("case-a")] == ["评审"] * 4


def _without_the_guard(store) -> None:
    """What someone with the database's owner rights could do: drop the triggers."""
    with store.sessions.begin() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"))
        else:
            s.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            s.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))


def test_an_edited_row_is_named_by_verify(real_store):
    written(real_store)
    written(real_store, "case-b", 2)
    _without_the_guard(real_store)
    with real_store.sessions.begin() as s:
        s.execute(
            text(
                "UPDATE audit_log SET data = '{\"score\": 99}' WHERE case_id = 'case-a' AND seq = 2"
            )
        )
    with real_store.sessions() as s:
        checked = verify(s)
    assert checked.breaks == ["case case-a: row #2 (score) was changed after it was written."]


def test_a_removed_row_and_a_cut_tail_are_named(real_store):
    written(real_store)
    written(real_store, "case-b", 3)
    _without_the_guard(real_store)
    with real_store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_log WHERE case_id = 'case-a' AND seq = 3"))
        s.execute(text("DELETE FROM audit_log WHERE case_id = 'case-b' AND seq = 3"))
    with real_store.sessions() as s:
        checked = verify(s)
    assert checked.breaks == [
        "case case-a: row #4 stands where #3 should (a row was removed or added).",
        "case case-b: rows after #2 are missing (the case's last change is #3).",
    ]
    with real_store.sessions() as s:
        assert verify(s, "case-b").cases == 1


def test_a_refused_event_is_kept_once(real_store):
    event = RejectedEvent(
        case_id="case-a",
        event_id="platform-9",
        action="object",
        actor_role="public",
        reason="'object' is not allowed while the case is listed",
        received_at=T0,
    )
    real_store.reject([event])
    real_store.reject([event])  # the activity retried
    assert [(r.event_id, r.reason) for r in real_store.rejected()] == [
        ("platform-9", "'object' is not allowed while the case is listed")
    ]
    assert real_store.rejected(T0 + dt.timedelta(days=1)) == []


# --- the keyed chain: an insider who recomputes the hashes is named --------------------------


def _rewritten_with_recomputed_hashes(store, case_id: str, seq: int, reason: str) -> None:
    """What an insider with the database but not the audit key can do: change a row and
    recompute every hash from it on, so that the chain holds again."""
    from lifecycle.store import chain

    _without_the_guard(store)
    with store.sessions.begin() as s:
        rows = [r for r in store.audit(case_id)]
        previous = rows[seq - 2].hash if seq > 1 else chain.GENESIS
        for row in rows[seq - 1 :]:
            content = {f: getattr(row, f) for f in (*chain.FIELDS, *chain.OPTIONAL)}
            if row.seq == seq:
                content["reason"] = reason
            new = chain.digest(previous, content)
            s.execute(
                text(
                    "UPDATE audit_log SET reason = :reason, prev_hash = :prev, hash = :hash "
                    "WHERE case_id = :case AND seq = :seq"
                ),
                {"reason": content["reason"], "prev": previous, "hash": new, "case": case_id,
                 "seq": row.seq},
            )  # fmt: skip
            previous = new


def keyed(store):
    from lifecycle.store.repo import Store
    from lifecycle.temporal.codec import KeyRing

    return Store(store.sessions, KeyRing.new())


def test_rows_rewritten_with_their_hashes_recomputed_are_named_with_the_key(real_store):
    store = keyed(real_store)
    written(store)
    written(store, "case-b", 2)
    with store.sessions() as s:
        assert verify(s, keys=store.seals).breaks == []
    _rewritten_with_recomputed_hashes(store, "case-a", 2, "forged")
    with store.sessions() as s:
        assert verify(s).breaks == []  # the chain alone is fooled
        checked = verify(s, keys=store.seals)
    assert checked.keyed and checked.breaks == [
        "case case-a: row #2 (score) was changed after it was written: its seal does not "
        "match (its hashes were recomputed without the audit key)."
    ]


def test_a_removed_seal_and_a_foreign_key_are_named(real_store):
    from lifecycle.temporal.codec import KeyRing

    store = keyed(real_store)
    written(store)
    written(store, "case-b", 2)
    with store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_seals WHERE case_id = 'case-a' AND seq = 4"))
    with store.sessions() as s:
        checked = verify(s, keys=store.seals)
        other = verify(s, "case-b", keys=KeyRing({"k9": b"x" * 32}, "k9"))
    assert checked.breaks == [
        "case case-a: row #4 and after carry no seal of the audit key (written or rewritten "
        "without it)."
    ]
    assert other.breaks[0].startswith("case case-b: row #1 (score) was changed after it was")
    assert "audit key 'k1', which the audit key file does not hold" in other.breaks[0]


def test_trails_written_before_the_key_are_sealed_where_they_hold(real_store):
    written(real_store)  # before the key: no seals
    written(real_store, "case-b", 3)
    _without_the_guard(real_store)
    with real_store.sessions.begin() as s:
        s.execute(text("UPDATE audit_log SET reason = 'x' WHERE case_id = 'case-b' AND seq = 2"))
    store = keyed(real_store)
    assert store.seal_trails() == 1  # case-b does not hold: it stays unsealed
    assert store.seal_trails() == 0  # once
    written(store, "case-a", 5)  # the row after is sealed as it is written
    with store.sessions() as s:
        checked = verify(s, keys=store.seals)
    assert checked.rows == 8
    assert checked.breaks == ["case case-b: row #2 (score) was changed after it was written."]
    _rewritten_with_recomputed_hashes(store, "case-a", 1, "forged")
    with store.sessions() as s:
        assert (
            verify(s, "case-a", keys=store.seals)
            .breaks[0]
            .startswith("case case-a: row #4 (score) was changed after it was written: its seal")
        )
