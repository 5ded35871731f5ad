"""An objection lodged by a member of the public on the console's public notice, while its
window is open: their name, how to reach them and their grounds reach the case as the
``object`` action does (the public objects only during the notice: the case refuses a late
one), known as sent through the public form. Name and contact are kept for staff; the public
never sees them."""

from __future__ import annotations

import hashlib

from lifecycle.app import cases
from lifecycle.app.cases import checked_case_id, policy_of
from lifecycle.app.inputs import act_request
from lifecycle.app.system import System
from lifecycle.contracts import ActResult
from lifecycle.domain import limits
from lifecycle.errors import Invalid

FORM = "public-form"


def objector(name: str, contact: str) -> str:
    """The objector as the case names them: by what they wrote, never their words in clear
    (the same person writing the same gets the same id)."""
    digest = hashlib.sha256(f"{name.strip()}\n{contact.strip()}".encode()).hexdigest()[:16]
    return f"public:web-{digest}"


async def lodge(
    system: System,
    policy: str,
    case_id: str,
    name: str,
    contact: str,
    grounds: str,
    request_id: str | None = None,
) -> ActResult:
    case_id = checked_case_id(case_id)
    if policy_of(case_id) != policy:
        raise Invalid(f"case '{case_id[:80]}' is not a case of {policy}.")
    for label, value, limit, multiline in (
        ("name (姓名)", name, limits.SHORT * 2, False),
        ("contact (联系方式)", contact, limits.SHORT * 2, False),
        ("grounds (异议理由)", grounds, limits.TEXT, True),
    ):
        if not value.strip():
            raise Invalid(
                f"{label} is empty; an objection is made in one's own name, with grounds."
            )
        problem = limits.text(label, value, limit, multiline=multiline)
        if problem:
            raise Invalid(problem)
    request = act_request(
        action="object",
        actor=objector(name, contact),
        reason=grounds.strip(),
        data={"name": name.strip(), "contact": contact.strip()},
        request_id=request_id,
        assurance=FORM,
    )
    return await cases.act(system, case_id, request)
