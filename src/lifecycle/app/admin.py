"""The bureau's own settings as the console changes them: a call's rounds and their dates, an
evaluation round opened, a year's holiday notice checked and previewed before it is installed,
API keys made and revoked, and the events cases refused. Each is the same service the command
uses; only who may (bureau officers) is asked here."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecycle.app import access, keys, records, rules
from lifecycle.app.calls import resolve_round, set_call_round
from lifecycle.app.holidays import Installed, check_file, install
from lifecycle.app.identity import Principal
from lifecycle.app.inputs import role as checked_role
from lifecycle.app.system import System
from lifecycle.errors import Invalid

ROUND_DATES = ("applications_close", "preliminary_review_due", "expert_review_due")


def call_rounds(system: System, policy: str) -> list[dict[str, Any]]:
    """A programme's call rounds (its own and those the bureau opened), with their dates."""
    pack = rules.pack(policy)
    names = sorted({*pack.admission.rounds, *system.store.call_rounds(pack.id)})
    found = []
    for name in names:
        _, dates = resolve_round(system.store, pack, name)
        found.append({"name": name, **{d: getattr(dates, d) for d in ROUND_DATES}})
    return found


def set_round(
    system: System, who: Principal, policy: str, name: str, dates: dict[str, str]
) -> None:
    access.bureau(who, "set a call's rounds")
    pack = rules.pack(policy)
    changes: dict[str, dt.date | None] = {}
    for field in ROUND_DATES:
        text = (dates.get(field) or "").strip()
        if not text:
            changes[field] = None
            continue
        try:
            changes[field] = dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(
                f"{field} is '{text[:20]}'; it must be a date written YYYY-MM-DD."
            ) from None
    set_call_round(system.store, pack, name.strip(), changes, system.today())


@dataclass(frozen=True)
class Preview:
    """A year's notice as it would be installed: its days off and its make-up working days."""

    year: int
    notice: str
    days_off: list[tuple[str, str]]
    makeup: list[tuple[str, str]]
    text: str


def preview_calendar(who: Principal, text: str) -> Preview:
    """The notice checked whole (file, line and rule for its first problem) and shown."""
    access.bureau(who, "load a holiday calendar")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "uploaded.toml"
        path.write_text(text, encoding="utf-8")
        parsed = check_file(path)
    return Preview(
        year=parsed.year,
        notice=parsed.notice,
        days_off=[(d.isoformat(), n) for d, n in sorted(parsed.days_off().items())],
        makeup=[(d.isoformat(), n) for d, n in sorted(parsed.makeup_days().items())],
        text=text,
    )


async def install_calendar(system: System, who: Principal, text: str) -> Installed:
    access.bureau(who, "load a holiday calendar")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calendar.toml"
        path.write_text(text, encoding="utf-8")
        return await install(system, path)


def api_keys(system: System, who: Principal) -> list[dict[str, Any]]:
    access.bureau(who, "manage API keys")
    return keys.listed(system.store)


def make_key(system: System, who: Principal, fields: dict[str, str]) -> keys.Made:
    access.bureau(who, "manage API keys")
    role = fields.get("role", "")
    checked_role(role or None)
    if not role:
        raise Invalid("role is empty; choose the role the key acts in.")
    return keys.create(
        system,
        fields.get("name", "").strip(),
        role,
        district=fields.get("district", "").strip() or None,
        credit_code=fields.get("credit_code", "").strip().upper() or None,
    )


def revoke_key(system: System, who: Principal, name: str) -> dt.datetime:
    access.bureau(who, "manage API keys")
    return keys.revoke(system.store, name)


def rejected_events(system: System, who: Principal) -> list[dict[str, Any]]:
    access.rejected_events(who)
    return records.rejected(system.store)[-200:][::-1]
