"""`lifecycle case …`: applying, deciding and reading cases, directly or through the gateway."""

from __future__ import annotations

import click

from lifecycle.app import Invalid, access, packs, records, rules
from lifecycle.app import cases as service
from lifecycle.app.cases import checked_case_id
from lifecycle.app.inputs import act_request, actor, application, move_request, state
from lifecycle.app.views.cases import case_json, case_text, history_lines
from lifecycle.app.views.records import case_line
from lifecycle.app.views.time import at
from lifecycle.cli.common import emit, named, read_data, read_json, run, system
from lifecycle.cli.remote import remote
from lifecycle.config import Settings

TEXTS_HELP = "Show complaint texts (an enterprise's business): officers only, with --as."
AS_HELP = "Who asks for the texts: bureau_officer:ID or district_officer:ID@DISTRICT."


@click.group()
def case() -> None:
    """Provider cases: apply, act, move, show, list, history."""


@case.command("apply")
@click.argument("policy")
@click.argument("file")
@click.option("--round", "round_name", help="The call's round (default: the pack's).")
def case_apply(policy: str, file: str, round_name: str | None) -> None:
    """Apply to POLICY with the application in FILE (JSON); prints the case id."""
    rules.pack(policy)
    app = application(read_json("FILE", file), file)
    gateway = remote()
    if gateway:
        body = {"policy": policy, "round": round_name, "application": app.model_dump(mode="json")}
        click.echo(gateway.call("POST", "/cases", body)["case_id"])
        return
    click.echo(run(lambda s: service.apply(s, policy, app, round_name)))


class _ActCommand(click.Command):
    """`case act --help` ends with every action each role may take, from the packs."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section(
            "Actions by role (every programme; 'lifecycle policy show "
            "POLICY' gives each one's clauses)"
        ):
            formatter.write_dl(
                [(role, ", ".join(actions)) for role, actions in rules.actions_by_role().items()]
            )


@case.command("act", cls=_ActCommand)
@click.argument("case_id")
@click.argument("action")
@click.option(
    "--as",
    "actor_",
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
    actor_: str | None,
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
    payload = read_data("--data", data)
    fields = {
        "action": action,
        "reason": reason,
        "clause": clause,
        "data": payload,
        "expected_seq": expect_seq,
        "request_id": request_id,
    }
    gateway = remote()
    if gateway:
        done = gateway.call("POST", f"/cases/{case_id}/actions", {**fields, "actor": actor_})
        again = " (applied before: the same request)" if done["duplicate"] else ""
        click.echo(f"{case_id}: {done['state']} (#{done['seq']} {action}){again}")
        return
    who = named(actor_)
    access.asserted(Settings.from_env())
    request = act_request(actor=who, **fields)
    result = run(lambda s: service.act(s, case_id, request))
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
@click.option("--as", "actor_", required=True, help="bureau_officer:ID.")
@click.option("--reason", default="", help="Why the case moves to other rules (required).")
def case_move(case_id: str, version: str, actor_: str, reason: str) -> None:
    """Move a running case to another version of its programme's rules (audited)."""
    checked_case_id(case_id)
    gateway = remote()
    if gateway:
        body = {"to": version, "reason": reason}
        done = gateway.call("POST", f"/cases/{case_id}/move", body)
        click.echo(
            f"{case_id}: {done['state']} under rules {done['rules']} (#{done['seq']} move_rules)"
        )
        return
    access.asserted(Settings.from_env())
    request = move_request(version=version, actor=actor_, reason=reason)
    result, moved = run(lambda s: service.move(s, case_id, request))
    click.echo(f"{case_id}: {result.state.value} under rules {moved} (#{result.seq} move_rules)")


def _texts_allowed(texts: bool, actor_: str | None) -> bool:
    """Complaint texts are shown to an officer who names themself; refused otherwise."""
    if not texts:
        return False
    if actor_ is None:
        raise Invalid("--texts shows complaint texts to officers only; add --as ROLE:ID.")
    access.texts_for(actor(actor_).role, f"--as is '{actor_}': ")
    return True


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@click.option("--texts", is_flag=True, help=TEXTS_HELP)
@click.option("--as", "actor_", default=None, help=AS_HELP)
def case_show(case_id: str, as_json: bool, texts: bool, actor_: str | None) -> None:
    """State, rules, deadlines, findings, objections, what a listed provider recorded (quota
    use, services, filings, complaints, reports, changes, partners, open decisions), the actions
    open now (and who may take them) and the audit trail of a case."""
    checked_case_id(case_id)
    gateway = remote()
    if gateway:
        params = {"texts": texts, "format": "json" if as_json else "text"}
        answer = gateway.call("GET", f"/cases/{case_id}", params=params)
        emit(as_json, answer, answer if isinstance(answer, str) else "")
        return
    shown = _texts_allowed(texts, actor_)
    view, trail = run(lambda s: service.show(s, case_id))
    emit(as_json, case_json(view, trail, shown), case_text(view, trail, shown))


@case.command("list")
@click.option("--state", "state_", default=None)
@click.option("--policy", default=None)
@click.option(
    "--pending-decision",
    "pending",
    is_flag=True,
    help="Only cases waiting on an officer's decision (a complaints threshold reached, …).",
)
@click.option(
    "--rules-behind",
    "behind",
    is_flag=True,
    help="Only open cases on an older version of their programme's rules than the current one, "
    "with the actions a move would give them.",
)
@click.option("--json", "as_json", is_flag=True)
def case_list(
    state_: str | None, policy: str | None, pending: bool, behind: bool, as_json: bool
) -> None:
    """Cases from the read model, one row each, optionally by state and programme."""
    state(state_)
    if policy is not None:
        rules.ref(policy)  # an unknown programme is refused, naming the known ones
    if behind:
        found = packs.behind(system(), policy)
        emit(
            as_json,
            [vars(b) for b in found],
            [
                f"{b.case_id}\t{b.state}\trules {b.version}, current {b.current}\t"
                f"a move gives: {', '.join(b.gains) or 'no new action'}"
                for b in found
            ],
        )
        if not found and not as_json:
            click.echo("No open case is behind its programme's rules.", err=True)
        return
    gateway = remote()
    if gateway:
        params = {"state": state_, "policy": policy, "pending_decision": pending}
        listed = gateway.call("GET", "/cases", params=params)
    else:
        here = system()
        rehearsal = here.rehearsal()
        if rehearsal:
            click.echo(
                f"Business time now {at(here.business_now())} (Asia/Shanghai), not real time: "
                f"{rehearsal}.",
                err=True,
            )
        listed = records.cases(here.store, state=state_, policy=policy, pending=pending)
    emit(as_json, listed, [case_line(r) for r in listed])


@case.command("history")
@click.argument("case_id")
@click.option("--texts", is_flag=True, help=TEXTS_HELP)
@click.option("--as", "actor_", default=None, help=AS_HELP)
def case_history(case_id: str, texts: bool, actor_: str | None) -> None:
    """The audit trail of a case, from the store."""
    checked_case_id(case_id)
    gateway = remote()
    if gateway:
        params = {"texts": texts, "format": "text"}
        click.echo(gateway.call("GET", f"/cases/{case_id}/history", params=params))
        return
    shown = _texts_allowed(texts, actor_)
    for line in history_lines(records.history(system().store, case_id), shown):
        click.echo(line)


COMMANDS = [case]
