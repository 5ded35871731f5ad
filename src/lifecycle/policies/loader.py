"""Reading and validating pack documents; a bad one is refused naming file, path and rule."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lifecycle.policies.coherence import PackCoherenceError, check
from lifecycle.policies.migrations import FormatError, upgrade
from lifecycle.policies.schema import PolicyPack

PACK_DIR = Path(__file__).parent / "packs"
ARCHIVE_DIR = Path(__file__).parent / "archive"


class PackError(ValueError):
    """A pack that cannot be used; the message is one sentence naming file, path and rule."""


def read_document(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise PackError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: not valid TOML ({exc}).") from exc


def validate_document(doc: dict[str, Any], origin: str) -> PolicyPack:
    """The pack a document describes, upgraded from an older format if need be."""
    try:
        pack = PolicyPack.model_validate(upgrade(doc))
    except FormatError as exc:
        raise PackError(f"{origin}: {exc}.") from exc
    except ValidationError as exc:
        raise PackError(f"{origin}: {_describe(exc)}.") from exc
    try:
        check(pack)  # the pack as a whole: what refers to what, reachable states, clauses
    except PackCoherenceError as exc:
        raise PackError(f"{origin}: {exc}.") from exc
    return pack


def load_pack_file(path: Path) -> PolicyPack:
    pack = validate_document(read_document(path), str(path))
    if pack.id != path.stem:
        raise PackError(f"{path}: id: '{pack.id}' must match the file name '{path.stem}'.")
    return pack


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    value = err.get("input")
    shown = f" (value {value!r})" if not isinstance(value, dict | list) else ""
    return f"{where or '(top level)'}: {err['msg']}{shown}"
