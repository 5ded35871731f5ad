"""The registers as people read them: the case list, bans, reminders, refused events and API
keys; each row as JSON, and as the line the command prints from that JSON (so a command sent
through the gateway prints the same line)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.app.views.time import closes, iso
from lifecycle.store.keys import KeyHolder
from lifecycle.store.models import BanRow, NotificationRow, RejectedEventRow


def case_line(r: dict[str, Any]) -> str:
    """One case of ``case list``, from its JSON (``views.cases.case_row_json``)."""
    nxt = r["next_deadline"]
    deadline = f"  next {closes(dt.datetime.fromisoformat(nxt))}" if nxt else ""
    decision = f"  decision: {r['pending_decision']}" if r["pending_decision"] else ""
    return f"{r['case_id']}\t{r['state']}\t{r['name']}{deadline}{decision}"


def ban_json(r: BanRow) -> dict[str, Any]:
    return {
        "credit_code": r.credit_code,
        "policy": r.policy,
        "starts": r.starts.isoformat(),
        "ends": r.ends.isoformat() if r.ends else None,
        "reason": r.reason,
        "clause": r.clause,
        "case_id": r.case_id,
    }


def ban_line(r: dict[str, Any]) -> str:
    ends = f"until {r['ends']}" if r["ends"] else "for good"
    return (
        f"{r['credit_code']}\t{r['policy'] or 'every programme'}\tfrom {r['starts']} "
        f"{ends}\t{r['reason']} ({r['clause']})\t{r['case_id'] or ''}"
    )


def notification_json(r: NotificationRow) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "role": r.role,
        "text": r.text,
        "due": r.due.isoformat(),
        "written_at": r.written_at.isoformat(),
    }


def notification_line(r: dict[str, Any]) -> str:
    return f"{r['due']}\t{r['role']}\t{r['case_id']}\t{r['text']}"


def rejected_json(r: RejectedEventRow) -> dict[str, Any]:
    return {
        "received_at": iso(r.received_at),
        "case_id": r.case_id,
        "event_id": r.event_id,
        "action": r.action,
        "actor_role": r.actor_role,
        "reason": r.reason,
    }


def rejected_line(r: dict[str, Any]) -> str:
    return (
        f"{r['received_at'][:16].replace('T', ' ')}\t{r['case_id']}\t{r['event_id']}\t"
        f"{r['action']}\t{r['reason']}"
    )


def key_json(k: KeyHolder) -> dict[str, Any]:
    return {
        "name": k.name,
        "role": k.role,
        "scope": list(k.scope),
        "created_at": k.created_at.isoformat(),
        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
    }


def key_line(r: dict[str, Any]) -> str:
    revoked = r["revoked_at"]
    state = f"revoked {str(revoked)[:16]}" if revoked else "active"
    return f"{r['name']}\t{r['role']}\t{','.join(list(r['scope'] or []))}\t{state}"
