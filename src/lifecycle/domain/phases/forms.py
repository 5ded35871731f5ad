"""The data each action takes, field by field, for the forms people fill in (the console): the
choices come from the pack (service kinds, grounds, exit reasons, industries), the open items
from the case (objections, complaints, decisions, filings, partners). The phases' own checks
read the same keys and decide; an action not named here takes no data."""

from __future__ import annotations

from lifecycle.domain.case import Case
from lifecycle.domain.forms import Form, FormField, choices, fixed, items
from lifecycle.policies.schema import PolicyPack


def _score(case: Case, pack: PolicyPack) -> list[FormField]:
    return [
        FormField(key="score", kind="number", label="score", low=0, high=110),
        FormField(key="rank", kind="integer", label="rank", low=1),
        FormField(key="recommended", kind="flag", label="recommended", default=True),
    ]


def _objection(case: Case, pack: PolicyPack) -> list[FormField]:
    open_ones = [o for o in case.objections if o.open]
    return [
        FormField(
            key="objection",
            kind="item",
            label="objection",
            choices=items((o.id, o.text[:40]) for o in open_ones),
            required=len(open_ones) > 1,
        )
    ]


def _service(case: Case, pack: PolicyPack) -> list[FormField]:
    kinds = pack.listed.services.kinds if pack.listed.services else []
    return [
        FormField(key="kind", kind="choice", label="kind of service", choices=choices(kinds)),
        FormField(key="enterprise", kind="code", label="enterprise's credit code"),
        FormField(key="district", kind="text", label="enterprise's district", high=64),
        FormField(key="date", kind="date", label="date"),
        FormField(
            key="purchased",
            kind="flag",
            label="bought by the government",
            required=False,
            default=True,
        ),
    ]


def _provider_record(case: Case, pack: PolicyPack) -> list[FormField]:
    return [
        FormField(
            key="recognition",
            kind="choice",
            label="recognition",
            choices=choices(["ministry", "province"]),
            required=False,
        ),
        FormField(
            key="served_demo_enterprise",
            kind="flag",
            label="served a demonstration enterprise",
            required=False,
        ),
    ]


_YEAR = FormField(key="year", kind="integer", label="year", low=2000, high=2200)


def _filing(case: Case, pack: PolicyPack) -> list[FormField]:
    rules = pack.listed.training
    if rules is None:
        return []
    return [
        FormField(key="event_date", kind="date", label="event date"),
        FormField(key="days", kind="number", label="days", low=0.5, high=rules.max_days),
        FormField(
            key="kind",
            kind="choice",
            label="kind of event",
            choices=choices(rules.min_participants),
        ),
        FormField(key="participants", kind="integer", label="participants", low=0),
        FormField(key="fee", kind="number", label="fee per participant (CNY)", low=0, default=0),
        FormField(
            key="industries",
            kind="choices",
            label="industries",
            choices=choices(
                [i.id for i in rules.industries], {i.id: i.name for i in rules.industries}
            ),
        ),
        FormField(
            key="audience",
            kind="choice",
            label="audience",
            choices=choices(["enterprises", *rules.exempt_audiences]),
            required=False,
        ),
    ]


def _filings(status: str, *more: FormField) -> Form:
    def form(case: Case, pack: PolicyPack) -> list[FormField]:
        waiting = [f for f in case.listed.filings if f.status == status]
        return [
            FormField(
                key="filing",
                kind="item",
                label="filing",
                choices=items((f.id, f"{f.kind} {f.event_date}") for f in waiting),
            ),
            *more,
        ]

    return form


def _complaints(case: Case, pack: PolicyPack) -> list[FormField]:
    return [
        FormField(
            key="complaint",
            kind="item",
            label="complaint",
            choices=items((c.id, c.enterprise) for c in case.listed.complaints),
        )
    ]


def _decisions(case: Case, pack: PolicyPack) -> list[FormField]:
    return [
        FormField(
            key="decision",
            kind="item",
            label="decision",
            choices=items((d.id, d.text[:60]) for d in case.listed.decisions),
        )
    ]


def _exit_reason(case: Case, pack: PolicyPack, proposing: bool) -> list[FormField]:
    reasons = [r for r in pack.exit.reasons if r.proposed or not proposing]
    if not reasons:
        return []
    fields = [
        FormField(
            key="reason",
            kind="choice",
            label="exit reason",
            choices=choices([r.code for r in reasons], {r.code: r.text for r in reasons}),
        )
    ]
    if not proposing and any(r.proposed for r in reasons):
        fields.append(
            FormField(
                key="meeting",
                kind="text",
                label="bureau meeting that confirmed it",
                required=False,
                high=200,
            )
        )
    return fields


def _order(case: Case, pack: PolicyPack) -> list[FormField]:
    grounds = pack.rectification.grounds
    if not grounds:
        return []
    return [
        FormField(
            key="grounds",
            kind="choice",
            label="grounds",
            choices=choices([g.code for g in grounds], {g.code: g.text for g in grounds}),
        ),
        FormField(
            key="working_days",
            kind="integer",
            label="working days to fix it",
            low=1,
            high=366,
            required=False,
            default=pack.rectification.deadline_working_days,
        ),
    ]


def _report(case: Case, pack: PolicyPack) -> list[FormField]:
    owed = [d for d in pack.deadlines if d.met_by == "submit_report"]
    if len(owed) < 2:
        return []
    return [
        FormField(
            key="deadline",
            kind="choice",
            label="report",
            choices=choices([d.name for d in owed], {d.name: d.label for d in owed}),
        )
    ]


def _change(case: Case, pack: PolicyPack) -> list[FormField]:
    rules = pack.listed.changes
    if rules is None:
        return []
    fields = [
        FormField(
            key="changes", kind="choices", label="what changes", choices=choices(rules.kinds)
        ),
        FormField(key="name", kind="text", label="new name", required=False, high=200),
        FormField(key="effective", kind="date", label="takes effect on"),
    ]
    if rules.partners:
        fields.append(
            FormField(key="partner", kind="code", label="partner's credit code", required=False)
        )
    return fields


def _apply_partner(case: Case, pack: PolicyPack) -> list[FormField]:
    rules = pack.listed.partners
    documents = rules.documents if rules else []
    return [
        FormField(key="partner", kind="code", label="partner's credit code"),
        FormField(key="name", kind="text", label="partner's name", high=200),
        *(
            FormField(key=f"documents.{d}", kind="text", label=d.replace("_", " "), high=200)
            for d in documents
        ),
    ]


def _partners(status: str, *more: FormField) -> Form:
    def form(case: Case, pack: PolicyPack) -> list[FormField]:
        waiting = [p for p in case.listed.partners.values() if p.status == status]
        return [
            FormField(
                key="partner",
                kind="choice",
                label="partner",
                choices=choices([p.code for p in waiting], {p.code: p.name for p in waiting}),
            ),
            *more,
        ]

    return form


def _evaluation(case: Case, pack: PolicyPack) -> list[FormField]:
    rubric = pack.evaluation.rubric
    grades = [g.grade for g in rubric.grades] if rubric else []
    return [
        FormField(key="round", kind="text", label="round", high=80),
        FormField(key="period", kind="text", label="period", high=16),
        FormField(key="grade", kind="choice", label="grade", choices=choices(grades)),
        FormField(
            key="total",
            kind="number",
            label="total points",
            low=0,
            high=rubric.max_total if rubric else None,
        ),
        FormField(key="missed", kind="flag", label="did not take part", required=False),
    ]


FORMS: dict[str, Form] = {
    "score": _score,
    "dismiss_objection": _objection,
    "uphold_objection": _objection,
    "record_service": _service,
    "set_provider_record": _provider_record,
    "rate_excellent": fixed(_YEAR),
    "file_training": _filing,
    "review_training": _filings(
        "filed", FormField(key="approved", kind="flag", label="approved", default=True)
    ),
    "accept_training": _filings("reviewed"),
    "report_training": _filings(
        "accepted",
        FormField(key="attendance", kind="integer", label="attendance", low=0),
        FormField(key="satisfaction", kind="number", label="satisfaction (%)", low=0, high=100),
    ),
    "verify_complaint": _complaints,
    "dismiss_complaint": _complaints,
    "close_decision": _decisions,
    "propose_exit": lambda case, pack: _exit_reason(case, pack, proposing=True),
    "exit": lambda case, pack: _exit_reason(case, pack, proposing=False),
    "order_rectification": _order,
    "continue_rectification": fixed(
        FormField(
            key="working_days", kind="integer", label="working days to fix it", low=1, high=366
        )
    ),
    "submit_report": _report,
    "report_change": _change,
    "apply_partner": _apply_partner,
    "review_partner": _partners(
        "applied", FormField(key="approve", kind="flag", label="approved", default=True)
    ),
    "object_partner": _partners("in_notice"),
    "decide_partner": _partners(
        "objected", FormField(key="publish", kind="flag", label="publish", default=False)
    ),
    "record_evaluation": _evaluation,
}


def form(trigger: str, case: Case, pack: PolicyPack) -> list[FormField]:
    """The fields ``trigger`` takes on this case now (none for an action that takes no data)."""
    make = FORMS.get(trigger)
    return make(case, pack) if make is not None else []
