"""The store's part of the case core, on real databases: places under caps reserved by many
threads at once, released with the case's last record, events already applied, the business
clock, the cases a calendar year touches, and the migration that backfills places."""

import asyncio
import datetime as dt
import os
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.calendar import BAD_QUESTION, FILE_PROBLEM, CalendarActivities
from activities.store import in_store
from lifecycle.app.system import business_clock
from lifecycle.calendar import SHANGHAI, WorkingCalendar
from lifecycle.clock import configured
from lifecycle.config import Settings
from lifecycle.contracts import CaseSnapshot, SnapshotDeadline
from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import ClaimRequest, DeadlineRequest, Notification, ReservationRequest
from lifecycle.domain.states import CaseState
from lifecycle.errors import Misconfigured
from lifecycle.store import db, verify
from lifecycle.store.db import HEAD, MIGRATIONS, make_engine, migrate, revision
from lifecycle.store.models import Base, CaseDeadlineRow, CaseRow, ProviderRow
from lifecycle.store.prepared import Prepared
from lifecycle.store.repo import Store

T0 = dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
POOL = "qingdao-2024:r:selection:chain_leader:rail_transit"


def request(holder: str, *pools: str, capacity: int = 3) -> ReservationRequest:
    return ReservationRequest(
        holder=holder,
        pools={p: f"the selection {p}" for p in pools or (POOL,)},
        capacity=capacity,
        clause="qingdao-2024 §一",
    )


def test_many_threads_reserving_at_once_get_exactly_the_cap(real_store):
    def reserve(n: int) -> bool:
        return real_store.reserve(request(f"case-{n}"), T0).granted

    with ThreadPoolExecutor(max_workers=12) as pool:
        granted = list(pool.map(reserve, range(24)))
    assert granted.count(True) == 3
    holders = [f"case-{n}" for n, ok in enumerate(granted) if ok]
    assert all(real_store.held(h) == [POOL] for h in holders)
    refusal = real_store.reserve(request("case-late"), T0)
    assert (refusal.granted, refusal.held, refusal.capacity, refusal.pool) == (False, 3, 3, POOL)


def test_this_processs_writers_to_a_sqlite_file_take_turns_and_never_wait_long(
    real_store, monkeypatch
):
    """On SQLite a writer waits for the one before it in this process (rather than sleeping in
    SQLite's busy wait), and at most QUEUE_WAIT before it goes on regardless; on PostgreSQL
    writers never queue here."""
    engine = real_store.engine
    sqlite = engine.dialect.name == "sqlite"
    monkeypatch.setattr(db, "QUEUE_WAIT", 1.5)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with db.writers(engine):  # another writer's turn, held
            started = time.monotonic()
            waiting = pool.submit(lambda: real_store.reserve(request("case-a"), T0).granted)
            try:
                done = waiting.result(timeout=0.5)  # done at once only where writers do not queue
            except FuturesTimeout:
                done = None
            assert (done is None) == sqlite
        assert waiting.result(timeout=5)  # its turn came when the other's ended
        assert time.monotonic() - started < 1.5
        with db.writers(engine):  # a turn held for good: the next writer goes on after QUEUE_WAIT
            started = time.monotonic()
            assert pool.submit(lambda: real_store.reserve(request("case-b"), T0).granted).result(
                timeout=10
            )
            waited = time.monotonic() - started
            assert (waited >= 1.4) == sqlite and waited < 5


async def test_a_cases_store_call_runs_at_once_and_waits_in_a_thread_for_a_held_file(real_store):
    """On SQLite a case's store call runs on the event loop itself when the file is free (no
    hand-off to a thread); when another connection holds the file (another process's writer) it
    neither fails nor holds up the loop: it waits in a thread and is written once the file is
    free, and that thread's wait is SQLite's usual one. On PostgreSQL it always runs in a
    thread."""
    engine = real_store.engine
    sqlite = engine.dialect.name == "sqlite"
    loop_thread, ran_in = threading.get_ident(), []

    def reserve(holder: str):
        def work(store: Store) -> bool:
            ran_in.append(threading.get_ident())
            return store.reserve(request(holder), T0).granted

        return work

    assert await in_store(lambda: real_store, reserve("case-a"), at_once=True)
    assert (ran_in[-1] == loop_thread) == sqlite
    if not sqlite:
        return
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the file held, as by a writer in another process
    try:
        call = asyncio.ensure_future(in_store(lambda: real_store, reserve("case-b"), at_once=True))
        started = time.monotonic()
        await asyncio.sleep(0.3)
        # the loop went on meanwhile (held, it would wait out SQLite's 3 s busy wait; 2 s leaves
        # room for a busy test machine)
        assert time.monotonic() - started < 2.0
        assert not call.done()  # the call waits for the file rather than failing
    finally:
        holder.execute("COMMIT")
    assert await asyncio.wait_for(call, 5)
    assert ran_in[-1] != loop_thread and real_store.held("case-b") == [POOL]
    holder.close()

    def busy_wait() -> tuple[int, int]:
        with engine.connect() as c:
            found = c.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
            return id(c.connection.driver_connection), found

    at_once, after = db.at_once(busy_wait), busy_wait()
    assert at_once[1] == 0 and after == (at_once[0], db.BUSY_WAIT_MS)  # restored on the same one


def test_a_retried_reservation_is_granted_again_without_a_second_place(real_store):
    assert real_store.reserve(request("case-a", capacity=1), T0).granted
    assert real_store.reserve(request("case-a", capacity=1), T0).granted  # the activity retried
    assert not real_store.reserve(request("case-b", capacity=1), T0).granted


def test_places_in_several_pools_are_all_or_none(real_store):
    other = "qingdao-2024:r:selection:integrated:appliances"
    assert real_store.reserve(request("holder", other, capacity=1), T0).granted
    both = real_store.reserve(request("case-x", POOL, other, capacity=1), T0)
    assert (both.granted, both.pool) == (False, other)
    assert real_store.held("case-x") == []  # not even the free pool's place


def snapshot(case_id: str, state: str, seq: int, **extra) -> CaseSnapshot:
    fields = dict(
        case_id=case_id,
        policy="qingdao-2024",
        round="r",
        credit_code="91370212MA3QD0001N",
        provider_name="甲",
        district="市南区",
        state=state,
        last_seq=seq,
        updated_at=T0 + dt.timedelta(minutes=seq),
    )
    return CaseSnapshot(**{**fields, **extra})


def entry(seq: int, action: str, to: CaseState, event_id: str | None = None) -> AuditEntry:
    return AuditEntry(
        seq=seq,
        at=T0,
        actor_role="system",
        actor_id="platform",
        action=action,
        from_state=CaseState.PUBLICITY,
        to_state=to,
        reason="r",
        clause="§三(四)",
        data={"objection": seq},
        event_id=event_id,
    )


def test_the_record_that_ends_a_case_gives_its_places_back(real_store):
    real_store.reserve(request("case-1"), T0)
    real_store.record(snapshot("case-1", "publicity", 5), [entry(5, "object", CaseState.PUBLICITY)])
    assert real_store.held("case-1") == [POOL]
    real_store.record(
        snapshot("case-1", "rejected", 6),
        [entry(6, "uphold_objection", CaseState.REJECTED)],
        release=True,
    )
    assert real_store.held("case-1") == []
    assert real_store.audit("case-1")[-1].data == {"objection": 6}


def test_an_event_already_applied_is_known_and_kept_once(real_store):
    first = entry(2, "object", CaseState.PUBLICITY, event_id="platform-42")
    real_store.record(snapshot("case-2", "publicity", 2), [first])
    assert real_store.event_seen("case-2", "platform-42")
    assert not real_store.event_seen("case-2", "platform-43")
    assert not real_store.event_seen("case-3", "platform-42")
    assert real_store.record(snapshot("case-2", "publicity", 2), [first]) == 0  # retried


def test_the_cases_whose_deadlines_a_year_touches(real_store):
    def deadline(first: int, last: int) -> SnapshotDeadline:
        return SnapshotDeadline(
            name="public_notice",
            date=dt.date(last, 1, 5),
            closes_at=T0,
            provisional=True,
            first_year=first,
            last_year=last,
        )

    real_store.record(snapshot("spans", "publicity", 1, deadlines=[deadline(2026, 2027)]), [])
    real_store.record(snapshot("later", "publicity", 1, deadlines=[deadline(2028, 2028)]), [])
    real_store.record(snapshot("ended", "rejected", 1, deadlines=[deadline(2027, 2027)]), [])
    assert real_store.cases_touching(2027) == ["spans"]
    real_store.record(snapshot("spans", "publicity", 2, deadlines=[]), [])  # it passed
    assert real_store.cases_touching(2027) == []


def test_the_first_clock_recorded_is_the_systems(real_store):
    real = dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)
    first = real_store.business_clock(configured(dt.date(2025, 9, 26), 10, real))
    later = real_store.business_clock(
        configured(dt.date(2025, 9, 26), 10, real + dt.timedelta(hours=5))
    )
    assert later == first and later.real_origin == real


def test_a_command_whose_clock_settings_differ_is_told_which(real_store, monkeypatch, tmp_path):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("LIFECYCLE_BUSINESS_START", "2025-09-26")
    monkeypatch.setenv("LIFECYCLE_DAY_SECONDS", "10")
    assert business_clock(Settings.from_env(), real_store).start == dt.date(2025, 9, 26)
    monkeypatch.delenv("LIFECYCLE_BUSINESS_START")
    with pytest.raises(Misconfigured) as told:
        business_clock(Settings.from_env(), real_store)
    assert str(told.value).startswith(
        "This system runs on business time from 2025-09-26 00:00 Asia/Shanghai, 10 s per day "
        "(recorded when it first ran), but LIFECYCLE_BUSINESS_START is not set here;"
    )
    monkeypatch.setenv("LIFECYCLE_BUSINESS_START", "2025-09-26")
    monkeypatch.setenv("LIFECYCLE_DAY_SECONDS", "60")
    with pytest.raises(Misconfigured, match="but LIFECYCLE_DAY_SECONDS is 60 here;"):
        business_clock(Settings.from_env(), real_store)


def test_a_store_at_the_newest_revision_is_opened_without_alembic(tmp_path):
    """HEAD is Alembic's head; a new store is migrated to it; a store at it is opened as it is
    (no migration run), and one a revision behind is upgraded."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert revision(engine) is None
    migrate(engine)
    assert revision(engine) == HEAD
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'not-a-revision'"))
    with pytest.raises(Exception, match="not-a-revision"):
        migrate(engine)  # not at HEAD: Alembic is asked, and it does not know that revision
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": HEAD})
        conn.execute(text("DROP TABLE cases"))
    migrate(engine)  # at HEAD: taken as it is, whatever its tables
    with engine.connect() as conn:
        assert "cases" not in sa.inspect(conn).get_table_names()


def test_migrating_a_store_with_selected_cases_backfills_their_places(tmp_path):
    """A store from before reservations: the cases it had already selected hold their places
    once migrated, so the cap counts them."""
    url = os.environ.get("LIFECYCLE_TEST_PG_URL") or f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        cases = sa.table(
            "cases",
            *(sa.column(c) for c in ("case_id", "policy", "round", "credit_code")),
            *(sa.column(c) for c in ("provider_name", "district", "provider_type", "state")),
            sa.column("sectors", sa.JSON),
            sa.column("selected", sa.Boolean),
            sa.column("next_deadline_provisional", sa.Boolean),
            sa.column("last_seq", sa.Integer),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        )
        conn.execute(
            cases.insert().values(
                case_id="old",
                policy="qingdao-2024",
                round="r",
                credit_code="x",
                provider_name="n",
                district="d",
                provider_type="chain_leader",
                state="listed",
                sectors=["rail_transit"],
                selected=True,
                next_deadline_provisional=False,
                last_seq=6,
                updated_at=T0,
            )
        )
    migrate(engine)
    store = Store(sessionmaker(engine, expire_on_commit=False))
    assert store.held("old") == [POOL]
    assert not store.reserve(request("new", capacity=1), T0).granted
    engine.dispose()


async def test_a_malformed_holiday_file_is_retried_a_question_past_the_calendar_is_not(tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "2027.toml").write_text("year = 2027\n", encoding="utf-8")
    acts = CalendarActivities(lambda: WorkingCalendar.from_dir(folder))
    env = ActivityEnvironment()
    ask = DeadlineRequest(rule="window", date=dt.date(2027, 9, 28), working_days=5)
    with pytest.raises(ApplicationError) as broken:
        await env.run(acts.compute_deadline, ask)
    assert (broken.value.type, broken.value.non_retryable) == (FILE_PROBLEM, False)
    assert broken.value.message.endswith("2027.toml: notice: Field required.")
    (folder / "2027.toml").unlink()
    past = DeadlineRequest(rule="window", date=dt.date(9999, 12, 30), working_days=5)
    with pytest.raises(ApplicationError) as impossible:
        await env.run(acts.compute_deadline, past)
    assert (impossible.value.type, impossible.value.non_retryable) == (BAD_QUESTION, True)
    counted = await env.run(acts.compute_deadline, ask)
    assert counted.notices == ["provisional: weekends and fixed-date statutory holidays only"]


def test_a_reminder_written_again_by_a_retried_record_is_kept_once(real_store):
    reminder = Notification(
        key="case-4:quarterly_self_report:2026-Q1:before3",
        case_id="case-4",
        role="provider",
        text="请报送本季度绩效材料",
        due=dt.date(2026, 4, 15),
    )
    for _ in range(3):  # the activity retried after its first write landed
        real_store.record(snapshot("case-4", "listed", 7), [], notifications=[reminder])
    rows = real_store.notifications()
    assert [(r.case_id, r.role, r.due) for r in rows] == [("case-4", "provider", reminder.due)]
    assert real_store.notifications(role="bureau_officer") == []
    assert real_store.notifications(due_from=dt.date(2026, 4, 16)) == []


def test_claims_are_exclusive_and_settings_are_the_last_set(real_store):
    transform = ClaimRequest(key="engagement:P:E", holder="transformation", what="", clause="")
    assess = transform.model_copy(update={"holder": "assessment"})
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda r: real_store.claim_key(r, T0), [transform, assess] * 4))
    winners = {r.held_by for r in results}
    assert len(winners) == 1
    assert all(
        r.granted == (r.held_by == h.holder)
        for r, h in zip(results, [transform, assess] * 4, strict=True)
    )
    real_store.set_setting("wenzhou-2021", "city_diagnosis_target.2026", 100, T0)
    real_store.set_setting("wenzhou-2021", "city_diagnosis_target.2026", 120, T0)
    assert real_store.settings("wenzhou-2021", ["city_diagnosis_target.2026", "x"]) == {
        "city_diagnosis_target.2026": 120
    }


def test_a_record_writes_the_provider_deadlines_and_work_only_when_they_change(real_store):
    """Each record writes the case and its new audit rows; the provider, the deadlines and the
    work waiting are written again only when the case's projection of them changed (the
    statements the database was sent are counted)."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement.split("(")[0].split(" WHERE")[0].strip())

    def tables() -> set[str]:
        found = {s.split()[2].strip('"') for s in sent if s.startswith(("INSERT", "DELETE"))}
        found |= {s.split()[1].strip('"') for s in sent if s.startswith("UPDATE")}
        sent.clear()
        return found

    notice = SnapshotDeadline(
        name="public_notice", date=dt.date(2025, 10, 10), closes_at=T0, provisional=False,
        first_year=2025, last_year=2025,
    )  # fmt: skip
    sa.event.listen(real_store.engine, "before_cursor_execute", seen)
    real_store.record(snapshot("c", "publicity", 1, deadlines=[notice]), [entry(1, "a", CaseState.PUBLICITY)])  # fmt: skip
    assert {"providers", "cases", "case_deadlines", "audit_log"} <= tables()
    real_store.record(snapshot("c", "publicity", 2, deadlines=[notice]), [entry(2, "b", CaseState.PUBLICITY)])  # fmt: skip
    assert tables() == {"cases", "audit_log"}
    later = notice.model_copy(update={"date": dt.date(2025, 10, 13)})
    real_store.record(snapshot("c", "publicity", 3, deadlines=[later]), [entry(3, "c", CaseState.PUBLICITY)])  # fmt: skip
    assert tables() == {"cases", "case_deadlines", "audit_log"}
    renamed = snapshot("c", "publicity", 4, deadlines=[later], provider_name="乙")
    real_store.record(renamed, [entry(4, "d", CaseState.PUBLICITY)])
    assert tables() == {"providers", "cases", "audit_log"}
    real_store.record(snapshot("c", "publicity", 3, deadlines=[]), [])  # stale: nothing moves
    assert tables() == set()
    with real_store.sessions() as s:
        assert s.scalars(sa.select(CaseDeadlineRow.date)).all() == [dt.date(2025, 10, 13)]
        assert s.scalar(sa.select(ProviderRow.name)) == "乙"
        assert verify.verify(s, "c").breaks == []  # the chain holds across the records
    assert [r.seq for r in real_store.audit("c")] == [1, 2, 3, 4]


def test_a_prepared_statement_writes_and_reads_as_sqlalchemy_does(real_store):
    """A statement run on the DB-API cursor fills the columns' own defaults, converts instants
    and JSON both ways as the ORM does, and a driver's error is SQLAlchemy's, with the
    driver's sentence."""
    engine = real_store.engine
    cases = CaseRow.__table__
    add = Prepared(sa.insert(cases), engine.dialect)
    read = Prepared(
        sa.select(cases.c.updated_at, cases.c.sectors).where(
            cases.c.case_id == sa.bindparam("case_id")
        ),
        engine.dialect,
    )
    at = dt.datetime(2025, 10, 9, 23, 30, tzinfo=SHANGHAI)
    row = {
        "case_id": "p", "policy": "qingdao-2024", "round": "r", "credit_code": "C",
        "provider_name": "甲", "district": "市南区", "state": "applied", "last_seq": 1,
        "updated_at": at,
    }  # fmt: skip
    with engine.begin() as c:
        add.run(c, row)
        assert read.run(c, {"case_id": "p"}) == [(at.astimezone(dt.UTC), [])]
    with real_store.sessions() as s:
        stored = s.get(CaseRow, "p")
        assert stored is not None
        assert (stored.sectors, stored.selected, stored.next_deadline_provisional) == (
            [],
            False,
            False,
        )
        assert stored.updated_at == at
    with pytest.raises(sa.exc.IntegrityError) as twice, engine.begin() as c:
        add.run(c, row)
    assert twice.value.orig is not None and "UNIQUE" in str(twice.value.orig).upper()
