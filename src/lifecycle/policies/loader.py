"""Loading and validating policy packs; a bad pack is refused naming file, path and rule."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from pydantic import ValidationError

from lifecycle.policies.coherence import PackCoherenceError
from lifecycle.policies.schema import PolicyPack

PACK_DIR = Path(__file__).parent / "packs"


class PackError(ValueError):
    """A pack that cannot be used; the message is one sentence naming file, path and rule."""


def load_pack_file(path: Path) -> PolicyPack:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PackError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML ({exc}).") from exc
    try:
        pack = PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{path}: {_describe(exc)}.") from exc
    if pack.id != path.stem:
        raise PackError(f"{path}: id: '{pack.id}' must match the file name '{path.stem}'.")
    return pack


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, PackCoherenceError):
        return str(cause)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    value = err.get("input")
    shown = f" (value {value!r})" if not isinstance(value, dict | list) else ""
    return f"{where or '(top level)'}: {err['msg']}{shown}"


def pack_ids() -> list[str]:
    return sorted(p.stem for p in PACK_DIR.glob("*.toml"))


@functools.cache
def load_pack(pack_id: str) -> PolicyPack:
    path = PACK_DIR / f"{pack_id}.toml"
    if not path.is_file():
        raise PackError(
            f"policy '{pack_id}' does not exist; the policies are: {', '.join(pack_ids())}."
        )
    return load_pack_file(path)
