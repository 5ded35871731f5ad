"""The ``lifecycle`` command: what bureau staff type. Errors are one sentence, never a trace."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from lifecycle import logs
from lifecycle.calendar import CalendarError, WorkingCalendar
from lifecycle.config import UserError, parse_date
from lifecycle.domain import credit_code
from lifecycle.domain.machine import CaseMachine
from lifecycle.policies import REGISTRY, PackError, load_pack, pack_ids


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise UserError(f"N is '{value}'; it must be a whole number of working days, at least 1.")
    return int(value)


def _calendar() -> WorkingCalendar:
    try:
        return WorkingCalendar.from_env()
    except CalendarError as exc:
        raise UserError(str(exc)) from exc


def _emit(as_json: bool, payload: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False) if as_json else text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Lifecycle engine for the service providers a bureau selects and pays."""
    logs.configure()


@cli.group()
def calendar() -> None:
    """Working days in Asia/Shanghai, as the State Council's holiday notices set them."""


@calendar.command("window", context_settings={"ignore_unknown_options": True})
@click.argument("date")
@click.argument("n")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
@click.option(
    "--exclude-opening-day", is_flag=True, help="Count from the next working day after DATE."
)
def calendar_window(date: str, n: str, as_json: bool, exclude_opening_day: bool) -> None:
    """Closing date of an N-working-day window opening on DATE (closes 24:00 that day)."""
    deadline = _calendar().window_close(
        parse_date("DATE", date), _count(n), opening_day_counts=not exclude_opening_day
    )
    _emit(
        as_json,
        {"date": deadline.date.isoformat(), "provisional": deadline.provisional},
        deadline.date.isoformat(),
    )


@calendar.command("before", context_settings={"ignore_unknown_options": True})
@click.argument("date")
@click.argument("n")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
def calendar_before(date: str, n: str, as_json: bool) -> None:
    """Latest on-time date for something due N working days before DATE."""
    deadline = _calendar().latest_before(parse_date("DATE", date), _count(n))
    _emit(
        as_json,
        {"date": deadline.date.isoformat(), "provisional": deadline.provisional},
        deadline.date.isoformat(),
    )


@calendar.command("is-workday")
@click.argument("date")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
def calendar_is_workday(date: str, as_json: bool) -> None:
    """Whether DATE is a working day: prints yes or no."""
    day = _calendar().day(parse_date("DATE", date))
    _emit(
        as_json,
        {"workday": day.workday, "provisional": day.provisional},
        "yes" if day.workday else "no",
    )


@cli.group("credit-code")
def credit_code_group() -> None:
    """Unified social credit codes (统一社会信用代码, GB 32100-2015)."""


@credit_code_group.command("check")
@click.argument("code")
def credit_code_check(code: str) -> None:
    """Print 'valid', or why CODE is not a valid credit code (exit 1)."""
    problem = credit_code.problem(code)
    if problem:
        raise UserError(problem[0].upper() + problem[1:], exit_code=1)
    click.echo("valid")


@cli.group()
def policy() -> None:
    """The programmes' policy packs."""


@policy.command("list")
def policy_list() -> None:
    """Each pack's id, title and source document."""
    for pack_id in pack_ids():
        pack = load_pack(pack_id)
        number = f" {pack.source.number}" if pack.source.number else ""
        click.echo(f"{pack.id}\t{pack.title}\t{pack.source.document}{number}")


@policy.command("show")
@click.argument("policy_id")
@click.option("--version", "version", default=None, help="A version (default: the current one).")
def policy_show(policy_id: str, version: str | None) -> None:
    """The whole pack as JSON (as the engine reads it, in today's format)."""
    ref = REGISTRY.current(policy_id)
    if version is not None:
        known = {r.version: r for r in REGISTRY.versions(policy_id)}
        if version not in known:
            raise UserError(
                f"--version '{version}' is not a version of {policy_id}; "
                f"'lifecycle policy versions {policy_id}' lists them."
            )
        ref = known[version]
    click.echo(REGISTRY.get(ref).model_dump_json(indent=2))


@policy.command("versions")
@click.argument("policy_id")
def policy_versions(policy_id: str) -> None:
    """Every version of a programme's rules this worker serves; new cases get the current one,
    a running case keeps its own until moved ('lifecycle case move')."""
    current = REGISTRY.current(policy_id)
    for ref in REGISTRY.versions(policy_id):
        pack = REGISTRY.get(ref)
        counted = ", ".join(
            f"{d.name} {d.working_days} working days" for d in pack.deadlines if d.working_days
        )
        mark = "current" if ref == current else "kept for running cases"
        click.echo(f"{ref.version}\t{mark}\t{len(pack.transitions)} actions; {counted or '-'}")


@policy.command("diagram")
@click.argument("policy_id")
def policy_diagram(policy_id: str) -> None:
    """A Mermaid state diagram of the programme's case machine."""
    click.echo(CaseMachine(load_pack(policy_id)).mermaid(), nl=False)


def _register() -> None:
    from lifecycle.cli_calendar import calendar_load
    from lifecycle.cli_cases import register
    from lifecycle.cli_evaluation import register as register_evaluation
    from lifecycle.cli_gateway import register as register_gateway
    from lifecycle.demo import demo

    register(cli)
    register_evaluation(cli)
    register_gateway(cli)
    calendar.add_command(calendar_load)
    cli.add_command(demo)


_register()


def main(argv: Sequence[str] | None = None) -> None:
    _exit(_main(argv))


def _main(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except (UserError, PackError, CalendarError) as exc:
        click.echo(str(exc), err=True)
        return getattr(exc, "exit_code", 2)
    except click.exceptions.NoArgsIsHelpError as exc:  # a bare group: its help, on stdout
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        return 0
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "lifecycle"
        click.echo(f"{exc.format_message()} (see '{command} --help')", err=True)
        return 2
    except click.Abort:
        return 130
    except Exception as exc:  # never a stack trace for a user; LIFECYCLE_DEBUG=1 shows it
        if os.environ.get("LIFECYCLE_DEBUG"):
            raise
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(
            f"lifecycle stopped on an unexpected {type(exc).__name__}"
            + (f" ({detail})" if detail else "")
            + "; nothing more was done. Run it again with LIFECYCLE_DEBUG=1 for the details.",
            err=True,
        )
        return 1
    return result if isinstance(result, int) else 0


def _exit(code: int) -> None:
    """Leave without interpreter finalisation: the Temporal client's native threads can abort
    a finalising interpreter (SIGABRT) after the command itself has succeeded."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
