"""What the store keeps beside the cases, for the people who answer for it: the case list, the
ban registry, reminders, refused events, the bureau's settings and the audit chains."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from lifecycle.app import rules
from lifecycle.app.views import records as views
from lifecycle.app.views.cases import case_row_json
from lifecycle.calendar import SHANGHAI
from lifecycle.config import Settings
from lifecycle.domain import quota
from lifecycle.errors import Invalid, NotFound
from lifecycle.store.repo import Store
from lifecycle.store.verify import Checked, verify
from lifecycle.temporal.codec import KeyRing


def cases(
    store: Store,
    state: str | None = None,
    policy: str | None = None,
    pending: bool = False,
    district: str | None = None,
    credit_code: str | None = None,
) -> list[dict[str, Any]]:
    """Cases from the read model (one row a case), by state, programme and what waits; a
    district officer's (``district``) or a provider's (``credit_code``) own only."""
    if policy is not None:
        rules.ref(policy)
    rows = store.cases(state=state, policy=policy, pending=pending)
    if district is not None:
        rows = [r for r in rows if r.district == district]
    if credit_code is not None:
        rows = [r for r in rows if r.credit_code == credit_code]
    return [case_row_json(r) for r in rows]


def bans(store: Store, policy: str | None = None) -> list[dict[str, Any]]:
    if policy is not None:
        rules.ref(policy)
    return [views.ban_json(r) for r in store.bans(policy)]


def notifications(
    store: Store,
    role: str | None = None,
    since: dt.date | None = None,
    credit_code: str | None = None,
) -> list[dict[str, Any]]:
    """Reminders cases wrote for the people who must act (a provider's own only)."""
    rows = [views.notification_json(r) for r in store.notifications(role=role, due_from=since)]
    if credit_code is not None:
        rows = [r for r in rows if r["case_id"].endswith(f":{credit_code}")]
    return rows


def rejected(store: Store, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Events cases refused or could not read, from ``since`` (Asia/Shanghai)."""
    start = dt.datetime.combine(since, dt.time(0), tzinfo=SHANGHAI) if since else None
    return [views.rejected_json(r) for r in store.rejected(start)]


def history(store: Store, case_id: str) -> list[Any]:
    rows = store.audit(case_id)
    if not rows:
        raise NotFound(f"There is no case '{case_id}' in the store.")
    return rows


def set_setting(store: Store, policy: str, key: str, value: str) -> str:
    """Sets a bureau setting of a programme (the city's yearly diagnosis target)."""
    pack = rules.pack(policy)
    try:
        checked = quota.checked_setting(pack, key, value)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    store.set_setting(pack.id, key, checked, dt.datetime.now(dt.UTC))
    return f"{pack.id} {key} = {checked}"


def settings(store: Store, policy: str) -> list[str]:
    """The settings the bureau has set, or those it may set."""
    pack = rules.pack(policy)
    rows = store.all_settings(pack.id)
    if rows:
        return [f"{key}\t{json.dumps(value, ensure_ascii=False)}" for key, value in rows.items()]
    names = quota.setting_names(pack)
    reads = "; ".join(f"{n}, {what}" for n, what in names.items())
    return [f"No settings yet; {pack.id} reads {reads}." if names else f"{pack.id} reads none."]


def rotate_audit_key(settings: Settings) -> str:
    """A new current audit key in LIFECYCLE_AUDIT_KEYS (the old ones kept)."""
    path = settings.audit_keys
    if not path.exists():
        raise NotFound(
            f"There is no audit key file at {path} yet; the worker makes it when it first "
            "starts (LIFECYCLE_AUDIT_KEYS)."
        )
    ring = KeyRing.read(path, "LIFECYCLE_AUDIT_KEYS").rotated()
    ring.write(path)
    return (
        f"Audit key {ring.current} is current in {path} ({len(ring.keys)} keys kept, so rows "
        "sealed before still verify); restart the worker to seal new rows with it."
    )


def audit(store: Store, case_id: str | None = None) -> Checked:
    """Every chain recomputed (one case's, or all); the first row of each that does not hold."""
    with store.sessions() as s:
        checked = verify(s, case_id, store.seals)
    if case_id is not None and checked.rows == 0:
        raise NotFound(f"There is no case '{case_id}' in the audit log.")
    return checked
