"""The ``lifecycle`` command: what bureau staff type. Every command group registers here, in
one place; every error is one sentence on stderr and an exit code, never a trace:

    0 done · 1 the system is not usable (Temporal, the store, the gateway) · 2 refused
    (bad input, the rules, not allowed, not found, settings that do not fit) · 3 no answer in
    time (what was sent may still be applied)
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from lifecycle import logs
from lifecycle.app import (
    Invalid,
    LifecycleError,
    Misconfigured,
    NoAnswer,
    NotAllowed,
    NotFound,
    Refused,
    Unavailable,
)
from lifecycle.app.failures import unavailable

# Each kind of error and the exit code it gives (a subclass takes its parent's).
EXIT_CODES: dict[type[LifecycleError], int] = {
    Invalid: 2,
    Refused: 2,
    NotFound: 2,
    NotAllowed: 2,
    Misconfigured: 2,
    Unavailable: 1,
    NoAnswer: 3,
}
# Every command and the module that holds it, in one place. A module is loaded when its command
# runs, so a command pays only for what it uses ('calendar is-workday' never loads the store).
COMMANDS = {
    "policy": "lifecycle.cli.policy",
    "credit-code": "lifecycle.cli.policy",
    "score": "lifecycle.cli.policy",
    "quota": "lifecycle.cli.policy",
    "calendar": "lifecycle.cli.calendar",
    "case": "lifecycle.cli.cases",
    "round": "lifecycle.cli.rounds",
    "programme": "lifecycle.cli.programme",
    "publish": "lifecycle.cli.programme",
    "ban": "lifecycle.cli.programme",
    "setting": "lifecycle.cli.programme",
    "notifications": "lifecycle.cli.records",
    "events": "lifecycle.cli.records",
    "audit": "lifecycle.cli.records",
    "clock": "lifecycle.cli.records",
    "api-key": "lifecycle.cli.keys",
    "codec": "lifecycle.cli.keys",
    "demo": "lifecycle.cli.demo",
}


def exit_code(error: LifecycleError) -> int:
    return next(code for kind, code in EXIT_CODES.items() if isinstance(error, kind))


class Commands(click.Group):
    """The ``lifecycle`` group: its commands found in ``COMMANDS``, each module loaded on use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands or name not in COMMANDS:
            return self.commands.get(name)
        module = importlib.import_module(COMMANDS[name])
        found = next(c for c in module.COMMANDS if c.name == name)
        self.add_command(found)
        return found


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Lifecycle engine for the service providers a bureau selects and pays."""
    logs.configure(command=True)


def main(argv: Sequence[str] | None = None) -> None:
    _exit(answer(argv))


def answer(argv: Sequence[str] | None) -> int:
    """Runs one command; its exit code (every error said in one sentence on stderr)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except LifecycleError as exc:
        click.echo(str(exc), err=True)
        return exit_code(exc)
    except click.exceptions.NoArgsIsHelpError as exc:  # a bare group: its help, on stdout
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        return 0
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "lifecycle"
        click.echo(f"{exc.format_message()} (see '{command} --help')", err=True)
        return 2
    except click.Abort:
        return 130
    except SystemExit as exc:  # a command's own answer (a check that fails exits 1)
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # never a stack trace for a user; LIFECYCLE_DEBUG=1 shows it
        if os.environ.get("LIFECYCLE_DEBUG"):
            raise
        outage = unavailable(exc)
        if outage is not None:
            click.echo(str(outage), err=True)
            return exit_code(outage)
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
