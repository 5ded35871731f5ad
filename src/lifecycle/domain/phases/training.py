"""Training events a provider files (wenzhou-2021 第十五条): free, at most a day, enough
participants for their kind, on the city's industries, filed by the latest on-time date (10
working days before the event), reviewed by the district and accepted by the city by then too, and after the
event its attendance and the participants' satisfaction (below the bar: no subsidy)."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import TrainingFiling
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.plan import DeadlineRequest, Plan
from lifecycle.domain.registry import Available, Handler, register
from lifecycle.policies.listed_rules import TrainingRules
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"
OPEN_FILINGS = 20
AUDIENCE = "enterprises"  # manufacturers with smart-transformation needs, the usual audience
COUNT = "training_filing"


def _rules(pack: PolicyPack) -> TrainingRules:
    if pack.listed.training is None:
        raise fields.FieldError(f"{pack.id} takes no training filings.")
    return pack.listed.training


def _filing(pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules, data = _rules(pack), action.data
    kind = fields.choice(data, "kind", sorted(rules.min_participants))
    audience = AUDIENCE
    if "audience" in data:
        audience = fields.choice(data, "audience", [AUDIENCE, *rules.exempt_audiences])
    return {
        "audience": audience,
        "event_date": fields.date(data, "event_date"),
        "days": fields.number(data, "days", 0.0),
        "kind": kind,
        "participants": fields.integer(data, "participants", 0),
        "fee": fields.number(data, "fee", 0.0),
        "industries": fields.choices(data, "industries", [i.id for i in rules.industries]),
    }


def _check_file(case: Case, pack: PolicyPack, action: Action) -> str | None:
    rules, filing = _rules(pack), _filing(pack, action)
    where = f"({pack.id} {rules.clause})"
    if rules.free and filing["fee"] > 0:
        return f"data fee is {filing['fee']:g}; training events are free for participants {where}."
    if not 0 < filing["days"] <= rules.max_days:
        return f"data days is {filing['days']:g}; an event lasts at most {rules.max_days:g} day {where}."
    least = rules.min_participants[filing["kind"]]
    if filing["participants"] < least and filing["audience"] not in rules.exempt_audiences:
        return (
            f"data participants is {filing['participants']}; a {filing['kind']} needs at least "
            f"{least} {where}."
        )
    counted = action.counted.get(COUNT)
    if counted is not None and action.at is not None and day(action) > counted.date:
        return (
            f"filed on {day(action)}, after its latest on-time date {counted.date} "
            f"({rules.filing_working_days} working days before the event on "
            f"{filing['event_date']}) {where}."
        )
    return None


def _needs_file(case: Case, pack: PolicyPack, action: Action) -> Plan:
    rules, filing = _rules(pack), _filing(pack, action)
    return Plan(
        deadlines=[
            DeadlineRequest(
                name=COUNT,
                rule="before",
                date=filing["event_date"],
                working_days=rules.filing_working_days,
            )
        ]
    )


def _budget_file(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if len(case.listed.filings) >= OPEN_FILINGS:
        return f"{OPEN_FILINGS} filings are open; conclude some first (engine rule)."
    return None


def _file(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    filing = _filing(pack, action)
    latest = action.counted[COUNT].date
    if _rules(pack).whole_filing_by_latest and action.at is not None:
        # Filings not accepted by their latest on-time date have lapsed: they go.
        case.listed.filings = [
            f for f in case.listed.filings if f.status == "accepted" or f.latest >= day(action)
        ]
    held = TrainingFiling(
        id=case.listed.next_id(),
        event_date=filing["event_date"],
        days=filing["days"],
        kind=filing["kind"],
        participants=filing["participants"],
        audience=filing["audience"],
        industries=filing["industries"],
        latest=latest,
    )
    case.listed.filings.append(held)
    return {**held.model_dump(mode="json", exclude={"status"}), "fee": filing["fee"]}


def _open(case: Case, action: Action, status: str) -> TrainingFiling:
    found = fields.open_item(case.listed.filings, action.data, "filing", "filing")
    if found.status != status:
        raise fields.FieldError(
            f"filing {found.id} is {found.status}; this step needs it {status}."
        )
    return found


def _late(pack: PolicyPack, action: Action, filing: TrainingFiling, step: str) -> str | None:
    """A step taken after the filing's latest on-time date, where the whole filing is due by
    then (the district's review and the city's acceptance included)."""
    rules = _rules(pack)
    if not rules.whole_filing_by_latest or action.at is None or day(action) <= filing.latest:
        return None
    return (
        f"filing {filing.id} is {step} on {day(action)}, after its latest on-time date "
        f"{filing.latest} ({rules.filing_working_days} working days before the event on "
        f"{filing.event_date}, the review and the acceptance included); it lapses, and the "
        f"provider files the event again for a later date ({pack.id} {rules.clause})."
    )


def _check_review(case: Case, pack: PolicyPack, action: Action) -> str | None:
    filing = _open(case, action, "filed")
    approved = fields.flag(action.data, "approved")
    if not approved and not action.reason.strip():
        return "refusing a filing needs a reason (--reason)."
    return _late(pack, action, filing, "reviewed") if approved else None


def _check_accept(case: Case, pack: PolicyPack, action: Action) -> str | None:
    return _late(pack, action, _open(case, action, "reviewed"), "accepted")


def _review(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    filing = _open(case, action, "filed")
    approved = fields.flag(action.data, "approved")
    if approved:
        filing.status = "reviewed"
    else:
        case.listed.filings.remove(filing)
    return {"filing": filing.id, "approved": approved}


def _accept(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    filing = _open(case, action, "reviewed")
    filing.status = "accepted"
    return {"filing": filing.id}


def _check_report(case: Case, pack: PolicyPack, action: Action) -> str | None:
    filing = _open(case, action, "accepted")
    fields.integer(action.data, "attendance", 0)
    fields.number(action.data, "satisfaction", 0.0, 100.0)
    if action.at is not None and day(action) < filing.event_date:
        return f"filing {filing.id}'s event is on {filing.event_date}; report it after the event."
    return None


def _report(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules, filing = _rules(pack), _open(case, action, "accepted")
    satisfaction = fields.number(action.data, "satisfaction", 0.0, 100.0)
    case.listed.filings.remove(filing)  # concluded: its outcome is in the audit trail
    return {
        "filing": filing.id,
        "event_date": filing.event_date.isoformat(),
        "attendance": fields.integer(action.data, "attendance", 0),
        "satisfaction": satisfaction,
        "subsidy_payable": satisfaction >= rules.satisfaction_payable,
    }


def _waiting(status: str) -> Available:
    def available(case: Case, pack: PolicyPack) -> str | None:
        if any(f.status == status for f in case.listed.filings):
            return None
        return f"no training filing is {status}."

    return available


register(
    Handler(
        "file_training",
        PHASE,
        check=reading(_check_file),
        effect=_file,
        needs=_needs_file,
        budget=_budget_file,
    )
)
register(
    Handler(
        "review_training",
        PHASE,
        check=reading(_check_review),
        effect=_review,
        available=_waiting("filed"),
    )
)
register(
    Handler(
        "accept_training",
        PHASE,
        check=reading(_check_accept),
        effect=_accept,
        available=_waiting("reviewed"),
    )
)
register(
    Handler(
        "report_training",
        PHASE,
        check=reading(_check_report),
        effect=_report,
        available=_waiting("accepted"),
    )
)
