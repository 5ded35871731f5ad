"""`lifecycle case …` and `lifecycle round …`: applying, deciding and reading cases."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError
from temporalio.client import Client

from lifecycle.calendar import SHANGHAI
from lifecycle.cases import CaseService, checked_case_id, policy_of, resolve_round
from lifecycle.cli_render import at, case_json, case_row_json, case_text, closes, history_lines
from lifecycle.clock import DAY, BusinessClock, configured
from lifecycle.config import Settings, UserError, parse_date
from lifecycle.contracts import ActRequest, ActResult, MoveRequest
from lifecycle.domain import invalid, limits, rounds
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.application import Application, input_problem
from lifecycle.domain.phases.complaints import text_refusal
from lifecycle.domain.states import CaseState
from lifecycle.policies import REGISTRY, PolicyPack, load_pack
from lifecycle.remote import asserted_allowed, remote
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect

T = TypeVar("T")


Connected = Callable[[Client, Store, BusinessClock, Settings], Awaitable[T]]


def run_connected(work: Connected[T]) -> T:
    """``work`` with a Temporal client, the store and the system's business clock."""
    settings = Settings.from_env()
    store = _store(settings)
    clock = system_clock(settings, store)

    async def main() -> T:
        return await work(await connect(settings), store, clock, settings)

    return asyncio.run(main())


def run_cases(work: Callable[[CaseService], Awaitable[T]]) -> T:
    return run_connected(
        lambda client, store, clock, settings: work(
            CaseService(client, store, clock, act_timeout=settings.act_timeout)
        )
    )


def _store(settings: Settings) -> Store:
    return Store.from_url(settings.db_url)


def system_clock(settings: Settings, store: Store) -> BusinessClock:
    """The business clock every process of this system shares (recorded when first run)."""
    wanted = configured(settings.business_start, settings.day_seconds, dt.datetime.now(dt.UTC))
    return store.business_clock(wanted)


def read_json(label: str, source: str) -> Any:
    """A JSON file, or inline JSON when the text starts with '{'; one sentence for a file that
    cannot be read, is too large, is not UTF-8 or is not JSON a person would write."""
    shown = limits.shorten(source)
    try:
        raw = (
            source.encode("utf-8") if source.lstrip().startswith("{") else Path(source).read_bytes()
        )
    except (OSError, UnicodeEncodeError) as exc:
        detail = getattr(exc, "strerror", None) or "not a file name"
        raise UserError(f"{label} '{shown}' cannot be read ({detail}).") from exc
    if len(raw) > limits.FILE_BYTES:
        raise UserError(
            f"{label} '{shown}' is {len(raw)} bytes; it may be at most {limits.FILE_BYTES} "
            "(engine rule)."
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UserError(f"{label} '{shown}' is not UTF-8 text (byte {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{label} '{shown}' is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc
    except RecursionError:
        raise UserError(
            f"{label} '{shown}' nests too deeply to read; at most {limits.DATA_DEPTH} levels "
            "(engine rule)."
        ) from None


def load_application(path: str) -> Application:
    shown = path
    try:
        app = Application.model_validate(read_json("FILE", path))
    except ValidationError as exc:
        raise UserError(invalid.sentence(exc.errors()[0], shown)) from exc
    problem = input_problem(app)
    if problem:
        raise UserError(f"{shown}: {problem}")
    return app


@click.command("clock")
@click.option("--json", "as_json", is_flag=True)
def clock_command(as_json: bool) -> None:
    """The system's business time now, and how its clock runs."""
    settings = Settings.from_env()
    clock = system_clock(settings, _store(settings))
    real = dt.datetime.now(dt.UTC)
    now = clock.anchored(real).now(real).astimezone(SHANGHAI)
    if as_json:
        click.echo(json.dumps({"business_now": now.isoformat(), "clock": clock.describe()}))
    else:
        click.echo(f"{now:%Y-%m-%d %H:%M} (Asia/Shanghai): {clock.describe()}")


def register(cli: click.Group) -> None:
    from lifecycle import cli_listed, cli_rounds
    from lifecycle.cli_audit import audit, events

    cli_listed.register(cli)
    cli_rounds.register(round_group)
    cli.add_command(clock_command)
    cli.add_command(case)
    cli.add_command(round_group)
    cli.add_command(audit)
    cli.add_command(events)


@click.group()
def case() -> None:
    """Provider cases: apply, act, move, show, list, history."""


@case.command("apply")
@click.argument("policy")
@click.argument("file")
@click.option("--round", "round_name", help="The call's round (default: the pack's).")
def case_apply(policy: str, file: str, round_name: str | None) -> None:
    """Apply to POLICY with the application in FILE (JSON); prints the case id."""
    load_pack(policy)
    app = load_application(file)
    gateway = remote()
    if gateway:
        body = {"policy": policy, "round": round_name, "application": app.model_dump(mode="json")}
        click.echo(gateway.call("POST", "/cases", body)["case_id"])
        return
    click.echo(run_cases(lambda s: s.apply(policy, app, round_name)))


class _ActCommand(click.Command):
    """`case act --help` ends with every action each role may take, from the packs."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        by_role: dict[str, dict[str, None]] = {}
        for policy in REGISTRY.ids():
            pack = REGISTRY.get(REGISTRY.current(policy))
            for t in pack.transitions:
                for role in t.roles:
                    if role != "system":
                        by_role.setdefault(role.value, {})[t.trigger] = None
        with formatter.section(
            "Actions by role (every programme; 'lifecycle policy show "
            "POLICY' gives each one's clauses)"
        ):
            formatter.write_dl([(role, ", ".join(actions)) for role, actions in by_role.items()])


@case.command("act", cls=_ActCommand)
@click.argument("case_id")
@click.argument("action")
@click.option(
    "--as",
    "actor",
    default=None,
    help="ROLE:ID (district_officer:ID@DISTRICT); through the gateway your token says who you "
    "are and --as may be left out.",
)
@click.option("--reason", default="", help="Why (required for adverse decisions).")
@click.option("--clause", default=None, help="The clause applied, if not the action's own.")
@click.option("--data", "data", default=None, help="JSON file (or inline JSON) for the action.")
@click.option(
    "--expect-seq",
    type=int,
    default=None,
    help="The case's last change (#N) as you read it (default: read it now); an action against "
    "a case changed since is refused.",
)
@click.option(
    "--request-id",
    default=None,
    help="Idempotency key: the same key is applied once (default: derived from the command "
    "and the case's last change, so the same command sent again is the same request).",
)
def case_act(
    case_id: str,
    action: str,
    actor: str | None,
    reason: str,
    clause: str | None,
    data: str | None,
    expect_seq: int | None,
    request_id: str | None,
) -> None:
    """Take ACTION on CASE_ID as a person in a role; refused actions change nothing.

    Exit codes: 0 applied (or applied before, for the same request), 2 refused, 3 no answer in
    LIFECYCLE_ACT_TIMEOUT seconds (the action may still be applied), 1 the system is not usable.
    """
    checked_case_id(case_id)
    payload = read_json("--data", data) if data else {}
    if not isinstance(payload, dict):
        raise UserError(f"--data '{limits.shorten(data)}' must be a JSON object.")
    gateway = remote()
    if gateway:
        body = {
            "action": action,
            "actor": actor,
            "reason": reason,
            "clause": clause,
            "data": payload,
            "expected_seq": expect_seq,
            "request_id": request_id,
        }
        done = gateway.call("POST", f"/cases/{case_id}/actions", body)
        again = " (applied before: the same request)" if done["duplicate"] else ""
        click.echo(f"{case_id}: {done['state']} (#{done['seq']} {action}){again}")
        return
    if actor is None:
        raise UserError(
            "--as is required: name yourself as ROLE:ID (commands sent to Temporal directly, "
            "the development set-up; through the gateway your token names you)."
        )
    asserted_allowed()
    request = ActRequest(
        action=action,
        actor=actor,
        reason=reason,
        clause=clause,
        data=payload,
        expected_seq=expect_seq,
        request_id=request_id,
    )
    problem = request.problem()
    if problem:
        raise UserError(problem)
    try:
        Actor.parse(actor)
    except ActorError as exc:
        raise UserError(str(exc)) from None

    async def act(service: CaseService) -> ActResult:
        seq = request.expected_seq
        if seq is None:
            seq = await service.last_seq(case_id)
        return await service.act(case_id, request.model_copy(update={"expected_seq": seq}))

    result = run_cases(act)
    again = " (applied before: the same request)" if result.duplicate else ""
    click.echo(f"{case_id}: {result.state.value} (#{result.seq} {action}){again}")
    if not result.recorded:
        click.echo(
            "The decision stands, but the store is unavailable; the case records it once the "
            "store is back ('lifecycle case show' tells what it waits on).",
            err=True,
        )


@case.command("move")
@click.argument("case_id")
@click.option(
    "--to", "version", required=True, help="A version of the case's programme, or 'current'."
)
@click.option("--as", "actor", required=True, help="bureau_officer:ID.")
@click.option("--reason", default="", help="Why the case moves to other rules (required).")
def case_move(case_id: str, version: str, actor: str, reason: str) -> None:
    """Move a running case to another version of its programme's rules (audited)."""
    gateway = remote()
    if gateway:
        body = {"to": version, "reason": reason}
        done = gateway.call("POST", f"/cases/{checked_case_id(case_id)}/move", body)
        click.echo(
            f"{case_id}: {done['state']} under rules {done['rules']} (#{done['seq']} move_rules)"
        )
        return
    asserted_allowed()
    if version == "current":
        version = REGISTRY.current(policy_of(case_id)).version
    request = MoveRequest(version=version, actor=actor, reason=reason)
    result = run_cases(lambda s: s.move(case_id, request))
    click.echo(f"{case_id}: {result.state.value} under rules {version} (#{result.seq} move_rules)")


TEXTS_HELP = "Show complaint texts (an enterprise's business): officers only, with --as."
AS_HELP = "Who asks for the texts: bureau_officer:ID or district_officer:ID@DISTRICT."


def _texts_allowed(texts: bool, actor: str | None) -> bool:
    """Complaint texts are shown to an officer who names themself; refused otherwise."""
    if not texts:
        return False
    if actor is None:
        raise UserError("--texts shows complaint texts to officers only; add --as ROLE:ID.")
    try:
        who = Actor.parse(actor)
    except ActorError as exc:
        raise UserError(str(exc)) from None
    refusal = text_refusal(who.role)
    if refusal:
        raise UserError(f"--as is '{actor}': {refusal}")
    return True


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@click.option("--texts", is_flag=True, help=TEXTS_HELP)
@click.option("--as", "actor", default=None, help=AS_HELP)
def case_show(case_id: str, as_json: bool, texts: bool, actor: str | None) -> None:
    """State, rules, deadlines, findings, objections, what a listed provider recorded (quota
    use, services, filings, complaints, reports, changes, partners, open decisions) and the
    audit trail of a case."""
    checked_case_id(case_id)
    gateway = remote()
    if gateway:
        params = {"texts": texts, "format": "json" if as_json else "text"}
        answer = gateway.call("GET", f"/cases/{case_id}", params=params)
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2) if as_json else answer)
        return
    shown = _texts_allowed(texts, actor)
    view = run_cases(lambda s: s.view(case_id))
    trail = _store(Settings.from_env()).audit(case_id)
    if as_json:
        click.echo(json.dumps(case_json(view, trail, shown), ensure_ascii=False, indent=2))
    else:
        click.echo(case_text(view, trail, shown))


@case.command("list")
@click.option("--state", default=None)
@click.option("--policy", default=None)
@click.option(
    "--pending-decision",
    "pending",
    is_flag=True,
    help="Only cases waiting on an officer's decision (a complaints threshold reached, …).",
)
@click.option("--json", "as_json", is_flag=True)
def case_list(state: str | None, policy: str | None, pending: bool, as_json: bool) -> None:
    """Cases from the read model, optionally by state and policy."""
    if state is not None and state not in {s.value for s in CaseState}:
        raise UserError(
            f"--state is '{limits.shorten(state)}'; states: "
            f"{', '.join(s.value for s in CaseState)}."
        )
    if policy is not None:
        load_pack(policy)  # an unknown programme is refused, naming the known ones
    gateway = remote()
    if gateway:
        params = {"state": state, "policy": policy, "pending_decision": pending}
        listed = gateway.call("GET", "/cases", params=params)
        if as_json:
            click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        for r in [] if as_json else listed:
            deadline = (
                f"  next {r['next_deadline'][:16].replace('T', ' ')}" if r["next_deadline"] else ""
            )
            decision = f"  decision: {r['pending_decision']}" if r["pending_decision"] else ""
            click.echo(f"{r['case_id']}\t{r['state']}\t{r['name']}{deadline}{decision}")
        return
    settings = Settings.from_env()
    store = _store(settings)
    clock = system_clock(settings, store)
    if clock.day_seconds != DAY or clock.start is not None:
        real = dt.datetime.now(dt.UTC)
        click.echo(
            f"Business time now {at(clock.anchored(real).now(real))} (Asia/Shanghai), not real "
            f"time: {clock.describe()}.",
            err=True,
        )
    rows = store.cases(state=state, policy=policy, pending=pending)
    if as_json:
        listed = [case_row_json(r) for r in rows]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for r in rows:
        deadline = f"  next {closes(r.next_deadline)}" if r.next_deadline else ""
        decision = f"  decision: {r.pending_decision}" if r.pending_decision else ""
        click.echo(f"{r.case_id}\t{r.state}\t{r.provider_name}{deadline}{decision}")


@case.command("history")
@click.argument("case_id")
@click.option("--texts", is_flag=True, help=TEXTS_HELP)
@click.option("--as", "actor", default=None, help=AS_HELP)
def case_history(case_id: str, texts: bool, actor: str | None) -> None:
    """The audit trail of a case, from the store."""
    gateway = remote()
    if gateway:
        params = {"texts": texts, "format": "text"}
        click.echo(gateway.call("GET", f"/cases/{checked_case_id(case_id)}/history", params=params))
        return
    shown = _texts_allowed(texts, actor)
    rows = _store(Settings.from_env()).audit(checked_case_id(case_id))
    if not rows:
        raise UserError(f"There is no case '{case_id}' in the store.")
    for line in history_lines(rows, shown):
        click.echo(line)


@click.group("round")
def round_group() -> None:
    """Rounds: a call's rounds and their dates (set), and evaluation rounds (start, score,
    close, show, list)."""


def _date_option(name: str, value: str | None) -> dt.date | None:
    return None if value is None else parse_date(name, value)


@round_group.command("set")
@click.argument("policy")
@click.argument("name")
@click.option("--applications-close", default=None, help="Applications close 24:00 of DATE.")
@click.option("--preliminary-review-due", default=None)
@click.option("--expert-review-due", default=None)
def round_set(
    policy: str,
    name: str,
    applications_close: str | None,
    preliminary_review_due: str | None,
    expert_review_due: str | None,
) -> None:
    """Open a round of POLICY (or change the dates given; the others are kept)."""
    pack = load_pack(policy)
    settings = Settings.from_env()
    changes = {
        "applications_close": _date_option("--applications-close", applications_close),
        "preliminary_review_due": _date_option("--preliminary-review-due", preliminary_review_due),
        "expert_review_due": _date_option("--expert-review-due", expert_review_due),
    }
    gateway = remote(settings)
    if gateway:
        dates = {k: v.isoformat() for k, v in changes.items() if v is not None}
        gateway.call("PUT", f"/calls/{policy}/rounds/{name}", dates)
        click.echo(f"{policy} round {name} set")
        return
    store = _store(settings)
    now = dt.datetime.now(dt.UTC)
    today = system_clock(settings, store).anchored(now).now(now).date()
    set_call_round(store, pack, name, changes, today)
    click.echo(f"{policy} round {name} set")


def set_call_round(
    store: Store, pack: PolicyPack, name: str, changes: dict[str, Any], today: dt.date
) -> None:
    """Opens a call's round, or changes the dates given (the others are kept)."""
    policy = pack.id
    named = limits.round_name("round", name) is None  # a bad name is refused below
    row = store.round(policy, name) if named else None
    current = pack.round(name) if row is None else resolve_round(store, pack, name)[1]
    try:
        merged = rounds.changed(name, current, changes, today)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    store.set_round(policy, name, **merged.model_dump())
