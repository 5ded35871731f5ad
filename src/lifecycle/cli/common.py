"""What every command module shares: the system it reaches, its files read as JSON, and the
one way a command prints JSON or text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from lifecycle.app import Invalid
from lifecycle.app.inputs import data_object, json_of, shorten

if TYPE_CHECKING:
    from lifecycle.app.system import System

T = TypeVar("T")

AS_REQUIRED = (
    "--as is required: name yourself as ROLE:ID (commands sent to Temporal directly, the "
    "development set-up; through the gateway your token names you)."
)


def system() -> System:
    """The running system as this command reaches it: directly, with its own settings. Its
    store and Temporal's client are loaded here, when a command first needs them."""
    from lifecycle.app.system import System

    return System.from_env(direct=True)


def run(work: Callable[[System], Awaitable[T]]) -> T:
    """``work`` against the running system, in one event loop."""
    here = system()

    async def main() -> T:
        return await work(here)

    return asyncio.run(main())


def read_json(label: str, source: str) -> Any:
    """A JSON file, or inline JSON when the text starts with '{'; one sentence for a file that
    cannot be read, is too large, is not UTF-8 or is not JSON a person would write."""
    try:
        raw = (
            source.encode("utf-8") if source.lstrip().startswith("{") else Path(source).read_bytes()
        )
    except (OSError, UnicodeEncodeError) as exc:
        detail = getattr(exc, "strerror", None) or "not a file name"
        raise Invalid(f"{label} '{shorten(source)}' cannot be read ({detail}).") from exc
    return json_of(label, source, raw)


def read_data(label: str, source: str | None) -> dict[str, Any]:
    """An action's --data: a JSON object (empty when not given)."""
    if source is None:
        return {}
    return data_object(label, source, read_json(label, source))


def emit(as_json: bool, payload: Any, text: str | list[str], indent: int | None = 2) -> None:
    """JSON (as the gateway answers it) or the text a person reads."""
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=indent))
    elif isinstance(text, str):
        click.echo(text)
    elif text:  # a list with no rows prints nothing (the command says so on stderr)
        click.echo("\n".join(text))


def named(actor: str | None) -> str:
    if actor is None:
        raise Invalid(AS_REQUIRED)
    return actor
